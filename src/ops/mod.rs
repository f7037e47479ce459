//! Operations: liveness, readiness, Prometheus metrics, periodic upkeep and the allocator.
pub mod handlers;
pub mod housekeeping;
pub mod memory;
pub mod metrics;
