//! Spreading a week's load over its shifts: each shift may carry at most its fair share of the
//! service time (by its length) with a margin, through the capacity rule the search already
//! keeps. Without it the search, which minimises travel, packs a week into as few days as it can.
use super::model::{ClinicianShift, Visit};

/// How far over its fair share a shift may go (1.3: 30 %).
pub const MARGIN: f64 = 1.3;

/// Gives each visit its duration as demand and each shift a capacity of its fair share, never
/// less than the visits already pinned in it nor than the longest visit.
pub fn spread(shifts: &mut [ClinicianShift], visits: &mut [Visit], margin: f64) {
    let service: i64 = visits.iter().map(|v| v.duration).sum();
    let time: i64 = shifts
        .iter()
        .map(|s| (s.ends_at - s.starts_at).max(0))
        .sum();
    if time == 0 || service == 0 {
        return;
    }
    let share = (service as f64 / time as f64 * margin).min(1.0);
    let longest = visits.iter().map(|v| v.duration).max().unwrap_or(0);
    for v in visits.iter_mut() {
        v.demand = v.duration;
    }
    for s in shifts.iter_mut() {
        let pinned: i64 = visits
            .iter()
            .filter(|v| {
                v.pinned.as_ref().is_some_and(|p| {
                    p.clinician_id == s.clinician_id
                        && s.starts_at <= p.starts_at
                        && p.starts_at < s.ends_at
                })
            })
            .map(|v| v.duration)
            .sum();
        let fair = ((s.ends_at - s.starts_at) as f64 * share).ceil() as i64;
        s.capacity = Some(fair.max(pinned).max(longest));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planning::optimiser::model::{Pin, Window};

    fn shift(id: &str, day: i64) -> ClinicianShift {
        ClinicianShift {
            clinician_id: "a".into(),
            shift_id: id.into(),
            starts_at: day * 86_400 + 8 * 3600,
            ends_at: day * 86_400 + 12 * 3600,
            start_place: 0,
            end_place: 0,
            skills: vec![],
            capacity: None,
        }
    }

    #[test]
    fn each_shift_carries_at_most_its_share_with_the_margin_but_never_less_than_its_pins() {
        let mut shifts = vec![shift("mon", 0), shift("tue", 1)];
        let window = Window {
            earliest_start: 0,
            latest_start: 2 * 86_400,
        };
        let mut visits: Vec<Visit> = (0..4)
            .map(|i| Visit::new(format!("v{i}"), 1, 1800, window))
            .collect();
        // Two hours of service over eight hours of shifts: a quarter, a half with a margin of 2.
        spread(&mut shifts, &mut visits, 2.0);
        assert_eq!(shifts[0].capacity, Some(7200));
        assert!(visits.iter().all(|v| v.demand == 1800));
        // Three pinned hours on Monday stay allowed.
        for v in visits.iter_mut().take(3) {
            v.duration = 3600;
            v.pinned = Some(Pin {
                clinician_id: "a".into(),
                starts_at: 8 * 3600,
            });
        }
        spread(&mut shifts, &mut visits, 1.0);
        assert_eq!(shifts[0].capacity, Some(3 * 3600));
        // 3.5 hours over 8: Tuesday may take 7/16 of its 4 hours.
        assert_eq!(shifts[1].capacity, Some(6300));
    }
}
