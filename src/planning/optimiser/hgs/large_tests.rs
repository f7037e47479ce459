//! The search past 200 clients, where it inserts next to neighbours only and starts from fewer
//! random plans: every rule kept, and the same seed still gives the same routes.
use std::time::Duration;

use super::rng::Rng;
use super::{Hgs, Params};
use crate::planning::optimiser::tests::plane;
use crate::planning::optimiser::{ClinicianShift, Problem, Search, SolveOptions, Visit, Window};

/// 220 visits with two-hour windows on a 100 x 100 plane, 30 clinicians from the middle.
fn large_day(seed: u64) -> Problem {
    let mut rng = Rng::new(seed);
    let mut points = vec![(50.0, 50.0)];
    points.extend((0..220).map(|_| (rng.below(100) as f64, rng.below(100) as f64)));
    let shifts = (0..30)
        .map(|i| ClinicianShift {
            clinician_id: format!("c{i}"),
            shift_id: format!("c{i}-1"),
            starts_at: 0,
            ends_at: 1_000,
            start_place: 0,
            end_place: 0,
            skills: vec![],
            capacity: None,
        })
        .collect();
    let visits = (1..=220)
        .map(|p| {
            let start = rng.below(800) as i64;
            let window = Window {
                earliest_start: start,
                latest_start: start + 120,
            };
            Visit::new(format!("v{p}"), p, 10, window)
        })
        .collect();
    Problem::new(shifts, visits, plane(&points), 0).expect("a valid problem")
}

fn routes(problem: &Problem, seed: u64) -> Vec<Vec<usize>> {
    let options = SolveOptions {
        time_limit: Duration::from_secs(120),
        seed,
        max_generations: Some(10),
        stall_limit: None,
    };
    let candidates: Vec<usize> = (0..problem.visits().len()).collect();
    // Few random plans to start from: a debug build educates slowly.
    let hgs = Hgs {
        params: Params {
            initial: 3,
            ..Params::default()
        },
    };
    hgs.search(problem, &candidates, &options).expect("routes")
}

#[test]
fn on_a_large_day_every_route_keeps_every_rule_and_every_visit_is_placed() {
    let problem = large_day(7);
    let orders = routes(&problem, 7);
    for (s, order) in orders.iter().enumerate() {
        problem
            .schedule(s, order)
            .unwrap_or_else(|b| panic!("shift {s}: {b}"));
    }
    assert_eq!(orders.iter().map(Vec::len).sum::<usize>(), 220);
}

#[test]
fn on_a_large_day_the_same_seed_with_an_iteration_bound_gives_the_same_routes_twice() {
    let problem = large_day(3);
    assert_eq!(routes(&problem, 5), routes(&problem, 5));
}
