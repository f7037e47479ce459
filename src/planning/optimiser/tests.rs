//! Hand-made days with a known best answer, and the Solomon reader against published solutions.
use std::time::Duration;

use super::solomon::{self, check};
use super::*;

/// A matrix of rounded Euclidean distances between points, used as both time and distance.
pub(super) fn plane(points: &[(f64, f64)]) -> TravelMatrix {
    let d: Vec<i64> = points
        .iter()
        .flat_map(|a| {
            points
                .iter()
                .map(move |b| (a.0 - b.0).hypot(a.1 - b.1).round() as i64)
        })
        .collect();
    TravelMatrix::new(points.len(), d.clone(), d).expect("a square matrix")
}

fn shift(clinician: &str, place: Place, skills: &[&str]) -> ClinicianShift {
    ClinicianShift {
        clinician_id: clinician.into(),
        shift_id: format!("{clinician}-1"),
        starts_at: 0,
        ends_at: 1000,
        start_place: place,
        end_place: place,
        skills: skills.iter().map(|s| s.to_string()).collect(),
        capacity: None,
    }
}

fn window(earliest_start: Ticks, latest_start: Ticks) -> Window {
    Window {
        earliest_start,
        latest_start,
    }
}

fn quick() -> SolveOptions {
    SolveOptions {
        time_limit: Duration::from_secs(5),
        seed: 7,
        max_generations: Some(60),
        stall_limit: None,
    }
}

fn route_of<'a>(solution: &'a Solution, clinician: &str) -> Vec<&'a str> {
    solution
        .routes
        .iter()
        .filter(|r| r.clinician_id == clinician)
        .flat_map(|r| r.stops.iter().map(|s| s.visit_id.as_str()))
        .collect()
}

#[test]
fn a_required_skill_sends_the_visit_to_the_far_clinician_who_has_it() {
    // A's clinic is next door; only B, across town, has wound care.
    let travel = plane(&[(0.0, 0.0), (100.0, 0.0), (5.0, 0.0)]);
    let mut v = Visit::new("wound", 2, 30, window(0, 800));
    v.skill = Some("wound_care".into());
    let shifts = vec![shift("A", 0, &["nursing"]), shift("B", 1, &["wound_care"])];
    let problem = Problem::new(shifts, vec![v], travel, 0).expect("a valid problem");
    let solution = solve(&problem, &quick()).expect("a plan");
    assert_eq!(route_of(&solution, "B"), vec!["wound"]);
    assert_eq!(solution.figures.placed, 1);
}

#[test]
fn windows_force_the_order_even_against_shorter_travel() {
    // Going to the near visit first would be as short, but then the far one would start at 60,
    // after its window (a latest start of 60 would let either order through).
    let travel = plane(&[(0.0, 0.0), (10.0, 0.0), (50.0, 0.0)]);
    let near = Visit::new("near", 1, 10, window(0, 900));
    let far = Visit::new("far", 2, 10, window(0, 55));
    let problem = Problem::new(vec![shift("A", 0, &[])], vec![near, far], travel, 0)
        .expect("a valid problem");
    let solution = solve(&problem, &quick()).expect("a plan");
    assert_eq!(route_of(&solution, "A"), vec!["far", "near"]);
    let stops = &solution.routes[0].stops;
    assert_eq!((stops[0].arrival, stops[0].start), (50, 50));
    assert_eq!(stops[1].start, 50 + 10 + 40);
}

#[test]
fn a_pinned_visit_stays_with_its_clinician_at_its_time() {
    let travel = plane(&[(0.0, 0.0), (100.0, 0.0), (2.0, 0.0)]);
    let mut v = Visit::new("booked", 2, 20, window(0, 900));
    v.pinned = Some(Pin {
        clinician_id: "B".into(),
        starts_at: 300,
    });
    let shifts = vec![shift("A", 0, &[]), shift("B", 1, &[])];
    let problem = Problem::new(shifts, vec![v], travel, 0).expect("a valid problem");
    let solution = solve(&problem, &quick()).expect("a plan");
    let route = solution.routes.iter().find(|r| r.clinician_id == "B");
    let stop = route.map(|r| &r.stops[0]).expect("B has the visit");
    assert_eq!((stop.visit_id.as_str(), stop.start), ("booked", 300));
}

#[test]
fn visits_that_cannot_be_placed_say_why() {
    // Place 1 is 50 away from the clinic: a visit there cannot start by 20.
    let travel = plane(&[(0.0, 0.0), (50.0, 0.0)]);
    let mut no_skill = Visit::new("no_skill", 1, 10, window(0, 900));
    no_skill.skill = Some("tcm".into());
    let no_shift = Visit::new("no_shift", 1, 10, window(2000, 3000));
    let unreachable = Visit::new("unreachable", 1, 10, window(0, 20));
    let fine = Visit::new("fine", 1, 10, window(0, 900));
    let visits = vec![no_skill, no_shift, unreachable, fine];
    let problem = Problem::new(vec![shift("A", 0, &["nursing"])], visits, travel, 0)
        .expect("a valid problem");
    let solution = solve(&problem, &quick()).expect("a plan");
    let reasons: Vec<(&str, &str)> = solution
        .unplaced
        .iter()
        .map(|u| (u.visit_id.as_str(), u.reason.code()))
        .collect();
    assert_eq!(
        reasons,
        vec![
            ("no_skill", "no_skill"),
            ("no_shift", "no_shift_time"),
            ("unreachable", "window_unreachable")
        ]
    );
    assert_eq!(route_of(&solution, "A"), vec!["fine"]);
}

#[test]
fn when_only_one_visit_fits_the_higher_priority_one_is_placed() {
    let travel = plane(&[(0.0, 0.0), (10.0, 0.0), (0.0, 10.0)]);
    let routine = Visit::new("routine", 1, 600, window(0, 900));
    let mut urgent = Visit::new("urgent", 2, 600, window(0, 900));
    urgent.priority = 5;
    let problem = Problem::new(vec![shift("A", 0, &[])], vec![routine, urgent], travel, 0)
        .expect("a valid problem");
    let solution = solve(&problem, &quick()).expect("a plan");
    assert_eq!(route_of(&solution, "A"), vec!["urgent"]);
    assert_eq!(solution.unplaced[0].reason, UnplacedReason::NoRoom);
}

#[test]
fn a_resident_keeps_their_own_clinician_when_it_costs_little_travel() {
    // B starts a little further away; continuity is worth more than the difference.
    let travel = plane(&[(0.0, 0.0), (3.0, 0.0), (20.0, 0.0)]);
    let mut v = Visit::new("checkup", 2, 30, window(0, 900));
    v.preferred_clinician = Some("B".into());
    let shifts = vec![shift("A", 0, &[]), shift("B", 1, &[])];
    let problem = Problem::new(shifts, vec![v], travel, 100).expect("a valid problem");
    let solution = solve(&problem, &quick()).expect("a plan");
    assert_eq!(route_of(&solution, "B"), vec!["checkup"]);
    assert_eq!(solution.figures.continuity_kept, 1);
}

#[test]
fn a_bad_reference_or_time_limit_is_refused() {
    let travel = plane(&[(0.0, 0.0)]);
    let v = Visit::new("lost", 3, 10, window(0, 10));
    assert!(matches!(
        Problem::new(vec![], vec![v], travel, 0),
        Err(ProblemError::PlaceOutOfRange { .. })
    ));
    assert!(SolveOptions::new(Duration::ZERO, 1).is_err());
    assert!(SolveOptions::new(Duration::from_secs(3600), 1).is_err());
}

/// A Solomon instance or solution from the repository's copy (bench/solomon/).
fn solomon_file(file: &str) -> String {
    let path = format!("{}/bench/solomon/{file}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

#[test]
fn the_checker_agrees_with_the_published_costs_of_c101_and_r101() {
    for name in ["C101", "R101"] {
        let instance =
            solomon::read_instance(&solomon_file(&format!("{name}.txt"))).expect("an instance");
        let published =
            solomon::read_solution(&solomon_file(&format!("{name}.sol"))).expect("a .sol");
        let result = check::check(&instance, &published.routes);
        assert!(result.feasible, "{name}: {:?}", result.faults);
        let stated = published.cost.expect("a stated cost");
        assert!(
            (result.distance - stated).abs() < 0.01,
            "{name}: {} vs {stated}",
            result.distance
        );
        // The model reads the same solution the same way, in tenths.
        let problem = instance.to_problem().expect("a problem");
        let tenths: i64 = published
            .routes
            .iter()
            .map(|r| {
                let order: Vec<usize> = r.iter().map(|&c| c as usize - 1).collect();
                problem
                    .schedule(0, &order)
                    .expect("a feasible route")
                    .distance
            })
            .sum();
        assert_eq!(tenths, (stated * 10.0).round() as i64, "{name}");
    }
}

#[test]
fn a_solved_solomon_instance_passes_the_independent_check() {
    let instance = solomon::read_instance(&solomon_file("C101.txt")).expect("an instance");
    let problem = instance.to_problem().expect("a problem");
    let solution = solve(&problem, &quick()).expect("a plan");
    let result = check::check(&instance, &instance.routes_of(&solution));
    assert!(result.feasible, "{:?}", result.faults);
    assert_eq!(
        (result.distance * 10.0).round() as i64,
        solution.figures.total_distance
    );
}

/// A search that places nothing: the seam lets any search in, and the model still checks it.
struct Idle;

impl Search for Idle {
    fn name(&self) -> &'static str {
        "idle"
    }

    fn search(
        &self,
        problem: &Problem,
        _: &[usize],
        _: &SolveOptions,
    ) -> Result<Vec<Vec<usize>>, SolveError> {
        Ok(vec![vec![]; problem.shifts().len()])
    }
}

#[test]
fn a_visit_the_search_leaves_out_but_that_fits_is_put_in_by_the_last_pass() {
    let travel = plane(&[(0.0, 0.0), (10.0, 0.0), (0.0, 10.0)]);
    let visits = vec![
        Visit::new("a", 1, 10, window(0, 900)),
        Visit::new("b", 2, 10, window(0, 900)),
    ];
    let problem =
        Problem::new(vec![shift("A", 0, &[])], visits, travel, 0).expect("a valid problem");
    let solution = solve_with(&Idle, &problem, &quick()).expect("a plan");
    assert_eq!(solution.figures.placed, 2);
    assert!(solution.unplaced.is_empty());
}

#[test]
fn a_generated_district_day_shares_the_visits_out_between_the_clinics() {
    let clinics: Vec<(String, crate::network::model::Location)> = (0..3)
        .map(|i| {
            let at = crate::network::model::Location {
                lat: 25.05 + 0.02 * f64::from(i),
                lon: 102.68,
            };
            (format!("CL-{i}"), at)
        })
        .collect();
    let params = district::DistrictParams {
        seed: 3,
        clinicians_per_clinic: 5,
        visits: 100,
        continuity_weight: 600,
    };
    let travel = crate::planning::travel::GreatCircle {
        road_factor: 1.4,
        speed_kmh: 20.0,
        minimum_minutes: 3,
    };
    let days = district::generate(&clinics, &params, &travel).expect("valid days");
    let sizes: Vec<usize> = days.iter().map(|d| d.problem.visits().len()).collect();
    assert_eq!(sizes, vec![34, 33, 33]);
    let solution = solve(&days[0].problem, &quick()).expect("a plan");
    assert_eq!(solution.figures.placed + solution.figures.unplaced, 34);
}

#[test]
fn the_checker_finds_a_missing_customer_and_a_broken_window() {
    let instance = solomon::read_instance(&solomon_file("C101.txt")).expect("an instance");
    let mut routes = solomon::read_solution(&solomon_file("C101.sol"))
        .expect("a .sol")
        .routes;
    let dropped = routes.pop().expect("a route");
    routes[0].reverse();
    let result = check::check(&instance, &routes);
    assert!(!result.feasible);
    let faults = result.faults.join("\n");
    assert!(faults.contains(&format!("customer {} is not visited", dropped[0])));
    assert!(faults.contains("due"), "{faults}");
}
