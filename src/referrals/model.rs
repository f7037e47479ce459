//! Referrals as the API shows them, the national form's fields, the state machine, deadlines and
//! response-time statistics (pure).
use chrono::{Duration, NaiveDateTime};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{AppError, FieldError};
use crate::network::model::OrgKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Up,
    Down,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Up => "up",
            Direction::Down => "down",
        }
    }
}

/// Up: a clinic or care home to a hospital. Down: a hospital to a clinic or care home.
pub fn check_direction(direction: Direction, from: OrgKind, to: OrgKind) -> Result<(), AppError> {
    let grassroots = |k: OrgKind| matches!(k, OrgKind::Clinic | OrgKind::CareHome);
    match direction {
        Direction::Up if !grassroots(from) => {
            Err(AppError::forbidden("Only clinics and care homes refer up."))
        }
        Direction::Up if to != OrgKind::Hospital => Err(AppError::invalid(
            "to_organization_id",
            "an up-referral goes to a district hospital",
        )),
        Direction::Down if from != OrgKind::Hospital => {
            Err(AppError::forbidden("Only hospitals refer down."))
        }
        Direction::Down if !grassroots(to) => Err(AppError::invalid(
            "to_organization_id",
            "a down-referral goes to a clinic or care home",
        )),
        _ => Ok(()),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = ReferralPriority)]
pub enum Priority {
    #[default]
    Routine,
    Urgent,
    GreenChannel,
}

impl Priority {
    pub const ALL: [Priority; 3] = [Priority::GreenChannel, Priority::Urgent, Priority::Routine];

    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Routine => "routine",
            Priority::Urgent => "urgent",
            Priority::GreenChannel => "green_channel",
        }
    }

    pub fn parse(s: &str) -> Option<Priority> {
        Priority::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// Inboxes sort by this: the green channel first.
    pub fn rank(self) -> i32 {
        match self {
            Priority::GreenChannel => 0,
            Priority::Urgent => 1,
            Priority::Routine => 2,
        }
    }

    pub fn deadline_minutes(self, cfg: &crate::config::Referrals) -> i64 {
        match self {
            Priority::Routine => cfg.routine_minutes,
            Priority::Urgent => cfg.urgent_minutes,
            Priority::GreenChannel => cfg.green_channel_minutes,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = ReferralStatus)]
pub enum Status {
    Submitted,
    Accepted,
    Rejected,
    Returned,
    Cancelled,
    Scheduled,
    Arrived,
    Completed,
    NoShow,
}

impl Status {
    pub const ALL: [Status; 9] = [
        Status::Submitted,
        Status::Accepted,
        Status::Rejected,
        Status::Returned,
        Status::Cancelled,
        Status::Scheduled,
        Status::Arrived,
        Status::Completed,
        Status::NoShow,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Submitted => "submitted",
            Status::Accepted => "accepted",
            Status::Rejected => "rejected",
            Status::Returned => "returned",
            Status::Cancelled => "cancelled",
            Status::Scheduled => "scheduled",
            Status::Arrived => "arrived",
            Status::Completed => "completed",
            Status::NoShow => "no_show",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Accept,
    Reject,
    Return,
    Schedule,
    Arrive,
    Complete,
    Cancel,
    NoShow,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Accept => "accept",
            Action::Reject => "reject",
            Action::Return => "return",
            Action::Schedule => "schedule",
            Action::Arrive => "arrive",
            Action::Complete => "complete",
            Action::Cancel => "cancel",
            Action::NoShow => "no_show",
        }
    }
}

/// Which side of a referral an organisation is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Sender,
    Receiver,
}

/// Only the receiver triages and runs the appointment; only the sender cancels; either side
/// records a no-show.
pub fn side_may(side: Side, action: Action) -> bool {
    match action {
        Action::Cancel => side == Side::Sender,
        Action::NoShow => true,
        _ => side == Side::Receiver,
    }
}

/// submitted -> accepted | rejected | returned | cancelled; accepted -> scheduled -> arrived ->
/// completed; scheduled -> no_show. Anything else is 409 `invalid_transition`.
pub fn transition(from: Status, action: Action) -> Result<Status, AppError> {
    use Status::*;
    let to = match (from, action) {
        (Submitted, Action::Accept) => Accepted,
        (Submitted, Action::Reject) => Rejected,
        (Submitted, Action::Return) => Returned,
        (Submitted, Action::Cancel) => Cancelled,
        (Accepted, Action::Schedule) => Scheduled,
        (Scheduled, Action::Arrive) => Arrived,
        (Arrived, Action::Complete) => Completed,
        (Scheduled, Action::NoShow) => NoShow,
        _ => {
            return Err(AppError::conflict(
                "invalid_transition",
                format!(
                    "A referral in the state {} cannot take the action {}.",
                    from.as_str(),
                    action.as_str()
                ),
            ))
        }
    };
    Ok(to)
}

/// A triage answer (accept, reject, return) stops the response clock.
pub fn answers_triage(action: Action) -> bool {
    matches!(action, Action::Accept | Action::Reject | Action::Return)
}

/// The escalation level a still-unanswered referral has reached at `now`: 0 before its deadline,
/// 1 past it, 2 past `factor` times the deadline.
pub fn due_level(
    created: NaiveDateTime,
    deadline_minutes: i64,
    factor: i64,
    now: NaiveDateTime,
) -> i32 {
    let waited = now - created;
    if waited >= Duration::minutes(deadline_minutes * factor) {
        2
    } else if waited >= Duration::minutes(deadline_minutes) {
        1
    } else {
        0
    }
}

/// Nearest-rank percentile of sorted values (p in 0..=100); None for no values.
pub fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    Some(sorted[rank.min(sorted.len()) - 1])
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    OutsideScope,
    NoCapacity,
    IncompleteInformation,
    ManageAtGrassroots,
    Other,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Diagnosis {
    /// ICD-10 code, e.g. `I63.9`.
    #[schema(
        pattern = "^[A-Z][0-9][0-9A-Z](\\.[A-Za-z0-9]{1,4})?$",
        example = "I63.9"
    )]
    pub code: Option<String>,
    /// 1 to 500 characters (not blank).
    #[schema(min_length = 1, max_length = 500)]
    pub text: String,
}

impl Diagnosis {
    pub fn check(&self, field: &str, errors: &mut Vec<FieldError>) {
        let t = self.text.trim().chars().count();
        if t == 0 || t > 500 {
            errors.push(FieldError {
                field: format!("{field}.text"),
                message: "must be 1 to 500 characters".into(),
            });
        }
        if let Some(code) = &self.code {
            if !is_icd10(code) {
                errors.push(FieldError {
                    field: format!("{field}.code"),
                    message: "is not an ICD-10 code (e.g. I63.9)".into(),
                });
            }
        }
    }
}

/// ICD-10 shape: a letter, two digits, optionally a dot and 1-4 more characters.
pub fn is_icd10(code: &str) -> bool {
    let b = code.as_bytes();
    if b.len() < 3
        || !b[0].is_ascii_uppercase()
        || !b[1].is_ascii_digit()
        || !(b[2].is_ascii_digit() || b[2].is_ascii_uppercase())
    {
        return false;
    }
    match &b[3..] {
        [] => true,
        [b'.', rest @ ..] => {
            (1..=4).contains(&rest.len()) && rest.iter().all(|c| c.is_ascii_alphanumeric())
        }
        _ => false,
    }
}

/// Follow-up at home that a down-referral asks for.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUp {
    /// A service type `code` of the catalogue.
    pub service_type: String,
    /// 1 to 7.
    #[schema(minimum = 1, maximum = 7)]
    pub visits_per_week: u32,
    /// 1 to 12, and at most 100 visits in all.
    #[schema(minimum = 1, maximum = 12)]
    pub weeks: u32,
}

impl FollowUp {
    pub fn check(&self, errors: &mut Vec<FieldError>) {
        if !(1..=7).contains(&self.visits_per_week) {
            errors.push(FieldError {
                field: "follow_up.visits_per_week".into(),
                message: "must be 1 to 7".into(),
            });
        }
        if !(1..=12).contains(&self.weeks) || self.visits_per_week * self.weeks > 100 {
            errors.push(FieldError {
                field: "follow_up.weeks".into(),
                message: "must be 1 to 12 (at most 100 visits)".into(),
            });
        }
    }

    /// Spread the weekly visits over the week (ISO weekdays).
    pub fn weekdays(&self) -> Vec<u32> {
        match self.visits_per_week {
            1 => vec![2],
            2 => vec![2, 5],
            3 => vec![1, 3, 5],
            4 => vec![1, 2, 4, 5],
            5 => vec![1, 2, 3, 4, 5],
            6 => vec![1, 2, 3, 4, 5, 6],
            _ => vec![1, 2, 3, 4, 5, 6, 7],
        }
    }
}

/// The sending doctor of the form (defaults to the caller).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Doctor {
    pub name: String,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReferral {
    /// The resident referred (one the caller may see).
    pub resident_id: String,
    pub direction: Direction,
    /// Up: a district hospital. Down: a clinic or care home.
    pub to_organization_id: String,
    /// The receiving department: at most 100 characters.
    #[schema(max_length = 100)]
    pub department: Option<String>,
    #[serde(default)]
    pub priority: Priority,
    /// Main current history and reason for transfer (主要现病史/转出原因): 1 to 4000 characters.
    #[schema(min_length = 1, max_length = 4000)]
    pub reason: String,
    /// Preliminary impression (初步印象), or for a down-referral the diagnosis.
    pub diagnosis: Diagnosis,
    /// The rest of the form as a JSON object of at most 64 KiB. Up: `past_history` and
    /// `treatment_so_far` are required (non-blank text). Down: `treatment_given` and
    /// `rehabilitation_advice` are required.
    #[schema(value_type = Object)]
    pub clinical_summary: Value,
    pub sending_doctor: Option<Doctor>,
    pub receiving_doctor: Option<String>,
    /// A down-referral names the up-referral it answers.
    pub parent_referral_id: Option<String>,
    /// A down-referral may ask for home visits after discharge.
    pub follow_up: Option<FollowUp>,
}

fn text(v: &Value, key: &str) -> bool {
    v.get(key)
        .and_then(Value::as_str)
        .is_some_and(|s| !s.trim().is_empty())
}

impl NewReferral {
    pub fn validate(&self) -> Result<(), AppError> {
        let mut errors = vec![];
        let reason = self.reason.trim().chars().count();
        if reason == 0 || reason > 4000 {
            errors.push(FieldError {
                field: "reason".into(),
                message: "must be 1 to 4000 characters".into(),
            });
        }
        self.diagnosis.check("diagnosis", &mut errors);
        if !self.clinical_summary.is_object() || self.clinical_summary.to_string().len() > 64 * 1024
        {
            errors.push(FieldError {
                field: "clinical_summary".into(),
                message: "must be an object of at most 64 KiB".into(),
            });
        }
        let required: &[&str] = match self.direction {
            Direction::Up => &["past_history", "treatment_so_far"],
            Direction::Down => &["treatment_given", "rehabilitation_advice"],
        };
        for key in required {
            if !text(&self.clinical_summary, key) {
                errors.push(FieldError {
                    field: format!("clinical_summary.{key}"),
                    message: "is required".into(),
                });
            }
        }
        if let Some(f) = &self.follow_up {
            if self.direction == Direction::Up {
                errors.push(FieldError {
                    field: "follow_up".into(),
                    message: "only a down-referral asks for follow-up".into(),
                });
            }
            f.check(&mut errors);
        }
        if self
            .department
            .as_ref()
            .is_some_and(|d| d.chars().count() > 100)
        {
            errors.push(FieldError {
                field: "department".into(),
                message: "must be at most 100 characters".into(),
            });
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(AppError::validation(errors))
        }
    }
}

/// The patient block of the form, copied from the resident when the referral is made.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Patient {
    pub name: String,
    pub sex: String,
    pub age: u32,
    pub record_number: String,
    pub address: String,
    pub phone: String,
    /// Masked national ID number.
    pub id_number: Option<String>,
}

/// Age in whole years on `on`.
pub fn age(birth: chrono::NaiveDate, on: chrono::NaiveDate) -> u32 {
    on.years_since(birth).unwrap_or(0)
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectBody {
    pub reason_code: RejectReason,
    /// Required (not blank) with the reason code `other`.
    pub comment: Option<String>,
}

impl RejectBody {
    pub fn validate(&self) -> Result<(), AppError> {
        let blank = self.comment.as_deref().is_none_or(|c| c.trim().is_empty());
        if self.reason_code == RejectReason::Other && blank {
            return Err(AppError::invalid(
                "comment",
                "is required with the reason code other",
            ));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdviceBody {
    /// What the sender should do first: 1 to 4000 characters (not blank).
    #[schema(min_length = 1, max_length = 4000)]
    pub advice: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptBody {
    pub comment: Option<String>,
    pub receiving_doctor: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ReferralScheduleBody)]
pub struct ScheduleBody {
    /// RFC 3339 with offset, or a plain date; not more than an hour in the past.
    pub appointment_at: crate::time::Start,
    /// Not blank.
    #[schema(min_length = 1)]
    pub department: String,
    /// Where to come: not blank.
    #[schema(min_length = 1)]
    pub location: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ReferralCancelBody)]
pub struct CancelBody {
    /// Why: 1 to 500 characters (not blank).
    #[schema(min_length = 1, max_length = 500)]
    pub reason: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmptyBody {
    pub comment: Option<String>,
}

/// The down-referral a completion may start in the same call.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartDown {
    /// Defaults to the organisation that referred the patient up.
    pub to_organization_id: Option<String>,
    /// At most 100 characters.
    #[schema(max_length = 100)]
    pub department: Option<String>,
    #[serde(default)]
    pub priority: Priority,
    pub follow_up: Option<FollowUp>,
}

/// The return sheet (回转单) recorded when an up-referral is completed.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompleteBody {
    pub diagnosis: Diagnosis,
    pub inpatient_record_number: Option<String>,
    pub main_test_results: Option<String>,
    /// 1 to 4000 characters (not blank).
    #[schema(min_length = 1, max_length = 4000)]
    pub treatment_given: String,
    /// Next treatment and rehabilitation advice: 1 to 4000 characters (not blank).
    #[schema(min_length = 1, max_length = 4000)]
    pub recommendations: String,
    pub down_referral: Option<StartDown>,
}

impl CompleteBody {
    pub fn validate(&self) -> Result<(), AppError> {
        let mut errors = vec![];
        self.diagnosis.check("diagnosis", &mut errors);
        for (field, v) in [
            ("treatment_given", &self.treatment_given),
            ("recommendations", &self.recommendations),
        ] {
            let n = v.trim().chars().count();
            if n == 0 || n > 4000 {
                errors.push(FieldError {
                    field: field.into(),
                    message: "must be 1 to 4000 characters".into(),
                });
            }
        }
        if let Some(f) = self
            .down_referral
            .as_ref()
            .and_then(|d| d.follow_up.as_ref())
        {
            f.check(&mut errors);
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(AppError::validation(errors))
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HistoryEntry {
    pub at: crate::time::Time,
    pub actor_id: Option<String>,
    pub actor_organization_id: Option<String>,
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub detail: Option<Value>,
    /// The display name of the person who acted (null for the system, e.g. an escalation).
    pub actor_display_name: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Referral {
    pub id: String,
    pub resident_id: String,
    pub direction: Direction,
    pub from_organization_id: String,
    pub to_organization_id: String,
    pub watcher_organization_id: Option<String>,
    pub department: Option<String>,
    pub priority: Priority,
    pub status: Status,
    pub patient: Value,
    /// The sending side: `organization_id`, `organization_name`, `doctor` (the form's doctor, by
    /// default the sender's display name), `phone`, `user_id` and `user_display_name` (who sent it).
    pub sender: Value,
    pub receiving_doctor: Option<String>,
    pub reason: String,
    pub diagnosis: Value,
    pub clinical_summary: Value,
    pub parent_referral_id: Option<String>,
    pub follow_up: Option<Value>,
    pub follow_up_plan_id: Option<String>,
    pub triage: Option<Value>,
    pub appointment: Option<Value>,
    pub return_sheet: Option<Value>,
    pub deadline_at: crate::time::Time,
    pub responded_at: Option<crate::time::Time>,
    pub overdue: bool,
    pub escalation_level: i32,
    pub version: i64,
    pub created_at: crate::time::Time,
    pub updated_at: crate::time::Time,
    pub history: Vec<HistoryEntry>,
}

#[cfg(test)]
mod tests {
    use super::*;
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
        assert!(
            side_may(Side::Receiver, Action::Accept) && !side_may(Side::Sender, Action::Accept)
        );
        assert!(
            side_may(Side::Sender, Action::Cancel) && !side_may(Side::Receiver, Action::Cancel)
        );
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
}
