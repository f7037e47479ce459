//! Long-term care (长期护理): the national disability assessment that grades a resident 0-5 (ADR 0012).
pub mod model;
