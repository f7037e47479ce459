//! Travel time between two places. One trait, so that a real routing matrix (e.g. OSRM's table
//! output loaded from a file) can replace the great-circle estimate without touching its users.
use crate::network::model::Location;

pub trait TravelModel: Send + Sync {
    /// Whole minutes to travel from `from` to `to` (0 for the same place).
    fn minutes(&self, from: Location, to: Location) -> i64;
}

/// Great-circle distance times a road factor, at an urban speed, rounded up, with a floor for
/// any real move (parking, stairs).
#[derive(Debug, Clone, Copy)]
pub struct GreatCircle {
    pub road_factor: f64,
    pub speed_kmh: f64,
    pub minimum_minutes: i64,
}

impl GreatCircle {
    pub fn from_settings(t: &crate::config::Travel) -> GreatCircle {
        GreatCircle {
            road_factor: t.road_factor,
            speed_kmh: t.speed_kmh,
            minimum_minutes: t.minimum_minutes,
        }
    }
}

/// Places closer than this count as the same place (two residents of one care home).
const SAME_PLACE_METERS: f64 = 50.0;

impl TravelModel for GreatCircle {
    fn minutes(&self, from: Location, to: Location) -> i64 {
        let meters = distance_meters(from, to);
        if meters < SAME_PLACE_METERS {
            return 0;
        }
        let minutes = (meters / 1000.0 * self.road_factor / self.speed_kmh * 60.0).ceil() as i64;
        minutes.max(self.minimum_minutes)
    }
}

/// Haversine distance in meters.
pub fn distance_meters(a: Location, b: Location) -> f64 {
    const EARTH_RADIUS_M: f64 = 6_371_008.8;
    let (la1, la2) = (a.lat.to_radians(), b.lat.to_radians());
    let dlat = la2 - la1;
    let dlon = (b.lon - a.lon).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODEL: GreatCircle = GreatCircle {
        road_factor: 1.4,
        speed_kmh: 20.0,
        minimum_minutes: 3,
    };

    #[test]
    fn one_degree_of_latitude_is_about_111_km() {
        let d = distance_meters(
            Location {
                lat: 25.0,
                lon: 102.7,
            },
            Location {
                lat: 26.0,
                lon: 102.7,
            },
        );
        assert!((d - 111_195.0).abs() < 200.0, "{d}");
    }

    #[test]
    fn two_kilometres_across_town_take_nine_minutes() {
        // 2 km x 1.4 = 2.8 km of road at 20 km/h = 8.4 min, rounded up.
        let a = Location {
            lat: 25.04,
            lon: 102.70,
        };
        let b = Location {
            lat: 25.04 + 2.0 / 111.195,
            lon: 102.70,
        };
        assert_eq!(MODEL.minutes(a, b), 9);
    }

    #[test]
    fn the_same_place_takes_no_time_and_a_short_hop_the_minimum() {
        let a = Location {
            lat: 25.04,
            lon: 102.70,
        };
        assert_eq!(MODEL.minutes(a, a), 0);
        let next_door = Location {
            lat: 25.0406,
            lon: 102.70,
        };
        assert_eq!(MODEL.minutes(a, next_door), 3);
    }
}
