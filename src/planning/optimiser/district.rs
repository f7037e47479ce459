//! A generated day for the pilot network, for the district-day benchmark: residents around each
//! clinic inside Wuhua district, clinicians with split or full-day shifts and skills, visits with
//! windows, priorities, preferred clinicians and a few pinned ones. Synthetic, seeded, and shaped
//! like a real clinic's day; it is not used by the service.
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::model::{
    ClinicianShift, Pin, Problem, ProblemError, Ticks, TravelMatrix, Visit, Window,
};
use crate::network::model::Location;
use crate::planning::travel::TravelModel;

#[derive(Debug, Clone, PartialEq)]
pub struct DistrictParams {
    pub seed: u64,
    pub clinicians_per_clinic: usize,
    /// Visits over the whole district, shared out evenly between the clinics.
    pub visits: usize,
    /// Travel (seconds) worth spending to keep a resident with their own clinician.
    pub continuity_weight: Ticks,
}

/// One clinic's day as a planning problem (place 0 is the clinic).
#[derive(Debug, Clone)]
pub struct ClinicDay {
    pub clinic: String,
    pub problem: Problem,
}

/// The district's bounds (Wuhua, Kunming).
const LAT: (f64, f64) = (25.02, 25.20);
const LON: (f64, f64) = (102.62, 102.74);

const fn hours(h: i64, m: i64) -> Ticks {
    (h * 60 + m) * 60
}

const DAY: (Ticks, Ticks) = (hours(8, 0), hours(17, 30));
const MORNING: (Ticks, Ticks) = (hours(8, 0), hours(12, 0));
const AFTERNOON: (Ticks, Ticks) = (hours(13, 30), hours(17, 30));

/// Kinds of visit from the service catalogue: required skill, minutes, relative frequency.
const KINDS: [(&str, i64, u32); 9] = [
    ("general_practice", 30, 6),
    ("general_practice", 45, 2),
    ("nursing", 15, 4),
    ("nursing", 45, 3),
    ("nursing", 60, 1),
    ("wound_care", 30, 3),
    ("rehabilitation", 60, 2),
    ("tcm", 30, 1),
    ("tcm", 45, 1),
];

/// Skills by role, in the order clinicians are staffed at a clinic.
const ROLES: [&[&str]; 5] = [
    &["general_practice", "tcm"],
    &["nursing", "wound_care"],
    &["general_practice"],
    &["rehabilitation", "nursing"],
    &["nursing"],
];

/// Generates every clinic's day. Every other clinic has no TCM practitioner (its TCM visits are
/// left out for want of the skill), as in the pilot.
pub fn generate(
    clinics: &[(String, Location)],
    params: &DistrictParams,
    travel: &dyn TravelModel,
) -> Result<Vec<ClinicDay>, ProblemError> {
    let mut rng = StdRng::seed_from_u64(params.seed);
    let count = clinics.len().max(1);
    clinics
        .iter()
        .enumerate()
        .map(|(i, (code, at))| {
            let visits = params.visits / count + usize::from(i < params.visits % count);
            let problem = clinic_day(&mut rng, code, *at, i % 2 == 0, visits, params, travel)?;
            Ok(ClinicDay {
                clinic: code.clone(),
                problem,
            })
        })
        .collect()
}

fn clinic_day(
    rng: &mut StdRng,
    code: &str,
    clinic: Location,
    has_tcm: bool,
    visit_count: usize,
    params: &DistrictParams,
    travel: &dyn TravelModel,
) -> Result<Problem, ProblemError> {
    let mut shifts = vec![];
    for c in 0..params.clinicians_per_clinic {
        let clinician_id = format!("{code}-C{}", c + 1);
        let skills: Vec<String> = ROLES[c % ROLES.len()]
            .iter()
            .filter(|s| has_tcm || **s != "tcm")
            .map(|s| s.to_string())
            .collect();
        let spans = if rng.random_bool(0.7) {
            vec![MORNING, AFTERNOON]
        } else {
            vec![DAY]
        };
        for (k, (starts_at, ends_at)) in spans.into_iter().enumerate() {
            shifts.push(ClinicianShift {
                clinician_id: clinician_id.clone(),
                shift_id: format!("{clinician_id}-S{}", k + 1),
                starts_at,
                ends_at,
                start_place: 0,
                end_place: 0,
                skills: skills.clone(),
                capacity: None,
            });
        }
    }
    let mut places = vec![clinic];
    let mut visits = vec![];
    let mut pinned_clinicians = vec![];
    let total: u32 = KINDS.iter().map(|k| k.2).sum();
    for n in 0..visit_count {
        places.push(resident_near(rng, clinic));
        let mut pick = rng.random_range(0..total);
        let (skill, minutes, _) = *KINDS
            .iter()
            .find(|k| {
                let hit = pick < k.2;
                pick = pick.saturating_sub(k.2);
                hit
            })
            .unwrap_or(&KINDS[0]);
        let duration = minutes * 60;
        let mut visit = Visit::new(
            format!("{code}-V{:03}", n + 1),
            n + 1,
            duration,
            window(rng, duration),
        );
        visit.skill = Some(skill.to_string());
        visit.priority = match rng.random_range(0..10) {
            0 => 5,
            1 | 2 => 2,
            _ => 1,
        };
        let skilled: Vec<&ClinicianShift> = shifts
            .iter()
            .filter(|s| s.skills.iter().any(|k| k == skill))
            .collect();
        if !skilled.is_empty() && rng.random_bool(0.5) {
            let own = skilled[rng.random_range(0..skilled.len())];
            visit.preferred_clinician = Some(own.clinician_id.clone());
        }
        // A few visits were booked by hand already: pinned, at most one per clinician.
        if !skilled.is_empty() && rng.random_bool(0.04) {
            let s = skilled[rng.random_range(0..skilled.len())];
            if !pinned_clinicians.contains(&s.clinician_id) {
                let slots = (s.ends_at - s.starts_at - duration - hours(1, 0)) / hours(0, 15);
                let start =
                    s.starts_at + hours(0, 30) + rng.random_range(0..slots.max(1)) * hours(0, 15);
                visit.pinned = Some(Pin {
                    clinician_id: s.clinician_id.clone(),
                    starts_at: start,
                });
                pinned_clinicians.push(s.clinician_id.clone());
            }
        }
        visits.push(visit);
    }
    let matrix = TravelMatrix::from_travel_model(&places, travel);
    Problem::new(shifts, visits, matrix, params.continuity_weight)
}

/// A home within about 2.5 km of the clinic, inside the district.
fn resident_near(rng: &mut StdRng, clinic: Location) -> Location {
    Location {
        lat: (clinic.lat + rng.random_range(-0.022..0.022)).clamp(LAT.0, LAT.1),
        lon: (clinic.lon + rng.random_range(-0.024..0.024)).clamp(LON.0, LON.1),
    }
}

/// Any time of the day, the morning, the afternoon, or a two-hour slot agreed with the family.
fn window(rng: &mut StdRng, duration: Ticks) -> Window {
    let (from, to) = match rng.random_range(0..20) {
        0..=7 => DAY,
        8..=12 => MORNING,
        13..=17 => AFTERNOON,
        _ => {
            let start = hours(8, 0) + rng.random_range(0..14) * hours(0, 30);
            (start, start + hours(2, 0))
        }
    };
    Window {
        earliest_start: from,
        latest_start: (to - duration).max(from),
    }
}
