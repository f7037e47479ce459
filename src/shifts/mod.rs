//! Clinicians' working time: the shifts home visits must fit into.
pub mod flow;
pub mod handlers;
pub mod model;
pub mod repo;
