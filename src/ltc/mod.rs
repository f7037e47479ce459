//! Long-term care (长期护理): the national disability assessment that grades a resident 0-5 (ADR
//! 0012), what a grade entitles them to each month, and the check every booking makes against it.
pub mod flow;
pub mod handlers;
pub mod model;
pub mod repo;
