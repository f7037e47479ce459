//! Day planning for a clinic: feed its requested and scheduled visits of a day or a week and its
//! clinicians' shifts (with their breaks) to the optimiser in the background, or repair a day that
//! has begun; show the proposal, and apply it through the same conflict-safe booking as a manual
//! booking.
pub mod flow;
pub mod handlers;
pub mod model;
pub mod repo;
