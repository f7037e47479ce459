//! Care programmes: contract packages, family-doctor contracts, the visits each resident is owed
//! under them and the national public-health rules, and the up-referrals carelink prepares when
//! follow-ups stay out of control (docs/API.md "Care programmes", ADR 0011).
pub mod flow;
pub mod handlers;
pub mod job;
pub mod model;
pub mod repo;
