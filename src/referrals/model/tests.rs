//! The model's rules, without a database.
use super::*;
use crate::network::model::OrgKind;
use chrono::Duration;
use Status::*;

#[test]
fn every_transition_outside_the_form_is_invalid() {
    let legal = [
        (Submitted, Action::Accept),
        (Submitted, Action::Reject),
        (Submitted, Action::Return),
        (Submitted, Action::Cancel),
        (Accepted, Action::Schedule),
        (Scheduled, Action::Arrive),
        (Arrived, Action::Complete),
        (Scheduled, Action::NoShow),
    ];
    let actions = [
        Action::Accept,
        Action::Reject,
        Action::Return,
        Action::Schedule,
        Action::Arrive,
        Action::Complete,
        Action::Cancel,
        Action::NoShow,
    ];
    for from in Status::ALL {
        for a in actions {
            assert_eq!(
                transition(from, a).is_ok(),
                legal.contains(&(from, a)),
                "{from:?} {a:?}"
            );
        }
    }
}

#[test]
fn only_the_receiver_triages_and_only_the_sender_cancels() {
    assert!(side_may(Side::Receiver, Action::Accept) && !side_may(Side::Sender, Action::Accept));
    assert!(side_may(Side::Sender, Action::Cancel) && !side_may(Side::Receiver, Action::Cancel));
    assert!(side_may(Side::Sender, Action::NoShow) && side_may(Side::Receiver, Action::NoShow));
}

#[test]
fn a_referral_escalates_at_its_deadline_and_again_at_twice_it() {
    let t0 = chrono::NaiveDate::from_ymd_opt(2026, 12, 1)
        .unwrap()
        .and_hms_opt(8, 0, 0)
        .unwrap();
    assert_eq!(due_level(t0, 30, 2, t0 + Duration::minutes(29)), 0);
    assert_eq!(due_level(t0, 30, 2, t0 + Duration::minutes(30)), 1);
    assert_eq!(due_level(t0, 30, 2, t0 + Duration::minutes(60)), 2);
}

#[test]
fn percentiles_use_the_nearest_rank() {
    let v: Vec<f64> = (1..=10).map(f64::from).collect();
    assert_eq!(percentile(&v, 50.0), Some(5.0));
    assert_eq!(percentile(&v, 90.0), Some(9.0));
    assert_eq!(percentile(&[], 50.0), None);
}

#[test]
fn referrals_go_up_to_hospitals_and_down_to_the_grassroots() {
    assert!(check_direction(Direction::Up, OrgKind::CareHome, OrgKind::Hospital).is_ok());
    assert!(check_direction(Direction::Up, OrgKind::Clinic, OrgKind::Clinic).is_err());
    assert!(check_direction(Direction::Down, OrgKind::Hospital, OrgKind::Hospital).is_err());
    assert!(check_direction(Direction::Down, OrgKind::Hospital, OrgKind::Clinic).is_ok());
}

#[test]
fn icd10_codes_have_a_letter_two_digits_and_an_optional_subcode() {
    assert!(is_icd10("I63.9") && is_icd10("J18") && is_icd10("S72.001A".get(..6).unwrap()));
    assert!(!is_icd10("63.9") && !is_icd10("I6") && !is_icd10("I63.") && !is_icd10("I63-9"));
}

#[test]
fn rejecting_with_other_needs_a_comment() {
    assert!(RejectBody {
        reason_code: RejectReason::Other,
        comment: None
    }
    .validate()
    .is_err());
    assert!(RejectBody {
        reason_code: RejectReason::NoCapacity,
        comment: None
    }
    .validate()
    .is_ok());
}
