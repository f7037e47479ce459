//! The dates a plan falls on and its checks, without a database.
use super::*;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[test]
fn a_plan_falls_on_its_weekdays_up_to_its_count() {
    // 2026-12-01 is a Tuesday.
    let days = occurrences(&[2, 4], d("2026-12-01"), None, Some(4));
    assert_eq!(
        days,
        vec![
            d("2026-12-01"),
            d("2026-12-03"),
            d("2026-12-08"),
            d("2026-12-10")
        ]
    );
}

#[test]
fn a_plan_stops_at_its_end_date() {
    let days = occurrences(
        &[1, 2, 3, 4, 5, 6, 7],
        d("2026-12-01"),
        Some(d("2026-12-03")),
        None,
    );
    assert_eq!(days.len(), 3);
}

#[test]
fn a_plan_needs_days_a_window_and_exactly_one_end() {
    let plan = NewPlan {
        resident_id: "r".into(),
        service_type: "s".into(),
        weekdays: vec![8],
        window: TimeWindow {
            from: NaiveTime::from_hms_opt(11, 0, 0).unwrap(),
            to: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
        },
        starts_on: d("2026-12-01"),
        until: Some(d("2026-12-31")),
        count: Some(3),
        clinician_id: None,
        priority: Priority::Routine,
        self_paid: false,
    };
    let fields: Vec<_> = plan
        .validate(d("2026-11-27"))
        .unwrap_err()
        .fields()
        .iter()
        .map(|e| e.field.clone())
        .collect();
    assert_eq!(fields, ["weekdays", "window.to", "until"]);
}
