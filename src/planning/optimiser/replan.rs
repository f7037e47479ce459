//! Repairing a day that has begun: re-plan the rest of it around what happened (a clinician who
//! stops working, visits to insert, a visit running over), keeping what has started and moving as
//! few booked visits as it can. Pure, like the rest of the optimiser.
//!
//! The day comes in as booked: every booked visit pinned to its clinician and start, new visits
//! free. Disruption is minimised before travel, in stages: the first stage frees only the visits
//! the event touches; only if that leaves a visit out that could be placed does the next stage let
//! the other booked visits move by at most `tolerance` with the same clinician preferred, the
//! third by at most three times that, and the last anywhere in their windows. A later stage is
//! taken only if it places more. Within a stage, a visit changing clinician costs
//! `change_weight` of travel.

use serde::Serialize;

use super::model::{ClinicianShift, Pin, Problem, ProblemError, Ticks, Visit, Window};
use super::{reasons, solve, Solution, SolveError, SolveOptions};

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Disruption {
    /// The clinician works no more from `from`: their visits from then on are placed again.
    Absent { clinician_id: String, from: Ticks },
    /// These visits (free in the problem, usually urgent) are to be fitted in.
    Insert { visits: Vec<usize> },
    /// The visit (pinned, under way) ends at `until` rather than at its booked end.
    Overrun { visit: usize, until: Ticks },
}

#[derive(Debug, Clone)]
pub struct ReplanOptions {
    /// Nothing that starts before this moves, and nothing free starts before it.
    pub now: Ticks,
    /// The whole repair's budget, shared by its stages.
    pub solve: SolveOptions,
    /// How far the second stage may move a booked visit; also what counts as a resident's time
    /// shifting noticeably (30 minutes in the service).
    pub tolerance: Ticks,
    /// Travel a visit's change of clinician is worth.
    pub change_weight: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// Booked before, booked after at the same clinician and time (not listed as a change).
    Kept,
    /// Same clinician, another time.
    Moved,
    /// Another clinician.
    Reassigned,
    /// Booked or to be inserted before, placed nowhere now.
    Unplaced,
    /// Not booked before, placed now.
    Added,
}

/// Where a visit is: its clinician and start.
pub type Place = (String, Ticks);

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub visit: usize,
    pub visit_id: String,
    pub kind: ChangeKind,
    pub before: Option<Place>,
    pub after: Option<Place>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReplanFigures {
    pub kept: usize,
    pub moved: usize,
    pub reassigned: usize,
    pub unplaced: usize,
    pub added: usize,
    /// Residents whose visit's time moved by more than the tolerance.
    pub shifted_over_tolerance: usize,
    /// Travel of the day as booked before the event (None if it no longer times, e.g. overrun).
    pub travel_before: Option<Ticks>,
    pub travel_after: Ticks,
}

#[derive(Debug, Clone)]
pub struct Replan {
    /// The repaired day, over the stage's problem (same visit indices as the input).
    pub solution: Solution,
    /// Every visit whose place changed, in visit order (kept visits are counted, not listed).
    pub changes: Vec<Change>,
    pub figures: ReplanFigures,
    /// 1 to [`STAGES`]: how far the repair had to go.
    pub stage: u8,
}

/// Re-plans `current` (the day as booked) around `disruption`.
pub fn replan(
    current: &Problem,
    disruption: &Disruption,
    options: &ReplanOptions,
) -> Result<Replan, SolveError> {
    replan_keeping(current, disruption, options, &[])
}

/// As [`replan`], with visits that must not move whatever their time (`fixed[i]`: under way or
/// done, though booked for later; a visit pinned before `options.now` is fixed anyway).
pub fn replan_keeping(
    current: &Problem,
    disruption: &Disruption,
    options: &ReplanOptions,
    fixed: &[bool],
) -> Result<Replan, SolveError> {
    let fixed = |i: usize| fixed.get(i).copied().unwrap_or(false);
    let mut affected = affected(current, disruption);
    for (i, a) in affected.iter_mut().enumerate() {
        *a &= !fixed(i);
    }
    let counted: Vec<bool> = (0..affected.len())
        .map(|i| affected[i] || current.visits()[i].pinned.is_some())
        .collect();
    let shifts = shifts_after(current, disruption, &fixed);
    let per_stage = SolveOptions {
        time_limit: (options.solve.time_limit / u32::from(STAGES))
            .max(std::time::Duration::from_millis(100)),
        ..options.solve.clone()
    };
    let mut best: Option<(u8, Problem, Solution)> = None;
    for stage in 1..=STAGES {
        let problem = stage_problem(
            current, &shifts, disruption, &affected, &fixed, stage, options,
        )
        .map_err(|e| SolveError::Engine(e.to_string()))?;
        let solution = solve(&problem, &per_stage)?;
        // What the day had booked and what the event names decide: a requested visit the day had
        // left out anyway is no reason to move the rest of the day.
        let placed = kept_priority(&solution, current, &counted);
        let better = best
            .as_ref()
            .is_none_or(|(_, _, b)| placed > kept_priority(b, current, &counted));
        let done = solution
            .unplaced
            .iter()
            .all(|u| !counted[u.visit] || reasons::unplaceable_alone(&problem, u.visit).is_some());
        if better {
            best = Some((stage, problem, solution));
        }
        if done {
            break;
        }
    }
    let (stage, _, solution) = best.expect("the stages ran");
    let (changes, mut figures) = diff(current, &solution, disruption, options.tolerance);
    figures.travel_before = booked_travel(current);
    Ok(Replan {
        solution,
        changes,
        figures,
        stage,
    })
}

/// The priority placed of the visits that count: booked, or named by the event.
fn kept_priority(solution: &Solution, current: &Problem, counted: &[bool]) -> u64 {
    solution
        .routes
        .iter()
        .flat_map(|r| &r.stops)
        .filter(|s| counted[s.visit])
        .map(|s| u64::from(current.visits()[s.visit].priority))
        .sum()
}

/// How many stages a repair may go through: the event's visits; others by the tolerance; by
/// three times it; anywhere in their windows.
pub const STAGES: u8 = 4;

/// The visits the event frees in the first stage.
fn affected(current: &Problem, disruption: &Disruption) -> Vec<bool> {
    let visits = current.visits();
    let mut out = vec![false; visits.len()];
    match disruption {
        Disruption::Absent { clinician_id, from } => {
            for (i, v) in visits.iter().enumerate() {
                out[i] = matches!(&v.pinned, Some(p) if p.clinician_id == *clinician_id && p.starts_at >= *from);
            }
        }
        Disruption::Insert { visits: new } => {
            for &i in new {
                if let Some(a) = out.get_mut(i) {
                    *a = true;
                }
            }
        }
        Disruption::Overrun { visit, .. } => {
            if let Some(Pin {
                clinician_id,
                starts_at,
            }) = visits.get(*visit).and_then(|v| v.pinned.clone())
            {
                for (i, v) in visits.iter().enumerate() {
                    out[i] = i != *visit
                        && matches!(&v.pinned, Some(p) if p.clinician_id == clinician_id && p.starts_at > starts_at);
                }
            }
        }
    }
    out
}

/// The shifts as they stand after the event: an absent clinician's end at `from` (or once their
/// last visit begun before it is over and they are back), and shifts that begin after it are gone.
pub fn shifts_after(
    current: &Problem,
    disruption: &Disruption,
    fixed: &dyn Fn(usize) -> bool,
) -> Vec<ClinicianShift> {
    let Disruption::Absent { clinician_id, from } = disruption else {
        return current.shifts().to_vec();
    };
    let travel = current.travel();
    let mut kept = current
        .shifts()
        .iter()
        .enumerate()
        .filter(|(_, s)| s.clinician_id != *clinician_id || s.starts_at < *from)
        .map(|(i, s)| {
            let mut s = s.clone();
            if s.clinician_id == *clinician_id && s.ends_at > *from {
                let kept_end = current
                    .visits()
                    .iter()
                    .enumerate()
                    .filter(|(v, visit)| {
                        current.pinned_shift(*v) == Some(i)
                            && visit.pinned.as_ref().is_some_and(|p| p.starts_at < *from)
                    })
                    .map(|(_, visit)| {
                        let start = visit.pinned.as_ref().map_or(0, |p| p.starts_at);
                        start + visit.duration + travel.duration(visit.place, s.end_place)
                    })
                    .max()
                    .unwrap_or(*from);
                s.ends_at = kept_end.max(*from).min(s.ends_at);
            }
            s
        })
        .collect::<Vec<_>>();
    // A visit done or under way though booked after `from` keeps an exact shift of its own, with
    // no room for anything else.
    for (v, visit) in current.visits().iter().enumerate() {
        let (Some(i), Some(p)) = (current.pinned_shift(v), &visit.pinned) else {
            continue;
        };
        let s = &current.shifts()[i];
        if s.clinician_id != *clinician_id || p.starts_at < *from || !fixed(v) {
            continue;
        }
        let mut exact = s.clone();
        exact.shift_id = format!("{}+{}", s.shift_id, visit.id);
        exact.starts_at = p.starts_at - travel.duration(s.start_place, visit.place);
        exact.ends_at = p.starts_at + visit.duration + travel.duration(visit.place, s.end_place);
        kept.push(exact);
    }
    kept
}

/// A far-off window for a free visit whose own window has passed: it then fits no shift.
const PASSED: Ticks = 400 * 24 * 3600;

/// The problem of one stage: which visits are free, in which windows, preferring whom.
fn stage_problem(
    current: &Problem,
    shifts: &[ClinicianShift],
    disruption: &Disruption,
    affected: &[bool],
    fixed: &dyn Fn(usize) -> bool,
    stage: u8,
    options: &ReplanOptions,
) -> Result<Problem, ProblemError> {
    let now = options.now;
    let from = match disruption {
        Disruption::Absent { from, .. } => (*from).max(now),
        _ => now,
    };
    let absent = match disruption {
        Disruption::Absent { clinician_id, .. } => Some(clinician_id.as_str()),
        _ => None,
    };
    let visits: Vec<Visit> = current
        .visits()
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let mut v = v.clone();
            if let (Disruption::Overrun { visit, until }, Some(pin)) = (disruption, &v.pinned) {
                if *visit == i {
                    v.duration = v.duration.max(until - pin.starts_at);
                }
            }
            let started = v.pinned.is_some() && fixed(i)
                || v.pinned.as_ref().is_some_and(|p| p.starts_at < now);
            if started {
                return v;
            }
            let old = v.pinned.take();
            let free = affected[i] || old.is_none() || stage >= 2;
            if !free {
                v.pinned = old;
                return v;
            }
            if let Some(p) = &old {
                if absent != Some(p.clinician_id.as_str()) {
                    v.preferred_clinician = Some(p.clinician_id.clone());
                }
            }
            v.window = match (&old, stage, affected[i]) {
                (Some(p), 2, false) => near(v.window, p.starts_at, options.tolerance),
                (Some(p), 3, false) => near(v.window, p.starts_at, 3 * options.tolerance),
                _ => v.window,
            };
            v.window = not_before(v.window, if affected[i] { from } else { now });
            v
        })
        .collect();
    Problem::new(
        shifts.to_vec(),
        visits,
        current.travel().clone(),
        options.change_weight,
    )
}

/// The window within `tolerance` of the booked start, inside the visit's own where they meet.
fn near(own: Window, booked: Ticks, tolerance: Ticks) -> Window {
    let around = Window {
        earliest_start: booked - tolerance,
        latest_start: booked + tolerance,
    };
    let both = Window {
        earliest_start: own.earliest_start.max(around.earliest_start),
        latest_start: own.latest_start.min(around.latest_start),
    };
    if both.earliest_start <= both.latest_start {
        both
    } else {
        around
    }
}

/// A free visit's window from `at` on (a window already passed fits no shift).
pub fn not_before(w: Window, at: Ticks) -> Window {
    if w.latest_start < at {
        return Window {
            earliest_start: PASSED,
            latest_start: PASSED,
        };
    }
    Window {
        earliest_start: w.earliest_start.max(at),
        latest_start: w.latest_start,
    }
}

mod diff;

pub use diff::{booked_travel, diff};

#[cfg(test)]
mod tests;
