//! The referral's state machine: priorities and their deadlines, states, actions, which side may
//! take which action, and the escalation of unanswered referrals.
use chrono::{Duration, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::domain_error::DomainError;

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
pub fn transition(from: Status, action: Action) -> Result<Status, DomainError> {
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
            return Err(DomainError::conflict(
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
