//! HTTP: `/api/v1/staff` and `/api/v1/residents`.
//! Staff and residents, one file each.
mod residents;
mod staff;

pub use residents::*;
pub use staff::*;
