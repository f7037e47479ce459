//! The visits domain's use cases, one function per thing a user does, each run by its caller in one
//! transaction: availability, booking or asking for a visit, the list and the pool; transitions,
//! the day route and plans in their own files. Other domains (day planning, referral follow-up)
//! come in here, never through the handlers or the repo.
use chrono::{NaiveDate, NaiveDateTime};

use super::booking::{self, AvailableSlot};
use super::model::{self, NewVisit, Status, Visit, WindowRequest};
use super::repo::{self, VisitChanges, VisitFilter};
use crate::audit;
use crate::auth::CurrentUser;
use crate::db::page::PageRequest;
use crate::db::{new_id, now, DbConn};
use crate::error::{AppError, AppResult};
use crate::ids::{OrgId, ResidentId, UserId, VisitId};
use crate::planning::travel::TravelModel;

mod owed;
pub mod plans;
mod route;
mod transitions;

pub use owed::{begun, cancel_owed, completed_since, request_owed, Completed, OwedVisit};
pub use route::route;
pub use transitions::{act, Step};

/// What the use cases need besides the connection and the caller: the booking's search settings
/// (with the moment it runs), the district's time zone and the visits' settings.
pub struct Ctx<'a> {
    pub booking: booking::Ctx<'a>,
    pub tz: chrono_tz::Tz,
    pub settings: &'a crate::config::Visits,
}

impl<'a> Ctx<'a> {
    pub fn new(
        travel: &'a dyn TravelModel,
        settings: &'a crate::config::Visits,
        tz: chrono_tz::Tz,
    ) -> Ctx<'a> {
        Ctx {
            booking: booking::Ctx {
                travel,
                step_minutes: settings.slot_step_minutes,
                max_slots: settings.max_slots,
                location_radius_m: settings.location_radius_meters,
                now: now(),
            },
            tz,
            settings,
        }
    }
}

/// A district-time day as a UTC range (from its first moment to the next day's).
pub fn day_bounds(tz: chrono_tz::Tz, d: NaiveDate) -> AppResult<(NaiveDateTime, NaiveDateTime)> {
    let bad = || AppError::invalid("date", "must be a date in the years 1900-2100");
    if !crate::time::in_range(d) {
        return Err(bad());
    }
    let first_moment = |day: NaiveDate| crate::time::first_moment_utc(day, tz).ok_or_else(bad);
    Ok((
        first_moment(d)?,
        first_moment(d + chrono::Duration::days(1))?,
    ))
}

/// What a search for free slots asks.
pub struct SlotSearch {
    pub resident_id: ResidentId,
    pub service_type: String,
    pub window: model::VisitWindow,
    pub clinician_id: Option<UserId>,
    /// A visit of this resident being moved: its own time does not block a slot.
    pub moving: Option<VisitId>,
}

/// Candidate slots, best first (read only).
pub fn availability(
    conn: &mut DbConn,
    ctx: &Ctx,
    user: &CurrentUser,
    q: &SlotSearch,
) -> AppResult<Vec<AvailableSlot>> {
    let t = booking::target(
        conn,
        user,
        q.resident_id.as_str(),
        &q.service_type,
        q.window,
    )?;
    if let Some(id) = &q.moving {
        let visit = repo::find_scoped(conn, user, id)?.ok_or_else(|| AppError::missing("visit"))?;
        if visit.resident_id.as_str() != t.resident.id {
            return Err(AppError::invalid(
                "visit_id",
                "is a visit of another resident",
            ));
        }
    }
    let slots = booking::availability(
        conn,
        &ctx.booking,
        &t,
        q.clinician_id.as_ref().map(UserId::as_str),
        q.moving.as_ref().map(VisitId::as_str),
    )?;
    Ok(slots.iter().map(AvailableSlot::from).collect())
}

/// Asks for a visit, or books it (`books`: the caller may book and asked to): into the exact
/// slot, else the best free one; otherwise it waits `requested` in the pool.
pub fn request(
    conn: &mut DbConn,
    ctx: &Ctx,
    user: &CurrentUser,
    new: &NewVisit,
    window: WindowRequest,
    books: bool,
) -> AppResult<Visit> {
    let quota = ctx.settings.max_bookings_per_user_per_minute;
    let max_days = ctx.settings.max_window_days;
    let by = UserId::from(user.id.as_str());
    if repo::created_by_in_last_minute(conn, &by, now(), quota)? >= quota {
        return Err(AppError::rate_limited(
            "You are creating visits too fast; wait a minute.",
            60,
        ));
    }
    let window = match window {
        WindowRequest::Given(w) => w,
        slot => {
            let service = crate::catalogue::repo::find(conn, &new.service_type)?
                .ok_or_else(|| AppError::invalid("service_type", "unknown service type"))?;
            slot.resolve(
                service.duration_minutes.into(),
                chrono::Utc::now(),
                max_days,
            )?
        }
    };
    let mut t = booking::target(
        conn,
        user,
        new.resident_id.as_str(),
        &new.service_type,
        window,
    )?;
    t.self_paid = new.self_paid;
    let ctx = &ctx.booking;
    let slot = match (books, new.starts_at, new.clinician_id.as_ref().map(UserId::as_str)) {
        (false, ..) => None,
        (true, Some(at), Some(c)) => Some(booking::take_exact(
            conn,
            ctx,
            &t,
            c,
            at.naive_utc(),
            None,
        )?),
        (true, _, only) => Some(booking::take_best(conn, ctx, &t, only, None)?.ok_or_else(|| {
            AppError::conflict(
                "no_slot_available",
                "No clinician has a free slot in that window; widen it, or leave the visit in the pool (auto_assign: false).",
            )
        })?),
    };
    let row = repo::insert(conn, &new_row(user, &t, new, slot.as_ref()))?;
    let after = row.to_api();
    let value = serde_json::to_value(&after).map_err(AppError::internal)?;
    audit::record(
        conn,
        Some(user),
        "create",
        "visit",
        row.id.as_str(),
        None,
        Some(&value),
    )?;
    repo::publish(
        conn,
        if slot.is_some() {
            "booked"
        } else {
            "requested"
        },
        &row,
    )?;
    Ok(after)
}

fn new_row(
    user: &CurrentUser,
    t: &booking::Target,
    new: &NewVisit,
    slot: Option<&crate::planning::slots::Slot>,
) -> repo::NewVisitRow {
    let at = now();
    repo::NewVisitRow {
        id: new_id().into(),
        resident_id: t.resident.id.clone().into(),
        clinic_id: t.clinic.id.clone().into(),
        clinician_id: slot.map(|s| s.clinician_id.clone().into()),
        service_type: t.service.code.clone(),
        status: if slot.is_some() {
            Status::Scheduled
        } else {
            Status::Requested
        }
        .as_str()
        .into(),
        priority: new.priority.as_str().into(),
        window_start: t.window.start,
        window_end: t.window.end,
        starts_at: slot.map(|s| s.starts_at),
        ends_at: slot.map(|s| s.ends_at),
        travel_minutes_before: slot.map(|s| s.travel_minutes_before as i32),
        location_exception: false,
        plan_id: None,
        referral_id: None,
        notes: new.notes.clone(),
        unplaced_reason: None,
        requested_by: Some(user.id.clone().into()),
        self_paid: new.self_paid,
        version: 1,
        created_at: at,
        updated_at: at,
    }
}

/// A page of the visits the caller may see.
pub fn list(
    conn: &mut DbConn,
    user: &CurrentUser,
    filter: &VisitFilter,
    page: &PageRequest,
) -> AppResult<Vec<repo::VisitRow>> {
    Ok(repo::list(conn, user, filter, page)?)
}

/// One visit the caller may see.
pub fn get(conn: &mut DbConn, user: &CurrentUser, id: &VisitId) -> AppResult<Visit> {
    let row = repo::find_scoped(conn, user, id)?.ok_or_else(|| AppError::missing("visit"))?;
    Ok(row.to_api())
}

/// The requested visits the caller may see (of one clinic, if given), in the order to plan them.
pub fn pool(conn: &mut DbConn, user: &CurrentUser, clinic: Option<OrgId>) -> AppResult<Vec<Visit>> {
    let filter = VisitFilter {
        clinic_id: clinic,
        status: Some(Status::Requested),
        ..Default::default()
    };
    let page = PageRequest {
        limit: 500,
        after: None,
    };
    let rows = repo::list(conn, user, &filter, &page)?;
    let mut keyed = vec![];
    for v in rows {
        let flagged = crate::people::residents::find(conn, v.resident_id.as_str())?
            .is_some_and(|r| !r.priority_flags().is_empty());
        keyed.push((
            model::pool_rank(v.priority == "urgent", flagged),
            v.window_start,
            v,
        ));
    }
    keyed.sort_by_key(|k| (k.0, k.1));
    Ok(keyed.into_iter().map(|(_, _, v)| v.to_api()).collect())
}

/// What became of one proposed booking of a day plan.
#[derive(Debug, PartialEq, Eq)]
pub enum Proposed {
    Applied,
    /// The visit is gone, no longer requested, or changed since the plan was made.
    Changed,
    /// The slot is no longer free, or the clinician no longer able.
    Conflict,
}

/// Books a requested visit into the slot a day plan proposed, or moves a scheduled one there (a
/// repair), if the visit is still at the version the plan saw (day planning applies its runs
/// through this). Audited and announced as `schedule` or `reschedule`.
pub fn book_proposed(
    conn: &mut DbConn,
    ctx: &Ctx,
    user: &CurrentUser,
    visit_id: &VisitId,
    expected_version: Option<i64>,
    clinician: &UserId,
    starts_at: NaiveDateTime,
) -> AppResult<Proposed> {
    let Some(v) = repo::find(conn, visit_id)? else {
        return Ok(Proposed::Changed);
    };
    let moving = v.status == "scheduled";
    if !(moving || v.status == "requested") || expected_version != Some(v.version) {
        return Ok(Proposed::Changed);
    }
    let window = model::VisitWindow {
        start: v.window_start,
        end: v.window_end,
    };
    let mut t = booking::target(conn, user, v.resident_id.as_str(), &v.service_type, window)?;
    t.clinic = crate::network::flow::find(conn, v.clinic_id.as_str())?
        .ok_or_else(|| AppError::missing("organization"))?;
    t.self_paid = v.self_paid;
    let except = Some(v.id.as_str());
    let slot = match booking::take_exact(
        conn,
        &ctx.booking,
        &t,
        clinician.as_str(),
        starts_at,
        except,
    ) {
        Ok(slot) => slot,
        Err(e)
            if e.code == "visit_conflict"
                || e.code == "validation_failed"
                || e.code == "entitlement_exceeded" =>
        {
            return Ok(Proposed::Conflict)
        }
        Err(e) => return Err(e),
    };
    let changes = VisitChanges {
        status: Some("scheduled".into()),
        ..VisitChanges::booked(&slot)
    };
    if !repo::update(conn, &v.id, v.version, changes)? {
        return Ok(Proposed::Changed);
    }
    let after = repo::find(conn, &v.id)?.ok_or_else(|| AppError::missing("visit"))?;
    let value = |r: &repo::VisitRow| serde_json::to_value(r.to_api()).map_err(AppError::internal);
    let action = if moving { "reschedule" } else { "schedule" };
    audit::record(
        conn,
        Some(user),
        action,
        "visit",
        v.id.as_str(),
        Some(&value(&v)?),
        Some(&value(&after)?),
    )?;
    repo::publish(conn, action, &after)?;
    Ok(Proposed::Applied)
}

/// The visits still under way whose booked end lies in `[from, to)` (the overrun alarm's scan).
pub fn under_way_ended_between(
    conn: &mut DbConn,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> AppResult<Vec<Visit>> {
    Ok(repo::under_way_ended_between(conn, from, to)?
        .iter()
        .map(|r| r.to_api())
        .collect())
}
