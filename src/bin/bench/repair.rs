//! `carelink-bench repair`: same-day repair against a from-scratch re-plan (issue #16).
//!
//! Each clinic's generated day (the district-day generator) is planned, and that plan becomes
//! "the day as booked": every placed visit pinned to its clinician and start. At 10:00 one of two
//! things happens, each on its own: (a) the clinician with the most booked visits from 10:00 on is
//! absent from then, or (b) three urgent visits (priority 3, 30 minutes, a two-hour window later in
//! the day, at residents' homes of that clinic, deterministic for the seed) are to be fitted in.
//! The day is repaired with `replan::replan` (the service's repair) and, for comparison, re-planned
//! from scratch: what has started stays pinned, everything else is free in its own window from
//! 10:00 (no preference for its booked clinician), the absent clinician's shift ends at 10:00 (or
//! once back from the visit under way), solved with `solve`. Both are counted against the day as
//! booked with `replan::diff`.
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;

use carelink::planning::optimiser::district::ClinicDay;
use carelink::planning::optimiser::replan::{
    self, booked_travel, diff, replan, Change, ChangeKind, Disruption, ReplanFigures,
    ReplanOptions, STAGES,
};
use carelink::planning::optimiser::{
    solve, Pin, Problem, Solution, SolveOptions, Ticks, Visit, Window,
};

/// The event happens, and the repair is asked for, at 10:00.
const NOW: Ticks = 10 * 3600;
/// A resident's time moving by more than this counts as noticed (the service's 30 minutes).
const TOLERANCE: Ticks = 30 * 60;
/// Travel a change of clinician is worth in the repair (the service's setting).
const CHANGE_WEIGHT: i64 = 30 * 60;
/// The service stops a planning run that has gone this many offspring without a better plan.
const STALL: usize = 1000;
/// Day's end for the urgent visits' windows.
const DAY_END: Ticks = 17 * 3600 + 1800;

pub struct Params {
    pub seed: u64,
    /// Budget of one repair and of one from-scratch re-plan (and of planning the day as booked).
    pub time_limit: Duration,
    pub urgent: usize,
}

#[derive(Serialize, Default, Clone)]
struct Outcome {
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

#[derive(Serialize)]
struct Line<'a> {
    scenario: &'a str,
    clinic: &'a str,
    visits: usize,
    booked: usize,
    /// (a) the absent clinician and how many booked visits they had from 10:00.
    #[serde(skip_serializing_if = "Option::is_none")]
    absent: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    absent_visits: Option<usize>,
    /// (b) the urgent visits inserted.
    #[serde(skip_serializing_if = "Option::is_none")]
    urgent: Option<usize>,
    repair: Outcome,
    scratch: Outcome,
    seed: u64,
}

#[derive(Serialize)]
struct Summary {
    summary: &'static str,
    clinics: usize,
    repair: Total,
    scratch: Total,
    time_limit: f64,
    seed: u64,
}

#[derive(Serialize, Default)]
struct Total {
    kept: usize,
    moved: usize,
    reassigned: usize,
    unplaced: usize,
    unplaced_reasons: BTreeMap<&'static str, usize>,
    added: usize,
    shifted_over_30min: usize,
    started_changed: usize,
    urgent_placed: usize,
    /// Repairs that ended in stage 1, 2 and 3.
    #[serde(skip_serializing_if = "Option::is_none")]
    stages: Option<[usize; STAGES as usize]>,
    added_travel_minutes: f64,
    seconds_mean: f64,
    seconds_max: f64,
}

impl Total {
    fn add(&mut self, o: &Outcome) {
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
        self.urgent_placed += o.urgent_placed.unwrap_or(0);
        if let Some(stage) = o.stage {
            self.stages.get_or_insert([0; STAGES as usize])
                [usize::from(stage.clamp(1, STAGES)) - 1] += 1;
        }
        self.added_travel_minutes += o.added_travel_minutes;
        self.seconds_mean += o.seconds;
        self.seconds_max = self.seconds_max.max(o.seconds);
    }

    fn finish(mut self, n: usize) -> Total {
        self.seconds_mean = round(self.seconds_mean / n.max(1) as f64, 3);
        self.added_travel_minutes = round(self.added_travel_minutes, 1);
        self
    }
}

fn round(value: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (value * scale).round() / scale
}

pub fn run(days: &[ClinicDay], params: &Params) -> Result<(), String> {
    let solve_options = SolveOptions {
        time_limit: params.time_limit,
        seed: params.seed,
        max_generations: None,
        stall_limit: Some(STALL),
    };
    let replan_options = ReplanOptions {
        now: NOW,
        solve: solve_options.clone(),
        tolerance: TOLERANCE,
        change_weight: CHANGE_WEIGHT,
    };
    let mut rng = StdRng::seed_from_u64(params.seed ^ 0x5eed_0f1e);
    let mut totals = [(0, Total::default(), Total::default()), Default::default()];
    for day in days {
        let plan = solve(&day.problem, &solve_options).map_err(|e| e.to_string())?;
        let booked = booked_day(&day.problem, &plan).map_err(|e| e.to_string())?;
        let placed = plan.figures.placed;
        let visits = day.problem.visits().len();

        // (a) The clinician with the most booked visits from 10:00 on is absent from 10:00.
        if let Some((who, count)) = busiest_after(&booked, NOW) {
            let event = Disruption::Absent {
                clinician_id: who.clone(),
                from: NOW,
            };
            let (repair, scratch) = compare(&booked, &event, &replan_options, &solve_options)?;
            totals[0].0 += 1;
            totals[0].1.add(&repair);
            totals[0].2.add(&scratch);
            print(&Line {
                scenario: "absent",
                clinic: &day.clinic,
                visits,
                booked: placed,
                absent: Some(who),
                absent_visits: Some(count),
                urgent: None,
                repair,
                scratch,
                seed: params.seed,
            })?;
        }

        // (b) Urgent visits to fit in.
        let (with_urgent, new) =
            with_urgent(&booked, &mut rng, params.urgent).map_err(|e| e.to_string())?;
        let event = Disruption::Insert { visits: new };
        let (repair, scratch) = compare(&with_urgent, &event, &replan_options, &solve_options)?;
        totals[1].0 += 1;
        totals[1].1.add(&repair);
        totals[1].2.add(&scratch);
        print(&Line {
            scenario: "urgent",
            clinic: &day.clinic,
            visits,
            booked: placed,
            absent: None,
            absent_visits: None,
            urgent: Some(params.urgent),
            repair,
            scratch,
            seed: params.seed,
        })?;
    }
    for (name, (n, repair, scratch)) in ["absent", "urgent"].into_iter().zip(totals) {
        print(&Summary {
            summary: name,
            clinics: n,
            repair: repair.finish(n),
            scratch: scratch.finish(n),
            time_limit: params.time_limit.as_secs_f64(),
            seed: params.seed,
        })?;
    }
    Ok(())
}

fn print(line: &impl Serialize) -> Result<(), String> {
    println!(
        "{}",
        serde_json::to_string(line).map_err(|e| e.to_string())?
    );
    Ok(())
}

/// The day as booked: the plan's every visit pinned where the plan put it; visits it left out
/// stay free.
fn booked_day(
    problem: &Problem,
    plan: &Solution,
) -> Result<Problem, carelink::planning::optimiser::ProblemError> {
    let mut visits = problem.visits().to_vec();
    for v in visits.iter_mut() {
        v.pinned = None;
    }
    for r in &plan.routes {
        for s in &r.stops {
            visits[s.visit].pinned = Some(Pin {
                clinician_id: r.clinician_id.clone(),
                starts_at: s.start,
            });
        }
    }
    Problem::new(
        problem.shifts().to_vec(),
        visits,
        problem.travel().clone(),
        problem.continuity_weight(),
    )
}

/// The clinician with the most booked visits starting at or after `from`, and that count.
fn busiest_after(booked: &Problem, from: Ticks) -> Option<(String, usize)> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for v in booked.visits() {
        if let Some(p) = v.pinned.as_ref().filter(|p| p.starts_at >= from) {
            *counts.entry(p.clinician_id.as_str()).or_default() += 1;
        }
    }
    // Most visits first; the first clinician by id among equals.
    counts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
        .map(|(c, n)| (c.to_string(), n))
}

/// The booked day with `count` urgent visits appended (free, priority 3, 30 minutes, a two-hour
/// window starting between 10:30 and 15:00, at a resident's home of the clinic, needing a skill
/// some clinician of the clinic has), and their indices.
fn with_urgent(
    booked: &Problem,
    rng: &mut StdRng,
    count: usize,
) -> Result<(Problem, Vec<usize>), carelink::planning::optimiser::ProblemError> {
    let mut visits = booked.visits().to_vec();
    let homes = booked.travel().size().saturating_sub(1).max(1);
    let skills: Vec<String> = booked
        .shifts()
        .iter()
        .flat_map(|s| s.skills.iter().cloned())
        .collect();
    let mut new = vec![];
    for n in 0..count {
        let earliest = NOW + 1800 + rng.random_range(0..19) * 900;
        let duration = 1800;
        let mut v = Visit::new(
            format!("URGENT-{}", n + 1),
            1 + rng.random_range(0..homes),
            duration,
            Window {
                earliest_start: earliest,
                latest_start: (earliest + 7200).min(DAY_END - duration),
            },
        );
        v.priority = 3;
        v.skill = (!skills.is_empty()).then(|| skills[rng.random_range(0..skills.len())].clone());
        new.push(visits.len());
        visits.push(v);
    }
    let problem = Problem::new(
        booked.shifts().to_vec(),
        visits,
        booked.travel().clone(),
        booked.continuity_weight(),
    )?;
    Ok((problem, new))
}

fn compare(
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
        kept: f.kept,
        moved: f.moved,
        reassigned: f.reassigned,
        unplaced: f.unplaced,
        unplaced_reasons,
        added: f.added,
        shifted_over_30min: f.shifted_over_tolerance,
        started_changed: started_changed(current, solution),
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

/// The same situation re-planned from scratch at 10:00: what has started stays pinned, every other
/// visit is free in its own window from 10:00 on (with the resident's own preference, as in a
/// planning run, but none for the clinician it was booked with), and an absent clinician's shifts
/// end at 10:00, or once back from a visit under way (with `replan::shifts_after`, the very cut the repair makes).
fn from_scratch(
    current: &Problem,
    event: &Disruption,
) -> Result<Problem, carelink::planning::optimiser::ProblemError> {
    let visits: Vec<Visit> = current
        .visits()
        .iter()
        .map(|v| {
            let mut v = v.clone();
            if v.pinned.as_ref().is_some_and(|p| p.starts_at < NOW) {
                return v;
            }
            v.pinned = None;
            v.window = replan::not_before(v.window, NOW);
            v
        })
        .collect();
    Problem::new(
        replan::shifts_after(current, event, &|_| false),
        visits,
        current.travel().clone(),
        current.continuity_weight(),
    )
}
