//! Day planning for a clinic: feed its requested and scheduled visits of a day and its
//! clinicians' shifts to the optimiser (in the background), show the proposal, and apply it
//! through the same conflict-safe booking as a manual booking.
pub mod handlers;
pub mod model;
pub mod repo;
