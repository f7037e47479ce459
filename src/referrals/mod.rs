//! Two-way referral (双向转诊): up to the district hospitals and back down, with triage,
//! appointments, arrival, the return sheet, response deadlines with escalation, and follow-up
//! home visits.
pub mod deadlines;
pub mod flow;
pub mod handlers;
pub mod model;
pub mod repo;
