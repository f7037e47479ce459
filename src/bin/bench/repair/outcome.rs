//! What a repair and a from-scratch re-plan did to the day as booked: each run's outcome, and the
//! totals over the clinics.
use std::collections::BTreeMap;
use std::time::Instant;

use serde::Serialize;

use carelink::planning::optimiser::replan::{
    booked_travel, diff, replan, Change, ChangeKind, Disruption, ReplanFigures, ReplanOptions,
    STAGES,
};
use carelink::planning::optimiser::{solve, Problem, Solution, SolveOptions};

use super::scenario::from_scratch;
use super::{NOW, TOLERANCE};

/// What a plan did to the day as booked, counted: the part an outcome and a total share (flattened
/// first into both, so the JSON lines keep their fields in the same order).
#[derive(Serialize, Default, Clone)]
struct Counts {
    kept: usize,
    moved: usize,
    reassigned: usize,
    unplaced: usize,
    /// Why those were left out (the plan's own reasons).
    unplaced_reasons: BTreeMap<&'static str, usize>,
    /// Not booked before, placed now (the urgent visits, and any left out of the booked day).
    added: usize,
    shifted_over_30min: usize,
    /// Visits under way or done at 10:00 whose place changed (must be 0).
    started_changed: usize,
}

impl Counts {
    fn add(&mut self, o: &Counts) {
        self.kept += o.kept;
        self.moved += o.moved;
        self.reassigned += o.reassigned;
        self.unplaced += o.unplaced;
        for (reason, n) in &o.unplaced_reasons {
            *self.unplaced_reasons.entry(reason).or_default() += n;
        }
        self.added += o.added;
        self.shifted_over_30min += o.shifted_over_30min;
        self.started_changed += o.started_changed;
    }
}

/// One repair's or one from-scratch re-plan's result on one clinic's day.
#[derive(Serialize, Default, Clone)]
pub(super) struct Outcome {
    #[serde(flatten)]
    counts: Counts,
    /// Of the visits the event named (the urgent ones), how many are placed now.
    #[serde(skip_serializing_if = "Option::is_none")]
    urgent_placed: Option<usize>,
    travel_before_minutes: f64,
    travel_after_minutes: f64,
    added_travel_minutes: f64,
    seconds: f64,
    /// Repair only: the stage it had to go to (1: only what the event touched moved).
    #[serde(skip_serializing_if = "Option::is_none")]
    stage: Option<u8>,
}

/// The outcomes of one scenario summed over the clinics.
#[derive(Serialize, Default)]
pub(super) struct Total {
    #[serde(flatten)]
    counts: Counts,
    urgent_placed: usize,
    /// Repairs that ended in stage 1, 2 and 3.
    #[serde(skip_serializing_if = "Option::is_none")]
    stages: Option<[usize; STAGES as usize]>,
    added_travel_minutes: f64,
    seconds_mean: f64,
    seconds_max: f64,
}

impl Total {
    pub(super) fn add(&mut self, o: &Outcome) {
        self.counts.add(&o.counts);
        self.urgent_placed += o.urgent_placed.unwrap_or(0);
        if let Some(stage) = o.stage {
            self.stages.get_or_insert([0; STAGES as usize])
                [usize::from(stage.clamp(1, STAGES)) - 1] += 1;
        }
        self.added_travel_minutes += o.added_travel_minutes;
        self.seconds_mean += o.seconds;
        self.seconds_max = self.seconds_max.max(o.seconds);
    }

    pub(super) fn finish(mut self, n: usize) -> Total {
        self.seconds_mean = round(self.seconds_mean / n.max(1) as f64, 3);
        self.added_travel_minutes = round(self.added_travel_minutes, 1);
        self
    }
}

fn round(value: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (value * scale).round() / scale
}

pub(super) fn compare(
    current: &Problem,
    event: &Disruption,
    replan_options: &ReplanOptions,
    solve_options: &SolveOptions,
) -> Result<(Outcome, Outcome), String> {
    let started = Instant::now();
    let repaired = replan(current, event, replan_options).map_err(|e| e.to_string())?;
    let seconds = started.elapsed().as_secs_f64();
    let mut repair = outcome(
        current,
        &repaired.solution,
        &repaired.changes,
        &repaired.figures,
        seconds,
    );
    repair.stage = Some(repaired.stage);
    repair.urgent_placed = urgent_placed(event, &repaired.solution);

    let started = Instant::now();
    let problem = from_scratch(current, event).map_err(|e| e.to_string())?;
    let solution = solve(&problem, solve_options).map_err(|e| e.to_string())?;
    let seconds = started.elapsed().as_secs_f64();
    let (changes, mut figures) = diff(current, &solution, event, TOLERANCE);
    figures.travel_before = booked_travel(current);
    let mut scratch = outcome(current, &solution, &changes, &figures, seconds);
    scratch.urgent_placed = urgent_placed(event, &solution);
    Ok((repair, scratch))
}

fn outcome(
    current: &Problem,
    solution: &Solution,
    changes: &[Change],
    f: &ReplanFigures,
    seconds: f64,
) -> Outcome {
    let before = f.travel_before.unwrap_or(0);
    let mut unplaced_reasons = BTreeMap::new();
    for c in changes.iter().filter(|c| c.kind == ChangeKind::Unplaced) {
        if let Some(u) = solution.unplaced.iter().find(|u| u.visit == c.visit) {
            *unplaced_reasons.entry(u.reason.code()).or_default() += 1;
        }
    }
    Outcome {
        counts: Counts {
            kept: f.kept,
            moved: f.moved,
            reassigned: f.reassigned,
            unplaced: f.unplaced,
            unplaced_reasons,
            added: f.added,
            shifted_over_30min: f.shifted_over_tolerance,
            started_changed: started_changed(current, solution),
        },
        urgent_placed: None,
        travel_before_minutes: round(before as f64 / 60.0, 1),
        travel_after_minutes: round(f.travel_after as f64 / 60.0, 1),
        added_travel_minutes: round((f.travel_after - before) as f64 / 60.0, 1),
        seconds: round(seconds, 3),
        stage: None,
    }
}

fn urgent_placed(event: &Disruption, solution: &Solution) -> Option<usize> {
    let Disruption::Insert { visits } = event else {
        return None;
    };
    let placed = solution
        .routes
        .iter()
        .flat_map(|r| r.stops.iter())
        .filter(|s| visits.contains(&s.visit))
        .count();
    Some(placed)
}

/// Visits booked to start before 10:00 that are not exactly where they were.
fn started_changed(current: &Problem, solution: &Solution) -> usize {
    let mut at = vec![None; current.visits().len()];
    for r in &solution.routes {
        for s in &r.stops {
            at[s.visit] = Some((r.clinician_id.as_str(), s.start));
        }
    }
    current
        .visits()
        .iter()
        .zip(at)
        .filter(|(v, now)| {
            v.pinned.as_ref().is_some_and(|p| {
                p.starts_at < NOW && *now != Some((p.clinician_id.as_str(), p.starts_at))
            })
        })
        .count()
}
