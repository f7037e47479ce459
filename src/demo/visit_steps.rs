//! How the demo writes a visit: booked into a slot the booking code finds (under its locks),
//! requested into the pool, and taken through check-in, check-out and the other transitions of
//! the state machine and the role rules, each audited and published as the API's own would be.
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use serde_json::json;

use super::people::at;
use super::Clock;
use crate::audit;
use crate::auth::CurrentUser;
use crate::db::{new_id, DbConn};
use crate::error::{AppError, AppResult};
use crate::network::model::Location;
use crate::planning::travel::distance_meters;
use crate::visits::booking::{self, Ctx};
use crate::visits::model::{self, Action, Priority, Status, VisitWindow};
use crate::visits::repo::{self, NewVisitRow, VisitChanges, VisitRow};

/// Requests left in the clinic's pool: who asks, resident, service, first and last working day
/// of the window, urgent.
pub type Requested = (&'static str, usize, &'static str, i64, i64, bool);

/// The n-th working day from today (0: today, whatever the day).
pub fn workday(today: NaiveDate, n: i64) -> NaiveDate {
    let mut d = today;
    let step = if n < 0 { -1 } else { 1 };
    for _ in 0..n.abs() {
        d += Duration::days(step);
        while d.weekday().number_from_monday() > 5 {
            d += Duration::days(step);
        }
    }
    d
}

pub(super) fn ctx<'c>(clock: &'c Clock, not_before: NaiveDateTime) -> Ctx<'c> {
    Ctx {
        travel: clock.travel.as_ref(),
        step_minutes: clock.settings.visits.slot_step_minutes,
        max_slots: clock.settings.visits.max_slots,
        location_radius_m: clock.settings.visits.location_radius_meters,
        now: not_before,
    }
}

/// Finds a slot with `take` (under the booking code's locks) and writes the scheduled visit.
pub(super) fn book<F>(
    conn: &mut DbConn,
    clock: &Clock,
    sched: &CurrentUser,
    resident_id: &str,
    service: &str,
    window: VisitWindow,
    take: F,
) -> AppResult<Option<VisitRow>>
where
    F: FnOnce(
        &mut DbConn,
        &Ctx,
        &booking::Target,
    ) -> AppResult<Option<crate::planning::slots::Slot>>,
{
    let ctx = ctx(clock, window.start);
    let t = booking::target(conn, sched, resident_id, service, window)?;
    let slot = match take(conn, &ctx, &t) {
        Ok(Some(slot)) => slot,
        Ok(None) => return Ok(None),
        Err(e) if e.code == "visit_conflict" => return Ok(None),
        Err(e) => return Err(e),
    };
    // Booked a day or two before, as a scheduler would.
    let booked_at = (slot.starts_at - Duration::days(2)).min(clock.now);
    let row = NewVisitRow {
        id: new_id().into(),
        resident_id: t.resident.id.clone().into(),
        clinic_id: t.clinic.id.clone().into(),
        clinician_id: Some(slot.clinician_id.clone().into()),
        service_type: t.service.code.clone(),
        status: Status::Scheduled.as_str().into(),
        priority: Priority::Routine.as_str().into(),
        window_start: t.window.start,
        window_end: t.window.end,
        starts_at: Some(slot.starts_at),
        ends_at: Some(slot.ends_at),
        travel_minutes_before: Some(slot.travel_minutes_before as i32),
        location_exception: false,
        plan_id: None,
        referral_id: None,
        notes: String::new(),
        unplaced_reason: None,
        requested_by: Some(sched.id.clone().into()),
        self_paid: false,
        version: 1,
        created_at: booked_at,
        updated_at: booked_at,
    };
    let row = repo::insert(conn, &row)?;
    let after = serde_json::to_value(row.to_api()).map_err(AppError::internal)?;
    audit::record(
        conn,
        Some(sched),
        "create",
        "visit",
        row.id.as_str(),
        None,
        Some(&after),
    )?;
    repo::publish(conn, "booked", &row)?;
    Ok(Some(row))
}

/// A request into the clinic's pool (no clinician yet), as its asker would make it.
pub(super) fn request(
    conn: &mut DbConn,
    clock: &Clock,
    residents: &[String],
    r: &Requested,
) -> AppResult<()> {
    let &(asker, who, service, first, last, urgent) = r;
    let asker = super::people::actor(conn, asker)?;
    let start = at(clock.tz, workday(clock.today, first), 8, 30);
    let end = at(clock.tz, workday(clock.today, last), 17, 0);
    let (Some(start), Some(end)) = (start, end) else {
        return Err(AppError::internal("demo window"));
    };
    let t = booking::target(
        conn,
        &asker,
        &residents[who],
        service,
        VisitWindow { start, end },
    )?;
    let row = NewVisitRow {
        id: new_id().into(),
        resident_id: t.resident.id.clone().into(),
        clinic_id: t.clinic.id.clone().into(),
        clinician_id: None,
        service_type: t.service.code.clone(),
        status: Status::Requested.as_str().into(),
        priority: if urgent {
            Priority::Urgent
        } else {
            Priority::Routine
        }
        .as_str()
        .into(),
        window_start: start,
        window_end: end,
        starts_at: None,
        ends_at: None,
        travel_minutes_before: None,
        location_exception: false,
        plan_id: None,
        referral_id: None,
        notes: if urgent {
            "出院后血压控制不佳，请尽快安排随访".into()
        } else {
            String::new()
        },
        unplaced_reason: None,
        requested_by: Some(asker.id.clone().into()),
        self_paid: false,
        version: 1,
        created_at: clock.now,
        updated_at: clock.now,
    };
    let row = repo::insert(conn, &row)?;
    let after = serde_json::to_value(row.to_api()).map_err(AppError::internal)?;
    audit::record(
        conn,
        Some(&asker),
        "create",
        "visit",
        row.id.as_str(),
        None,
        Some(&after),
    )?;
    repo::publish(conn, "requested", &row)?;
    Ok(())
}

/// Check-in `late` minutes after the start (never after now) and, when `out`, check-out with the
/// documentation; `away` puts both half a kilometre from home.
pub(super) fn attend(
    conn: &mut DbConn,
    clock: &Clock,
    clinician: &CurrentUser,
    row: &VisitRow,
    late: i64,
    away: bool,
    out: bool,
) -> AppResult<VisitRow> {
    let home = crate::people::residents::find(conn, row.resident_id.as_str())?
        .ok_or_else(AppError::not_found)?
        .location();
    let position = Location {
        lat: home.lat + if away { 0.0045 } else { 0.0002 },
        lon: home.lon,
    };
    let distance = (distance_meters(home, position) * 10.0).round() / 10.0;
    let far = distance > clock.settings.visits.location_radius_meters;
    let (starts, ends) = (
        row.starts_at.unwrap_or(clock.now),
        row.ends_at.unwrap_or(clock.now),
    );
    let checked_in = (starts + Duration::minutes(late)).min(clock.now);
    let changes = VisitChanges {
        check_in_at: Some(Some(checked_in)),
        check_in_distance_m: Some(Some(distance)),
        location_exception: Some(far),
        ..Default::default()
    };
    let row = step(conn, clinician, row, Action::CheckIn, changes)?;
    if !out {
        return Ok(row);
    }
    let doc = json!({
        "tasks": [{"task": "测量血压、询问症状", "done": true, "reason": null},
                  {"task": "用药指导", "done": true, "reason": null}],
        "vital_signs": {"systolic_mmhg": 132, "diastolic_mmhg": 84, "heart_rate_bpm": 76},
        "notes": "老人精神可，按计划继续随访。",
    });
    let changes = VisitChanges {
        check_out_at: Some(Some(ends + Duration::minutes(late))),
        check_out_distance_m: Some(Some(distance)),
        location_exception: Some(far),
        documentation: Some(Some(doc.to_string())),
        ..Default::default()
    };
    step(conn, clinician, &row, Action::CheckOut, changes)
}

/// One transition through the state machine and the role rules, audited and published.
pub(super) fn step(
    conn: &mut DbConn,
    who: &CurrentUser,
    row: &VisitRow,
    action: Action,
    mut changes: VisitChanges,
) -> AppResult<VisitRow> {
    let own = row.clinician_id.as_ref().map(|c| c.as_str()) == Some(who.id.as_str());
    if !model::may(who.role, action, own, false) {
        return Err(AppError::internal(format!(
            "demo: {} may not {}",
            who.username,
            action.as_str()
        )));
    }
    let to = model::transition(row.status(), action)?;
    changes.status = Some(to.as_str().into());
    if !repo::update(conn, &row.id, row.version, changes)? {
        return Err(AppError::internal("demo: a visit changed under the demo"));
    }
    let after = repo::find(conn, &row.id)?.ok_or_else(AppError::not_found)?;
    let before = serde_json::to_value(row.to_api()).map_err(AppError::internal)?;
    let after_v = serde_json::to_value(after.to_api()).map_err(AppError::internal)?;
    audit::record(
        conn,
        Some(who),
        action.as_str(),
        "visit",
        row.id.as_str(),
        Some(&before),
        Some(&after_v),
    )?;
    repo::publish(conn, action.as_str(), &after)?;
    Ok(after)
}
