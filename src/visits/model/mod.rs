//! Visits as the API shows them, the state machine, and who may do what (pure).
use chrono::{DateTime, Duration, FixedOffset, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::auth::Role;
use crate::domain_error::DomainError;

mod bodies;
mod route;
pub use bodies::*;
pub use route::{DayRoute, RouteStop};

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
pub fn transition(from: Status, action: Action) -> Result<Status, DomainError> {
    use Status::*;
    let to = match (from, action) {
        (Requested, Action::Schedule) => Scheduled,
        (Scheduled, Action::Reschedule) => Scheduled,
        (Requested | Scheduled, Action::Cancel) => Cancelled,
        (Scheduled, Action::CheckIn) => InProgress,
        (InProgress, Action::CheckOut) => Completed,
        (Scheduled, Action::Missed) => Missed,
        _ => {
            return Err(DomainError::conflict(
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
    ) -> Result<VisitWindow, DomainError> {
        let (start, end) = (start.naive_utc(), end.naive_utc());
        if end <= start {
            return Err(DomainError::invalid(
                "window_end",
                "must be after window_start",
            ));
        }
        if end <= now.naive_utc() {
            return Err(DomainError::invalid("window_end", "is in the past"));
        }
        if end - start > Duration::days(max_days) {
            return Err(DomainError::invalid(
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
    ) -> Result<WindowRequest, DomainError> {
        match (start, end, slot) {
            (Some(s), Some(e), _) => {
                VisitWindow::parse(s, e, now, max_days).map(WindowRequest::Given)
            }
            (None, None, Some(at)) => Ok(WindowRequest::Slot(at)),
            (s, e, _) => {
                let missing = [("window_start", s.is_none()), ("window_end", e.is_none())];
                Err(DomainError::Invalid(
                    missing
                        .iter()
                        .filter(|(_, m)| *m)
                        .map(|(f, _)| crate::domain_error::FieldError {
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
    ) -> Result<VisitWindow, DomainError> {
        match self {
            WindowRequest::Given(w) => Ok(w),
            WindowRequest::Slot(at) => {
                VisitWindow::parse(at, at + Duration::minutes(duration_minutes), now, max_days)
                    .map_err(|_| DomainError::invalid("starts_at", "is in the past"))
            }
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
mod tests;
