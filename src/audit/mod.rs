//! The audit trail: one append-only record per change, written in the change's own transaction,
//! and one per read of a resident's record (who read whom, when).
pub mod handlers;
pub mod repo;

pub use repo::{record, record_created, record_reads};
