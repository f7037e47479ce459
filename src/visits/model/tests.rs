//! The state machine, windows and bodies, checked without a database.
use super::*;
use Status::*;

#[test]
fn the_lifecycle_runs_requested_scheduled_in_progress_completed() {
    assert_eq!(transition(Requested, Action::Schedule).unwrap(), Scheduled);
    assert_eq!(transition(Scheduled, Action::CheckIn).unwrap(), InProgress);
    assert_eq!(transition(InProgress, Action::CheckOut).unwrap(), Completed);
    assert_eq!(transition(Scheduled, Action::Missed).unwrap(), Missed);
    assert_eq!(transition(Requested, Action::Cancel).unwrap(), Cancelled);
}

#[test]
fn every_other_transition_is_invalid() {
    let legal = [
        (Requested, Action::Schedule),
        (Scheduled, Action::Reschedule),
        (Requested, Action::Cancel),
        (Scheduled, Action::Cancel),
        (Scheduled, Action::CheckIn),
        (InProgress, Action::CheckOut),
        (Scheduled, Action::Missed),
    ];
    let actions = [
        Action::Schedule,
        Action::Reschedule,
        Action::Cancel,
        Action::CheckIn,
        Action::CheckOut,
        Action::Missed,
    ];
    for from in Status::ALL {
        for action in actions {
            let ok = transition(from, action).is_ok();
            assert_eq!(ok, legal.contains(&(from, action)), "{from:?} {action:?}");
            if !ok {
                assert_eq!(
                    transition(from, action).unwrap_err().code(),
                    "invalid_transition"
                );
            }
        }
    }
}

#[test]
fn a_clinician_checks_in_only_to_their_own_visits_and_a_scheduler_never_does() {
    assert!(may(Role::Clinician, Action::CheckIn, true, false));
    assert!(!may(Role::Clinician, Action::CheckIn, false, false));
    assert!(!may(Role::Scheduler, Action::CheckIn, false, false));
    assert!(may(Role::Resident, Action::Cancel, false, true));
    assert!(!may(Role::Resident, Action::Reschedule, false, true));
}

#[test]
fn vital_signs_outside_their_plausible_ranges_are_named() {
    let mut errors = vec![];
    VitalSigns {
        systolic_mmhg: Some(1400.0),
        diastolic_mmhg: Some(90.0),
        weight_kg: Some(58_500.0),
        ..Default::default()
    }
    .check(&mut errors);
    let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        ["vital_signs.systolic_mmhg", "vital_signs.weight_kg"]
    );
    let mut errors = vec![];
    VitalSigns {
        systolic_mmhg: Some(120.0),
        diastolic_mmhg: Some(130.0),
        ..Default::default()
    }
    .check(&mut errors);
    assert_eq!(errors[0].field, "vital_signs.diastolic_mmhg");
    let mut errors = vec![];
    VitalSigns {
        systolic_mmhg: Some(148.0),
        diastolic_mmhg: Some(88.0),
        fasting_glucose_mmol_l: Some(7.2),
        heart_rate_bpm: Some(76.0),
        weight_kg: Some(58.5),
    }
    .check(&mut errors);
    assert!(errors.is_empty());
}

#[test]
fn a_window_must_end_after_it_starts_and_not_in_the_past() {
    let now = DateTime::parse_from_rfc3339("2026-12-01T08:00:00+08:00")
        .unwrap()
        .with_timezone(&Utc);
    let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap();
    assert!(VisitWindow::parse(
        t("2026-12-01T10:00:00+08:00"),
        t("2026-12-01T09:00:00+08:00"),
        now,
        14
    )
    .is_err());
    assert!(VisitWindow::parse(
        t("2026-11-30T10:00:00+08:00"),
        t("2026-11-30T12:00:00+08:00"),
        now,
        14
    )
    .is_err());
    assert!(VisitWindow::parse(
        t("2026-12-01T09:00:00+08:00"),
        t("2026-12-01T12:00:00+08:00"),
        now,
        14
    )
    .is_ok());
}

#[test]
fn a_device_time_is_not_in_the_future_nor_before_the_visits_day_nor_before_the_check_in() {
    let t = |h, m| {
        chrono::NaiveDate::from_ymd_opt(2026, 12, 3)
            .unwrap()
            .and_hms_opt(h, m, 0)
            .unwrap()
    };
    let (now, day) = (t(10, 0), t(0, 0));
    assert!(check_recorded_at(t(9, 0), now, day, None).is_ok());
    assert!(
        check_recorded_at(t(10, 5), now, day, None).is_ok(),
        "a phone's clock a few minutes ahead"
    );
    assert!(check_recorded_at(t(10, 6), now, day, None).is_err());
    assert!(check_recorded_at(day - chrono::Duration::seconds(1), now, day, None).is_err());
    assert!(
        check_recorded_at(t(9, 0), now, day, Some(t(9, 30))).is_err(),
        "out before in"
    );
    assert!(check_recorded_at(t(9, 30), now, day, Some(t(9, 30))).is_ok());
}
