//! The pilot network: the authority, communities, clinics, care homes and hospitals.
pub mod handlers;
pub mod model;
pub mod repo;
pub mod seed;
