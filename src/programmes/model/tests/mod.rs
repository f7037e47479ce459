//! The obligation engine's rules, case by case and as properties over random residents: the
//! fixtures and the rules' own cases here, contracts, sickbeds and the properties beside.
use chrono::NaiveDate;

use super::engine::{owed, Done, Owed, Person, Source, Span};
use super::packages::{Eligibility, Item, Package};
use super::rules::{Readings, RuleSet};

mod contracts;
mod properties;
mod sickbeds;

fn rules() -> RuleSet {
    RuleSet::parse(include_str!("../../../../config/seed/programme_rules.json"))
        .expect("the seed rules parse")
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn person(birth: &str, conditions: &[&str], enrolled: &str) -> Person {
    Person {
        birth_date: d(birth),
        conditions: conditions.iter().map(|c| c.to_string()).collect(),
        enrolled_on: d(enrolled),
    }
}

fn follow_up(id: &str, on: &str, sys: f64, dia: f64) -> Done {
    Done {
        visit_id: id.into(),
        service_type: "chronic_disease_follow_up".into(),
        on: d(on),
        readings: Readings {
            systolic_mmhg: Some(sys),
            diastolic_mmhg: Some(dia),
            fasting_glucose_mmol_l: None,
        },
    }
}

fn year_2027() -> Span {
    Span {
        from: d("2027-01-01"),
        to: d("2027-12-31"),
    }
}

fn of_rule<'a>(list: &'a [Owed], rule: &str) -> Vec<&'a Owed> {
    list.iter().filter(|o| o.rule == rule).collect()
}

fn package(code: &str, items: Vec<Item>) -> Package {
    Package {
        code: code.into(),
        name: code.into(),
        price_yuan: 0.0,
        eligibility: Eligibility::default(),
        items,
        active: true,
        version: 1,
    }
}

#[test]
fn a_hypertensive_70_year_old_signed_on_1_january_gets_a_check_and_four_quarterly_follow_ups() {
    let p = person("1957-03-10", &["hypertension"], "2027-01-01");
    let list = owed(&rules(), &p, None, &[], year_2027());
    let checks = of_rule(&list, "elderly_annual_check");
    assert_eq!(checks.len(), 1);
    assert_eq!(
        (checks[0].earliest, checks[0].latest),
        (d("2027-01-01"), d("2027-12-31"))
    );
    let quarters = of_rule(&list, "chronic_quarterly_follow_up");
    let windows: Vec<_> = quarters
        .iter()
        .map(|o| (o.period.as_str(), o.earliest, o.latest))
        .collect();
    assert_eq!(
        windows,
        [
            ("2027-Q1", d("2027-01-01"), d("2027-03-31")),
            ("2027-Q2", d("2027-04-01"), d("2027-06-30")),
            ("2027-Q3", d("2027-07-01"), d("2027-09-30")),
            ("2027-Q4", d("2027-10-01"), d("2027-12-31")),
        ]
    );
    assert!(list
        .iter()
        .all(|o| o.source == Source::Rule && o.rule_version == 1));
    assert_eq!(list.len(), 5);
}

#[test]
fn icd_codes_and_chinese_names_count_as_the_conditions() {
    let r = rules();
    assert_eq!(r.groups(&["I10.x".into()]), ["hypertension"]);
    assert_eq!(
        r.groups(&["E11.9".into(), "高血压".into()]),
        ["diabetes", "hypertension"]
    );
    assert!(r.groups(&["I20".into(), "骨质疏松".into()]).is_empty());
}

#[test]
fn a_resident_who_turns_65_mid_year_is_owed_the_check_from_their_birthday() {
    let p = person("1962-07-15", &[], "2026-01-01");
    let list = owed(&rules(), &p, None, &[], year_2027());
    let checks = of_rule(&list, "elderly_annual_check");
    assert_eq!(checks.len(), 1);
    assert_eq!(checks[0].earliest, d("2027-07-15"));
    let younger = person("1963-07-15", &[], "2026-01-01");
    assert!(owed(&rules(), &younger, None, &[], year_2027()).is_empty());
}

#[test]
fn an_uncontrolled_follow_up_adds_a_re_check_within_14_days() {
    let p = person("1950-01-01", &["hypertension"], "2027-01-01");
    let history = [follow_up("v1", "2027-02-10", 152.0, 88.0)];
    let list = owed(&rules(), &p, None, &history, year_2027());
    let rechecks = of_rule(&list, "uncontrolled_recheck");
    assert_eq!(rechecks.len(), 1);
    assert_eq!(
        (rechecks[0].earliest, rechecks[0].latest),
        (d("2027-02-10"), d("2027-02-24"))
    );
    assert_eq!(rechecks[0].trigger_visit_id.as_deref(), Some("v1"));
    assert!(!rechecks[0].draft_referral);
    // the follow-up meets the first quarter's obligation
    let q1 = list.iter().find(|o| o.period == "2027-Q1").unwrap();
    assert_eq!(q1.met_by, Some(("v1".into(), d("2027-02-10"))));
}

#[test]
fn a_controlled_reading_adds_nothing_and_139_over_89_is_in_control() {
    let p = person("1950-01-01", &["hypertension"], "2027-01-01");
    let history = [follow_up("v1", "2027-02-10", 139.0, 89.0)];
    let list = owed(&rules(), &p, None, &history, year_2027());
    assert!(of_rule(&list, "uncontrolled_recheck").is_empty());
    let diabetic = person("1950-01-01", &["diabetes"], "2027-01-01");
    let mut high_glucose = follow_up("v2", "2027-02-10", 120.0, 80.0);
    high_glucose.readings.fasting_glucose_mmol_l = Some(7.0);
    let list = owed(&rules(), &diabetic, None, &[high_glucose], year_2027());
    assert_eq!(of_rule(&list, "uncontrolled_recheck").len(), 1);
}

#[test]
fn two_uncontrolled_follow_ups_in_a_row_add_a_draft_referral_and_a_follow_up() {
    let p = person("1950-01-01", &["hypertension"], "2027-01-01");
    let history = [
        follow_up("v1", "2027-02-10", 152.0, 95.0),
        follow_up("v2", "2027-02-20", 150.0, 92.0),
    ];
    let list = owed(&rules(), &p, None, &history, year_2027());
    let referral = of_rule(&list, "uncontrolled_twice_referral");
    assert_eq!(referral.len(), 1);
    assert!(referral[0].draft_referral);
    assert_eq!(referral[0].trigger_visit_id.as_deref(), Some("v2"));
    assert_eq!(referral[0].latest, d("2027-03-06"));
    // the second follow-up met the first re-check
    let recheck = of_rule(&list, "uncontrolled_recheck");
    assert_eq!(recheck.len(), 1);
    assert_eq!(recheck[0].met_by.as_ref().map(|m| m.0.as_str()), Some("v2"));
    // a controlled follow-up between them breaks the run
    let broken = [
        follow_up("v1", "2027-02-10", 152.0, 95.0),
        follow_up("v2", "2027-02-20", 130.0, 80.0),
        follow_up("v3", "2027-03-01", 150.0, 92.0),
    ];
    let list = owed(&rules(), &p, None, &broken, year_2027());
    assert!(of_rule(&list, "uncontrolled_twice_referral").is_empty());
}

#[test]
fn a_later_rule_version_applies_from_its_date_and_earlier_periods_keep_theirs() {
    let mut r = rules();
    let mut v2 = r
        .rules
        .iter()
        .find(|x| x.code == "elderly_annual_check")
        .unwrap()
        .clone();
    v2.version = 2;
    v2.valid_from = d("2027-06-01");
    r.rules.push(v2);
    let p = person("1950-01-01", &[], "2026-01-01");
    let span = Span {
        from: d("2027-01-01"),
        to: d("2028-12-31"),
    };
    let list = owed(&r, &p, None, &[], span);
    let versions: Vec<_> = list
        .iter()
        .map(|o| (o.period.as_str(), o.rule_version))
        .collect();
    assert_eq!(versions, [("2027", 1), ("2028", 2)]);
}
