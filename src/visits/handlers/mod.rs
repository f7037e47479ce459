//! HTTP for visits: availability, booking, the list, the pool and a clinician's day route; the
//! transitions and the plans in their own files. Each handler parses, calls one flow, answers.
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;

use super::booking::AvailableSlot;
use super::flow::{self, Ctx, SlotSearch};
use super::model::{self, DayRoute, NewVisit, Status, Visit, VisitWindow};
use super::repo::VisitFilter;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::http::extract::{parse_end, parse_id, parse_time, IdempotencyKey};
use crate::http::pagination::{Page, PageParams};
use crate::http::{self, to_value};
use crate::ids::{OrgId, ResidentId, UserId, VisitId};
use crate::state::AppState;

mod plans;
mod transitions;
pub use plans::*;
pub use transitions::*;

/// The use cases' context from the app's state.
fn ctx(state: &AppState) -> Ctx<'_> {
    Ctx::new(state.travel.as_ref(), &state.settings.visits, state.tz)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct AvailabilityQuery {
    /// The resident to visit (one the caller may see).
    pub resident_id: String,
    /// A service type `code` of the catalogue, e.g. `blood_pressure_check`.
    #[param(example = "chronic_disease_follow_up")]
    pub service_type: String,
    /// Start of the search window: RFC 3339 time or a date (its first moment, district time).
    #[param(example = "2026-12-03", value_type = crate::time::Start)]
    pub from: String,
    /// End of the window: RFC 3339 time or a date (the whole day); after `from`, in the future,
    /// at most `visits.max_window_days` (default 14) after `from`.
    #[param(example = "2026-12-04T12:00:00+08:00", value_type = crate::time::End)]
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
        .map(|v| parse_id(v, "visit").map(VisitId::from))
        .transpose()?;
    let q = q.into_inner();
    let search = SlotSearch {
        resident_id: q.resident_id.into(),
        service_type: q.service_type,
        window,
        clinician_id: q.clinician_id.map(UserId::from),
        moving,
    };
    let st = state.clone();
    let items = http::db(&state, move |conn| {
        flow::availability(conn, &ctx(&st), &user, &search)
    })
    .await?;
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
    .map_err(Into::into)
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
resident's community; `entitlement_exceeded`: a visit covered by the resident's long-term care grade would pass the month's entitlement (book it `self_paid`)", body = crate::error::Problem),
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
    let window = model::WindowRequest::parse(
        new.window_start.map(|t| *t),
        new.window_end.map(|t| *t),
        new.starts_at.map(|t| *t),
        chrono::Utc::now(),
        state.settings.visits.max_window_days,
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
    http::idempotent_post(
        &state,
        user,
        key,
        "POST /visits",
        new,
        move |conn, user, new| {
            let visit = flow::request(conn, &ctx(&st), user, &new, window, books)?;
            Ok((StatusCode::CREATED, to_value(&visit)?))
        },
    )
    .await
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
            let (a, b) = flow::day_bounds(state.tz, d)?;
            (Some(a), Some(b))
        }
        None => (None, None),
    };
    let filter = VisitFilter {
        clinician_id: q.clinician_id.clone().map(UserId::from),
        clinic_id: q.clinic_id.clone().map(OrgId::from),
        resident_id: q.resident_id.clone().map(ResidentId::from),
        plan_id: q.plan_id.clone(),
        from,
        to,
        status: q.status,
        location_exception: q.location_exception,
    };
    let p = page.clone();
    let rows = http::db(&state, move |conn| flow::list(conn, &user, &filter, &p)).await?;
    Ok(
        HttpResponse::Ok()
            .json(Page::from_rows(rows, &page, |r| r.id.as_str()).map(|r| r.to_api())),
    )
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
    let id = VisitId::from(parse_id(&id, "visit")?);
    let visit = http::db(&state, move |conn| flow::get(conn, &user, &id)).await?;
    Ok(http::json(StatusCode::OK, &visit))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct RouteQuery {
    /// The day, in the district's time zone.
    #[param(example = "2026-12-03")]
    pub date: NaiveDate,
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
    let id = UserId::from(parse_id(&id, "clinician")?);
    let (st, date) = (state.clone(), q.date);
    let route = http::db(&state, move |conn| {
        flow::route(conn, &ctx(&st), &user, id, date)
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
    let clinic = q.clinic_id.clone().map(OrgId::from);
    let items = http::db(&state, move |conn| flow::pool(conn, &user, clinic)).await?;
    Ok(HttpResponse::Ok().json(Page {
        items,
        next_cursor: None,
    }))
}
