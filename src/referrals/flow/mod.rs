//! The referral's use cases, one function per thing a user does, each run in the caller's
//! transaction: submit, the steps (triage, appointment, arrival, completion, cancellation,
//! no-show) with their history entry, audit record and event, and the published answer times.
mod follow_up;
mod stats;
mod steps;
mod submit;

pub use follow_up::start_follow_up;
pub use stats::response_times;
pub use steps::{
    accept, act, arrive, cancel, complete, link_episode, no_show, reject, schedule, send_back,
    side_of, Step, StepCtx,
};
pub use submit::{submit, summary};
