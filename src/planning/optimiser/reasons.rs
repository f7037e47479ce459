//! Why a visit is left out of a plan. Most reasons show on the visit alone, before any search:
//! no clinician has the skill, no shift covers the window, or the window cannot be reached from
//! the clinic; what fits alone but was not placed was crowded out by the rest of the day.
use serde::Serialize;

use super::model::Problem;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnplacedReason {
    /// No clinician on shift has the required skill.
    NoSkill,
    /// Clinicians with the skill have no shift time inside the visit's window.
    NoShiftTime,
    /// A shift covers the window, but the travel from and back to the clinic does not fit in it.
    WindowUnreachable,
    /// The visit's demand exceeds the capacity of every shift that could take it.
    OverCapacity,
    /// A pinned visit whose clinician has no shift at that time, lacks the skill, cannot get
    /// there, or has another pinned visit in the way.
    PinnedConflict,
    /// The visit fits a shift on its own, but the shifts are full with visits that weigh more.
    NoRoom,
}

impl UnplacedReason {
    /// The stable snake_case code (as in the API's `unplaced[].reason`).
    pub fn code(self) -> &'static str {
        match self {
            UnplacedReason::NoSkill => "no_skill",
            UnplacedReason::NoShiftTime => "no_shift_time",
            UnplacedReason::WindowUnreachable => "window_unreachable",
            UnplacedReason::OverCapacity => "over_capacity",
            UnplacedReason::PinnedConflict => "pinned_conflict",
            UnplacedReason::NoRoom => "no_room",
        }
    }
}

/// Why the visit cannot be placed even in an empty day, or `None` if some shift could take it
/// alone.
pub fn unplaceable_alone(problem: &Problem, visit: usize) -> Option<UnplacedReason> {
    let v = &problem.visits()[visit];
    let fits_alone = |shift: usize| problem.schedule(shift, &[visit]).is_ok();
    if v.pinned.is_some() {
        return match problem.pinned_shift(visit) {
            Some(shift) if fits_alone(shift) => None,
            Some(shift)
                if problem.may_serve(shift, visit) && over_capacity(problem, shift, visit) =>
            {
                Some(UnplacedReason::OverCapacity)
            }
            _ => Some(UnplacedReason::PinnedConflict),
        };
    }
    let skilled: Vec<usize> = (0..problem.shifts().len())
        .filter(|&s| problem.may_serve(s, visit))
        .collect();
    if skilled.is_empty() {
        return Some(UnplacedReason::NoSkill);
    }
    let covering: Vec<usize> = skilled
        .into_iter()
        .filter(|&s| {
            let shift = &problem.shifts()[s];
            let start = v.window.earliest_start.max(shift.starts_at);
            start <= v.window.latest_start && start + v.duration <= shift.ends_at
        })
        .collect();
    if covering.is_empty() {
        return Some(UnplacedReason::NoShiftTime);
    }
    if covering.iter().all(|&s| over_capacity(problem, s, visit)) {
        return Some(UnplacedReason::OverCapacity);
    }
    if covering.into_iter().any(fits_alone) {
        None
    } else {
        Some(UnplacedReason::WindowUnreachable)
    }
}

/// The reason for a visit that could be placed alone but was not.
pub fn crowded_out(problem: &Problem, visit: usize) -> UnplacedReason {
    if problem.visits()[visit].pinned.is_some() {
        UnplacedReason::PinnedConflict
    } else {
        UnplacedReason::NoRoom
    }
}

fn over_capacity(problem: &Problem, shift: usize, visit: usize) -> bool {
    problem.shifts()[shift]
        .capacity
        .is_some_and(|c| problem.visits()[visit].demand > c)
}
