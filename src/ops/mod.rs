//! Operations: liveness, readiness, Prometheus metrics and periodic upkeep.
pub mod handlers;
pub mod housekeeping;
pub mod metrics;
