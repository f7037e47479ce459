//! The family's side (issue #17): resident and family logins, the resident's own visits, a
//! rating per completed visit and complaints, which the clinics read and the unit report counts.
pub mod flow;
pub mod handlers;
pub mod model;
pub mod repo;
