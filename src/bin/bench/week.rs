//! `carelink-bench week`: a generated clinic week planned in one run (issue #16), and its export
//! for the peers (bench/peers_week.py) and the independent checker (bench/check_week.py).
//!
//! Time is in seconds from Monday 00:00, so a window spanning days is simply a wide window. Every
//! clinician works 08:00-17:00 each day with a lunch break 12:00-13:30, modelled as carelink models
//! breaks today: two shifts a day (08:00-12:00 and 13:30-17:00), each leaving from the clinic and
//! back there by its end. Residents live within about 2.5 km of the clinic (as in the district-day
//! generator); travel is the service's great-circle model (road factor 1.4, 20 km/h, whole minutes,
//! at least 3), in seconds. Visits take 30, 45 or 60 minutes; about a third have a window of two or
//! three days or the whole week, the rest one day (the whole day, the morning, the afternoon or a
//! two-hour slot). A window bounds the visit's start and end: it may start up to `latest` and
//! `latest + duration` is the window's end. The objective is total travel time.
use std::path::Path;
use std::time::Instant;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;

use carelink::network::model::Location;
use carelink::planning::optimiser::{
    solve_with, ClinicianShift, Hgs, Problem, SolveOptions, Ticks, TravelMatrix, Visit, Window,
};
use carelink::planning::travel::GreatCircle;

pub struct Params {
    pub seed: u64,
    pub clinicians: usize,
    pub visits: usize,
    pub days: usize,
}

const DAY: Ticks = 24 * 3600;
const fn at(h: i64, m: i64) -> Ticks {
    (h * 60 + m) * 60
}
const SHIFTS: [(&str, Ticks, Ticks); 2] =
    [("AM", at(8, 0), at(12, 0)), ("PM", at(13, 30), at(17, 0))];
const DAY_NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
/// A clinic in Wuhua district (Kunming), inside the district-day generator's bounds.
const CLINIC: Location = Location {
    lat: 25.07,
    lon: 102.70,
};
const TRAVEL: GreatCircle = GreatCircle {
    road_factor: 1.4,
    speed_kmh: 20.0,
    minimum_minutes: 3,
};

/// The instance as the peers and the checker read it.
#[derive(Serialize)]
struct Instance {
    name: String,
    seed: u64,
    time_unit: &'static str,
    travel_rule: &'static str,
    objective: &'static str,
    days: usize,
    clinicians: usize,
    /// Place 0 is the clinic; place n is visit n's home.
    places: Vec<Location>,
    /// Travel seconds, row = from, column = to.
    matrix: Vec<Vec<Ticks>>,
    shifts: Vec<ShiftOut>,
    visits: Vec<VisitOut>,
}

#[derive(Serialize)]
struct ShiftOut {
    id: String,
    clinician: String,
    day: usize,
    start: Ticks,
    end: Ticks,
    start_place: usize,
    end_place: usize,
}

#[derive(Serialize)]
struct VisitOut {
    number: usize,
    id: String,
    place: usize,
    duration: Ticks,
    /// The start must fall in [earliest, latest].
    earliest: Ticks,
    latest: Ticks,
    multi_day: bool,
}

#[derive(Serialize)]
struct Line {
    instance: String,
    solver: &'static str,
    travel_seconds: Ticks,
    travel_minutes: f64,
    placed: usize,
    unplaced: usize,
    feasible: bool,
    seconds: f64,
    cpu_seconds: Option<f64>,
    /// Per shift, in the instance's shift order (empty when unused): visit numbers in order.
    routes: Vec<Vec<usize>>,
    shifts_used: usize,
    seed: u64,
}

fn generate(params: &Params) -> Result<(Instance, Problem), String> {
    if params.days == 0 || params.days > 7 {
        return Err("--days: between 1 and 7".into());
    }
    let mut rng = StdRng::seed_from_u64(params.seed);
    let last = params.days - 1;
    let mut shifts_out = vec![];
    let mut shifts = vec![];
    for (day, name) in DAY_NAMES.iter().enumerate().take(params.days) {
        for c in 1..=params.clinicians {
            for (half, from, to) in SHIFTS {
                let id = format!("C{c}-{name}-{half}");
                let (start, end) = (day as Ticks * DAY + from, day as Ticks * DAY + to);
                shifts.push(ClinicianShift {
                    clinician_id: format!("C{c}"),
                    shift_id: id.clone(),
                    starts_at: start,
                    ends_at: end,
                    start_place: 0,
                    end_place: 0,
                    skills: vec![],
                    capacity: None,
                });
                shifts_out.push(ShiftOut {
                    id,
                    clinician: format!("C{c}"),
                    day,
                    start,
                    end,
                    start_place: 0,
                    end_place: 0,
                });
            }
        }
    }
    let mut places = vec![CLINIC];
    let mut visits = vec![];
    let mut visits_out = vec![];
    for n in 1..=params.visits {
        places.push(Location {
            lat: CLINIC.lat + rng.random_range(-0.022..0.022),
            lon: CLINIC.lon + rng.random_range(-0.024..0.024),
        });
        let duration = [30, 45, 60][rng.random_range(0..3)] * 60;
        let multi_day = last > 0 && rng.random_bool(1.0 / 3.0);
        let (from, to) = if multi_day {
            if rng.random_bool(1.0 / 3.0) {
                (at(8, 0), last as Ticks * DAY + at(17, 0))
            } else {
                let first = rng.random_range(0..last);
                let span = rng.random_range(1..=2);
                let end = (first + span).min(last);
                (
                    first as Ticks * DAY + at(8, 0),
                    end as Ticks * DAY + at(17, 0),
                )
            }
        } else {
            let day = rng.random_range(0..params.days) as Ticks * DAY;
            let (from, to) = match rng.random_range(0..10) {
                0..=4 => (at(8, 0), at(17, 0)),
                5 | 6 => (at(8, 0), at(12, 0)),
                7 | 8 => (at(13, 30), at(17, 0)),
                _ => {
                    // A two-hour slot in the morning or the afternoon.
                    let start = if rng.random_bool(0.5) {
                        at(8, 0) + rng.random_range(0..5) * at(0, 30)
                    } else {
                        at(13, 30) + rng.random_range(0..4) * at(0, 30)
                    };
                    (start, start + at(2, 0))
                }
            };
            (day + from, day + to)
        };
        let window = Window {
            earliest_start: from,
            latest_start: (to - duration).max(from),
        };
        let id = format!("V{n:03}");
        visits.push(Visit::new(id.clone(), n, duration, window));
        visits_out.push(VisitOut {
            number: n,
            id,
            place: n,
            duration,
            earliest: window.earliest_start,
            latest: window.latest_start,
            multi_day,
        });
    }
    let matrix = TravelMatrix::from_travel_model(&places, &TRAVEL);
    let rows = (0..places.len())
        .map(|a| (0..places.len()).map(|b| matrix.duration(a, b)).collect())
        .collect();
    let problem = Problem::new(shifts, visits, matrix, 0).map_err(|e| e.to_string())?;
    let instance = Instance {
        name: format!(
            "week-{}x{}-{}d-s{}",
            params.clinicians, params.visits, params.days, params.seed
        ),
        seed: params.seed,
        time_unit: "seconds from Monday 00:00",
        travel_rule: "great-circle metres x 1.4 at 20 km/h, whole minutes rounded up, at least 3 \
                      (0 under 50 m), times 60; the matrix holds the result",
        objective: "total travel seconds; every visit placed",
        days: params.days,
        clinicians: params.clinicians,
        places,
        matrix: rows,
        shifts: shifts_out,
        visits: visits_out,
    };
    Ok((instance, problem))
}

/// Plans the week with `hgs` (the default search unless diagnosis flags changed its settings).
pub fn run(
    params: &Params,
    hgs: &Hgs,
    options: &SolveOptions,
    export: Option<&Path>,
) -> Result<(), String> {
    let (instance, problem) = generate(params)?;
    if let Some(path) = export {
        let text = serde_json::to_string(&instance).map_err(|e| e.to_string())?;
        std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        eprintln!("instance written to {}", path.display());
    }
    let (started, cpu_before) = (Instant::now(), super::cpu_seconds());
    let solution = solve_with(hgs, &problem, options).map_err(|e| e.to_string())?;
    let seconds = started.elapsed().as_secs_f64();
    let cpu = super::cpu_seconds()
        .zip(cpu_before)
        .map(|(after, before)| super::round(after - before, 2));
    let mut routes = vec![vec![]; problem.shifts().len()];
    for r in &solution.routes {
        routes[r.shift] = r.stops.iter().map(|s| s.visit + 1).collect();
    }
    let (travel, faults) = check(&instance, &routes);
    for fault in &faults {
        eprintln!("{}: {fault}", instance.name);
    }
    let line = Line {
        instance: instance.name.clone(),
        solver: "carelink",
        travel_seconds: travel,
        travel_minutes: super::round(travel as f64 / 60.0, 1),
        placed: solution.figures.placed,
        unplaced: solution.figures.unplaced,
        feasible: faults.is_empty(),
        seconds: super::round(seconds, 2),
        cpu_seconds: cpu,
        shifts_used: routes.iter().filter(|r| !r.is_empty()).count(),
        routes,
        seed: options.seed,
    };
    println!(
        "{}",
        serde_json::to_string(&line).map_err(|e| e.to_string())?
    );
    Ok(())
}

/// The program's own check of the routes against the exported instance (the same rules as
/// bench/check_week.py): every visit once, each starting in its window at the earliest time the
/// route allows, each shift back at its end place by its end. Returns the travel and the faults.
fn check(instance: &Instance, routes: &[Vec<usize>]) -> (Ticks, Vec<String>) {
    let mut faults = vec![];
    let mut seen = vec![false; instance.visits.len() + 1];
    let mut travel = 0;
    for (shift, route) in instance.shifts.iter().zip(routes) {
        if route.is_empty() {
            continue;
        }
        let (mut place, mut time) = (shift.start_place, shift.start);
        for &n in route {
            let Some(v) = instance.visits.get(n.wrapping_sub(1)) else {
                faults.push(format!("{}: no visit {n}", shift.id));
                continue;
            };
            if std::mem::replace(&mut seen[n], true) {
                faults.push(format!("visit {n} twice"));
            }
            let leg = instance.matrix[place][v.place];
            travel += leg;
            time = (time + leg).max(v.earliest);
            if time > v.latest {
                faults.push(format!("visit {n} starts at {time}, latest {}", v.latest));
            }
            time += v.duration;
            place = v.place;
        }
        let leg = instance.matrix[place][shift.end_place];
        travel += leg;
        if time + leg > shift.end {
            faults.push(format!(
                "{} back at {}, ends {}",
                shift.id,
                time + leg,
                shift.end
            ));
        }
    }
    let missing = seen.iter().skip(1).filter(|s| !**s).count();
    if missing > 0 {
        faults.push(format!("{missing} visits not placed"));
    }
    (travel, faults)
}
