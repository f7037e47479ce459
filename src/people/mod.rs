//! People: staff accounts (schedulers, clinicians, desks) and the residents they serve.
pub mod flow;
pub mod handlers;
pub mod items;
pub mod model;
pub mod repo;
pub mod residents;
