//! The model's own reading of one route: when each visit starts given the travel before it, and
//! which hard rule (skill, pin, window, shift end, capacity) the route would break.
use thiserror::Error;

use super::model::{Problem, Ticks};

/// One visit in a timed route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timed {
    pub visit: usize,
    /// Travel from the previous stop (or the start place).
    pub travel_time: Ticks,
    pub distance: i64,
    pub arrival: Ticks,
    pub start: Ticks,
    pub end: Ticks,
}

/// A route with its times, leaving the start place at the start of the shift.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteTimes {
    pub stops: Vec<Timed>,
    pub return_travel_time: Ticks,
    pub return_distance: i64,
    pub back_at: Ticks,
    pub travel_time: Ticks,
    pub distance: i64,
    pub service_time: Ticks,
    pub demand: i64,
}

/// The first rule a route breaks.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Breach {
    #[error("visit {0} is not allowed in this shift (skill or pin)")]
    NotAllowed(usize),
    #[error("visit {0} appears twice")]
    Repeated(usize),
    #[error("visit {0} would start after its window")]
    TooLate(usize),
    #[error("the route ends after the shift")]
    PastShiftEnd,
    #[error("the route carries more than the shift's capacity")]
    OverCapacity,
}

impl Problem {
    /// Times a route: the clinician leaves at the start of the shift, drives, waits for a window
    /// to open if early, and must be back by the end of the shift.
    pub fn schedule(&self, shift: usize, order: &[usize]) -> Result<RouteTimes, Breach> {
        let s = &self.shifts()[shift];
        let travel = self.travel();
        let mut seen = std::collections::HashSet::with_capacity(order.len());
        let (mut at, mut now) = (s.start_place, s.starts_at);
        let mut route = RouteTimes {
            stops: Vec::with_capacity(order.len()),
            return_travel_time: 0,
            return_distance: 0,
            back_at: now,
            travel_time: 0,
            distance: 0,
            service_time: 0,
            demand: 0,
        };
        for &visit in order {
            if !seen.insert(visit) {
                return Err(Breach::Repeated(visit));
            }
            if !self.may_serve(shift, visit) {
                return Err(Breach::NotAllowed(visit));
            }
            let v = &self.visits()[visit];
            let window = v.start_window();
            let travel_time = travel.duration(at, v.place);
            let distance = travel.distance(at, v.place);
            let arrival = now + travel_time;
            let start = arrival.max(window.earliest_start);
            if start > window.latest_start {
                return Err(Breach::TooLate(visit));
            }
            let end = start + v.duration;
            route.stops.push(Timed {
                visit,
                travel_time,
                distance,
                arrival,
                start,
                end,
            });
            route.travel_time += travel_time;
            route.distance += distance;
            route.service_time += v.duration;
            route.demand += v.demand;
            (at, now) = (v.place, end);
        }
        route.return_travel_time = travel.duration(at, s.end_place);
        route.return_distance = travel.distance(at, s.end_place);
        route.back_at = now + route.return_travel_time;
        route.travel_time += route.return_travel_time;
        route.distance += route.return_distance;
        if route.back_at > s.ends_at {
            return Err(Breach::PastShiftEnd);
        }
        if s.capacity.is_some_and(|c| route.demand > c) {
            return Err(Breach::OverCapacity);
        }
        Ok(route)
    }
}
