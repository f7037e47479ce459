//! HTTP for recurring visit plans: make one, read one, end one.
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};

use super::ctx;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::http::extract::{parse_id, IdempotencyKey};
use crate::http::{self, to_value};
use crate::state::AppState;
use crate::visits::flow;
use crate::visits::model;
use crate::visits::plans::model::{EndPlan, NewPlan, Plan};

/// Make a recurring visit plan
///
/// Admin and schedulers, for residents they may see (others are 404). Creates the plan and, in
/// the same transaction, its visits (at most 100, never more than a year ahead): on each chosen
/// weekday in the time window, booked into the best free slot where there is one (of
/// `clinician_id` alone, if given), otherwise left `requested` in the pool with the reason in
/// `unplaced_reason`. Each visit can then be moved or cancelled alone. Audited; with an
/// `Idempotency-Key`, a retry replays the first answer and creates nothing more.
#[utoipa::path(post, tag = "visits",
    params(("Idempotency-Key" = Option<String>, Header, description = "1 to 255 characters: a retry with the same key and body replays the first answer")),
    request_body(content = NewPlan, example = json!({"resident_id": "01938a6e-4c30-7f4d-8e5b-6c7d8e9fa004",
        "service_type": "rehabilitation_training", "weekdays": [2, 5], "window": {"from": "09:00", "to": "11:30"},
        "starts_on": "2026-12-08", "count": 8, "priority": "routine"})),
    responses((status = 201, description = "The plan with its visits", body = Plan),
        (status = 403, description = "`forbidden`: only admin and schedulers make visit plans", body = crate::error::Problem),
        (status = 404, description = "`not_found`: the resident is not one the caller may see", body = crate::error::Problem),
        (status = 409, description = "`no_serving_clinic`: no clinic serves the resident's community; `entitlement_exceeded`: a visit covered by the resident's long-term care grade would pass the month's entitlement (book it `self_paid`)", body = crate::error::Problem),
        (status = 422, description = "`validation_failed`: `weekdays` empty or outside 1-7; `window.to` not after `window.from`; \
`starts_on` in the past; not exactly one of `until` (within a year) and `count` (1-100); unknown `service_type`; \
`clinician_id` not an able clinician of the serving clinic; `idempotency_key_reused`: the Idempotency-Key was used with \
another body", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/visit-plans")]
pub async fn create_plan(
    user: CurrentUser,
    state: web::Data<AppState>,
    key: IdempotencyKey,
    body: crate::http::Json<NewPlan>,
) -> AppResult<HttpResponse> {
    if !model::may_book(user.role) {
        return Err(AppError::forbidden("Only schedulers make visit plans."));
    }
    let today = chrono::Utc::now().with_timezone(&state.tz).date_naive();
    body.validate(today)?;
    let st = state.clone();
    http::idempotent_post(
        &state,
        user,
        key,
        "POST /visit-plans",
        body.into_inner(),
        move |conn, user, p| {
            let plan = flow::plans::make(conn, &ctx(&st), user, &p)?;
            Ok((StatusCode::CREATED, to_value(&plan)?))
        },
    )
    .await
}

/// Read a visit plan with its visits
///
/// Admin any; schedulers and clinicians their clinic's plans; care-home staff their residents';
/// a resident login its own; any other plan is 404. Served with an `ETag`.
#[utoipa::path(get, tag = "visits",
    params(("id" = String, Path, description = "The plan's id (a UUID)")),
    responses((status = 200, description = "The plan with its visits", body = Plan),
        (status = 404, description = "`not_found`: no such plan, or not one the caller may see", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/visit-plans/{id}")]
pub async fn get_plan(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = parse_id(&id, "visit plan")?;
    let plan = http::db(&state, move |conn| flow::plans::get(conn, &user, &id)).await?;
    Ok(http::json(StatusCode::OK, &plan))
}

/// End a visit plan
///
/// Admin and schedulers, for plans they may see (others are 404). Cancels the plan's
/// `requested` and `scheduled` visits from `from` (default now) on, each with the reason, and marks
/// the plan `ended`; visits before then, and those done, stay. Audited and published; with an
/// `Idempotency-Key`, a retry replays the first answer.
#[utoipa::path(post, tag = "visits",
    params(("id" = String, Path, description = "The plan's id (a UUID)"),
        ("Idempotency-Key" = Option<String>, Header, description = "1 to 255 characters: a retry with the same key and body replays the first answer")),
    request_body(content = EndPlan, example = json!({"from": "2026-12-15", "reason": "老人入住养老院，改由机构医生随访"})),
    responses((status = 200, description = "The ended plan with its visits", body = Plan),
        (status = 403, description = "`forbidden`: only admin and schedulers end visit plans", body = crate::error::Problem),
        (status = 404, description = "`not_found`: no such plan, or not one the caller may see", body = crate::error::Problem),
        (status = 409, description = "`invalid_transition`: the plan has ended already; `concurrent_update`: a visit of the \
plan changed meanwhile, retry", body = crate::error::Problem),
        (status = 422, description = "`idempotency_key_reused`: the Idempotency-Key was used with another body; \
`validation_failed`: a malformed body", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/visit-plans/{id}/end")]
pub async fn end_plan(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    key: IdempotencyKey,
    body: crate::http::Json<EndPlan>,
) -> AppResult<HttpResponse> {
    let id = parse_id(&id, "visit plan")?;
    let st = state.clone();
    http::idempotent_post(
        &state,
        user,
        key,
        "POST /visit-plans/{id}/end",
        (id, body.into_inner()),
        move |conn, user, (id, b)| {
            let plan = flow::plans::end(conn, &ctx(&st), user, &id, b)?;
            Ok((StatusCode::OK, to_value(&plan)?))
        },
    )
    .await
}
