//! The day-plan optimiser: assigns a day's visits to clinicians' shifts and orders each route, so
//! that the most priority is placed, then the least travel is driven, keeping residents with
//! their own clinician where it is worth the travel. Skills, shifts, windows and pins are hard.
//!
//! The model ([`Problem`]) and the plan ([`Solution`]) know nothing of HTTP, SQL or the search;
//! the search sits behind [`Search`] (our own hybrid genetic search, [`Hgs`]; the earlier
//! vrp-core search stays as `VrpCore` with the cargo feature `vrp-core`) and only returns visit
//! orders, which the model times and checks itself.
use std::time::Duration;

use thiserror::Error;

pub mod district;
pub mod hgs;
pub mod model;
#[cfg(feature = "vrp-core")]
mod random;
pub mod reasons;
mod repair;
pub mod replan;
pub mod schedule;
pub mod solomon;
pub mod solution;
pub mod spread;
#[cfg(feature = "vrp-core")]
mod vrp;

#[cfg(test)]
mod tests;

pub use hgs::Hgs;
pub use model::{
    ClinicianShift, Pin, Place, Problem, ProblemError, Ticks, TravelMatrix, Visit, Window,
};
pub use reasons::UnplacedReason;
pub use schedule::Breach;
pub use solution::{Figures, Route, ShiftLoad, Solution, Stop, Unplaced};
#[cfg(feature = "vrp-core")]
pub use vrp::VrpCore;

/// How long and with which seed to search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SolveOptions {
    /// Wall-clock budget of the search (the plan is assembled after it).
    pub time_limit: Duration,
    /// Seeds the search's random choices. HGS gives the same plan for the same seed when
    /// `max_generations` stops it (a time limit stops it wherever the clock says). vrp-core cannot
    /// promise that: its hyper-heuristic rewards operators by their measured run time, bounds some
    /// inner searches by the clock, and iterates std hash maps (randomly keyed per process).
    /// Every run keeps the hard rules all the same.
    pub seed: u64,
    /// Stop after this many generations as well (bounds the work in tests; for HGS, offspring).
    pub max_generations: Option<usize>,
    /// Stop early once the search has gone this many offspring without a better plan, and at
    /// least as many as it took to find its best (HGS; vrp-core runs to its limit). The service
    /// sets `planning.stall_offspring` (1,000): a clinic's day of 40 visits is back in under a
    /// second with the plan the full limit finds (figures in bench/README.md).
    pub stall_limit: Option<usize>,
}

impl SolveOptions {
    pub const DEFAULT_TIME_LIMIT: Duration = Duration::from_secs(10);
    pub const MAX_TIME_LIMIT: Duration = Duration::from_secs(300);
    /// Options with a checked time limit: more than zero and at most [`Self::MAX_TIME_LIMIT`].
    pub fn new(time_limit: Duration, seed: u64) -> Result<SolveOptions, SolveError> {
        if time_limit.is_zero() || time_limit > Self::MAX_TIME_LIMIT {
            return Err(SolveError::TimeLimit {
                max_seconds: Self::MAX_TIME_LIMIT.as_secs(),
            });
        }
        Ok(SolveOptions {
            time_limit,
            seed,
            max_generations: None,
            stall_limit: None,
        })
    }
}

impl Default for SolveOptions {
    fn default() -> SolveOptions {
        SolveOptions {
            time_limit: Self::DEFAULT_TIME_LIMIT,
            seed: 0,
            max_generations: None,
            stall_limit: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SolveError {
    #[error("the time limit must be more than 0 and at most {max_seconds} seconds")]
    TimeLimit { max_seconds: u64 },
    #[error("the search failed: {0}")]
    Engine(String),
    /// The search returned a route that breaks a hard rule: a bug in the search, never shown
    /// to a user as a plan.
    #[error("the {search} search broke a rule in shift {shift}: {breach}")]
    BrokenRoute {
        search: &'static str,
        shift: usize,
        breach: Breach,
    },
}

/// A way to fill a plan in. It is given the visits that fit some shift on their own and returns,
/// per shift (in the problem's order), the visits it takes in visiting order; the caller times
/// and checks the routes.
pub trait Search {
    fn name(&self) -> &'static str;

    fn search(
        &self,
        problem: &Problem,
        candidates: &[usize],
        options: &SolveOptions,
    ) -> Result<Vec<Vec<usize>>, SolveError>;
}

/// Plans the day with the default search (HGS), on the calling thread's budget of one core.
/// HGS replaced vrp-core as the default after measuring both on the Solomon benchmark and the
/// district day (bench/README.md).
pub fn solve(problem: &Problem, options: &SolveOptions) -> Result<Solution, SolveError> {
    solve_with(&Hgs::default(), problem, options)
}

/// Plans the day with the given search: visits that cannot be placed even alone are set aside
/// with their reason, the rest go to the search, and its routes are timed by the model.
pub fn solve_with(
    search: &dyn Search,
    problem: &Problem,
    options: &SolveOptions,
) -> Result<Solution, SolveError> {
    let alone: Vec<Option<UnplacedReason>> = (0..problem.visits().len())
        .map(|v| reasons::unplaceable_alone(problem, v))
        .collect();
    let candidates: Vec<usize> = (0..alone.len()).filter(|&v| alone[v].is_none()).collect();
    let orders = search.search(problem, &candidates, options)?;
    let orders = repair::fill_gaps(problem, orders, &candidates);
    Solution::assemble(problem, &orders, |v| {
        alone[v].unwrap_or_else(|| reasons::crowded_out(problem, v))
    })
    .map_err(|(shift, breach)| SolveError::BrokenRoute {
        search: search.name(),
        shift,
        breach,
    })
}
