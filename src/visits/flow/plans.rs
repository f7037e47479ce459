//! Recurring visit plans: making one (with its visits), reading one, ending one.
use chrono::{Duration, NaiveTime};

use super::Ctx;
use crate::audit;
use crate::auth::CurrentUser;
use crate::db::{new_id, now, DbConn};
use crate::error::{AppError, AppResult};
use crate::ids::{ReferralId, UserId};
use crate::visits::booking;
use crate::visits::model::{self, Status, VisitWindow};
use crate::visits::plans::model::{local, occurrences, EndPlan, NewPlan, Plan};
use crate::visits::plans::repo::{self as plans, PlanPlace, PlanRow};
use crate::visits::repo::{self, VisitChanges};

fn value<T: serde::Serialize>(v: &T) -> AppResult<serde_json::Value> {
    serde_json::to_value(v).map_err(AppError::internal)
}

/// Creates the plan and its visits (booked where a slot exists, else requested with the reason).
/// Referral follow-up makes its plans through this, with the referral's id.
pub fn create(
    conn: &mut DbConn,
    ctx: &Ctx,
    user: &CurrentUser,
    p: &NewPlan,
    referral_id: Option<&ReferralId>,
) -> AppResult<PlanRow> {
    let tz = ctx.tz;
    let first = local(tz, p.starts_on, p.window.from)
        .ok_or_else(|| AppError::invalid("starts_on", "not a real local time"))?;
    let probe = VisitWindow {
        start: first,
        end: first + Duration::hours(1),
    };
    let t = booking::target(conn, user, p.resident_id.as_str(), &p.service_type, probe)?;
    if let Some(c) = &p.clinician_id {
        booking::able_clinicians(conn, &t, Some(c.as_str()))?;
    }
    let id = new_id();
    let at = now();
    let place = PlanPlace {
        resident_id: &t.resident.id,
        clinic_id: &t.clinic.id,
        service_type: &t.service.code,
    };
    plans::insert(conn, &id, &place, p, referral_id, at)?;
    let mut target = t;
    target.self_paid = p.self_paid;
    let clinician = p.clinician_id.as_ref().map(UserId::as_str);
    for day in occurrences(&p.weekdays, p.starts_on, p.until, p.count) {
        let (Some(start), Some(end)) = (local(tz, day, p.window.from), local(tz, day, p.window.to))
        else {
            continue;
        };
        if end <= ctx.booking.now {
            continue;
        }
        target.window = VisitWindow { start, end };
        let able = booking::able_clinicians(conn, &target, clinician)?;
        let mut past_entitlement = false;
        let slot = if able.is_empty() {
            None
        } else {
            match booking::take_best(conn, &ctx.booking, &target, clinician, None) {
                // A plan a referral's follow-up makes leaves such a visit in the pool (the clinic
                // decides: self-paid or later); a plan asked for directly is refused (409).
                Err(e) if e.code == "entitlement_exceeded" && referral_id.is_some() => {
                    past_entitlement = true;
                    None
                }
                other => other?,
            }
        };
        let reason = match (&slot, able.is_empty()) {
            (Some(_), _) => None,
            (None, true) => Some("no clinician with the skill".to_string()),
            (None, false) if past_entitlement => {
                Some("the long-term care entitlement of the month is used up".to_string())
            }
            (None, false) => Some("no free slot in the window".to_string()),
        };
        let row = repo::NewVisitRow {
            id: new_id().into(),
            resident_id: target.resident.id.clone().into(),
            clinic_id: target.clinic.id.clone().into(),
            clinician_id: slot.as_ref().map(|s| s.clinician_id.clone().into()),
            service_type: target.service.code.clone(),
            status: if slot.is_some() {
                Status::Scheduled
            } else {
                Status::Requested
            }
            .as_str()
            .into(),
            priority: p.priority.as_str().into(),
            window_start: start,
            window_end: end,
            starts_at: slot.as_ref().map(|s| s.starts_at),
            ends_at: slot.as_ref().map(|s| s.ends_at),
            travel_minutes_before: slot.as_ref().map(|s| s.travel_minutes_before as i32),
            location_exception: false,
            plan_id: Some(id.clone()),
            referral_id: referral_id.cloned(),
            notes: String::new(),
            unplaced_reason: reason,
            requested_by: Some(user.id.clone().into()),
            self_paid: p.self_paid,
            version: 1,
            created_at: at,
            updated_at: at,
        };
        let v = repo::insert(conn, &row)?;
        audit::record(
            conn,
            Some(user),
            "create",
            "visit",
            v.id.as_str(),
            None,
            Some(&value(&v.to_api())?),
        )?;
        let what = if v.clinician_id.is_some() {
            "booked"
        } else {
            "requested"
        };
        repo::publish(conn, what, &v)?;
    }
    Ok(plans::find(conn, &id)?)
}

/// A scheduler makes a plan: the plan and its visits, audited as one.
pub fn make(conn: &mut DbConn, ctx: &Ctx, user: &CurrentUser, p: &NewPlan) -> AppResult<Plan> {
    let row = create(conn, ctx, user, p, None)?;
    let plan = plans::view(conn, &row)?;
    audit::record(
        conn,
        Some(user),
        "create",
        "visit_plan",
        &row.id,
        None,
        Some(&value(&plan)?),
    )?;
    Ok(plan)
}

/// One plan the caller may see, with its visits.
pub fn get(conn: &mut DbConn, user: &CurrentUser, id: &str) -> AppResult<Plan> {
    let row = plans::find_scoped(conn, user, id)?.ok_or_else(|| AppError::missing("visit plan"))?;
    Ok(plans::view(conn, &row)?)
}

/// Ends a plan: cancels its requested and scheduled visits from `b.from` (at the earliest now) on.
pub fn end(
    conn: &mut DbConn,
    ctx: &Ctx,
    user: &CurrentUser,
    id: &str,
    b: EndPlan,
) -> AppResult<Plan> {
    let row = plans::find_scoped(conn, user, id)?.ok_or_else(|| AppError::missing("visit plan"))?;
    if !model::may_book(user.role) {
        return Err(AppError::forbidden("Only schedulers end visit plans."));
    }
    if row.status != "active" {
        return Err(AppError::conflict(
            "invalid_transition",
            "The plan has ended already.",
        ));
    }
    let before = value(&plans::view(conn, &row)?)?;
    let cutoff = b
        .from
        .and_then(|d| local(ctx.tz, d, NaiveTime::MIN))
        .unwrap_or_else(now)
        .max(now());
    let reason = b.reason.unwrap_or_else(|| "plan ended".into());
    for v in plans::future_visits(conn, id, cutoff)? {
        let changes = VisitChanges {
            status: Some(Status::Cancelled.as_str().into()),
            cancel_reason: Some(Some(reason.clone())),
            cancelled_by: Some(Some(user.id.clone().into())),
            ..Default::default()
        };
        if !repo::update(conn, &v.id, v.version, changes)? {
            return Err(AppError::conflict(
                "concurrent_update",
                "A visit of the plan changed meanwhile; retry.",
            ));
        }
        if let Some(cancelled) = repo::find(conn, &v.id)? {
            repo::publish(conn, "cancel", &cancelled)?;
        }
    }
    plans::mark_ended(conn, &row, now())?;
    let ended = plans::find(conn, id)?;
    let ended = plans::view(conn, &ended)?;
    audit::record(
        conn,
        Some(user),
        "end",
        "visit_plan",
        id,
        Some(&before),
        Some(&value(&ended)?),
    )?;
    Ok(ended)
}
