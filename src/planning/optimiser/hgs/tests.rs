//! The hybrid genetic search on small days with a known answer, its rules and its determinism.
use std::time::Duration;

use super::data::Data;
use super::segment::Segment;
use super::Hgs;
use crate::planning::optimiser::tests::plane;
use crate::planning::optimiser::{
    solve_with, ClinicianShift, Pin, Place, Problem, Search, SolveOptions, Visit, Window,
};

fn shift(clinician: &str, place: Place, ends_at: i64) -> ClinicianShift {
    ClinicianShift {
        clinician_id: clinician.into(),
        shift_id: format!("{clinician}-1"),
        starts_at: 0,
        ends_at,
        start_place: place,
        end_place: place,
        skills: vec![],
        capacity: None,
    }
}

fn window(earliest_start: i64, latest_start: i64) -> Window {
    Window {
        earliest_start,
        latest_start,
    }
}

fn bounded(seed: u64, iterations: usize) -> SolveOptions {
    SolveOptions {
        time_limit: Duration::from_secs(30),
        seed,
        max_generations: Some(iterations),
        stall_limit: None,
    }
}

/// Sixteen visits on two lines out from the clinic at 0, at right angles: the best plan has one
/// clinician drive out along one line, across (113) and back along the other: 80 + 113 + 80 = 273.
/// Two out-and-back routes would drive 320.
fn two_lines() -> Problem {
    let mut points = vec![(0.0, 0.0)];
    points.extend((1..=8).map(|i| (10.0 * i as f64, 0.0)));
    points.extend((1..=8).map(|i| (0.0, 10.0 * i as f64)));
    let visits = (1..=16)
        .map(|p| Visit::new(format!("v{p}"), p, 5, window(0, 10_000)))
        .collect();
    let shifts = vec![shift("A", 0, 10_000), shift("B", 0, 10_000)];
    Problem::new(shifts, visits, plane(&points), 0).expect("a valid problem")
}

fn routes_of(problem: &Problem, options: &SolveOptions) -> Vec<Vec<usize>> {
    let candidates: Vec<usize> = (0..problem.visits().len()).collect();
    Hgs::default()
        .search(problem, &candidates, options)
        .expect("routes")
}

#[test]
fn the_search_finds_the_known_optimum_of_two_lines_of_visits() {
    let problem = two_lines();
    let solution = solve_with(&Hgs::default(), &problem, &bounded(3, 200)).expect("a plan");
    assert_eq!(solution.figures.placed, 16);
    assert_eq!(solution.figures.total_distance, 273);
}

#[test]
fn the_same_seed_with_an_iteration_bound_gives_the_same_routes_twice() {
    let problem = two_lines();
    let first = routes_of(&problem, &bounded(11, 50));
    let second = routes_of(&problem, &bounded(11, 50));
    assert_eq!(first, second);
}

#[test]
fn joined_segments_find_time_warp_exactly_where_the_model_finds_a_late_visit() {
    // Random routes on a small plane: the segments' time warp is zero exactly when the model
    // times the route without a breach.
    let points: Vec<(f64, f64)> = (0..9)
        .map(|i| ((i * 37 % 50) as f64, (i * 23 % 40) as f64))
        .collect();
    let visits: Vec<Visit> = (1..9)
        .map(|p| {
            let start = (p as i64 * 41) % 120;
            Visit::new(
                format!("v{p}"),
                p,
                7,
                window(start, start + 30 + (p as i64 % 3) * 20),
            )
        })
        .collect();
    let problem =
        Problem::new(vec![shift("A", 0, 400)], visits, plane(&points), 0).expect("a problem");
    let candidates: Vec<usize> = (0..8).collect();
    let data = Data::new(&problem, &candidates, 40);
    let mut rng = super::rng::Rng::new(5);
    let (mut feasible, mut late) = (0, 0);
    for _ in 0..2000 {
        let mut order = candidates.clone();
        rng.shuffle(&mut order);
        order.truncate(1 + rng.below(8));
        let mut seg = Segment::of(&data.nodes[data.start(0)]);
        for &node in order.iter().chain([data.end(0)].iter()) {
            let next = Segment::of(&data.nodes[node]);
            seg = seg.then(next, data.time(seg.last, next.first));
        }
        let model = problem.schedule(0, &order);
        assert_eq!(seg.time_warp == 0, model.is_ok(), "order {order:?}");
        if model.is_ok() {
            feasible += 1;
        } else {
            late += 1;
        }
    }
    assert!(feasible > 0 && late > 0);
}

#[test]
fn windows_skills_pins_and_capacity_are_kept() {
    let points: Vec<(f64, f64)> = (0..12)
        .map(|i| ((i * 17 % 30) as f64, (i * 29 % 30) as f64))
        .collect();
    let mut shifts = vec![shift("A", 0, 600), shift("B", 0, 600), shift("C", 0, 600)];
    shifts[0].skills = vec!["wound".into()];
    for s in &mut shifts {
        s.capacity = Some(10);
    }
    let mut visits: Vec<Visit> = (1..12)
        .map(|p| {
            let start = (p as i64 * 53) % 300;
            let mut v = Visit::new(format!("v{p}"), p, 20, window(start, start + 120));
            v.demand = 3;
            v
        })
        .collect();
    visits[2].skill = Some("wound".into());
    visits[5].skill = Some("wound".into());
    visits[7].pinned = Some(Pin {
        clinician_id: "B".into(),
        starts_at: 200,
    });
    let problem = Problem::new(shifts, visits, plane(&points), 0).expect("a problem");
    let candidates: Vec<usize> = (0..11).collect();
    let routes = routes_of(&problem, &bounded(2, 100));
    for (s, order) in routes.iter().enumerate() {
        if !order.is_empty() {
            problem
                .schedule(s, order)
                .expect("a route that keeps every rule");
        }
    }
    // Wound care only with A, the pinned visit only with B; three visits of 3 fill a
    // capacity of 10, so nine of the eleven are placed.
    for (s, order) in routes.iter().enumerate() {
        for &v in order {
            assert!(problem.may_serve(s, v), "visit {v} in shift {s}");
        }
    }
    assert!(routes[1].contains(&7));
    let placed: usize = routes.iter().map(Vec::len).sum();
    assert_eq!(placed, 9);
    assert!(placed <= candidates.len());
}

#[test]
fn an_optional_visit_is_left_out_only_when_it_cannot_fit() {
    // One clinician, a short shift: the three near visits fit, the far one (alone it fits)
    // does not fit beside them, and the higher-priority ones are kept.
    let points = [
        (0.0, 0.0),
        (10.0, 0.0),
        (20.0, 0.0),
        (30.0, 0.0),
        (0.0, 90.0),
    ];
    let mut visits: Vec<Visit> = (1..=3)
        .map(|p| Visit::new(format!("near{p}"), p, 10, window(0, 200)))
        .collect();
    for v in &mut visits {
        v.priority = 2;
    }
    visits.push(Visit::new("far", 4, 10, window(0, 200)));
    let problem =
        Problem::new(vec![shift("A", 0, 200)], visits, plane(&points), 0).expect("a problem");
    let solution = solve_with(&Hgs::default(), &problem, &bounded(1, 100)).expect("a plan");
    assert_eq!(solution.figures.placed, 3);
    assert_eq!(solution.unplaced.len(), 1);
    assert_eq!(solution.unplaced[0].visit_id, "far");

    // With a longer shift everything fits and everything is placed.
    let mut roomy = problem.shifts().to_vec();
    roomy[0].ends_at = 1000;
    let problem =
        Problem::new(roomy, problem.visits().to_vec(), plane(&points), 0).expect("a problem");
    let solution = solve_with(&Hgs::default(), &problem, &bounded(1, 100)).expect("a plan");
    assert_eq!(solution.figures.placed, 4);
}

/// A small random day with every rule in play: split shifts, skills, a pin, capacities, windows,
/// priorities and preferred clinicians.
fn random_day(seed: u64) -> Problem {
    let mut rng = super::rng::Rng::new(seed);
    let coordinate = |rng: &mut super::rng::Rng| (rng.below(60) as f64, rng.below(60) as f64);
    let mut points = vec![(30.0, 30.0), (10.0, 50.0)];
    let count = 14 + rng.below(10);
    points.extend((0..count).map(|_| coordinate(&mut rng)));
    let mut shifts = vec![];
    for (i, name) in ["A", "B", "C"].iter().enumerate() {
        let mut s = shift(name, i % 2, 300);
        s.skills = if i == 0 { vec!["wound".into()] } else { vec![] };
        s.capacity = Some(12);
        shifts.push(s);
    }
    let mut late = shift("A", 0, 600);
    late.shift_id = "A-2".into();
    late.starts_at = 320;
    late.skills = vec!["wound".into()];
    late.capacity = Some(12);
    shifts.push(late);
    let visits = (0..count)
        .map(|i| {
            let start = rng.below(450) as i64;
            let mut v = Visit::new(
                format!("v{i}"),
                i + 2,
                5 + rng.below(20) as i64,
                window(start, start + 20 + rng.below(120) as i64),
            );
            v.demand = rng.below(5) as i64;
            v.priority = 1 + rng.below(3) as u32;
            if rng.below(5) == 0 {
                v.skill = Some("wound".into());
            }
            if rng.below(3) == 0 {
                v.preferred_clinician = Some(["A", "B", "C"][rng.below(3)].into());
            }
            v
        })
        .collect::<Vec<_>>();
    let mut visits = visits;
    visits[0].pinned = Some(Pin {
        clinician_id: "B".into(),
        starts_at: 100,
    });
    visits[0].window = window(0, 600);
    Problem::new(shifts, visits, plane(&points), 15).expect("a valid problem")
}

#[test]
fn on_random_days_every_route_keeps_every_rule_and_nothing_that_fits_is_left_out() {
    for seed in 0..4 {
        let problem = random_day(seed);
        let solution =
            solve_with(&Hgs::default(), &problem, &bounded(seed, 40)).expect("a valid plan");
        let orders = solution.orders();
        for (s, order) in orders.iter().enumerate() {
            problem
                .schedule(s, order)
                .unwrap_or_else(|b| panic!("seed {seed}, shift {s}: {b}"));
        }
        // No left-out visit fits anywhere in the final routes.
        for left in &solution.unplaced {
            let v = problem
                .visits()
                .iter()
                .position(|x| x.id == left.visit_id)
                .expect("a visit of the problem");
            for (s, order) in orders.iter().enumerate() {
                for at in 0..=order.len() {
                    let mut trial = order.clone();
                    trial.insert(at, v);
                    assert!(
                        problem.schedule(s, &trial).is_err(),
                        "seed {seed}: {} fits in shift {s}",
                        left.visit_id
                    );
                }
            }
        }
    }
}

#[test]
fn an_enormous_time_limit_with_an_iteration_bound_still_plans() {
    let problem = two_lines();
    let options = SolveOptions {
        time_limit: Duration::MAX,
        seed: 1,
        max_generations: Some(5),
        stall_limit: None,
    };
    let solution = solve_with(&Hgs::default(), &problem, &options).expect("a plan");
    assert_eq!(solution.figures.placed, 16);
}

#[test]
fn with_almost_no_time_the_search_still_returns_a_plan_that_keeps_every_rule() {
    for seed in 0..3 {
        let problem = random_day(seed);
        let options = SolveOptions {
            time_limit: Duration::from_nanos(1),
            seed,
            max_generations: None,
            stall_limit: None,
        };
        let solution = solve_with(&Hgs::default(), &problem, &options).expect("a valid plan");
        assert!(solution.figures.placed > 0);
    }
}

#[test]
fn a_search_that_stops_improving_ends_long_before_its_time_limit_with_the_best_plan() {
    let problem = two_lines();
    let options = SolveOptions {
        time_limit: SolveOptions::MAX_TIME_LIMIT,
        seed: 3,
        max_generations: None,
        stall_limit: Some(200),
    };
    let started = std::time::Instant::now();
    let solution = solve_with(&Hgs::default(), &problem, &options).expect("a plan");
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "the stall limit stopped it, not the {:?} limit",
        SolveOptions::MAX_TIME_LIMIT
    );
    assert_eq!(solution.figures.total_distance, 273);
}
