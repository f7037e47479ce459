//! Planning: the travel model, the slot search and day routes. Pure: no HTTP, no SQL.
pub mod optimiser;
pub mod route;
pub mod slots;
pub mod travel;
