//! The pilot network: the authority, communities, clinics, care homes and hospitals.
pub mod flow;
pub mod handlers;
pub mod model;
pub mod repo;
pub mod seed;
