//! Visits as the API shows them, the state machine, and who may do what (pure).
use chrono::{DateTime, Duration, FixedOffset, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::auth::Role;
use crate::error::AppError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = VisitStatus)]
pub enum Status {
    Requested,
    Scheduled,
    InProgress,
    Completed,
    Cancelled,
    Missed,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::Requested,
        Status::Scheduled,
        Status::InProgress,
        Status::Completed,
        Status::Cancelled,
        Status::Missed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Requested => "requested",
            Status::Scheduled => "scheduled",
            Status::InProgress => "in_progress",
            Status::Completed => "completed",
            Status::Cancelled => "cancelled",
            Status::Missed => "missed",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Statuses that hold a clinician's time.
    pub const HOLDING_TIME: [&'static str; 3] = ["scheduled", "in_progress", "completed"];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = VisitPriority)]
pub enum Priority {
    #[default]
    Routine,
    Urgent,
}

impl Priority {
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Routine => "routine",
            Priority::Urgent => "urgent",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Schedule,
    Reschedule,
    Cancel,
    CheckIn,
    CheckOut,
    Missed,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Schedule => "schedule",
            Action::Reschedule => "reschedule",
            Action::Cancel => "cancel",
            Action::CheckIn => "check_in",
            Action::CheckOut => "check_out",
            Action::Missed => "missed",
        }
    }
}

/// The state machine: requested -> scheduled -> in_progress -> completed; requested|scheduled ->
/// cancelled; scheduled -> missed. Anything else is 409 `invalid_transition`.
pub fn transition(from: Status, action: Action) -> Result<Status, AppError> {
    use Status::*;
    let to = match (from, action) {
        (Requested, Action::Schedule) => Scheduled,
        (Scheduled, Action::Reschedule) => Scheduled,
        (Requested | Scheduled, Action::Cancel) => Cancelled,
        (Scheduled, Action::CheckIn) => InProgress,
        (InProgress, Action::CheckOut) => Completed,
        (Scheduled, Action::Missed) => Missed,
        _ => {
            return Err(AppError::conflict(
                "invalid_transition",
                format!(
                    "A visit in the state {} cannot take the action {}.",
                    from.as_str(),
                    action.as_str()
                ),
            ))
        }
    };
    Ok(to)
}

/// Who may take an action on a visit they can see. `own` is true when the caller is the visit's
/// clinician; `own_record` when the caller is the resident the visit is for.
pub fn may(role: Role, action: Action, own: bool, own_record: bool) -> bool {
    match role {
        Role::Admin | Role::Scheduler => !matches!(action, Action::CheckIn | Action::CheckOut),
        Role::Clinician => {
            own && matches!(action, Action::CheckIn | Action::CheckOut | Action::Missed)
        }
        Role::Resident => own_record && action == Action::Cancel,
        Role::CareHome => action == Action::Cancel,
        Role::Hospital => false,
    }
}

/// Who may ask for a visit at all, and whether they may book it straight into a clinician's day.
pub fn may_request(role: Role) -> bool {
    matches!(
        role,
        Role::Admin | Role::Scheduler | Role::CareHome | Role::Resident
    )
}

pub fn may_book(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Scheduler)
}

/// The time a visit may happen in: it ends after it starts, not in the past, not too long.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VisitWindow {
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
}

impl VisitWindow {
    pub fn parse(
        start: DateTime<FixedOffset>,
        end: DateTime<FixedOffset>,
        now: DateTime<Utc>,
        max_days: i64,
    ) -> Result<VisitWindow, AppError> {
        let (start, end) = (start.naive_utc(), end.naive_utc());
        if end <= start {
            return Err(AppError::invalid(
                "window_end",
                "must be after window_start",
            ));
        }
        if end <= now.naive_utc() {
            return Err(AppError::invalid("window_end", "is in the past"));
        }
        if end - start > Duration::days(max_days) {
            return Err(AppError::invalid(
                "window_end",
                format!("the window spans at most {max_days} days"),
            ));
        }
        Ok(VisitWindow { start, end })
    }
}

/// The window a new visit asks for: given, or (booking an exact slot without one) the slot itself,
/// known once the service's duration is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum WindowRequest {
    Given(VisitWindow),
    Slot(DateTime<FixedOffset>),
}

impl WindowRequest {
    /// Every missing or bad window field at once.
    pub fn parse(
        start: Option<DateTime<FixedOffset>>,
        end: Option<DateTime<FixedOffset>>,
        slot: Option<DateTime<FixedOffset>>,
        now: DateTime<Utc>,
        max_days: i64,
    ) -> Result<WindowRequest, AppError> {
        match (start, end, slot) {
            (Some(s), Some(e), _) => {
                VisitWindow::parse(s, e, now, max_days).map(WindowRequest::Given)
            }
            (None, None, Some(at)) => Ok(WindowRequest::Slot(at)),
            (s, e, _) => {
                let missing = [("window_start", s.is_none()), ("window_end", e.is_none())];
                Err(AppError::validation(
                    missing
                        .iter()
                        .filter(|(_, m)| *m)
                        .map(|(f, _)| crate::error::FieldError {
                            field: (*f).into(),
                            message:
                                "is required (unless clinician_id and starts_at book an exact slot)"
                                    .into(),
                        })
                        .collect(),
                ))
            }
        }
    }

    /// The window itself, given the service's duration.
    pub fn resolve(
        self,
        duration_minutes: i64,
        now: DateTime<Utc>,
        max_days: i64,
    ) -> Result<VisitWindow, AppError> {
        match self {
            WindowRequest::Given(w) => Ok(w),
            WindowRequest::Slot(at) => {
                VisitWindow::parse(at, at + Duration::minutes(duration_minutes), now, max_days)
                    .map_err(|_| AppError::invalid("starts_at", "is in the past"))
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MissedReason {
    NotHome,
    Refused,
    Hospitalised,
    Deceased,
    ClinicianUnavailable,
    Other,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Task {
    /// What was to be done: 1 to 200 characters (not blank).
    #[schema(min_length = 1, max_length = 200)]
    pub task: String,
    pub done: bool,
    /// Why it was not done (required when `done` is false).
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Visit {
    pub id: String,
    pub resident_id: String,
    pub clinic_id: String,
    pub clinician_id: Option<String>,
    pub service_type: String,
    pub status: Status,
    pub priority: Priority,
    pub window_start: crate::time::Time,
    pub window_end: crate::time::Time,
    pub starts_at: Option<crate::time::Time>,
    pub ends_at: Option<crate::time::Time>,
    pub travel_minutes_before: Option<i32>,
    pub location_exception: bool,
    pub plan_id: Option<String>,
    pub referral_id: Option<String>,
    pub notes: String,
    /// Why a visit stayed in the pool (e.g. no free slot when a plan created it).
    pub unplaced_reason: Option<String>,
    pub cancel_reason: Option<String>,
    pub cancelled_by: Option<String>,
    pub missed_reason: Option<String>,
    pub check_in_at: Option<crate::time::Time>,
    pub check_in_distance_m: Option<f64>,
    pub check_out_at: Option<crate::time::Time>,
    pub check_out_distance_m: Option<f64>,
    pub documentation: Option<serde_json::Value>,
    pub version: i64,
    pub created_at: crate::time::Time,
    pub updated_at: crate::time::Time,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewVisit {
    /// The resident to visit (one the caller may see).
    pub resident_id: String,
    /// A service type `code` of the catalogue, e.g. `wound_dressing`.
    pub service_type: String,
    /// When the visit may happen: RFC 3339 with offset (`2026-12-03T09:00:00+08:00`) or a plain date
    /// (its first moment). Optional when `clinician_id` and `starts_at` book an exact slot: the
    /// window is then the slot.
    pub window_start: Option<crate::time::Start>,
    /// After `window_start`, in the future, at most `visits.max_window_days` (default 14) later; a
    /// plain date means the whole day. Optional as `window_start` is.
    pub window_end: Option<crate::time::End>,
    #[serde(default)]
    pub priority: Priority,
    /// For the clinician: what to know before the visit.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub notes: String,
    /// Book this clinician (an active clinician of the serving clinic with the service's skill);
    /// required with `starts_at`.
    pub clinician_id: Option<String>,
    /// Book this exact start (inside the window, if one is given); needs `clinician_id`.
    pub starts_at: Option<crate::time::Start>,
    /// false: leave the visit `requested` in the clinic's pool.
    #[serde(default = "yes")]
    pub auto_assign: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = VisitScheduleBody)]
pub struct ScheduleBody {
    /// The clinician to book (required to schedule a visit that has none; a reschedule keeps the
    /// current one when absent).
    pub clinician_id: Option<String>,
    /// The start, RFC 3339 with offset, inside the visit's window.
    pub starts_at: crate::time::Start,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = VisitCancelBody)]
pub struct CancelBody {
    /// Why: 1 to 500 characters (not blank).
    #[schema(min_length = 1, max_length = 500)]
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MissedBody {
    pub reason: MissedReason,
    /// Free text; only its first 500 characters are kept.
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PositionBody {
    /// The phone's latitude, degrees (-90 to 90).
    #[schema(minimum = -90.0, maximum = 90.0)]
    pub lat: f64,
    /// The phone's longitude, degrees (-180 to 180).
    #[schema(minimum = -180.0, maximum = 180.0)]
    pub lon: f64,
    /// Check-out only: the tasks of the visit and whether each was done.
    #[serde(default)]
    pub tasks: Vec<Task>,
    /// Check-out only: the measurements taken, each optional and each within its plausible range.
    pub vital_signs: Option<VitalSigns>,
    /// Check-out only: at most 4000 characters.
    #[schema(max_length = 4000)]
    pub notes: Option<String>,
}

/// Vital signs at check-out (API.md, Home visits). The ranges are plausibility bounds that catch
/// typing slips (a systolic of 1400, a weight in grams), far wider than any clinical threshold:
/// what is "out of control" is judged elsewhere from readings inside them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VitalSigns {
    /// Systolic blood pressure, mmHg (60-260).
    #[schema(minimum = 60, maximum = 260)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub systolic_mmhg: Option<f64>,
    /// Diastolic blood pressure, mmHg (30-160), below the systolic.
    #[schema(minimum = 30, maximum = 160)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diastolic_mmhg: Option<f64>,
    /// Fasting blood glucose, mmol/L (1.0-35.0).
    #[schema(minimum = 1.0, maximum = 35.0)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fasting_glucose_mmol_l: Option<f64>,
    /// Heart rate, beats per minute (25-250).
    #[schema(minimum = 25, maximum = 250)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub heart_rate_bpm: Option<f64>,
    /// Body weight, kg (20-250).
    #[schema(minimum = 20, maximum = 250)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight_kg: Option<f64>,
}

impl VitalSigns {
    const RANGES: [(&'static str, f64, f64); 5] = [
        ("systolic_mmhg", 60.0, 260.0),
        ("diastolic_mmhg", 30.0, 160.0),
        ("fasting_glucose_mmol_l", 1.0, 35.0),
        ("heart_rate_bpm", 25.0, 250.0),
        ("weight_kg", 20.0, 250.0),
    ];

    fn values(&self) -> [Option<f64>; 5] {
        [
            self.systolic_mmhg,
            self.diastolic_mmhg,
            self.fasting_glucose_mmol_l,
            self.heart_rate_bpm,
            self.weight_kg,
        ]
    }

    /// Adds an error for each reading outside its range, and for a diastolic not below the systolic.
    pub fn check(&self, errors: &mut Vec<crate::error::FieldError>) {
        for ((name, low, high), value) in Self::RANGES.iter().zip(self.values()) {
            if value.is_some_and(|v| !(*low..=*high).contains(&v)) {
                errors.push(crate::error::FieldError {
                    field: format!("vital_signs.{name}"),
                    message: format!("must be between {low} and {high}"),
                });
            }
        }
        if let (Some(sys), Some(dia)) = (self.systolic_mmhg, self.diastolic_mmhg) {
            if dia >= sys {
                errors.push(crate::error::FieldError {
                    field: "vital_signs.diastolic_mmhg".into(),
                    message: "must be below systolic_mmhg".into(),
                });
            }
        }
    }
}

impl PositionBody {
    pub fn validate(&self, checking_out: bool) -> Result<(), AppError> {
        let mut errors = vec![];
        crate::network::model::Location {
            lat: self.lat,
            lon: self.lon,
        }
        .check("position", &mut errors);
        if !checking_out
            && (!self.tasks.is_empty() || self.vital_signs.is_some() || self.notes.is_some())
        {
            errors.push(crate::error::FieldError {
                field: "tasks".into(),
                message: "documentation is given at check-out".into(),
            });
        }
        for (i, t) in self.tasks.iter().enumerate() {
            if t.task.trim().is_empty() || t.task.chars().count() > 200 {
                errors.push(crate::error::FieldError {
                    field: format!("tasks[{i}].task"),
                    message: "must be 1 to 200 characters".into(),
                });
            }
            if !t.done && t.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
                errors.push(crate::error::FieldError {
                    field: format!("tasks[{i}].reason"),
                    message: "is required for a task not done".into(),
                });
            }
        }
        if let Some(v) = &self.vital_signs {
            v.check(&mut errors);
        }
        if self
            .notes
            .as_ref()
            .is_some_and(|n| n.chars().count() > 4000)
        {
            errors.push(crate::error::FieldError {
                field: "notes".into(),
                message: "must be at most 4000 characters".into(),
            });
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(AppError::validation(errors))
        }
    }
}

/// Rank in the pool (lower first): urgent visits, then residents with priority flags (living
/// alone, disabled, dementia, ...), then the rest; ties go by window start.
pub fn pool_rank(urgent: bool, flagged_resident: bool) -> u8 {
    match (urgent, flagged_resident) {
        (true, true) => 0,
        (true, false) => 1,
        (false, true) => 2,
        (false, false) => 3,
    }
}

#[cfg(test)]
mod tests {
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
                        transition(from, action).unwrap_err().code,
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
}
