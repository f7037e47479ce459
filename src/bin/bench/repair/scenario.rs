//! The days the bench plays: the day as booked, its busiest clinician, the urgent visits to fit
//! in, and the same situation set up to be re-planned from scratch.
use std::collections::BTreeMap;

use rand::rngs::StdRng;
use rand::Rng;

use carelink::planning::optimiser::replan;
use carelink::planning::optimiser::replan::Disruption;
use carelink::planning::optimiser::{Pin, Problem, Solution, Ticks, Visit, Window};

use super::{DAY_END, NOW};

/// The day as booked: the plan's every visit pinned where the plan put it; visits it left out
/// stay free.
pub(super) fn booked_day(
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
pub(super) fn busiest_after(booked: &Problem, from: Ticks) -> Option<(String, usize)> {
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
pub(super) fn with_urgent(
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

/// The same situation re-planned from scratch at 10:00: what has started stays pinned, every other
/// visit is free in its own window from 10:00 on (with the resident's own preference, as in a
/// planning run, but none for the clinician it was booked with), and an absent clinician's shifts
/// end at 10:00, or once back from a visit under way (with `replan::shifts_after`, the very cut the repair makes).
pub(super) fn from_scratch(
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
