//! The field (issue #17): what a clinician at the door tells the clinic: running late, or help.
pub mod flow;
pub mod handlers;
pub mod job;
pub mod model;
pub mod repo;
