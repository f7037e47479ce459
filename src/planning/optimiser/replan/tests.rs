//! Hand-made days (times in seconds from midnight, travel in seconds) with a known repair.
use std::time::Duration;

use super::*;
use crate::planning::optimiser::{Place as Spot, TravelMatrix};

const H: Ticks = 3600;

/// Places on a line, `gap` seconds apart: the clinic is place 0.
fn line(n: usize, gap: i64) -> TravelMatrix {
    let d: Vec<i64> = (0..n)
        .flat_map(|a| (0..n).map(move |b| (a as i64 - b as i64).abs() * gap))
        .collect();
    TravelMatrix::new(n, d.clone(), d).expect("a square matrix")
}

fn shift(clinician: &str) -> ClinicianShift {
    ClinicianShift {
        clinician_id: clinician.into(),
        shift_id: format!("{clinician}-1"),
        starts_at: 8 * H,
        ends_at: 17 * H,
        start_place: 0,
        end_place: 0,
        skills: vec![],
        capacity: None,
    }
}

fn visit(id: &str, place: Spot, window: (Ticks, Ticks), pin: Option<(&str, Ticks)>) -> Visit {
    let mut v = Visit::new(
        id,
        place,
        H,
        Window {
            earliest_start: window.0,
            latest_start: window.1,
        },
    );
    v.pinned = pin.map(|(c, at)| Pin {
        clinician_id: c.into(),
        starts_at: at,
    });
    v
}

fn options(now: Ticks) -> ReplanOptions {
    ReplanOptions {
        now,
        solve: SolveOptions {
            time_limit: Duration::from_secs(3),
            seed: 3,
            max_generations: Some(200),
            stall_limit: None,
        },
        tolerance: 30 * 60,
        change_weight: 30 * 60,
    }
}

fn kind_of(r: &Replan, id: &str) -> ChangeKind {
    r.changes
        .iter()
        .find(|c| c.visit_id == id)
        .map_or(ChangeKind::Kept, |c| c.kind)
}

fn place_of(r: &Replan, id: &str) -> Option<(String, Ticks)> {
    r.solution.routes.iter().find_map(|route| {
        route
            .stops
            .iter()
            .find(|s| s.visit_id == id)
            .map(|s| (route.clinician_id.clone(), s.start))
    })
}

#[test]
fn an_absent_clinicians_later_visits_go_to_another_and_the_rest_stay() {
    let day = Problem::new(
        vec![shift("a"), shift("b")],
        vec![
            visit("a9", 1, (8 * H, 16 * H), Some(("a", 9 * H))),
            visit("a11", 1, (8 * H, 16 * H), Some(("a", 11 * H))),
            visit("a13", 2, (12 * H, 16 * H), Some(("a", 13 * H))),
            visit("b9", 2, (8 * H, 16 * H), Some(("b", 9 * H))),
        ],
        line(3, 600),
        0,
    )
    .unwrap();
    let absent = Disruption::Absent {
        clinician_id: "a".into(),
        from: 10 * H,
    };
    let r = replan(&day, &absent, &options(10 * H)).unwrap();
    assert_eq!(r.stage, 1, "nothing else had to move");
    assert_eq!(kind_of(&r, "a9"), ChangeKind::Kept);
    assert_eq!(kind_of(&r, "b9"), ChangeKind::Kept);
    assert_eq!(kind_of(&r, "a11"), ChangeKind::Reassigned);
    assert_eq!(kind_of(&r, "a13"), ChangeKind::Reassigned);
    assert_eq!(place_of(&r, "a11").unwrap().0, "b");
    assert_eq!(place_of(&r, "a13").unwrap().0, "b");
    assert_eq!((r.figures.kept, r.figures.reassigned), (2, 2));
    // a's day now ends once they are back from the 09:00 visit.
    let a_route = r
        .solution
        .routes
        .iter()
        .find(|x| x.clinician_id == "a")
        .unwrap();
    assert!(a_route.back_at <= 10 * H + 600);
}

#[test]
fn a_repair_never_moves_a_visit_that_has_started_even_in_the_last_stage() {
    // One clinician; the urgent visit can only go where the 09:30 visit (started) and the
    // 11:00 one are; only the 11:00 one may move, and only from stage 3 (90 minutes) an hour.
    let day = Problem::new(
        vec![shift("a")],
        vec![
            visit("started", 1, (8 * H, 16 * H), Some(("a", 9 * H + 1800))),
            visit("booked", 1, (8 * H, 16 * H), Some(("a", 11 * H))),
            visit("urgent", 1, (11 * H, 11 * H), None),
        ],
        line(2, 600),
        0,
    )
    .unwrap();
    let insert = Disruption::Insert { visits: vec![2] };
    let r = replan(&day, &insert, &options(10 * H)).unwrap();
    assert_eq!(r.stage, 3);
    assert_eq!(place_of(&r, "started"), Some(("a".into(), 9 * H + 1800)));
    assert_eq!(place_of(&r, "urgent"), Some(("a".into(), 11 * H)));
    assert_eq!(kind_of(&r, "urgent"), ChangeKind::Added);
    assert_eq!(kind_of(&r, "booked"), ChangeKind::Moved);
    assert_eq!(r.figures.shifted_over_tolerance, 1);
}

#[test]
fn an_urgent_visit_that_fits_nowhere_is_reported_unplaced_and_nothing_moves() {
    let day = Problem::new(
        vec![shift("a")],
        vec![
            visit("booked", 1, (11 * H, 11 * H), Some(("a", 11 * H))),
            visit("urgent", 1, (11 * H, 11 * H), None),
        ],
        line(2, 600),
        0,
    )
    .unwrap();
    let r = replan(
        &day,
        &Disruption::Insert { visits: vec![1] },
        &options(10 * H),
    )
    .unwrap();
    assert_eq!(kind_of(&r, "urgent"), ChangeKind::Unplaced);
    assert_eq!(kind_of(&r, "booked"), ChangeKind::Kept);
    assert_eq!(r.figures.unplaced, 1);
}

#[test]
fn an_overrun_pushes_the_clinicians_next_visit_back_within_its_window() {
    let day = Problem::new(
        vec![shift("a")],
        vec![
            visit("running", 1, (8 * H, 16 * H), Some(("a", 9 * H))),
            visit("next", 2, (8 * H, 16 * H), Some(("a", 10 * H + 600))),
        ],
        line(3, 600),
        0,
    )
    .unwrap();
    let overrun = Disruption::Overrun {
        visit: 0,
        until: 10 * H + 1800,
    };
    let r = replan(&day, &overrun, &options(10 * H)).unwrap();
    assert_eq!(r.stage, 1);
    assert_eq!(kind_of(&r, "running"), ChangeKind::Kept);
    assert_eq!(kind_of(&r, "next"), ChangeKind::Moved);
    let (_, start) = place_of(&r, "next").unwrap();
    assert!(
        start >= 10 * H + 1800 + 600,
        "after the overrun and the drive"
    );
    assert_eq!(r.figures.travel_before, Some(600 + 600 + 1200));
}

#[test]
fn a_visit_done_though_booked_for_later_stays_with_its_absent_clinician() {
    let day = Problem::new(
        vec![shift("a"), shift("b")],
        vec![
            visit("done", 1, (8 * H, 16 * H), Some(("a", 11 * H))),
            visit("later", 1, (8 * H, 16 * H), Some(("a", 13 * H))),
        ],
        line(2, 600),
        0,
    )
    .unwrap();
    let absent = Disruption::Absent {
        clinician_id: "a".into(),
        from: 10 * H,
    };
    let r = replan_keeping(&day, &absent, &options(10 * H), &[true, false]).unwrap();
    assert_eq!(kind_of(&r, "done"), ChangeKind::Kept);
    assert_eq!(place_of(&r, "later").unwrap().0, "b");
}
