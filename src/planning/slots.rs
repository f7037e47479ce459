//! The slot search: where a visit of some length at some place can go in clinicians' days, given
//! their shifts (starting and ending at the clinic) and the visits they already have, leaving room
//! to travel from the visit before and to the visit after.
use chrono::{Duration, NaiveDateTime, Timelike};

use super::travel::TravelModel;
use crate::network::model::Location;

/// Something in a clinician's day: a visit with its time and place.
#[derive(Debug, Clone)]
pub struct Stop {
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub location: Location,
}

/// One clinician's working time and commitments.
#[derive(Debug, Clone)]
pub struct ClinicianDay {
    pub clinician_id: String,
    /// Where the day starts and ends: the clinic.
    pub base: Location,
    pub shifts: Vec<(NaiveDateTime, NaiveDateTime)>,
    pub visits: Vec<Stop>,
    /// The resident's family doctor (continuity of care ranks first).
    pub family_doctor: bool,
}

/// What is to be placed.
#[derive(Debug, Clone)]
pub struct Need {
    pub location: Location,
    pub minutes: i64,
    pub window_start: NaiveDateTime,
    pub window_end: NaiveDateTime,
    /// No slot starts before this (now).
    pub not_before: NaiveDateTime,
    pub step_minutes: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Slot {
    pub clinician_id: String,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub travel_minutes_before: i64,
    pub travel_minutes_after: i64,
    /// Travel the visit adds to the day: before + after - the direct trip it interrupts.
    pub added_travel_minutes: i64,
    pub family_doctor: bool,
    /// Higher is better: family doctor, then least added travel, then earliest (see `score`).
    pub score: i64,
}

/// Why a given time does not fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Misfit {
    OutsideWindow,
    NoShift,
    Overlap,
    NoTravelTimeBefore,
    NoTravelTimeAfter,
}

/// The neighbours of a time span within one shift: where the clinician comes from and goes next.
struct Gap {
    prev_end: NaiveDateTime,
    prev_at: Location,
    next_start: NaiveDateTime,
    next_at: Location,
}

/// The free gaps of one shift: between its start, its visits and its end.
fn gaps(day: &ClinicianDay, shift: (NaiveDateTime, NaiveDateTime)) -> Vec<Gap> {
    let mut inside: Vec<&Stop> = day
        .visits
        .iter()
        .filter(|v| v.starts_at < shift.1 && v.ends_at > shift.0)
        .collect();
    inside.sort_by_key(|v| v.starts_at);
    let mut out = vec![];
    let (mut prev_end, mut prev_at) = (shift.0, day.base);
    for v in inside {
        out.push(Gap {
            prev_end,
            prev_at,
            next_start: v.starts_at,
            next_at: v.location,
        });
        if v.ends_at > prev_end {
            prev_end = v.ends_at;
            prev_at = v.location;
        }
    }
    out.push(Gap {
        prev_end,
        prev_at,
        next_start: shift.1,
        next_at: day.base,
    });
    out
}

/// The score behind the ranking, so a client can see why: family doctor first (continuity), then
/// least added travel, then earliest.
pub fn score(family_doctor: bool, added_travel: i64, minutes_after_window_start: i64) -> i64 {
    (if family_doctor { 1_000_000_000 } else { 0 })
        - added_travel * 100_000
        - minutes_after_window_start.min(99_999)
}

fn ceil_to_step(t: NaiveDateTime, step: i64) -> NaiveDateTime {
    let minute_of_day = (t.hour() * 60 + t.minute()) as i64;
    let has_rest = t.second() > 0 || t.nanosecond() > 0;
    let base =
        t - Duration::seconds(t.second() as i64) - Duration::nanoseconds(t.nanosecond() as i64);
    let past = minute_of_day % step;
    if past == 0 && !has_rest {
        base
    } else {
        base + Duration::minutes(step - past)
    }
}

/// Candidate slots across the clinicians, best first, at most `max` (and at most 6 per gap, spread
/// over it, so the answer offers real choices rather than one gap on a 15-minute grid).
pub fn candidates(
    need: &Need,
    days: &[ClinicianDay],
    travel: &dyn TravelModel,
    max: usize,
) -> Vec<Slot> {
    const PER_GAP: usize = 6;
    let length = Duration::minutes(need.minutes);
    let mut out = vec![];
    for day in days {
        for &shift in &day.shifts {
            for gap in gaps(day, shift) {
                let before = travel.minutes(gap.prev_at, need.location);
                let after = travel.minutes(need.location, gap.next_at);
                let direct = travel.minutes(gap.prev_at, gap.next_at);
                let earliest = (gap.prev_end + Duration::minutes(before))
                    .max(need.window_start)
                    .max(need.not_before);
                let latest = (gap.next_start - Duration::minutes(after) - length)
                    .min(need.window_end - length);
                if earliest > latest {
                    continue;
                }
                // The earliest start, then starts on the grid spread over the whole gap, so a long
                // free afternoon offers afternoon times too.
                let span = (latest - earliest).num_minutes();
                let stride = (span / PER_GAP as i64).max(need.step_minutes);
                let stride =
                    (stride + need.step_minutes - 1) / need.step_minutes * need.step_minutes;
                let mut starts = vec![earliest];
                let mut t = ceil_to_step(earliest, need.step_minutes);
                while t <= latest && starts.len() < PER_GAP {
                    if t > earliest {
                        starts.push(t);
                    }
                    t += Duration::minutes(stride);
                }
                for s in starts {
                    let added = before + after - direct;
                    let waited = (s - need.window_start).num_minutes();
                    out.push(Slot {
                        clinician_id: day.clinician_id.clone(),
                        starts_at: s,
                        ends_at: s + length,
                        travel_minutes_before: before,
                        travel_minutes_after: after,
                        added_travel_minutes: added,
                        family_doctor: day.family_doctor,
                        score: score(day.family_doctor, added, waited),
                    });
                }
            }
        }
    }
    out.sort_by(|a, b| {
        (
            b.family_doctor,
            a.added_travel_minutes,
            a.starts_at,
            &a.clinician_id,
        )
            .cmp(&(
                a.family_doctor,
                b.added_travel_minutes,
                b.starts_at,
                &b.clinician_id,
            ))
    });
    out.truncate(max);
    out
}

/// Checks one exact time for one clinician: inside the window and a shift, overlapping nothing,
/// with travel time kept on both sides. Returns the slot it makes.
pub fn fits(
    need: &Need,
    day: &ClinicianDay,
    starts_at: NaiveDateTime,
    travel: &dyn TravelModel,
) -> Result<Slot, Misfit> {
    let ends_at = starts_at + Duration::minutes(need.minutes);
    if starts_at < need.window_start || ends_at > need.window_end || starts_at < need.not_before {
        return Err(Misfit::OutsideWindow);
    }
    if day
        .visits
        .iter()
        .any(|v| v.starts_at < ends_at && starts_at < v.ends_at)
    {
        return Err(Misfit::Overlap);
    }
    let shift = day
        .shifts
        .iter()
        .find(|s| s.0 <= starts_at && ends_at <= s.1)
        .ok_or(Misfit::NoShift)?;
    let gap = gaps(day, *shift)
        .into_iter()
        .find(|g| g.prev_end <= starts_at && ends_at <= g.next_start)
        .ok_or(Misfit::Overlap)?;
    let before = travel.minutes(gap.prev_at, need.location);
    let after = travel.minutes(need.location, gap.next_at);
    if gap.prev_end + Duration::minutes(before) > starts_at {
        return Err(Misfit::NoTravelTimeBefore);
    }
    if ends_at + Duration::minutes(after) > gap.next_start {
        return Err(Misfit::NoTravelTimeAfter);
    }
    let added = before + after - travel.minutes(gap.prev_at, gap.next_at);
    Ok(Slot {
        clinician_id: day.clinician_id.clone(),
        starts_at,
        ends_at,
        travel_minutes_before: before,
        travel_minutes_after: after,
        added_travel_minutes: added,
        family_doctor: day.family_doctor,
        score: score(
            day.family_doctor,
            added,
            (starts_at - need.window_start).num_minutes(),
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planning::travel::GreatCircle;

    const TRAVEL: GreatCircle = GreatCircle {
        road_factor: 1.4,
        speed_kmh: 20.0,
        minimum_minutes: 3,
    };
    const CLINIC: Location = Location {
        lat: 25.04,
        lon: 102.70,
    };

    fn t(hm: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(&format!("2026-12-01 {hm}"), "%Y-%m-%d %H:%M").unwrap()
    }

    /// A place `km` north of the clinic.
    fn north(km: f64) -> Location {
        Location {
            lat: CLINIC.lat + km / 111.195,
            lon: CLINIC.lon,
        }
    }

    fn day(
        id: &str,
        shifts: &[(&str, &str)],
        visits: Vec<Stop>,
        family_doctor: bool,
    ) -> ClinicianDay {
        ClinicianDay {
            clinician_id: id.into(),
            base: CLINIC,
            shifts: shifts.iter().map(|(a, b)| (t(a), t(b))).collect(),
            visits,
            family_doctor,
        }
    }

    fn need(at: Location, minutes: i64, from: &str, to: &str) -> Need {
        Need {
            location: at,
            minutes,
            window_start: t(from),
            window_end: t(to),
            not_before: t("00:00"),
            step_minutes: 15,
        }
    }

    #[test]
    fn the_first_slot_leaves_time_to_travel_from_the_clinic() {
        // 2 km north: 9 minutes from the clinic.
        let slots = candidates(
            &need(north(2.0), 30, "08:00", "12:00"),
            &[day("a", &[("08:00", "12:00")], vec![], false)],
            &TRAVEL,
            10,
        );
        assert_eq!(slots[0].starts_at, t("08:09"));
        assert_eq!(slots[0].travel_minutes_before, 9);
    }

    #[test]
    fn a_slot_leaves_time_to_travel_to_the_next_visit() {
        let busy = vec![Stop {
            starts_at: t("09:00"),
            ends_at: t("10:00"),
            location: north(4.0),
        }];
        let n = need(north(2.0), 30, "08:00", "09:00");
        let d = day("a", &[("08:00", "12:00")], busy, false);
        // 2 km from the next visit: 9 minutes, so the visit must end by 08:51.
        assert!(fits(&n, &d, t("08:21"), &TRAVEL).is_ok());
        assert_eq!(
            fits(&n, &d, t("08:25"), &TRAVEL),
            Err(Misfit::NoTravelTimeAfter)
        );
        let slots = candidates(&n, &[d], &TRAVEL, 10);
        assert!(slots.iter().all(|s| s.ends_at <= t("08:51")), "{slots:?}");
    }

    #[test]
    fn nothing_is_offered_outside_shifts_or_over_other_visits() {
        let busy = vec![Stop {
            starts_at: t("08:30"),
            ends_at: t("11:30"),
            location: north(1.0),
        }];
        let d = day("a", &[("08:00", "12:00")], busy, false);
        let n = need(north(1.0), 45, "08:00", "17:00");
        assert!(candidates(&n, std::slice::from_ref(&d), &TRAVEL, 10).is_empty());
        assert_eq!(fits(&n, &d, t("13:00"), &TRAVEL), Err(Misfit::NoShift));
        assert_eq!(fits(&n, &d, t("09:00"), &TRAVEL), Err(Misfit::Overlap));
    }

    #[test]
    fn a_long_free_gap_offers_times_spread_over_it() {
        let n = need(north(1.0), 30, "08:00", "17:00");
        let slots = candidates(
            &n,
            &[day("a", &[("08:00", "17:00")], vec![], false)],
            &TRAVEL,
            20,
        );
        assert_eq!(slots.len(), 6);
        assert!(slots.iter().any(|s| s.starts_at >= t("14:00")), "{slots:?}");
    }

    #[test]
    fn the_family_doctor_ranks_first_then_least_added_travel_then_earliest() {
        // b already works near the resident; the family doctor c is farther but ranks first.
        let near = vec![Stop {
            starts_at: t("09:00"),
            ends_at: t("09:30"),
            location: north(3.0),
        }];
        let days = [
            day("a", &[("08:00", "12:00")], vec![], false),
            day("b", &[("08:00", "12:00")], near, false),
            day("c", &[("08:00", "12:00")], vec![], true),
        ];
        let slots = candidates(&need(north(3.1), 30, "08:00", "12:00"), &days, &TRAVEL, 20);
        assert_eq!(slots[0].clinician_id, "c");
        let first_other = slots.iter().find(|s| !s.family_doctor).unwrap();
        assert_eq!(first_other.clinician_id, "b", "{slots:?}");
        assert!(
            slots.windows(2).all(|w| w[0].score >= w[1].score),
            "scores agree with the order"
        );
    }
}
