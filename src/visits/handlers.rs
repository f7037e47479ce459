//! HTTP: availability, visits and their transitions, the pool, and a clinician's day route.
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::booking::{self, AvailableSlot, Ctx};
use super::model::{
    self, Action, CancelBody, MissedBody, NewVisit, PositionBody, ScheduleBody, Status, Visit,
    VisitWindow,
};
use super::repo::{self, VisitChanges, VisitFilter, VisitRow};
use crate::audit;
use crate::auth::{CurrentUser, Role};
use crate::db::{new_id, now, DbConn};
use crate::error::{AppError, AppResult};
use crate::http::extract::{parse_end, parse_id, parse_time, IdempotencyKey, IfMatch};
use crate::http::pagination::{Page, PageParams};
use crate::http::{self, to_value, Call};
use crate::planning::travel::distance_meters;
use crate::state::AppState;

pub fn ctx(state: &AppState) -> Ctx<'_> {
    Ctx {
        travel: state.travel.as_ref(),
        step_minutes: state.settings.visits.slot_step_minutes,
        max_slots: state.settings.visits.max_slots,
        location_radius_m: state.settings.visits.location_radius_meters,
        now: now(),
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct AvailabilityQuery {
    /// The resident to visit (one the caller may see).
    pub resident_id: String,
    /// A service type `code` of the catalogue, e.g. `blood_pressure_check`.
    #[param(example = "chronic_disease_follow_up")]
    pub service_type: String,
    /// Start of the search window: RFC 3339 time or a date (its first moment, district time).
    #[param(example = "2026-12-03")]
    pub from: String,
    /// End of the window: RFC 3339 time or a date (the whole day); after `from`, in the future,
    /// at most `visits.max_window_days` (default 14) after `from`.
    #[param(example = "2026-12-04T12:00:00+08:00")]
    pub to: String,
    /// Only this clinician's slots (an active clinician of the serving clinic with the skill).
    pub clinician_id: Option<String>,
    /// A visit of this resident being moved (rescheduled): its own time does not block a slot.
    pub visit_id: Option<String>,
}

/// Find free slots for a home visit
///
/// Any role that may see the resident (a resident outside the caller's scope is 404). Searches
/// the serving clinic's active clinicians with the service's skill: a slot fits the clinician's
/// shift, leaves travel time from the visit before and to the visit after, and lies in the
/// window, not in the past. Answers at most `visits.max_slots` (default 20) slots, best first:
/// the resident's family doctor, then least added travel, then earliest. With `visit_id` (a visit
/// being moved), that visit's own time does not block a slot. One page (`next_cursor` null).
#[utoipa::path(get, tag = "visits", params(AvailabilityQuery),
    responses((status = 200, description = "Candidate slots, best first", body = inline(Page<AvailableSlot>)),
        (status = 404, description = "`not_found`: the resident, or the `visit_id` visit, is not one the caller may see", body = crate::error::Problem),
        (status = 409, description = "`no_serving_clinic`: no clinic serves the resident's community", body = crate::error::Problem),
        (status = 422, description = "`validation_failed`: `from`/`to` not a time or date, the window ends before it starts, \
in the past or spans more than `visits.max_window_days`; unknown `service_type`; `clinician_id` not an able clinician of \
the serving clinic; `visit_id` a visit of another resident", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/availability")]
pub async fn availability(
    user: CurrentUser,
    state: web::Data<AppState>,
    q: web::Query<AvailabilityQuery>,
) -> AppResult<HttpResponse> {
    let from = parse_time("from", &q.from, state.tz)?;
    let to = parse_end("to", &q.to, state.tz)?;
    let window = window_of(&state, from, to)?;
    let moving = q
        .visit_id
        .as_deref()
        .map(|v| parse_id(v, "visit"))
        .transpose()?;
    let (q, st) = (q.into_inner(), state.clone());
    let slots = http::db(&state, move |conn| {
        let t = booking::target(conn, &user, &q.resident_id, &q.service_type, window)?;
        if let Some(id) = &moving {
            let visit =
                repo::find_scoped(conn, &user, id)?.ok_or_else(|| AppError::missing("visit"))?;
            if visit.resident_id != t.resident.id {
                return Err(AppError::invalid(
                    "visit_id",
                    "is a visit of another resident",
                ));
            }
        }
        booking::availability(
            conn,
            &ctx(&st),
            &t,
            q.clinician_id.as_deref(),
            moving.as_deref(),
        )
    })
    .await?;
    let items: Vec<AvailableSlot> = slots.iter().map(AvailableSlot::from).collect();
    Ok(HttpResponse::Ok().json(Page {
        items,
        next_cursor: None,
    }))
}

fn window_of(
    state: &AppState,
    from: chrono::NaiveDateTime,
    to: chrono::NaiveDateTime,
) -> AppResult<VisitWindow> {
    let utc = |t: chrono::NaiveDateTime| t.and_utc().fixed_offset();
    VisitWindow::parse(
        utc(from),
        utc(to),
        chrono::Utc::now(),
        state.settings.visits.max_window_days,
    )
}

/// Ask for, or book, a home visit
///
/// Admin, schedulers, care-home staff and resident logins, for a resident they may see (any
/// other is 404). Admin and schedulers book: with `clinician_id` and `starts_at`, that exact slot; with
/// neither, the best free slot in the window (of `clinician_id` alone, if given); with
/// `"auto_assign": false`, nothing is booked and the visit waits `requested` in the clinic's pool.
/// Requests of care-home staff and residents always go to the pool. Booking is conflict-safe: no
/// clinician is ever double-booked or left without travel time.
///
/// Audited and published as an event. With an `Idempotency-Key`, a retry replays the first answer
/// and books nothing more. A user creating more than `visits.max_bookings_per_user_per_minute`
/// visits a minute gets 429.
#[utoipa::path(post, tag = "visits",
    params(("Idempotency-Key" = Option<String>, Header, description = "1 to 255 characters: a retry with the same key and body replays the first answer")),
    request_body(content = NewVisit, example = json!({"resident_id": "01938a6e-4c30-7f4d-8e5b-6c7d8e9fa004",
        "service_type": "chronic_disease_follow_up", "window_start": "2026-12-03T09:00:00+08:00",
        "window_end": "2026-12-03T12:00:00+08:00", "priority": "routine", "notes": "血压控制欠佳，复测并调整用药",
        "clinician_id": "01938a6e-3b20-7e3c-9d4a-5b6c7d8e9f03", "starts_at": "2026-12-03T09:30:00+08:00"})),
    responses((status = 201, description = "The visit: `scheduled` when booked, else `requested`", body = Visit),
        (status = 403, description = "`forbidden`: clinicians and hospital desks do not ask for visits", body = crate::error::Problem),
        (status = 404, description = "`not_found`: the resident is not one the caller may see", body = crate::error::Problem),
        (status = 409, description = "`visit_conflict`: the asked slot is not free (the body's `alternatives` lists up to 5 \
free slots); `no_slot_available`: no clinician has a free slot in the window; `no_serving_clinic`: no clinic serves the \
resident's community", body = crate::error::Problem),
        (status = 422, description = "`validation_failed`: the window ends before it starts, is in the past or spans more than \
`visits.max_window_days` (default 14); `starts_at` without `clinician_id`; unknown `service_type`; `clinician_id` not an \
active clinician of the serving clinic with the service's skill; `idempotency_key_reused`: the Idempotency-Key was used \
with another body", body = crate::error::Problem),
        (status = 429, description = "`rate_limited`: too many visits created this minute; retry after `Retry-After` seconds", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/visits")]
pub async fn create_visit(
    user: CurrentUser,
    state: web::Data<AppState>,
    key: IdempotencyKey,
    body: crate::http::Json<NewVisit>,
) -> AppResult<HttpResponse> {
    if !model::may_request(user.role) {
        return Err(AppError::forbidden("This role may not ask for visits."));
    }
    let new = body.into_inner();
    let max_days = state.settings.visits.max_window_days;
    let window = model::WindowRequest::parse(
        new.window_start.map(|t| *t),
        new.window_end.map(|t| *t),
        new.starts_at.map(|t| *t),
        chrono::Utc::now(),
        max_days,
    )?;
    let booking_wanted = new.starts_at.is_some() || new.clinician_id.is_some() || new.auto_assign;
    let books = booking_wanted && model::may_book(user.role);
    if new.starts_at.is_some() && new.clinician_id.is_none() {
        return Err(AppError::invalid(
            "clinician_id",
            "is required with starts_at",
        ));
    }
    let st = state.clone();
    let quota = state.settings.visits.max_bookings_per_user_per_minute;
    http::idempotent_post(&state, user, key, "POST /visits", new, move |conn, user, new| {
        if repo::created_by_in_last_minute(conn, &user.id, now(), quota)? >= quota {
            return Err(AppError::rate_limited("You are creating visits too fast; wait a minute.", 60));
        }
        let window = match window {
            model::WindowRequest::Given(w) => w,
            slot => {
                let service = crate::catalogue::repo::find(conn, &new.service_type)?
                    .ok_or_else(|| AppError::invalid("service_type", "unknown service type"))?;
                slot.resolve(service.duration_minutes.into(), chrono::Utc::now(), max_days)?
            }
        };
        let t = booking::target(conn, user, &new.resident_id, &new.service_type, window)?;
        let ctx = ctx(&st);
        let slot = match (books, new.starts_at, new.clinician_id.as_deref()) {
            (false, ..) => None,
            (true, Some(at), Some(c)) => Some(booking::take_exact(conn, &ctx, &t, c, at.naive_utc(), None)?),
            (true, _, only) => Some(booking::take_best(conn, &ctx, &t, only, None)?.ok_or_else(|| {
                AppError::conflict(
                    "no_slot_available",
                    "No clinician has a free slot in that window; widen it, or leave the visit in the pool (auto_assign: false).",
                )
            })?),
        };
        let row = repo::insert(conn, &new_row(user, &t, &new, slot.as_ref()))?;
        let after = to_value(&row.to_api())?;
        audit::record(conn, Some(user), "create", "visit", &row.id, None, Some(&after))?;
        repo::publish(conn, if slot.is_some() { "booked" } else { "requested" }, &row)?;
        Ok((StatusCode::CREATED, after))
    })
    .await
}

fn new_row(
    user: &CurrentUser,
    t: &booking::Target,
    new: &NewVisit,
    slot: Option<&crate::planning::slots::Slot>,
) -> repo::NewVisitRow {
    let at = now();
    repo::NewVisitRow {
        id: new_id(),
        resident_id: t.resident.id.clone(),
        clinic_id: t.clinic.id.clone(),
        clinician_id: slot.map(|s| s.clinician_id.clone()),
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
        requested_by: Some(user.id.clone()),
        version: 1,
        created_at: at,
        updated_at: at,
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct VisitQuery {
    /// Only this clinician's visits.
    pub clinician_id: Option<String>,
    /// Only this clinic's visits.
    pub clinic_id: Option<String>,
    /// Only this resident's visits.
    pub resident_id: Option<String>,
    /// Only the visits of this recurring plan.
    pub plan_id: Option<String>,
    /// A day (district time zone): visits whose window touches it.
    #[param(example = "2026-12-03")]
    pub date: Option<NaiveDate>,
    /// Only visits in this state.
    pub status: Option<Status>,
    /// true: the exceptions to review (check-in or check-out far from home).
    pub location_exception: Option<bool>,
}

/// List visits
///
/// Only the visits the caller may see: admin all; schedulers and clinicians their clinic's;
/// care-home staff their residents'; a resident login its own. Filters by clinician, clinic,
/// resident, plan, day, status and location exception; paged with `limit` and `cursor`, in
/// creation order.
#[utoipa::path(get, tag = "visits", params(VisitQuery, PageParams),
    responses((status = 200, description = "A page of visits", body = inline(Page<Visit>))), security(("bearer" = [])))]
#[get("/visits")]
pub async fn list_visits(
    user: CurrentUser,
    state: web::Data<AppState>,
    q: web::Query<VisitQuery>,
    page: web::Query<PageParams>,
) -> AppResult<HttpResponse> {
    let page = page.parse()?;
    let (from, to) = match q.date {
        Some(d) => {
            let (a, b) = day_bounds(&state, d)?;
            (Some(a), Some(b))
        }
        None => (None, None),
    };
    let filter = VisitFilter {
        clinician_id: q.clinician_id.clone(),
        clinic_id: q.clinic_id.clone(),
        resident_id: q.resident_id.clone(),
        plan_id: q.plan_id.clone(),
        from,
        to,
        status: q.status,
        location_exception: q.location_exception,
    };
    let p = page.clone();
    let rows = http::db(&state, move |conn| {
        Ok(repo::list(conn, &user, &filter, &p)?)
    })
    .await?;
    Ok(
        HttpResponse::Ok()
            .json(Page::from_rows(rows, &page, |r| r.id.as_str()).map(|r| r.to_api())),
    )
}

/// A district-time day as a UTC range.
pub fn day_bounds(
    state: &AppState,
    d: NaiveDate,
) -> AppResult<(chrono::NaiveDateTime, chrono::NaiveDateTime)> {
    let d = crate::http::extract::check_day("date", d)?;
    let s = d.format("%Y-%m-%d").to_string();
    let next = (d + chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    Ok((
        parse_time("date", &s, state.tz)?,
        parse_time("date", &next, state.tz)?,
    ))
}

/// Read one visit
///
/// Same visibility as the list (any other visit is 404). Served with an `ETag` (its `version`)
/// to send as `If-Match` with a transition.
#[utoipa::path(get, tag = "visits",
    params(("id" = String, Path, description = "The visit's id (a UUID)")),
    responses((status = 200, description = "The visit", body = Visit),
        (status = 404, description = "`not_found`: no such visit, or not one the caller may see", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/visits/{id}")]
pub async fn get_visit(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = parse_id(&id, "visit")?;
    let row = http::db(&state, move |conn| {
        repo::find_scoped(conn, &user, &id)?.ok_or_else(|| AppError::missing("visit"))
    })
    .await?;
    Ok(http::json(StatusCode::OK, &row.to_api()))
}

/// The shared body of every transition: load in scope (404), check the role (403), the version
/// (412) and the state machine (409), apply `change`, audit.
async fn transition<B, F>(
    Call {
        user,
        state,
        id,
        key,
        if_match,
    }: Call,
    action: Action,
    body: B,
    change: F,
) -> AppResult<HttpResponse>
where
    B: Serialize + Send + 'static,
    F: FnOnce(&mut DbConn, &Ctx, &CurrentUser, &VisitRow, B) -> AppResult<VisitChanges>
        + Send
        + 'static,
{
    let id = parse_id(&id, "visit")?;
    let route: &'static str = match action {
        Action::Schedule => "POST /visits/{id}/schedule",
        Action::Reschedule => "POST /visits/{id}/reschedule",
        Action::Cancel => "POST /visits/{id}/cancel",
        Action::CheckIn => "POST /visits/{id}/check-in",
        Action::CheckOut => "POST /visits/{id}/check-out",
        Action::Missed => "POST /visits/{id}/missed",
    };
    let st = state.clone();
    http::idempotent_post(
        &state,
        user,
        key,
        route,
        (id, body),
        move |conn, user, (id, body)| {
            let row =
                repo::find_scoped(conn, user, &id)?.ok_or_else(|| AppError::missing("visit"))?;
            let own = row.clinician_id.as_deref() == Some(user.id.as_str());
            let own_record = user.resident_id.as_deref() == Some(row.resident_id.as_str());
            if !model::may(user.role, action, own, own_record) {
                return Err(AppError::forbidden(format!(
                    "You may not {} this visit.",
                    action.as_str()
                )));
            }
            if_match.check(row.version)?;
            let to = model::transition(row.status(), action)?;
            let mut changes = change(conn, &ctx(&st), user, &row, body)?;
            changes.status = Some(to.as_str().into());
            if !repo::update(conn, &row.id, row.version, changes)? {
                return Err(AppError::conflict(
                    "concurrent_update",
                    "Another change to this visit won; read it again.",
                ));
            }
            let after_row = repo::find(conn, &row.id)?.ok_or_else(|| AppError::missing("visit"))?;
            let (before, after) = (to_value(&row.to_api())?, to_value(&after_row.to_api())?);
            audit::record(
                conn,
                Some(user),
                action.as_str(),
                "visit",
                &row.id,
                Some(&before),
                Some(&after),
            )?;
            repo::publish(conn, action.as_str(), &after_row)?;
            Ok((StatusCode::OK, after))
        },
    )
    .await
}

/// Re-targets a stored visit (for schedule and reschedule) with the caller's view of it.
fn target_of(conn: &mut DbConn, user: &CurrentUser, row: &VisitRow) -> AppResult<booking::Target> {
    let window = VisitWindow {
        start: row.window_start,
        end: row.window_end,
    };
    let mut t = booking::target(conn, user, &row.resident_id, &row.service_type, window)?;
    t.clinic = crate::network::repo::find(conn, &row.clinic_id)?
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
    let t = target_of(conn, user, row)?;
    let clinician = b
        .clinician_id
        .or(row.clinician_id.clone())
        .ok_or_else(|| AppError::invalid("clinician_id", "is required"))?;
    let slot = booking::take_exact(
        conn,
        ctx,
        &t,
        &clinician,
        b.starts_at.naive_utc(),
        Some(&row.id),
    )?;
    Ok(VisitChanges::booked(&slot))
}

macro_rules! visit_action {
    ($(#[doc = $doc:literal])* $fn_name:ident, $path:literal, $action:expr, $body:ty,
        example = json!($example:tt), forbidden = $forbidden:literal, conflict = $conflict:literal,
        invalid = $invalid:literal, $change:expr) => {
        $(#[doc = $doc])*
        #[utoipa::path(post, tag = "visits",
            params(("id" = String, Path, description = "The visit's id (a UUID)"),
                ("Idempotency-Key" = Option<String>, Header, description = "1 to 255 characters: a retry with the same key and body replays the first answer"),
                ("If-Match" = Option<String>, Header, description = "The visit's `ETag` (version) last read, e.g. `\"2\"`")),
            request_body(content = $body, example = json!($example)),
            responses((status = 200, description = "The visit after the transition", body = Visit),
                (status = 403, description = $forbidden, body = crate::error::Problem),
                (status = 404, description = "`not_found`: no such visit, or not one the caller may see", body = crate::error::Problem),
                (status = 409, description = $conflict, body = crate::error::Problem),
                (status = 412, description = "`version_mismatch`: the visit changed since the `If-Match` version", body = crate::error::Problem),
                (status = 422, description = $invalid, body = crate::error::Problem)),
            security(("bearer" = [])))]
        #[post($path)]
        pub async fn $fn_name(
            user: CurrentUser,
            state: web::Data<AppState>,
            id: web::Path<String>,
            key: IdempotencyKey,
            if_match: IfMatch,
            body: crate::http::Json<$body>,
        ) -> AppResult<HttpResponse> {
            transition(Call { user, state, id, key, if_match }, $action, body.into_inner(), $change).await
        }
    };
}

visit_action!(
    /// Book a requested visit into a clinician's day
    ///
    /// Admin and schedulers, for visits they may see. `requested` -> `scheduled` at `starts_at`
    /// with `clinician_id` (an active clinician of the visit's clinic with the service's skill),
    /// through the conflict-safe booking: the slot must fit the clinician's shift and leave travel
    /// time before and after. Audited and published as an event; `Idempotency-Key` and `If-Match`
    /// are honoured.
    schedule_visit,
    "/visits/{id}/schedule",
    Action::Schedule,
    ScheduleBody,
    example = json!({"clinician_id": "01938a6e-3b20-7e3c-9d4a-5b6c7d8e9f03", "starts_at": "2026-12-03T10:15:00+08:00"}),
    forbidden = "`forbidden`: only admin and schedulers schedule visits",
    conflict = "`invalid_transition`: the visit is not `requested`; `visit_conflict`: the slot is not free (the body's \
`alternatives` lists up to 5 free slots); `concurrent_update`: another change to the visit won, read it again",
    invalid = "`validation_failed`: `clinician_id` missing, or not an active clinician of the visit's clinic with the \
service's skill; `idempotency_key_reused`: the Idempotency-Key was used with another body",
    place
);
visit_action!(
    /// Move a scheduled visit to another time (or clinician)
    ///
    /// Admin and schedulers, for visits they may see. The visit stays `scheduled` and moves to
    /// `starts_at`, with `clinician_id` or else its current clinician, through the conflict-safe
    /// booking (its own old time does not block the new one). `GET /api/v1/availability` with
    /// `visit_id` lists the slots it may move to. Audited and published; `Idempotency-Key` and
    /// `If-Match` are honoured.
    reschedule_visit,
    "/visits/{id}/reschedule",
    Action::Reschedule,
    ScheduleBody,
    example = json!({"starts_at": "2026-12-04T14:00:00+08:00"}),
    forbidden = "`forbidden`: only admin and schedulers reschedule visits",
    conflict = "`invalid_transition`: the visit is not `scheduled`; `visit_conflict`: the slot is not free (the body's \
`alternatives` lists up to 5 free slots); `concurrent_update`: another change to the visit won, read it again",
    invalid = "`validation_failed`: `clinician_id` not an active clinician of the visit's clinic with the service's skill; \
`idempotency_key_reused`: the Idempotency-Key was used with another body",
    place
);
visit_action!(
    /// Cancel a visit
    ///
    /// Admin and schedulers; care-home staff for their residents' visits; a resident login for
    /// its own visits. `requested` or `scheduled` -> `cancelled`, with a reason; the clinician's time
    /// is freed. Audited and published; `Idempotency-Key` and `If-Match` are honoured.
    cancel_visit,
    "/visits/{id}/cancel",
    Action::Cancel,
    CancelBody,
    example = json!({"reason": "家属已预约医院复诊，本次上门取消"}),
    forbidden = "`forbidden`: clinicians and hospital desks do not cancel visits",
    conflict = "`invalid_transition`: the visit is neither `requested` nor `scheduled`; `concurrent_update`: another change \
to the visit won, read it again",
    invalid = "`validation_failed`: `reason` blank or over 500 characters; `idempotency_key_reused`: the Idempotency-Key was \
used with another body",
    |_conn: &mut DbConn, _ctx: &Ctx, user: &CurrentUser, _row: &VisitRow, b: CancelBody| {
        let reason = b.reason.trim();
        if reason.is_empty() || reason.chars().count() > 500 {
            return Err(AppError::invalid("reason", "must be 1 to 500 characters"));
        }
        Ok(VisitChanges {
            cancel_reason: Some(Some(reason.into())),
            cancelled_by: Some(Some(user.id.clone())),
            ..Default::default()
        })
    }
);
visit_action!(
    /// Record that a scheduled visit did not happen
    ///
    /// Admin, schedulers, and the visit's own clinician. `scheduled` -> `missed`, with a reason
    /// code and an optional comment (kept to its first 500 characters). Audited and published;
    /// `Idempotency-Key` and `If-Match` are honoured.
    missed_visit,
    "/visits/{id}/missed",
    Action::Missed,
    MissedBody,
    example = json!({"reason": "not_home", "comment": "敲门无人应答，电话联系家属未接通"}),
    forbidden = "`forbidden`: only admin, schedulers and the visit's own clinician record a missed visit",
    conflict = "`invalid_transition`: the visit is not `scheduled`; `concurrent_update`: another change to the visit won, \
read it again",
    invalid = "`validation_failed`: unknown `reason`; `idempotency_key_reused`: the Idempotency-Key was used with another body",
    |_conn: &mut DbConn, _ctx: &Ctx, _user: &CurrentUser, _row: &VisitRow, b: MissedBody| {
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
);
visit_action!(
    /// Check in at the resident's door
    ///
    /// The visit's own clinician only. `scheduled` -> `in_progress`, with the phone's position:
    /// the distance from the resident's home is recorded, and beyond
    /// `visits.location_radius_meters` (default 300 m) the visit is flagged `location_exception`
    /// for review. Documentation (tasks, vital signs, notes) is given at check-out, not here.
    /// Audited and published; `Idempotency-Key` (offline retries) and `If-Match` are honoured.
    check_in_visit,
    "/visits/{id}/check-in",
    Action::CheckIn,
    PositionBody,
    example = json!({"lat": 25.0437, "lon": 102.7036}),
    forbidden = "`forbidden`: only the visit's own clinician checks in",
    conflict = "`invalid_transition`: the visit is not `scheduled`; `concurrent_update`: another change to the visit won, \
read it again",
    invalid = "`validation_failed`: `position.lat`/`position.lon` out of range; documentation (`tasks`, `vital_signs`, \
`notes`) sent at check-in; `idempotency_key_reused`: the Idempotency-Key was used with another body",
    |conn: &mut DbConn, ctx: &Ctx, _user: &CurrentUser, row: &VisitRow, b: PositionBody| {
        b.validate(false)?;
        let (distance, far) = distance_from_home(conn, ctx, row, &b)?;
        Ok(VisitChanges {
            check_in_at: Some(Some(now())),
            check_in_distance_m: Some(Some(distance)),
            location_exception: Some(row.location_exception || far),
            ..Default::default()
        })
    }
);
visit_action!(
    /// Check out and document the visit
    ///
    /// The visit's own clinician only. `in_progress` -> `completed`, with the phone's position
    /// (distance recorded; beyond `visits.location_radius_meters` the visit is flagged
    /// `location_exception`) and the documentation: the tasks done (a task not done needs a
    /// reason), vital signs (a JSON object, stored as given: no ranges are checked) and notes.
    /// Audited and published; `Idempotency-Key` (offline retries) and `If-Match` are honoured.
    check_out_visit,
    "/visits/{id}/check-out",
    Action::CheckOut,
    PositionBody,
    example = json!({"lat": 25.0436, "lon": 102.7038,
        "tasks": [{"task": "测量血压", "done": true}, {"task": "空腹血糖检测", "done": false, "reason": "老人已进食"}],
        "vital_signs": {"systolic_mmhg": 148, "diastolic_mmhg": 88, "heart_rate_bpm": 76, "weight_kg": 58.5},
        "notes": "血压偏高，已嘱按时服药，一周后复测"}),
    forbidden = "`forbidden`: only the visit's own clinician checks out",
    conflict = "`invalid_transition`: the visit is not `in_progress`; `concurrent_update`: another change to the visit won, \
read it again",
    invalid = "`validation_failed`: `position.lat`/`position.lon` out of range; a task blank or over 200 characters, or not \
done without a reason; a `vital_signs` reading outside its range (or diastolic not below systolic); `notes` over 4000 characters; `idempotency_key_reused`: the \
Idempotency-Key was used with another body",
    |conn: &mut DbConn, ctx: &Ctx, _user: &CurrentUser, row: &VisitRow, b: PositionBody| {
        b.validate(true)?;
        let (distance, far) = distance_from_home(conn, ctx, row, &b)?;
        let doc =
            serde_json::json!({"tasks": b.tasks, "vital_signs": b.vital_signs, "notes": b.notes});
        Ok(VisitChanges {
            check_out_at: Some(Some(now())),
            check_out_distance_m: Some(Some(distance)),
            location_exception: Some(row.location_exception || far),
            documentation: Some(Some(doc.to_string())),
            ..Default::default()
        })
    }
);

/// Meters from the resident's home, and whether that is beyond the configured radius.
fn distance_from_home(
    conn: &mut DbConn,
    ctx: &Ctx,
    row: &VisitRow,
    b: &PositionBody,
) -> AppResult<(f64, bool)> {
    let resident = crate::people::residents::find(conn, &row.resident_id)?
        .ok_or_else(|| AppError::missing("resident"))?;
    let d = distance_meters(
        resident.location(),
        crate::network::model::Location {
            lat: b.lat,
            lon: b.lon,
        },
    );
    Ok(((d * 10.0).round() / 10.0, d > ctx.location_radius_m))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct RouteQuery {
    /// The day, in the district's time zone.
    #[param(example = "2026-12-03")]
    pub date: NaiveDate,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RouteStop {
    pub visit_id: String,
    pub resident_id: String,
    pub service_type: String,
    pub status: Status,
    pub travel_minutes: i64,
    pub arrival: crate::time::Time,
    pub starts_at: crate::time::Time,
    pub departure: crate::time::Time,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DayRoute {
    pub clinician_id: String,
    pub date: NaiveDate,
    pub stops: Vec<RouteStop>,
    pub return_travel_minutes: i64,
    pub back_at_clinic: Option<crate::time::Time>,
    pub total_travel_minutes: i64,
}

/// A clinician's day route
///
/// Admin for any clinician; schedulers and clinicians for the clinicians of their own clinic;
/// anyone else is answered 404. The clinician's visits of the day that hold time (scheduled, in
/// progress, completed), in order from the clinic, each with travel minutes, arrival, start and
/// departure (district time), and the way back to the clinic.
#[utoipa::path(get, tag = "visits",
    params(("id" = String, Path, description = "The clinician's account id (a UUID)"), RouteQuery),
    responses((status = 200, description = "The day's route", body = DayRoute),
        (status = 404, description = "`not_found`: no such clinician, or not one the caller may see", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/clinicians/{id}/route")]
pub async fn clinician_route(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    q: web::Query<RouteQuery>,
) -> AppResult<HttpResponse> {
    let id = parse_id(&id, "clinician")?;
    let (from, to) = day_bounds(&state, q.date)?;
    let (st, date) = (state.clone(), q.date);
    let route = http::db(&state, move |conn| {
        // The clinician must be visible: themselves, their clinic's staff, or admin.
        let scope = crate::auth::policy::staff_scope(&user);
        let scope = if user.role == Role::Clinician {
            crate::auth::policy::StaffScope::Organization(
                user.organization_id.clone().unwrap_or_default(),
            )
        } else {
            scope
        };
        let clinician = crate::people::repo::find_scoped(conn, &scope, &id)?
            .filter(|c| c.role() == Some(Role::Clinician))
            .ok_or_else(|| AppError::missing("clinician"))?;
        let clinic =
            crate::network::repo::find(conn, clinician.organization_id.as_deref().unwrap_or(""))?
                .ok_or_else(|| AppError::missing("clinic"))?;
        let day = repo::day_of(conn, &user, &id, from, to)?;
        let places = day
            .iter()
            .map(|(v, home)| {
                (
                    v.id.clone(),
                    v.starts_at.unwrap_or(from),
                    v.ends_at.unwrap_or(from),
                    *home,
                )
            })
            .collect();
        let rows: Vec<VisitRow> = day.into_iter().map(|(v, _)| v).collect();
        let route = crate::planning::route::build(clinic.location(), places, st.travel.as_ref());
        let local = crate::time::Time::from;
        let stops = route
            .legs
            .iter()
            .filter_map(|leg| {
                let v = rows.iter().find(|v| v.id == leg.visit_id)?;
                Some(RouteStop {
                    visit_id: v.id.clone(),
                    resident_id: v.resident_id.clone(),
                    service_type: v.service_type.clone(),
                    status: v.status(),
                    travel_minutes: leg.travel_minutes,
                    arrival: local(leg.arrival),
                    starts_at: local(leg.starts_at),
                    departure: local(leg.departure),
                })
            })
            .collect();
        Ok(DayRoute {
            clinician_id: id,
            date,
            stops,
            return_travel_minutes: route.return_travel_minutes,
            back_at_clinic: route.back_at_clinic.map(local),
            total_travel_minutes: route.total_travel_minutes,
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(route))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct PoolQuery {
    /// Only this clinic's pool.
    pub clinic_id: Option<String>,
}

/// The pool: requested visits waiting for a clinician
///
/// The `requested` visits the caller may see (admin all; schedulers and clinicians their
/// clinic's; care-home staff their residents'; a resident login its own), optionally of one
/// clinic: urgent visits first, then residents with priority flags (living alone, disabled,
/// dementia, ...), then by window start. At most 500, one page (`next_cursor` null).
#[utoipa::path(get, tag = "visits", params(PoolQuery),
    responses((status = 200, description = "The pool, in the order to plan it", body = inline(Page<Visit>))), security(("bearer" = [])))]
#[get("/visits/pool")]
pub async fn pool(
    user: CurrentUser,
    state: web::Data<AppState>,
    q: web::Query<PoolQuery>,
) -> AppResult<HttpResponse> {
    let clinic = q.clinic_id.clone();
    let items = http::db(&state, move |conn| {
        let filter = VisitFilter {
            clinic_id: clinic,
            status: Some(Status::Requested),
            ..Default::default()
        };
        let page = crate::http::pagination::PageRequest {
            limit: 500,
            after: None,
        };
        let rows = repo::list(conn, &user, &filter, &page)?;
        let mut keyed = vec![];
        for v in rows {
            let flagged = crate::people::residents::find(conn, &v.resident_id)?
                .is_some_and(|r| !r.priority_flags().is_empty());
            keyed.push((
                model::pool_rank(v.priority == "urgent", flagged),
                v.window_start,
                v,
            ));
        }
        keyed.sort_by_key(|k| (k.0, k.1));
        Ok(keyed
            .into_iter()
            .map(|(_, _, v)| v.to_api())
            .collect::<Vec<_>>())
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page {
        items,
        next_cursor: None,
    }))
}
