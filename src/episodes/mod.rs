//! Episodes: home sickbeds (家庭病床), opened with an admission assessment and a weekly plan of
//! rounds and nursing, extended with a reason, closed with an outcome (ADR 0013). What they owe
//! are obligations of the care-programme engine, with source `episode`.
pub mod flow;
pub mod handlers;
pub mod model;
pub mod repo;
