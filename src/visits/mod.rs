//! Home visits: availability, conflict-free booking, the visit lifecycle, recurring plans, day routes.
pub mod booking;
pub mod flow;
pub mod handlers;
pub mod model;
pub mod plans;
pub mod repo;
