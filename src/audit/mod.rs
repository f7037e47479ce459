//! The audit trail: one append-only record per change, written in the change's own transaction.
pub mod handlers;
pub mod repo;

pub use repo::record;
