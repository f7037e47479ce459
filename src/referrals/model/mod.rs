//! Referrals as the API shows them (pure): the national referral form and its rules, the state
//! machine and its actions' request bodies, deadlines and response-time statistics.
mod actions;
mod form;
mod machine;
mod view;

pub use actions::{
    AcceptBody, AdviceBody, CancelBody, CompleteBody, EmptyBody, RejectBody, RejectReason,
    ScheduleBody, StartDown,
};
pub use form::{
    age, asks_for_sickbed, check_direction, is_icd10, Diagnosis, Direction, Doctor, FollowUp,
    NewReferral, Patient,
};
pub use machine::{
    answers_triage, due_level, side_may, transition, Action, Priority, Side, Status,
};
pub use view::{percentile, HistoryEntry, Referral, ResponseTime};

#[cfg(test)]
mod tests;
