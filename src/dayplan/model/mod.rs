//! Turning a clinic's day or week into an optimiser problem and its solution into a proposal
//! (pure); what a run is asked (`request`) and how a repair is read (`repair`).
use chrono::{Duration, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::network::model::Location;
use crate::planning::optimiser::{self as opt, Problem, Ticks, TravelMatrix};
use crate::planning::travel::TravelModel;

pub mod repair;
pub mod request;

pub use repair::{Placement, ProposedChange, RepairFigures};
pub use request::{NewRun, RepairReason, RunMode, Scope};

/// A clinician's shift on the day.
#[derive(Debug, Clone)]
pub struct ShiftIn {
    pub clinician_id: String,
    pub shift_id: String,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub skills: Vec<String>,
}

/// A visit of the day: requested ones are free, scheduled ones are pinned where they are.
#[derive(Debug, Clone)]
pub struct VisitIn {
    pub id: String,
    /// requested, scheduled, or (in a repair) in_progress or completed.
    pub status: String,
    pub location: Location,
    pub minutes: i64,
    pub window_start: NaiveDateTime,
    pub window_end: NaiveDateTime,
    pub skill: String,
    /// 3 urgent, 2 a resident with priority flags, 1 otherwise.
    pub priority: u32,
    pub family_doctor: Option<String>,
    pub pinned: Option<(String, NaiveDateTime)>,
}

/// Travel minutes the plan spends to keep a resident with their family doctor.
pub const CONTINUITY_MINUTES: i64 = 10;

/// Builds the optimiser's problem; times are seconds from `day_start` (UTC of local midnight of
/// the first day), and no visit starts at or after `horizon` (the end of the day or week). With
/// `spread` (a week), no shift takes more than its fair share of the service time with a margin
/// (`opt::spread`), so the load spreads over the days.
pub fn problem(
    day_start: NaiveDateTime,
    horizon: NaiveDateTime,
    clinic: Location,
    (shifts, visits): (&[ShiftIn], &[VisitIn]),
    travel: &dyn TravelModel,
    spread: bool,
) -> Result<Problem, opt::ProblemError> {
    let ticks = |t: NaiveDateTime| (t - day_start).num_seconds() as Ticks;
    let mut places = vec![clinic];
    places.extend(visits.iter().map(|v| v.location));
    let matrix = TravelMatrix::from_travel_model(&places, travel);
    let mut shifts: Vec<opt::ClinicianShift> = shifts
        .iter()
        .map(|s| opt::ClinicianShift {
            clinician_id: s.clinician_id.clone(),
            shift_id: s.shift_id.clone(),
            starts_at: ticks(s.starts_at),
            ends_at: ticks(s.ends_at),
            start_place: 0,
            end_place: 0,
            skills: s.skills.clone(),
            capacity: None,
        })
        .collect();
    let mut visits: Vec<opt::Visit> = visits
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let duration = v.minutes * 60;
            let window = opt::Window {
                earliest_start: ticks(v.window_start).max(0),
                latest_start: (ticks(v.window_end) - duration).min(ticks(horizon)),
            };
            let mut visit = opt::Visit::new(v.id.clone(), i + 1, duration, window);
            visit.skill = Some(v.skill.clone());
            visit.priority = v.priority;
            visit.preferred_clinician = v.family_doctor.clone();
            visit.pinned = v.pinned.as_ref().map(|(c, at)| opt::Pin {
                clinician_id: c.clone(),
                starts_at: ticks(*at),
            });
            visit
        })
        .collect();
    if spread {
        opt::spread::spread(&mut shifts, &mut visits, opt::spread::MARGIN);
    }
    Problem::new(shifts, visits, matrix, CONTINUITY_MINUTES * 60)
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct ProposedStop {
    pub visit_id: String,
    pub starts_at: crate::time::Time,
    pub ends_at: crate::time::Time,
    pub travel_minutes: i64,
    /// Already scheduled: kept where it was.
    pub pinned: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct ProposedRoute {
    pub clinician_id: String,
    /// The shift the route is in (a shift with a break has a route before and one after it).
    #[serde(default)]
    pub shift_id: String,
    /// The route's day (district time): a week plan has one route per clinician and shift.
    #[serde(default)]
    pub date: Option<NaiveDate>,
    pub stops: Vec<ProposedStop>,
    pub travel_minutes: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct UnplacedVisit {
    pub visit_id: String,
    /// no_skill, no_shift_time, window_unreachable, pinned_conflict, no_room, ...
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct Proposal {
    pub routes: Vec<ProposedRoute>,
    pub unplaced: Vec<UnplacedVisit>,
    pub placed: usize,
    pub total_travel_minutes: i64,
    /// Visits per clinician.
    pub load: BTreeMap<String, usize>,
    /// A repair: each visit whose place changes (moved, reassigned, unplaced, added).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changes: Option<Vec<ProposedChange>>,
    /// A repair: how much it disrupts, and how far it had to go.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repair: Option<RepairFigures>,
}

/// The solution as the API shows it, in real times.
pub fn proposal(
    day_start: NaiveDateTime,
    tz: chrono_tz::Tz,
    solution: &opt::Solution,
    pinned: &[String],
) -> Proposal {
    let at = |t: Ticks| crate::time::Time::from(day_start + Duration::seconds(t));
    let minutes = |t: Ticks| (t + 59) / 60;
    let mut load = BTreeMap::new();
    let routes: Vec<ProposedRoute> = solution
        .routes
        .iter()
        .filter(|r| !r.stops.is_empty())
        .map(|r| {
            *load.entry(r.clinician_id.clone()).or_insert(0) += r.stops.len();
            ProposedRoute {
                clinician_id: r.clinician_id.clone(),
                shift_id: r.shift_id.split('/').next().unwrap_or_default().to_string(),
                date: Some(
                    (day_start + Duration::seconds(r.departure))
                        .and_utc()
                        .with_timezone(&tz)
                        .date_naive(),
                ),
                travel_minutes: minutes(r.travel_time),
                stops: r
                    .stops
                    .iter()
                    .map(|s| ProposedStop {
                        visit_id: s.visit_id.clone(),
                        starts_at: at(s.start),
                        ends_at: at(s.end),
                        travel_minutes: minutes(s.travel_time),
                        pinned: pinned.contains(&s.visit_id),
                    })
                    .collect(),
            }
        })
        .collect();
    let unplaced = solution
        .unplaced
        .iter()
        .map(|u| UnplacedVisit {
            visit_id: u.visit_id.clone(),
            reason: serde_json::to_value(u.reason)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
        })
        .collect();
    Proposal {
        placed: routes.iter().map(|r| r.stops.len()).sum(),
        total_travel_minutes: routes.iter().map(|r| r.travel_minutes).sum(),
        routes,
        unplaced,
        load,
        changes: None,
        repair: None,
    }
}

/// How long past its time limit a run may still be `running` before it counts as abandoned: the
/// search stops at its limit, and building and storing the proposal takes well under this.
pub const ABANDONED_AFTER: Duration = Duration::seconds(120);

/// The error a run gets when the instance solving it stopped (crash, deploy) before it finished.
pub const ABANDONED_ERROR: &str =
    "interrupted: the instance solving this run stopped before it finished; start a new run";

/// Whether a run still `running` at `now` was abandoned: its search would have ended long ago, so
/// the process that ran it is gone and nothing will ever finish it.
pub fn is_abandoned(
    status: &str,
    created_at: NaiveDateTime,
    limit_seconds: i32,
    now: NaiveDateTime,
) -> bool {
    status == "running"
        && now > created_at + Duration::seconds(limit_seconds.max(0).into()) + ABANDONED_AFTER
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    #[test]
    fn a_running_run_is_abandoned_only_once_its_limit_and_the_grace_have_passed() {
        let started = at("2026-11-28 08:00:00");
        assert!(!is_abandoned(
            "running",
            started,
            30,
            at("2026-11-28 08:02:30")
        ));
        assert!(is_abandoned(
            "running",
            started,
            30,
            at("2026-11-28 08:02:31")
        ));
        assert!(!is_abandoned(
            "completed",
            started,
            30,
            at("2026-11-29 08:00:00")
        ));
        assert!(!is_abandoned(
            "failed",
            started,
            30,
            at("2026-11-29 08:00:00")
        ));
    }

    #[test]
    fn a_week_plan_gives_each_visit_a_day_and_never_runs_past_a_shift() {
        use crate::planning::optimiser::{solve, SolveOptions};
        use crate::planning::travel::GreatCircle;
        let monday = at("2026-12-06 16:00:00"); // Monday 00:00 in Kunming, as stored (UTC)
        let day = |d: i64, h: i64| monday + Duration::days(d) + Duration::hours(h);
        let travel = GreatCircle {
            road_factor: 1.4,
            speed_kmh: 20.0,
            minimum_minutes: 3,
        };
        let clinic = Location {
            lat: 25.05,
            lon: 102.70,
        };
        // Two nurses, mornings 08:00-10:00 on three days, split by a break at 09:00.
        let mut shifts = vec![];
        for c in ["a", "b"] {
            for d in 0..3 {
                for (n, (from, to)) in [(8, 9), (9, 10)].into_iter().enumerate() {
                    shifts.push(ShiftIn {
                        clinician_id: c.into(),
                        shift_id: format!("{c}{d}/{n}"),
                        starts_at: day(d, from),
                        ends_at: day(d, to),
                        skills: vec!["nursing".into()],
                    });
                }
            }
        }
        // Twelve visits of 20 minutes, each free over all three mornings.
        let visits: Vec<VisitIn> = (0..12)
            .map(|i| VisitIn {
                id: format!("v{i:02}"),
                status: "requested".into(),
                location: Location {
                    lat: 25.05 + 0.004 * (i % 4) as f64,
                    lon: 102.70 + 0.004 * (i / 4) as f64,
                },
                minutes: 20,
                window_start: day(0, 8),
                window_end: day(2, 10),
                skill: "nursing".into(),
                priority: 1,
                family_doctor: None,
                pinned: None,
            })
            .collect();
        let problem =
            problem(monday, day(7, 0), clinic, (&shifts, &visits), &travel, true).unwrap();
        let options = SolveOptions {
            max_generations: Some(300),
            ..SolveOptions::new(std::time::Duration::from_secs(10), 5).unwrap()
        };
        let plan = solve(&problem, &options).unwrap();
        assert_eq!(plan.figures.placed, 12, "{:?}", plan.unplaced);
        let mut days = std::collections::BTreeSet::new();
        for route in &plan.routes {
            let shift = &problem.shifts()[route.shift];
            assert!(
                route.departure >= shift.starts_at && route.back_at <= shift.ends_at,
                "{route:?}"
            );
            days.insert(shift.starts_at / 86_400);
        }
        assert!(
            days.len() >= 2,
            "the load spreads over the mornings: {days:?}"
        );
    }
}
