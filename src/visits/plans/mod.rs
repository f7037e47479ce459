//! Recurring visit plans: weekly days, a time-of-day window, a start and an end or a count. A plan
//! creates its visits (booked where a slot exists, else requested with the reason); each visit
//! can then be moved or cancelled alone; ending the plan cancels its future visits only.
pub mod model;
pub mod repo;
