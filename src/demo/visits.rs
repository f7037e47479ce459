//! The demo's week of home visits around today, in every state: which visits, when, by whom and
//! with what outcome. `visit_steps` writes them through the booking code (so no clinician is
//! double-booked or left without travel time) and the visit state machine.
use chrono::Duration;

use super::people::at;
use super::visit_steps::{attend, book, request, step, workday, Requested};
use super::Clock;
use crate::auth::CurrentUser;
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::visits::booking;
use crate::visits::model::{Action, VisitWindow};
use crate::visits::repo::VisitChanges;

/// What became of a booked visit.
#[derive(Clone, Copy, PartialEq)]
enum Outcome {
    /// Checked in `late` minutes after its start, checked out, documented.
    Done {
        late: i64,
    },
    /// Done, but checked in and out far from the resident's home (for a supervisor to review).
    DoneAway,
    Missed,
    /// Scheduled; done already when it lies in today's past.
    Planned,
    Cancelled,
}

/// One booked visit: working-day offset from today, start (district time), clinician, resident
/// (index in the clinic's list), service type, outcome.
type Booked = (i64, (u32, u32), &'static str, usize, &'static str, Outcome);

use Outcome::*;

const FIRST_CLINIC: &[Booked] = &[
    (
        -3,
        (9, 0),
        "doc01",
        0,
        "chronic_disease_follow_up",
        Done { late: 2 },
    ),
    (
        -3,
        (10, 30),
        "nurse01",
        4,
        "pressure_ulcer_care",
        Done { late: 5 },
    ),
    (
        -3,
        (14, 30),
        "rehab01",
        1,
        "rehabilitation_training",
        Done { late: 0 },
    ),
    (-2, (9, 0), "doc01", 6, "health_check", Done { late: 3 }),
    (-2, (9, 30), "nurse01", 2, "basic_nursing", Missed),
    (
        -2,
        (14, 0),
        "rehab01",
        7,
        "stroke_rehabilitation",
        Done { late: 25 },
    ),
    (-1, (9, 0), "nurse01", 4, "wound_dressing", DoneAway),
    (
        -1,
        (10, 0),
        "doc01",
        3,
        "medication_review",
        Done { late: 1 },
    ),
    (
        -1,
        (15, 0),
        "doc01",
        5,
        "tcm_health_guidance",
        Done { late: 4 },
    ),
    (0, (10, 0), "doc01", 3, "chronic_disease_follow_up", Planned),
    (0, (14, 30), "doc01", 6, "medication_review", Planned),
    (0, (15, 0), "rehab01", 1, "rehabilitation_training", Planned),
    (1, (9, 0), "doc01", 2, "health_check", Planned),
    (1, (10, 30), "nurse01", 4, "pressure_ulcer_care", Planned),
    (2, (9, 30), "nurse01", 0, "blood_pressure_check", Cancelled),
    (2, (14, 0), "rehab01", 7, "stroke_rehabilitation", Planned),
    (3, (9, 0), "doc01", 0, "chronic_disease_follow_up", Planned),
];

const SECOND_CLINIC: &[Booked] = &[
    (-2, (10, 0), "nurse02", 1, "basic_nursing", Done { late: 0 }),
    (
        -1,
        (9, 30),
        "doc02",
        0,
        "chronic_disease_follow_up",
        Done { late: 6 },
    ),
    (
        -1,
        (14, 0),
        "nurse02",
        4,
        "rehabilitation_training",
        Done { late: 20 },
    ),
    (0, (10, 0), "doc02", 2, "health_check", Planned),
    (1, (9, 0), "nurse02", 3, "basic_nursing", Planned),
];

const FIRST_POOL: &[Requested] = &[
    ("sched01", 0, "chronic_disease_follow_up", 1, 1, true),
    ("home01", 8, "basic_nursing", 1, 2, false),
    ("sched01", 1, "tcm_acupuncture", 2, 3, false),
];
const SECOND_POOL: &[Requested] = &[("sched02", 5, "blood_pressure_check", 1, 2, false)];

/// The clinician kept in a visit at the demo's moment (checked in, not yet out).
const IN_PROGRESS: (&str, usize, &str) = ("nurse01", 8, "basic_nursing");

/// Adds the visits of both demo clinics. `residents[i]` are clinic i's residents in list order.
pub fn add(conn: &mut DbConn, clock: &Clock, residents: &[Vec<String>]) -> AppResult<usize> {
    let mut made = 0;
    let sched = super::people::actor(conn, "sched01")?;
    made += in_progress(conn, clock, &sched, &residents[0])?;
    for (i, (booked, pool, scheduler)) in [
        (FIRST_CLINIC, FIRST_POOL, "sched01"),
        (SECOND_CLINIC, SECOND_POOL, "sched02"),
    ]
    .into_iter()
    .enumerate()
    {
        let sched = super::people::actor(conn, scheduler)?;
        for b in booked {
            made += usize::from(visit(conn, clock, &sched, &residents[i], b)?);
        }
        for r in pool {
            request(conn, clock, &residents[i], r)?;
            made += 1;
        }
    }
    Ok(made)
}

/// Books one visit into its exact slot and takes it to its outcome. False when the slot is not
/// free (no shift that day, or the clinician's day leaves no room): the demo then goes without it.
fn visit(
    conn: &mut DbConn,
    clock: &Clock,
    sched: &CurrentUser,
    residents: &[String],
    b: &Booked,
) -> AppResult<bool> {
    let &(day, (h, m), clinician, who, service, outcome) = b;
    let date = workday(clock.today, day);
    let starts_at = at(clock.tz, date, h, m).ok_or_else(|| AppError::internal("demo time"))?;
    let window = VisitWindow {
        start: starts_at - Duration::hours(1),
        end: starts_at + Duration::hours(3),
    };
    let clinician = super::people::actor(conn, clinician)?;
    let Some(row) = book(
        conn,
        clock,
        sched,
        &residents[who],
        service,
        window,
        |c, ctx, t| booking::take_exact(c, ctx, t, &clinician.id, starts_at, None).map(Some),
    )?
    else {
        return Ok(false);
    };
    let minutes = row.ends_at.zip(row.starts_at).map(|(e, s)| e - s);
    let done_by = starts_at + minutes.unwrap_or_default() + Duration::minutes(10);
    match outcome {
        Done { late } => attend(conn, clock, &clinician, &row, late, false, true)?,
        DoneAway => attend(conn, clock, &clinician, &row, 3, true, true)?,
        Planned if done_by < clock.now => attend(conn, clock, &clinician, &row, 2, false, true)?,
        Planned => row,
        Missed => {
            let changes = VisitChanges {
                missed_reason: Some(Some("not_home: 家中无人，电话未接通".into())),
                ..Default::default()
            };
            step(conn, &clinician, &row, Action::Missed, changes)?
        }
        Cancelled => {
            let changes = VisitChanges {
                cancel_reason: Some(Some("家属已陪同去医院复诊".into())),
                cancelled_by: Some(Some(sched.id.clone().into())),
                ..Default::default()
            };
            step(conn, sched, &row, Action::Cancel, changes)?
        }
    };
    Ok(true)
}

/// The visit the clinician is in right now: the best free slot from about half an hour ago,
/// checked in (at the slot's start, or now if that is still ahead), not yet out.
fn in_progress(
    conn: &mut DbConn,
    clock: &Clock,
    sched: &CurrentUser,
    residents: &[String],
) -> AppResult<usize> {
    let (clinician, who, service) = IN_PROGRESS;
    let clinician = super::people::actor(conn, clinician)?;
    let day_start = at(clock.tz, clock.today, 0, 0).ok_or_else(|| AppError::internal("day"))?;
    let day_end = day_start + Duration::days(1);
    for from in [clock.now - Duration::minutes(40), day_start] {
        let window = VisitWindow {
            start: from.max(day_start),
            end: day_end,
        };
        let found = book(
            conn,
            clock,
            sched,
            &residents[who],
            service,
            window,
            |c, ctx, t| booking::take_best(c, ctx, t, Some(&clinician.id), None),
        )?;
        if let Some(row) = found {
            attend(conn, clock, &clinician, &row, 2, false, false)?;
            return Ok(1);
        }
    }
    Ok(0)
}
