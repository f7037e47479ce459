//! A clinician's day in order: travel, arrival and departure at each visit, and the return to the clinic.
use chrono::{Duration, NaiveDateTime};

use super::travel::TravelModel;
use crate::network::model::Location;

#[derive(Debug, Clone, PartialEq)]
pub struct Leg {
    pub visit_id: String,
    pub travel_minutes: i64,
    /// When the clinician arrives if they leave the previous stop on time.
    pub arrival: NaiveDateTime,
    pub starts_at: NaiveDateTime,
    pub departure: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    pub legs: Vec<Leg>,
    pub return_travel_minutes: i64,
    pub back_at_clinic: Option<NaiveDateTime>,
    pub total_travel_minutes: i64,
}

/// Orders the visits by start and computes the legs from the clinic and back.
pub fn build(
    base: Location,
    mut visits: Vec<(String, NaiveDateTime, NaiveDateTime, Location)>,
    travel: &dyn TravelModel,
) -> Route {
    visits.sort_by_key(|v| v.1);
    let mut legs = vec![];
    let mut at = base;
    let mut free_from: Option<NaiveDateTime> = None;
    let mut total = 0;
    for (id, starts_at, ends_at, location) in visits {
        let minutes = travel.minutes(at, location);
        total += minutes;
        let arrival = match free_from {
            Some(t) => t + Duration::minutes(minutes),
            None => starts_at,
        };
        legs.push(Leg {
            visit_id: id,
            travel_minutes: minutes,
            arrival,
            starts_at,
            departure: ends_at,
        });
        at = location;
        free_from = Some(ends_at);
    }
    let back = travel.minutes(at, base);
    total += if legs.is_empty() { 0 } else { back };
    Route {
        back_at_clinic: free_from.map(|t| t + Duration::minutes(back)),
        return_travel_minutes: if legs.is_empty() { 0 } else { back },
        legs,
        total_travel_minutes: total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planning::travel::GreatCircle;

    #[test]
    fn a_route_runs_from_the_clinic_through_the_visits_in_time_order_and_back() {
        let travel = GreatCircle {
            road_factor: 1.4,
            speed_kmh: 20.0,
            minimum_minutes: 3,
        };
        let clinic = Location {
            lat: 25.04,
            lon: 102.70,
        };
        let far = Location {
            lat: 25.04 + 2.0 / 111.195,
            lon: 102.70,
        };
        let t = |hm: &str| {
            NaiveDateTime::parse_from_str(&format!("2026-12-01 {hm}"), "%Y-%m-%d %H:%M").unwrap()
        };
        let route = build(
            clinic,
            vec![
                ("b".into(), t("10:00"), t("10:30"), clinic),
                ("a".into(), t("09:00"), t("09:30"), far),
            ],
            &travel,
        );
        assert_eq!(
            route
                .legs
                .iter()
                .map(|l| l.visit_id.as_str())
                .collect::<Vec<_>>(),
            ["a", "b"]
        );
        assert_eq!(route.legs[0].travel_minutes, 9);
        assert_eq!(route.legs[1].arrival, t("09:39"));
        assert_eq!(route.return_travel_minutes, 0);
        assert_eq!(route.total_travel_minutes, 18);
    }
}
