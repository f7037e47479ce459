//! A proposed day plan: each shift's route with times, the visits left out with their reasons,
//! and the figures a scheduler looks at. Built from the search's visit orders by the model's own
//! schedule, so a plan shown is a plan that keeps every hard rule.
use std::collections::BTreeMap;

use serde::Serialize;

use super::model::{Problem, Ticks};
use super::reasons::UnplacedReason;
use super::schedule::{Breach, RouteTimes};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stop {
    /// Index of the visit in the problem.
    pub visit: usize,
    pub visit_id: String,
    /// Travel from the previous stop (or the clinic).
    pub travel_time: Ticks,
    pub distance: i64,
    pub arrival: Ticks,
    pub start: Ticks,
    pub end: Ticks,
    /// The visit went to the resident's preferred clinician.
    pub continuity_kept: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Route {
    /// Index of the shift in the problem.
    pub shift: usize,
    pub clinician_id: String,
    pub shift_id: String,
    pub departure: Ticks,
    pub stops: Vec<Stop>,
    pub return_travel_time: Ticks,
    pub back_at: Ticks,
    pub travel_time: Ticks,
    pub distance: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unplaced {
    pub visit: usize,
    pub visit_id: String,
    pub reason: UnplacedReason,
}

/// One shift's share of the day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShiftLoad {
    pub clinician_id: String,
    pub shift_id: String,
    pub visits: usize,
    pub service_time: Ticks,
    pub travel_time: Ticks,
    /// Length of the shift, so that `(service_time + travel_time) / shift_time` is its use.
    pub shift_time: Ticks,
    pub demand: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Figures {
    pub placed: usize,
    pub unplaced: usize,
    /// Sum of the priorities of the placed visits (what the search maximises first).
    pub placed_priority: u64,
    pub unplaced_priority: u64,
    pub total_travel_time: Ticks,
    pub total_distance: i64,
    /// Visits with a preferred clinician that went to that clinician, and those that did not.
    pub continuity_kept: usize,
    pub continuity_missed: usize,
    pub unplaced_reasons: BTreeMap<UnplacedReason, usize>,
    pub loads: Vec<ShiftLoad>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Solution {
    /// Shifts with at least one visit, in the problem's shift order.
    pub routes: Vec<Route>,
    pub unplaced: Vec<Unplaced>,
    pub figures: Figures,
}

impl Solution {
    /// Times each shift's visit order and collects the rest as unplaced with the reason
    /// `reason_of` gives. Fails on the first order that breaks a hard rule.
    pub fn assemble(
        problem: &Problem,
        orders: &[Vec<usize>],
        reason_of: impl Fn(usize) -> UnplacedReason,
    ) -> Result<Solution, (usize, Breach)> {
        let visits = problem.visits();
        let mut placed = vec![false; visits.len()];
        let mut routes = Vec::new();
        let mut loads = Vec::with_capacity(problem.shifts().len());
        for (shift, s) in problem.shifts().iter().enumerate() {
            let order = orders.get(shift).map(Vec::as_slice).unwrap_or(&[]);
            let times = if order.is_empty() {
                RouteTimes {
                    stops: vec![],
                    return_travel_time: 0,
                    return_distance: 0,
                    back_at: s.starts_at,
                    travel_time: 0,
                    distance: 0,
                    service_time: 0,
                    demand: 0,
                }
            } else {
                problem.schedule(shift, order).map_err(|b| (shift, b))?
            };
            for t in &times.stops {
                if std::mem::replace(&mut placed[t.visit], true) {
                    return Err((shift, Breach::Repeated(t.visit)));
                }
            }
            loads.push(ShiftLoad {
                clinician_id: s.clinician_id.clone(),
                shift_id: s.shift_id.clone(),
                visits: times.stops.len(),
                service_time: times.service_time,
                travel_time: times.travel_time,
                shift_time: s.ends_at - s.starts_at,
                demand: times.demand,
            });
            if times.stops.is_empty() {
                continue;
            }
            let stops = times
                .stops
                .iter()
                .map(|t| Stop {
                    visit: t.visit,
                    visit_id: visits[t.visit].id.clone(),
                    travel_time: t.travel_time,
                    distance: t.distance,
                    arrival: t.arrival,
                    start: t.start,
                    end: t.end,
                    continuity_kept: visits[t.visit].preferred_clinician.as_deref()
                        == Some(s.clinician_id.as_str()),
                })
                .collect();
            routes.push(Route {
                shift,
                clinician_id: s.clinician_id.clone(),
                shift_id: s.shift_id.clone(),
                departure: s.starts_at,
                stops,
                return_travel_time: times.return_travel_time,
                back_at: times.back_at,
                travel_time: times.travel_time,
                distance: times.distance,
            });
        }
        let unplaced: Vec<Unplaced> = (0..visits.len())
            .filter(|&v| !placed[v])
            .map(|v| Unplaced {
                visit: v,
                visit_id: visits[v].id.clone(),
                reason: reason_of(v),
            })
            .collect();
        let figures = figures(problem, &routes, &unplaced, loads);
        Ok(Solution {
            routes,
            unplaced,
            figures,
        })
    }

    /// Each used shift's visits in order, as visit indices.
    pub fn orders(&self) -> Vec<Vec<usize>> {
        self.routes
            .iter()
            .map(|r| r.stops.iter().map(|s| s.visit).collect())
            .collect()
    }
}

fn figures(
    problem: &Problem,
    routes: &[Route],
    unplaced: &[Unplaced],
    loads: Vec<ShiftLoad>,
) -> Figures {
    let visits = problem.visits();
    let priority = |v: usize| u64::from(visits[v].priority);
    let stops = || routes.iter().flat_map(|r| r.stops.iter());
    let with_preference = || stops().filter(|s| visits[s.visit].preferred_clinician.is_some());
    let mut unplaced_reasons = BTreeMap::new();
    for u in unplaced {
        *unplaced_reasons.entry(u.reason).or_insert(0) += 1;
    }
    Figures {
        placed: stops().count(),
        unplaced: unplaced.len(),
        placed_priority: stops().map(|s| priority(s.visit)).sum(),
        unplaced_priority: unplaced.iter().map(|u| priority(u.visit)).sum(),
        total_travel_time: routes.iter().map(|r| r.travel_time).sum(),
        total_distance: routes.iter().map(|r| r.distance).sum(),
        continuity_kept: with_preference().filter(|s| s.continuity_kept).count(),
        continuity_missed: with_preference().filter(|s| !s.continuity_kept).count(),
        unplaced_reasons,
        loads,
    }
}
