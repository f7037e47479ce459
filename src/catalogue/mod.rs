//! The service catalogue: what a home visit can be (prevention, health care, treatment,
//! rehabilitation, nursing), how long it takes and which skill it needs.
pub mod handlers;
pub mod model;
pub mod repo;
