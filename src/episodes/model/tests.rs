use chrono::NaiveDate;

use super::*;
use crate::domain_error::FieldError;

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn opening(until: &str) -> NewEpisode {
    NewEpisode {
        kind: EpisodeKind::HomeSickbed,
        resident_id: "r".into(),
        referral_id: None,
        diagnosis: Diagnosis {
            code: Some("I63.9".into()),
            text: "脑梗死恢复期".into(),
        },
        responsible_clinician_id: "c".into(),
        plan: NewPlan {
            rounds_per_week: 2,
            nursing: vec![NursingItem {
                service_type: "pressure_ulcer_care".into(),
                per_week: 3,
            }],
            until: day(until),
        },
        admission: Some(Admission {
            adl_score: 45,
            risks: vec![Risk::Falls, Risk::PressureUlcer],
            note: None,
        }),
    }
}

fn fields(errors: &[FieldError]) -> Vec<&str> {
    errors.iter().map(|e| e.field.as_str()).collect()
}

#[test]
fn an_opening_within_the_longest_run_is_accepted() {
    let today = day("2026-12-03");
    assert!(opening("2027-03-03")
        .check(today, 90, "home_sickbed_round")
        .is_empty());
}

#[test]
fn an_opening_past_the_longest_run_or_in_the_past_names_the_until() {
    let today = day("2026-12-03");
    let too_long = opening("2027-03-04").check(today, 90, "home_sickbed_round");
    assert_eq!(fields(&too_long), ["plan.until"]);
    let past = opening("2026-12-02").check(today, 90, "home_sickbed_round");
    assert_eq!(fields(&past), ["plan.until"]);
}

#[test]
fn a_plan_owing_nothing_or_naming_a_service_twice_is_refused_item_by_item() {
    let today = day("2026-12-03");
    let mut e = opening("2027-01-03");
    e.plan.rounds_per_week = 0;
    e.plan.nursing.clear();
    assert_eq!(fields(&e.check(today, 90, "home_sickbed_round")), ["plan"]);
    let mut e = opening("2027-01-03");
    e.plan.rounds_per_week = 8;
    e.plan.nursing.push(e.plan.nursing[0].clone());
    e.plan.nursing.push(NursingItem {
        service_type: "home_sickbed_round".into(),
        per_week: 0,
    });
    assert_eq!(
        fields(&e.check(today, 90, "home_sickbed_round")),
        [
            "plan.rounds_per_week",
            "plan.nursing[1].service_type",
            "plan.nursing[2].per_week",
            "plan.nursing[2].service_type"
        ]
    );
}

#[test]
fn an_admission_score_must_be_a_barthel_score() {
    let today = day("2026-12-03");
    for bad_score in [-5, 42, 105] {
        let mut e = opening("2027-01-03");
        e.admission.as_mut().unwrap().adl_score = bad_score;
        assert_eq!(
            fields(&e.check(today, 90, "home_sickbed_round")),
            ["admission.adl_score"]
        );
    }
}

#[test]
fn the_dependency_levels_follow_the_barthel_bands_at_each_boundary() {
    assert_eq!(dependency(100), Dependency::None);
    assert_eq!(dependency(95), Dependency::Mild);
    assert_eq!(dependency(65), Dependency::Mild);
    assert_eq!(dependency(60), Dependency::Moderate);
    assert_eq!(dependency(45), Dependency::Moderate);
    assert_eq!(dependency(40), Dependency::Severe);
    assert_eq!(dependency(0), Dependency::Severe);
}

#[test]
fn an_extension_must_go_later_by_at_most_the_longest_run_with_a_reason() {
    let current = day("2027-03-03");
    let ok = ExtendBody {
        until: day("2027-04-03"),
        reason: "压疮未愈".into(),
    };
    assert!(ok.check(current, 90).is_empty());
    let earlier = ExtendBody {
        until: current,
        reason: " ".into(),
    };
    assert_eq!(fields(&earlier.check(current, 90)), ["reason", "until"]);
    let too_far = ExtendBody {
        until: day("2027-06-02"),
        reason: "x".into(),
    };
    assert_eq!(fields(&too_far.check(current, 90)), ["until"]);
}

#[test]
fn closing_asks_for_a_summary_and_waives_by_outcome() {
    let blank = CloseBody {
        outcome: Outcome::Recovered,
        summary: "  ".into(),
    };
    assert_eq!(fields(&blank.check()), ["summary"]);
    assert_eq!(Outcome::Deceased.waiver(), "deceased");
    assert_eq!(Outcome::ReferredUp.waiver(), "hospitalised");
    assert_eq!(Outcome::Recovered.waiver(), "other");
    assert_eq!(Outcome::parse("referred_up"), Some(Outcome::ReferredUp));
}

#[test]
fn the_shipped_barthel_bands_parse_and_a_gap_at_the_bottom_is_refused() {
    let shipped = parse_bands(include_str!("../../../config/seed/home_sickbed.json")).unwrap();
    assert_eq!(shipped.len(), 4);
    let gap = r#"{"barthel_bands": [{"min": 100, "dependency": "none", "name": "x"}, {"min": 40, "dependency": "severe", "name": "y"}]}"#;
    assert!(parse_bands(gap).is_err());
    let unordered = r#"{"barthel_bands": [{"min": 0, "dependency": "severe", "name": "y"}, {"min": 100, "dependency": "none", "name": "x"}]}"#;
    assert!(parse_bands(unordered).is_err());
}
