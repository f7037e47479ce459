//! A repair between the API and the optimiser (pure): the event as a `Disruption` over the day's
//! visits, and the re-planned day's changes and figures as the proposal shows them.
use chrono::{Duration, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::VisitIn;
use crate::domain_error::DomainError;
use crate::planning::optimiser::replan::{ChangeKind, Disruption, Replan};
use crate::planning::optimiser::Ticks;

/// How far a booked visit may move in a repair's second stage, and what counts as a resident's
/// time shifting noticeably (issue 16: 30 minutes).
pub const TOLERANCE_MINUTES: i64 = 30;

/// The travel minutes a visit's change of clinician is worth in a repair.
pub const CHANGE_WEIGHT_MINUTES: i64 = 30;

/// A clinician and a start.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct Placement {
    pub clinician_id: String,
    pub starts_at: crate::time::Time,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Same clinician, another time.
    Moved,
    /// Another clinician.
    Reassigned,
    /// Booked (or to be fitted in) before, placed nowhere now: the scheduler decides.
    Unplaced,
    /// Requested before, booked now.
    Added,
}

/// One visit whose place a repair changes.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct ProposedChange {
    pub visit_id: String,
    pub change: Change,
    pub before: Option<Placement>,
    pub after: Option<Placement>,
}

/// What a repair costs the day.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct RepairFigures {
    /// 1: only what the event touched moved; 2: others moved by at most 30 minutes; 3: by at most
    /// 90; 4: anywhere in their windows.
    pub stage: u8,
    pub kept: usize,
    pub moved: usize,
    pub reassigned: usize,
    pub unplaced: usize,
    pub added: usize,
    /// Residents whose visit moves by more than 30 minutes.
    pub shifted_over_30_minutes: usize,
    /// The day's travel as booked before the event (null when it no longer holds, e.g. overrun).
    pub travel_minutes_before: Option<i64>,
    pub travel_minutes_after: i64,
}

/// The event, with its visit or clinician found in the day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Absent {
        clinician_id: String,
        from: NaiveDateTime,
    },
    Urgent {
        visit_id: String,
    },
    Overrun {
        visit_id: String,
        until: NaiveDateTime,
    },
}

/// The event over the day's visits (their order is the problem's): the urgent visit must be
/// requested, the overrunning one under way.
pub fn disruption(
    day_start: NaiveDateTime,
    visits: &[VisitIn],
    event: &Event,
) -> Result<Disruption, DomainError> {
    let ticks = |t: NaiveDateTime| (t - day_start).num_seconds() as Ticks;
    let find =
        |id: &str, status: &str| visits.iter().position(|v| v.id == id && v.status == status);
    match event {
        Event::Absent { clinician_id, from } => Ok(Disruption::Absent {
            clinician_id: clinician_id.clone(),
            from: ticks(*from),
        }),
        Event::Urgent { visit_id } => find(visit_id, "requested")
            .map(|i| Disruption::Insert { visits: vec![i] })
            .ok_or_else(|| {
                DomainError::invalid(
                    "visit_id",
                    "must be a requested visit of the clinic whose window meets the rest of the day",
                )
            }),
        Event::Overrun { visit_id, until } => find(visit_id, "in_progress")
            .map(|i| Disruption::Overrun {
                visit: i,
                until: ticks(*until),
            })
            .ok_or_else(|| {
                DomainError::invalid("visit_id", "must be a visit under way of the clinic's day")
            }),
    }
}

/// The re-planned day's changes (visits under way or done, `fixed`, and those that had started by
/// `now` are never listed: they stay) and its figures.
pub fn changes(
    day_start: NaiveDateTime,
    now: NaiveDateTime,
    replan: &Replan,
    fixed: &[bool],
) -> (Vec<ProposedChange>, RepairFigures) {
    let at = |t: Ticks| crate::time::Time::from(day_start + Duration::seconds(t));
    let place = |p: &Option<(String, Ticks)>| {
        p.as_ref().map(|(c, t)| Placement {
            clinician_id: c.clone(),
            starts_at: at(*t),
        })
    };
    let started = |p: &Option<(String, Ticks)>| {
        p.as_ref()
            .is_some_and(|(_, t)| day_start + Duration::seconds(*t) < now)
    };
    let minutes = |t: Ticks| (t + 59) / 60;
    let f = &replan.figures;
    let mut figures = RepairFigures {
        stage: replan.stage,
        kept: f.kept,
        moved: f.moved,
        reassigned: f.reassigned,
        unplaced: f.unplaced,
        added: f.added,
        shifted_over_30_minutes: f.shifted_over_tolerance,
        travel_minutes_before: f.travel_before.map(minutes),
        travel_minutes_after: minutes(f.travel_after),
    };
    let mut out = vec![];
    for c in &replan.changes {
        if started(&c.before) || fixed.get(c.visit).copied().unwrap_or(false) {
            // A started visit the re-plan could not time (e.g. pinned over a cut shift) stays.
            figures.unplaced -= usize::from(c.kind == ChangeKind::Unplaced);
            figures.kept += 1;
            continue;
        }
        let change = match c.kind {
            ChangeKind::Kept => continue,
            ChangeKind::Moved => Change::Moved,
            ChangeKind::Reassigned => Change::Reassigned,
            ChangeKind::Unplaced => Change::Unplaced,
            ChangeKind::Added => Change::Added,
        };
        out.push(ProposedChange {
            visit_id: c.visit_id.clone(),
            change,
            before: place(&c.before),
            after: place(&c.after),
        });
    }
    (out, figures)
}
