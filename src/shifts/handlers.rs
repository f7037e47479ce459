//! HTTP: `/api/v1/shifts`. Schedulers manage their own clinic's shifts; clinic staff read them.
//! Each handler parses, calls one use case of `flow`, answers.
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;

use super::flow;
use super::model::{NewShift, Shift, ShiftSpan};
use super::repo::ShiftFilter;
use crate::auth::{policy, CurrentUser};
use crate::error::AppResult;
use crate::http::extract::{parse_end, parse_id, parse_time, IdempotencyKey};
use crate::http::pagination::{Page, PageParams};
use crate::http::{self, to_value};
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ShiftQuery {
    /// Only this clinician's shifts.
    pub clinician_id: Option<String>,
    /// RFC 3339 time (`2026-12-01T08:00:00+08:00`) or a date (its first moment, district time): shifts
    /// ending after it.
    #[param(example = "2026-12-01", value_type = Option<crate::time::Start>)]
    pub from: Option<String>,
    /// RFC 3339 time or a date (the whole day, district time): shifts starting before it.
    #[param(example = "2026-12-07", value_type = Option<crate::time::End>)]
    pub to: Option<String>,
}

/// List clinicians' shifts
///
/// Admin sees every clinic's shifts; schedulers and clinicians their own clinic's; other roles
/// none (an empty list). Filters by `clinician_id` and the period `from`/`to`; paged with `limit`
/// and `cursor`, in creation order.
#[utoipa::path(get, tag = "people", params(ShiftQuery, PageParams),
    responses((status = 200, description = "A page of shifts", body = inline(Page<Shift>)),
        (status = 422, description = "`validation_failed`: `from` or `to` is neither an RFC 3339 time nor a date, or `limit` is out of range", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/shifts")]
pub async fn list_shifts(
    user: CurrentUser,
    state: web::Data<AppState>,
    q: web::Query<ShiftQuery>,
    page: web::Query<PageParams>,
) -> AppResult<HttpResponse> {
    let page = page.parse()?;
    let filter = ShiftFilter {
        clinician_id: q.clinician_id.clone(),
        from: q
            .from
            .as_deref()
            .map(|s| parse_time("from", s, state.tz))
            .transpose()?,
        to: q
            .to
            .as_deref()
            .map(|s| parse_end("to", s, state.tz))
            .transpose()?,
    };
    let p = page.clone();
    let rows = http::db(&state, move |conn| flow::list(conn, &user, &filter, &p)).await?;
    Ok(
        HttpResponse::Ok()
            .json(Page::from_rows(rows, &page, |r| r.id.as_str()).map(|r| r.to_api())),
    )
}

/// Read one shift
///
/// Admin any; schedulers and clinicians their own clinic's shifts; others none (404). Served
/// with an `ETag`.
#[utoipa::path(get, tag = "people",
    params(("id" = String, Path, description = "The shift's id (a UUID)")),
    responses((status = 200, description = "The shift", body = Shift),
        (status = 404, description = "`not_found`: no such shift, or not one the caller may see", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/shifts/{id}")]
pub async fn get_shift(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = parse_id(&id, "shift")?;
    let shift = http::db(&state, move |conn| flow::get(conn, &user, &id)).await?;
    Ok(http::json(StatusCode::OK, &shift))
}

/// Add a clinician's shift
///
/// Admin for any clinician; a scheduler for the clinicians of their own clinic. A shift ends
/// after it starts, lasts at most 24 hours and may not overlap another shift of the clinician.
/// Visits are booked only inside shifts and outside their breaks: no visit and no travel falls in
/// a break (the clinician is back at the clinic for it). `breaks` left out gives the district's
/// lunch break (config `shifts.lunch_break`, 12:00-13:30) to a shift that spans it; `[]` is none. Audited; with an `Idempotency-Key`, a retry replays the
/// first answer.
#[utoipa::path(post, tag = "people",
    params(("Idempotency-Key" = Option<String>, Header, description = "1 to 255 characters: a retry with the same key and body replays the first answer")),
    request_body(content = NewShift, example = json!({"clinician_id": "01938a6e-3b20-7e3c-9d4a-5b6c7d8e9f03",
        "starts_at": "2026-12-03T08:30:00+08:00", "ends_at": "2026-12-03T17:30:00+08:00",
        "breaks": [{"starts_at": "2026-12-03T12:00:00+08:00", "ends_at": "2026-12-03T13:30:00+08:00"}]})),
    responses((status = 201, description = "The new shift", body = Shift),
        (status = 403, description = "`forbidden`: only admin and schedulers add shifts", body = crate::error::Problem),
        (status = 409, description = "`shift_overlap`: the clinician already has a shift at that time", body = crate::error::Problem),
        (status = 422, description = "`validation_failed`: `ends_at` not after `starts_at` or more than 24 hours later; \
a break outside the shift, overlapping another, or more than 4; `clinician_id` not a clinician of the caller's clinic; `idempotency_key_reused`: the Idempotency-Key was used with another body", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/shifts")]
pub async fn create_shift(
    user: CurrentUser,
    state: web::Data<AppState>,
    key: IdempotencyKey,
    body: crate::http::Json<NewShift>,
) -> AppResult<HttpResponse> {
    policy::require_role(&user, policy::SHIFT_WRITERS)?;
    let span = ShiftSpan::parse(*body.starts_at, *body.ends_at)?;
    let breaks = match &body.breaks {
        Some(given) => span.breaks(given)?,
        None => span.lunch(state.settings.shifts.lunch(), state.tz),
    };
    http::idempotent_post(
        &state,
        user,
        key,
        "POST /shifts",
        body.into_inner(),
        move |conn, user, new| {
            let shift = flow::add(conn, user, &new.clinician_id, span, &breaks)?;
            Ok((StatusCode::CREATED, to_value(&shift)?))
        },
    )
    .await
}
