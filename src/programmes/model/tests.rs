//! The obligation engine's rules, case by case and as properties over random residents.
use chrono::{Datelike, Duration, NaiveDate};
use rand::{Rng, SeedableRng};

use super::engine::{
    episode_items, owed, owed_all, Done, EpisodeCare, Owed, Person, Source, Span, Terms,
    EPISODE_RULE,
};
use super::packages::{Eligibility, Item, Package, PackageItem};
use super::rules::{Readings, RuleSet};
use super::{NewContract, WaiveBody, WaiveReason};

fn rules() -> RuleSet {
    RuleSet::parse(include_str!("../../../config/seed/programme_rules.json"))
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
fn a_contract_owes_its_package_items_but_not_twice_what_a_rule_owes() {
    let p = person("1950-01-01", &["hypertension"], "2027-01-01");
    let mut items = PackageItem::of(&package(
        "hypertension",
        vec![Item {
            service_type: "blood_pressure_check".into(),
            per_year: 12,
            min_age: None,
            conditions_any: vec![],
        }],
    ));
    items.extend(PackageItem::of(&package(
        "diabetes",
        vec![Item {
            service_type: "chronic_disease_follow_up".into(),
            per_year: 4,
            min_age: None,
            conditions_any: vec![],
        }],
    )));
    let terms = Terms {
        contract_id: "c1".into(),
        starts_on: d("2027-01-01"),
        ends_on: d("2027-12-31"),
        items,
    };
    let list = owed(&rules(), &p, Some(&terms), &[], year_2027());
    let monthly: Vec<_> = list
        .iter()
        .filter(|o| o.source == Source::Contract)
        .collect();
    assert_eq!(monthly.len(), 12);
    assert!(monthly
        .iter()
        .all(|o| o.service_type == "blood_pressure_check" && o.rule == "package:hypertension"));
    assert_eq!(
        (monthly[1].earliest, monthly[1].latest),
        (d("2027-02-01"), d("2027-02-28"))
    );
    assert_eq!(of_rule(&list, "chronic_quarterly_follow_up").len(), 4);
}

#[test]
fn a_visit_meets_the_current_period_before_an_overdue_one() {
    let p = person("1950-01-01", &["hypertension"], "2027-01-01");
    let visit = follow_up("v1", "2027-05-10", 128.0, 80.0);
    let list = owed(
        &rules(),
        &p,
        None,
        std::slice::from_ref(&visit),
        year_2027(),
    );
    let met: Vec<_> = list
        .iter()
        .filter(|o| o.met_by.is_some())
        .map(|o| o.period.as_str())
        .collect();
    assert_eq!(met, ["2027-Q2"], "Q1 stays missed");
    let late = follow_up("v2", "2027-07-01", 128.0, 80.0);
    let list = owed(&rules(), &p, None, &[visit, late.clone()], year_2027());
    let q3 = list.iter().find(|o| o.period == "2027-Q3").unwrap();
    assert_eq!(q3.met_by.as_ref().map(|m| m.0.as_str()), Some("v2"));
    let only_late = owed(
        &rules(),
        &p,
        None,
        &[follow_up("v3", "2027-04-02", 128.0, 80.0)],
        Span {
            from: d("2027-01-01"),
            to: d("2027-03-31"),
        },
    );
    assert_eq!(
        only_late[0].met_by.as_ref().map(|m| m.0.as_str()),
        Some("v3"),
        "met late when nothing else is open"
    );
}

#[test]
fn contracts_are_checked_before_anything_is_stored() {
    let new = NewContract {
        resident_id: "r".into(),
        package_codes: vec![],
        family_doctor_id: "d".into(),
        starts_on: d("2027-01-01"),
        ends_on: Some(d("2026-12-01")),
    };
    let err = new.check(d("2027-01-01")).unwrap_err();
    let fields: Vec<_> = err.fields().iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["package_codes", "ends_on"]);
    let ok = NewContract {
        package_codes: vec!["basic".into()],
        ends_on: None,
        ..new
    };
    assert_eq!(ok.check(d("2027-01-01")).unwrap(), d("2027-12-31"));
    let other = WaiveBody {
        reason: WaiveReason::Other,
        comment: Some("  ".into()),
    };
    assert!(other.check().is_err());
}

/// Random residents, contracts and histories.
fn random_case(rng: &mut rand::rngs::StdRng) -> (Person, Option<Terms>, Vec<Done>) {
    let birth = d("1925-01-01") + Duration::days(rng.random_range(0..365 * 80));
    let pool = ["hypertension", "diabetes", "E11.9", "I10", "骨质疏松"];
    let conditions = pool
        .iter()
        .filter(|_| rng.random_bool(0.3))
        .map(|c| c.to_string())
        .collect();
    let enrolled = d("2026-01-01") + Duration::days(rng.random_range(0..700));
    let terms = rng.random_bool(0.6).then(|| Terms {
        contract_id: "c".into(),
        starts_on: enrolled,
        ends_on: super::year_after(enrolled),
        items: PackageItem::of(&package(
            "p",
            vec![Item {
                service_type: "rehabilitation_training".into(),
                per_year: rng.random_range(1..=12),
                min_age: None,
                conditions_any: vec![],
            }],
        )),
    });
    let services = [
        "chronic_disease_follow_up",
        "health_check",
        "rehabilitation_training",
    ];
    let history = (0..rng.random_range(0..8))
        .map(|i| Done {
            visit_id: format!("v{i}"),
            service_type: services[rng.random_range(0..services.len())].into(),
            on: enrolled + Duration::days(rng.random_range(0..400)),
            readings: Readings {
                systolic_mmhg: Some(rng.random_range(100.0..180.0)),
                diastolic_mmhg: Some(rng.random_range(60.0..99.0)),
                fasting_glucose_mmol_l: Some(rng.random_range(4.0..12.0)),
            },
        })
        .collect();
    (
        Person {
            birth_date: birth,
            conditions,
            enrolled_on: enrolled,
        },
        terms,
        history,
    )
}

#[test]
fn for_any_resident_the_engine_is_deterministic_and_its_obligations_are_unique_well_formed_and_met_by_fitting_visits(
) {
    let rules = rules();
    let mut rng = rand::rngs::StdRng::seed_from_u64(20261202);
    for _ in 0..2000 {
        let (p, terms, history) = random_case(&mut rng);
        let today = d("2026-06-01") + Duration::days(rng.random_range(0..700));
        let span = Span::around(today, 14);
        let a = owed(&rules, &p, terms.as_ref(), &history, span);
        let b = owed(&rules, &p, terms.as_ref(), &history, span);
        assert_eq!(a, b, "the same inputs give the same obligations");
        let mut keys: Vec<_> = a
            .iter()
            .map(|o| (o.rule.clone(), o.period.clone()))
            .collect();
        keys.sort();
        let n = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), n, "one obligation per rule and period");
        for o in &a {
            assert!(o.earliest <= o.due && o.due <= o.latest, "{o:?}");
            assert!(
                o.latest >= p.enrolled_on,
                "nothing owed before enrolment: {o:?}"
            );
            assert!(
                o.latest >= span.from && (o.source == Source::Contract || o.earliest <= span.to)
            );
            if let Some((visit, on)) = &o.met_by {
                let v = history.iter().find(|h| &h.visit_id == visit).unwrap();
                assert_eq!(v.service_type, o.service_type);
                assert!(*on >= o.earliest, "a visit meets only what was open: {o:?}");
            }
        }
        let age_end = span.to.year() - p.birth_date.year();
        if age_end < 65 {
            assert!(of_rule(&a, "elderly_annual_check").is_empty());
        }
    }
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

fn sickbed(opened: &str, ends: &str) -> EpisodeCare {
    EpisodeCare {
        episode_id: "e1".into(),
        opened_on: d(opened),
        ends_on: d(ends),
        items: vec![
            ("home_sickbed_round".into(), 2),
            ("pressure_ulcer_care".into(), 3),
        ],
    }
}

fn windows(list: &[Owed], service: &str) -> Vec<(String, String)> {
    list.iter()
        .filter(|o| o.service_type == service)
        .map(|o| (o.earliest.to_string(), o.latest.to_string()))
        .collect()
}

#[test]
fn a_sickbed_owes_each_item_per_week_in_windows_of_whole_days() {
    let list = episode_items(&sickbed("2027-01-04", "2027-01-17"));
    assert_eq!(list.len(), 2 * 2 + 3 * 2);
    assert!(list.iter().all(|o| o.source == Source::Episode
        && o.rule == EPISODE_RULE
        && o.source_id.as_deref() == Some("e1")));
    let w = |a: &str, b: &str| (a.to_string(), b.to_string());
    assert_eq!(
        windows(&list, "home_sickbed_round"),
        [
            w("2027-01-04", "2027-01-06"),
            w("2027-01-07", "2027-01-10"),
            w("2027-01-11", "2027-01-13"),
            w("2027-01-14", "2027-01-17")
        ]
    );
    assert_eq!(
        windows(&list, "pressure_ulcer_care")[..3],
        [
            w("2027-01-04", "2027-01-05"),
            w("2027-01-06", "2027-01-07"),
            w("2027-01-08", "2027-01-10")
        ]
    );
    let periods: std::collections::HashSet<&str> = list.iter().map(|o| o.period.as_str()).collect();
    assert_eq!(periods.len(), list.len(), "each window its own period");
}

#[test]
fn a_sickbed_s_last_week_ends_with_it_and_owes_no_window_opening_after() {
    let list = episode_items(&sickbed("2027-01-04", "2027-01-12"));
    let w = |a: &str, b: &str| (a.to_string(), b.to_string());
    assert_eq!(
        windows(&list, "home_sickbed_round"),
        [
            w("2027-01-04", "2027-01-06"),
            w("2027-01-07", "2027-01-10"),
            w("2027-01-11", "2027-01-12")
        ]
    );
    assert!(episode_items(&sickbed("2027-01-04", "2027-01-03")).is_empty());
}

#[test]
fn a_round_done_meets_the_sickbed_window_holding_its_day() {
    let p = person("1940-05-01", &[], "2020-01-01");
    let round = Done {
        visit_id: "v1".into(),
        service_type: "home_sickbed_round".into(),
        on: d("2027-01-08"),
        readings: Readings::default(),
    };
    let list = owed_all(
        &rules(),
        &p,
        None,
        &[sickbed("2027-01-04", "2027-01-17")],
        &[round],
        year_2027(),
    );
    let met: Vec<_> = list
        .iter()
        .filter(|o| o.met_by.is_some())
        .map(|o| (o.service_type.as_str(), o.earliest.to_string()))
        .collect();
    assert_eq!(met, [("home_sickbed_round", "2027-01-07".to_string())]);
}
