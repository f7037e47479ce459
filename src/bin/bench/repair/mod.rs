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
mod outcome;
mod scenario;

use std::time::Duration;

use rand::rngs::StdRng;
use rand::SeedableRng;
use serde::Serialize;

use carelink::planning::optimiser::district::ClinicDay;
use carelink::planning::optimiser::replan::{Disruption, ReplanOptions};
use carelink::planning::optimiser::{solve, SolveOptions, Ticks};

use outcome::{compare, Outcome, Total};
use scenario::{booked_day, busiest_after, with_urgent};

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
