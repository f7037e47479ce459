//! A visit's transitions: schedule, reschedule, cancel, missed, check-in, check-out. Each loads the
//! visit in the caller's scope (404), checks the role (403), the version (412) and the state
//! machine (409), applies its changes, audits and publishes.
use super::Ctx;
use crate::audit;
use crate::auth::CurrentUser;
use crate::db::{now, DbConn};
use crate::error::{AppError, AppResult};
use crate::ids::{UserId, VisitId};
use crate::planning::travel::distance_meters;
use crate::visits::booking;
use crate::visits::model::{
    self, Action, CancelBody, MissedBody, PositionBody, ScheduleBody, Visit, VisitWindow,
};
use crate::visits::repo::{self, VisitChanges, VisitRow};

/// One transition with what it carries.
pub enum Step {
    Schedule(ScheduleBody),
    Reschedule(ScheduleBody),
    Cancel(CancelBody),
    Missed(MissedBody),
    CheckIn(PositionBody),
    CheckOut(PositionBody),
}

impl Step {
    pub fn action(&self) -> Action {
        match self {
            Step::Schedule(_) => Action::Schedule,
            Step::Reschedule(_) => Action::Reschedule,
            Step::Cancel(_) => Action::Cancel,
            Step::Missed(_) => Action::Missed,
            Step::CheckIn(_) => Action::CheckIn,
            Step::CheckOut(_) => Action::CheckOut,
        }
    }
}

/// Takes one step on a visit. `version_ok` checks the version the caller last read (If-Match).
pub fn act(
    conn: &mut DbConn,
    ctx: &Ctx,
    user: &CurrentUser,
    id: &VisitId,
    step: Step,
    version_ok: impl FnOnce(i64) -> AppResult<()>,
) -> AppResult<Visit> {
    let action = step.action();
    let row = repo::find_scoped(conn, user, id)?.ok_or_else(|| AppError::missing("visit"))?;
    let own = row.clinician_id.as_ref().map(UserId::as_str) == Some(user.id.as_str());
    let own_record = user.resident_id.as_deref() == Some(row.resident_id.as_str());
    if !model::may(user.role, action, own, own_record) {
        return Err(AppError::forbidden(format!(
            "You may not {} this visit.",
            action.as_str()
        )));
    }
    version_ok(row.version)?;
    let to = model::transition(row.status(), action)?;
    let mut changes = changes(conn, ctx, user, &row, step)?;
    changes.status = Some(to.as_str().into());
    if !repo::update(conn, &row.id, row.version, changes)? {
        return Err(AppError::conflict(
            "concurrent_update",
            "Another change to this visit won; read it again.",
        ));
    }
    let after_row = repo::find(conn, &row.id)?.ok_or_else(|| AppError::missing("visit"))?;
    let after = after_row.to_api();
    let value = |v: &Visit| serde_json::to_value(v).map_err(AppError::internal);
    audit::record(
        conn,
        Some(user),
        action.as_str(),
        "visit",
        row.id.as_str(),
        Some(&value(&row.to_api())?),
        Some(&value(&after)?),
    )?;
    repo::publish(conn, action.as_str(), &after_row)?;
    Ok(after)
}

/// The columns a step changes besides the status.
fn changes(
    conn: &mut DbConn,
    ctx: &Ctx,
    user: &CurrentUser,
    row: &VisitRow,
    step: Step,
) -> AppResult<VisitChanges> {
    match step {
        Step::Schedule(b) | Step::Reschedule(b) => place(conn, ctx, user, row, b),
        Step::Cancel(b) => {
            let reason = b.reason.trim();
            if reason.is_empty() || reason.chars().count() > 500 {
                return Err(AppError::invalid("reason", "must be 1 to 500 characters"));
            }
            Ok(VisitChanges {
                cancel_reason: Some(Some(reason.into())),
                cancelled_by: Some(Some(user.id.clone().into())),
                ..Default::default()
            })
        }
        Step::Missed(b) => {
            let reason = serde_json::to_value(b.reason)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            let text = match b
                .comment
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
            {
                Some(c) => format!("{reason}: {}", c.chars().take(500).collect::<String>()),
                None => reason,
            };
            Ok(VisitChanges {
                missed_reason: Some(Some(text)),
                ..Default::default()
            })
        }
        Step::CheckIn(b) => {
            b.validate(false)?;
            let recorded = recorded_at(ctx, row, &b, None)?;
            let (distance, far) = distance_from_home(conn, ctx, row, &b)?;
            Ok(VisitChanges {
                check_in_at: Some(Some(now())),
                check_in_recorded_at: Some(recorded),
                check_in_distance_m: Some(Some(distance)),
                location_exception: Some(row.location_exception || far),
                ..Default::default()
            })
        }
        Step::CheckOut(b) => {
            b.validate(true)?;
            let recorded = recorded_at(ctx, row, &b, row.check_in_recorded_at)?;
            let (distance, far) = distance_from_home(conn, ctx, row, &b)?;
            let doc = serde_json::json!({"tasks": b.tasks, "vital_signs": b.vital_signs, "notes": b.notes});
            Ok(VisitChanges {
                check_out_at: Some(Some(now())),
                check_out_recorded_at: Some(recorded),
                check_out_distance_m: Some(Some(distance)),
                location_exception: Some(row.location_exception || far),
                documentation: Some(Some(doc.to_string())),
                ..Default::default()
            })
        }
    }
}

/// The device's time of a check-in or check-out, checked against the server's clock and the
/// visit's day (its start, else its window's, in the district's zone).
fn recorded_at(
    ctx: &Ctx,
    row: &VisitRow,
    b: &PositionBody,
    after: Option<chrono::NaiveDateTime>,
) -> AppResult<Option<chrono::NaiveDateTime>> {
    let Some(at) = b.recorded_at else {
        return Ok(None);
    };
    let at = at.0.naive_utc();
    let start = row.starts_at.unwrap_or(row.window_start);
    let day = start.and_utc().with_timezone(&ctx.tz).date_naive();
    let (day_start, _) = super::day_bounds(ctx.tz, day)?;
    model::check_recorded_at(at, now(), day_start, after)?;
    Ok(Some(at))
}

/// Re-targets a stored visit (for schedule and reschedule) with the caller's view of it.
fn target_of(conn: &mut DbConn, user: &CurrentUser, row: &VisitRow) -> AppResult<booking::Target> {
    let window = VisitWindow {
        start: row.window_start,
        end: row.window_end,
    };
    let mut t = booking::target(
        conn,
        user,
        row.resident_id.as_str(),
        &row.service_type,
        window,
    )?;
    t.clinic = crate::network::flow::find(conn, row.clinic_id.as_str())?
        .ok_or_else(|| AppError::missing("organization"))?;
    Ok(t)
}

fn place(
    conn: &mut DbConn,
    ctx: &Ctx,
    user: &CurrentUser,
    row: &VisitRow,
    b: ScheduleBody,
) -> AppResult<VisitChanges> {
    let mut t = target_of(conn, user, row)?;
    t.self_paid = b.self_paid.unwrap_or(row.self_paid);
    let clinician = b.clinician_id.or(row.clinician_id.clone()).ok_or_else(|| {
        AppError::invalid(
            "clinician_id",
            "is required for a visit that has no clinician yet",
        )
    })?;
    let slot = booking::take_exact(
        conn,
        &ctx.booking,
        &t,
        clinician.as_str(),
        b.starts_at.naive_utc(),
        Some(row.id.as_str()),
    )?;
    Ok(VisitChanges {
        self_paid: b.self_paid,
        ..VisitChanges::booked(&slot)
    })
}

/// Meters from the resident's home, and whether that is beyond the configured radius.
fn distance_from_home(
    conn: &mut DbConn,
    ctx: &Ctx,
    row: &VisitRow,
    b: &PositionBody,
) -> AppResult<(f64, bool)> {
    let resident = crate::people::residents::find(conn, row.resident_id.as_str())?
        .ok_or_else(|| AppError::missing("resident"))?;
    let d = distance_meters(
        resident.location(),
        crate::network::model::Location {
            lat: b.lat,
            lon: b.lon,
        },
    );
    Ok(((d * 10.0).round() / 10.0, d > ctx.booking.location_radius_m))
}
