//! HTTP for the field: `/visits/{id}/running-late` and `/visits/{id}/help`.
use actix_web::http::StatusCode;
use actix_web::{post, web, HttpResponse};

use super::flow;
use super::model::{FieldAlert, HelpBody, LateBody};
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::http::extract::{parse_id, IdempotencyKey};
use crate::http::{self, to_value};
use crate::state::AppState;

/// Tell the clinic and the resident the clinician is running late
///
/// One tap in the field: the clinician booked on a visit not yet checked in says how many minutes
/// late (5-240) and, if they like, why. The clinic and the resident (and family) hear of it at once
/// (`visit.running_late`, with the expected arrival); the visit itself is unchanged (the clinic
/// reschedules if it must). Audited against the visit.
#[utoipa::path(post, tag = "field",
    params(("id" = String, Path, description = "The visit's id (a UUID)"),
        ("Idempotency-Key" = Option<String>, Header, description = "1 to 255 characters: a retry with the same key and body replays the first answer")),
    request_body(content = LateBody, example = json!({"minutes": 20, "reason": "上一户时间延长"})),
    responses((status = 200, description = "What the clinic and the resident were told", body = FieldAlert),
        (status = 403, description = "`forbidden`: not the clinician booked on the visit", body = crate::error::Problem),
        (status = 404, description = "`not_found`: no such visit, or not one the caller may see", body = crate::error::Problem),
        (status = 409, description = "`invalid_state`: the visit is not scheduled (already checked in, done or cancelled)", body = crate::error::Problem),
        (status = 422, description = "`validation_failed`: minutes not 5-240, reason over 200 characters", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/visits/{id}/running-late")]
pub async fn running_late(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    key: IdempotencyKey,
    body: crate::http::Json<LateBody>,
) -> AppResult<HttpResponse> {
    let id = parse_id(&id, "visit")?;
    let body = body.into_inner();
    body.validate()?;
    http::idempotent_post(
        &state,
        user,
        key,
        "POST /visits/{id}/running-late",
        (id, body),
        |conn, user, (id, body)| {
            let a = flow::running_late(conn, user, &id, &body)?;
            Ok((StatusCode::OK, to_value(&a)?))
        },
    )
    .await
}

/// Ask the clinic for help at once
///
/// For a clinician visiting alone: the clinician booked on a visit scheduled or under way sends
/// their position (and a note if there is time). The clinic and the district authority get an
/// urgent `clinician.help` event with the position at once. Audited against the visit.
#[utoipa::path(post, tag = "field",
    params(("id" = String, Path, description = "The visit's id (a UUID)"),
        ("Idempotency-Key" = Option<String>, Header, description = "1 to 255 characters: a retry with the same key and body replays the first answer")),
    request_body(content = HelpBody, example = json!({"lat": 25.0583, "lon": 102.7121, "note": "家属情绪激动，请派人协助"})),
    responses((status = 200, description = "What the clinic was told", body = FieldAlert),
        (status = 403, description = "`forbidden`: not the clinician booked on the visit", body = crate::error::Problem),
        (status = 404, description = "`not_found`: no such visit, or not one the caller may see", body = crate::error::Problem),
        (status = 409, description = "`invalid_state`: the visit is neither scheduled nor under way", body = crate::error::Problem),
        (status = 422, description = "`validation_failed`: position out of range, note over 500 characters", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/visits/{id}/help")]
pub async fn help(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    key: IdempotencyKey,
    body: crate::http::Json<HelpBody>,
) -> AppResult<HttpResponse> {
    let id = parse_id(&id, "visit")?;
    let body = body.into_inner();
    body.validate()?;
    http::idempotent_post(
        &state,
        user,
        key,
        "POST /visits/{id}/help",
        (id, body),
        |conn, user, (id, body)| {
            let a = flow::help(conn, user, &id, &body)?;
            Ok((StatusCode::OK, to_value(&a)?))
        },
    )
    .await
}
