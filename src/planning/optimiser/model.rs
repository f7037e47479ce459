//! The day-plan optimiser's model: clinicians' shifts, visits, travel, and the checks that make a
//! problem well formed. Pure: no HTTP, no SQL, and nothing of the search that fills a plan in.
use std::collections::{HashMap, HashSet};

use thiserror::Error;

use crate::network::model::Location;
use crate::planning::travel::TravelModel;

/// A point on the problem's clock, or a span of it, in whole units. The service counts seconds
/// from midnight of the planned day; a Solomon instance counts tenths of the file's time unit, so
/// that its truncated distances stay exact.
pub type Ticks = i64;

/// A place: an index into the travel matrix.
pub type Place = usize;

/// Travel times and distances between every pair of places (row = from, column = to).
#[derive(Debug, Clone, PartialEq)]
pub struct TravelMatrix {
    size: usize,
    durations: Vec<Ticks>,
    distances: Vec<i64>,
}

impl TravelMatrix {
    /// Both matrices flattened row by row, `size * size` entries each, none negative.
    pub fn new(
        size: usize,
        durations: Vec<Ticks>,
        distances: Vec<i64>,
    ) -> Result<TravelMatrix, ProblemError> {
        if durations.len() != size * size || distances.len() != size * size {
            return Err(ProblemError::MatrixShape {
                size,
                durations: durations.len(),
                distances: distances.len(),
            });
        }
        if durations.iter().chain(distances.iter()).any(|v| *v < 0) {
            return Err(ProblemError::NegativeTravel);
        }
        Ok(TravelMatrix {
            size,
            durations,
            distances,
        })
    }

    /// The service's matrix: travel time in seconds from the travel model (whole minutes), and the
    /// same figure as the "distance" to minimise, since travel time is what a clinic pays for.
    pub fn from_travel_model(places: &[Location], model: &dyn TravelModel) -> TravelMatrix {
        let size = places.len();
        let mut durations = Vec::with_capacity(size * size);
        for from in places {
            for to in places {
                durations.push(model.minutes(*from, *to).max(0) * 60);
            }
        }
        TravelMatrix {
            size,
            distances: durations.clone(),
            durations,
        }
    }

    pub fn size(&self) -> usize {
        self.size
    }

    pub fn duration(&self, from: Place, to: Place) -> Ticks {
        self.durations[from * self.size + to]
    }

    pub fn distance(&self, from: Place, to: Place) -> i64 {
        self.distances[from * self.size + to]
    }
}

/// When a visit may start: not before `earliest_start` and not after `latest_start`. The window
/// bounds the start of service (a clinician who arrives early waits); the visit may end after
/// `latest_start`. A window given as a latest end becomes `latest_end - duration` at the edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub earliest_start: Ticks,
    pub latest_start: Ticks,
}

/// One shift of one clinician: they leave `start_place` (their clinic) no earlier than
/// `starts_at` and are back at `end_place` by `ends_at`. A clinician with a split day has one
/// entry per shift.
#[derive(Debug, Clone, PartialEq)]
pub struct ClinicianShift {
    pub clinician_id: String,
    pub shift_id: String,
    pub starts_at: Ticks,
    pub ends_at: Ticks,
    pub start_place: Place,
    pub end_place: Place,
    pub skills: Vec<String>,
    /// The most demand one shift can carry (Solomon's vehicle capacity); `None` is unlimited.
    pub capacity: Option<i64>,
}

/// A visit fixed to a clinician and a start time: the plan keeps it there (the pin replaces the
/// visit's window, and the clinician's shift that covers the time takes it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pin {
    pub clinician_id: String,
    pub starts_at: Ticks,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Visit {
    pub id: String,
    pub place: Place,
    pub duration: Ticks,
    pub window: Window,
    /// The one skill the clinician must have, if any.
    pub skill: Option<String>,
    /// Weight of placing it: an unplaced visit of priority 3 costs as much as three of priority 1.
    pub priority: u32,
    /// Continuity of care: the resident's own clinician, preferred but not required.
    pub preferred_clinician: Option<String>,
    pub pinned: Option<Pin>,
    /// Load the visit takes from its shift's capacity (Solomon's demand; 0 for home visits).
    pub demand: i64,
}

impl Visit {
    /// A free visit of priority 1 with no skill, preference or demand.
    pub fn new(id: impl Into<String>, place: Place, duration: Ticks, window: Window) -> Visit {
        Visit {
            id: id.into(),
            place,
            duration,
            window,
            skill: None,
            priority: 1,
            preferred_clinician: None,
            pinned: None,
            demand: 0,
        }
    }

    /// The window the plan must keep: a pinned visit starts exactly at its pin.
    pub fn start_window(&self) -> Window {
        match &self.pinned {
            Some(pin) => Window {
                earliest_start: pin.starts_at,
                latest_start: pin.starts_at,
            },
            None => self.window,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ProblemError {
    #[error(
        "the travel matrix of size {size} has {durations} durations and {distances} distances"
    )]
    MatrixShape {
        size: usize,
        durations: usize,
        distances: usize,
    },
    #[error("the travel matrix has a negative entry")]
    NegativeTravel,
    #[error("{what} refers to place {place}, outside the travel matrix")]
    PlaceOutOfRange { what: String, place: Place },
    #[error("shift {shift_id} ends before it starts")]
    ShiftEndsBeforeStart { shift_id: String },
    #[error("shift {shift_id} appears twice")]
    DuplicateShift { shift_id: String },
    #[error("visit {visit_id} appears twice")]
    DuplicateVisit { visit_id: String },
    #[error("visit {visit_id}: {message}")]
    InvalidVisit { visit_id: String, message: String },
    #[error("visit {visit_id} is pinned to clinician {clinician_id}, who has no shift here")]
    UnknownPinnedClinician {
        visit_id: String,
        clinician_id: String,
    },
    #[error("the continuity weight must not be negative")]
    NegativeContinuityWeight,
}

/// A checked planning problem: every place is in the matrix, every span is the right way round,
/// every id is unique. Build it with [`Problem::new`].
#[derive(Debug, Clone)]
pub struct Problem {
    shifts: Vec<ClinicianShift>,
    visits: Vec<Visit>,
    travel: TravelMatrix,
    continuity_weight: i64,
    /// Per visit, the shift its pin falls in (if pinned and some shift of the clinician covers it).
    pin_shift: Vec<Option<usize>>,
}

impl Problem {
    /// `continuity_weight` is the travel distance (in matrix units) the plan will spend to keep a
    /// visit with the resident's preferred clinician.
    pub fn new(
        shifts: Vec<ClinicianShift>,
        visits: Vec<Visit>,
        travel: TravelMatrix,
        continuity_weight: i64,
    ) -> Result<Problem, ProblemError> {
        if continuity_weight < 0 {
            return Err(ProblemError::NegativeContinuityWeight);
        }
        let in_matrix = |what: String, place: Place| {
            if place < travel.size() {
                Ok(())
            } else {
                Err(ProblemError::PlaceOutOfRange { what, place })
            }
        };
        let mut shift_ids = HashSet::new();
        for s in &shifts {
            in_matrix(format!("shift {}", s.shift_id), s.start_place)?;
            in_matrix(format!("shift {}", s.shift_id), s.end_place)?;
            if s.ends_at < s.starts_at {
                return Err(ProblemError::ShiftEndsBeforeStart {
                    shift_id: s.shift_id.clone(),
                });
            }
            if !shift_ids.insert(s.shift_id.as_str()) {
                return Err(ProblemError::DuplicateShift {
                    shift_id: s.shift_id.clone(),
                });
            }
        }
        let clinicians: HashMap<&str, Vec<usize>> =
            shifts
                .iter()
                .enumerate()
                .fold(HashMap::new(), |mut m, (i, s)| {
                    m.entry(s.clinician_id.as_str()).or_default().push(i);
                    m
                });
        let mut visit_ids = HashSet::new();
        let mut pin_shift = Vec::with_capacity(visits.len());
        for v in &visits {
            in_matrix(format!("visit {}", v.id), v.place)?;
            let invalid = |message: &str| ProblemError::InvalidVisit {
                visit_id: v.id.clone(),
                message: message.into(),
            };
            if v.duration < 0 {
                return Err(invalid("the duration is negative"));
            }
            if v.demand < 0 {
                return Err(invalid("the demand is negative"));
            }
            if v.priority == 0 {
                return Err(invalid("the priority must be at least 1"));
            }
            if v.window.latest_start < v.window.earliest_start {
                return Err(invalid("the window ends before it starts"));
            }
            if !visit_ids.insert(v.id.as_str()) {
                return Err(ProblemError::DuplicateVisit {
                    visit_id: v.id.clone(),
                });
            }
            pin_shift.push(match &v.pinned {
                None => None,
                Some(pin) => {
                    let own = clinicians.get(pin.clinician_id.as_str()).ok_or_else(|| {
                        ProblemError::UnknownPinnedClinician {
                            visit_id: v.id.clone(),
                            clinician_id: pin.clinician_id.clone(),
                        }
                    })?;
                    own.iter().copied().find(|&i| {
                        let s = &shifts[i];
                        s.starts_at <= pin.starts_at && pin.starts_at + v.duration <= s.ends_at
                    })
                }
            });
        }
        Ok(Problem {
            shifts,
            visits,
            travel,
            continuity_weight,
            pin_shift,
        })
    }

    pub fn shifts(&self) -> &[ClinicianShift] {
        &self.shifts
    }

    pub fn visits(&self) -> &[Visit] {
        &self.visits
    }

    pub fn travel(&self) -> &TravelMatrix {
        &self.travel
    }

    pub fn continuity_weight(&self) -> i64 {
        self.continuity_weight
    }

    /// The shift a pinned visit must go in: its clinician's shift that covers the pinned time.
    pub fn pinned_shift(&self, visit: usize) -> Option<usize> {
        self.pin_shift[visit]
    }

    /// Whether the shift may take the visit at all: it has the skill, and a pinned visit goes
    /// only to its own shift.
    pub fn may_serve(&self, shift: usize, visit: usize) -> bool {
        let v = &self.visits[visit];
        if v.pinned.is_some() && self.pin_shift[visit] != Some(shift) {
            return false;
        }
        match &v.skill {
            Some(skill) => self.shifts[shift].skills.iter().any(|s| s == skill),
            None => true,
        }
    }

    /// What the plan gives up, in distance units, if this shift takes this visit.
    pub fn continuity_penalty(&self, shift: usize, visit: usize) -> i64 {
        match &self.visits[visit].preferred_clinician {
            Some(c) if *c != self.shifts[shift].clinician_id => self.continuity_weight,
            _ => 0,
        }
    }

    /// Whether any visit has a preferred clinician (the continuity objective matters at all).
    pub fn has_preferences(&self) -> bool {
        self.continuity_weight > 0 && self.visits.iter().any(|v| v.preferred_clinician.is_some())
    }

    /// A group number per shift: interchangeable shifts (same places, times, skills, capacity)
    /// share one, so a search need try only one of them. Preferences and pins name the
    /// clinician, so the clinician is part of the likeness when either is in play.
    pub fn shift_groups(&self) -> Vec<usize> {
        let named = self.has_preferences() || self.visits.iter().any(|v| v.pinned.is_some());
        let mut seen: Vec<String> = vec![];
        self.shifts
            .iter()
            .map(|s| {
                let mut skills = s.skills.clone();
                skills.sort();
                let who = if named { s.clinician_id.as_str() } else { "" };
                let key = format!(
                    "{}|{}|{}|{}|{:?}|{:?}|{who}",
                    s.start_place, s.end_place, s.starts_at, s.ends_at, skills, s.capacity
                );
                seen.iter().position(|k| *k == key).unwrap_or_else(|| {
                    seen.push(key);
                    seen.len() - 1
                })
            })
            .collect()
    }

    /// Whether any visit has demand and any shift a capacity (the capacity rule matters at all).
    pub fn has_capacities(&self) -> bool {
        self.visits.iter().any(|v| v.demand > 0) && self.shifts.iter().any(|s| s.capacity.is_some())
    }
}
