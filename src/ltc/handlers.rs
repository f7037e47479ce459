//! HTTP for long-term care: `/assessments`, `/residents/{id}/assessments`,
//! `/residents/{id}/entitlements`.
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;

use super::flow;
use super::model::records::{AssessmentRecord, Claim, Entitlements, NewAssessment};
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::http::extract::{parse_id, IdempotencyKey};
use crate::http::{self, to_value};
use crate::state::AppState;

/// Record a long-term care disability assessment
///
/// The national long-term care disability assessment (长期护理失能等级评估, ADR 0012): the
/// points of every item of its three indicators (activities of daily living, cognition,
/// perception and communication) give each indicator's level and the grade 0-5. Valid
/// `ltc.assessment_valid_days` (default 730) from `assessed_at`; a newer one supersedes it. The
/// grade decides what the resident's long-term care pays for each month (see the entitlements).
/// By admin and the staff of the resident's clinic. Audited.
#[utoipa::path(post, tag = "long-term care",
    params(("Idempotency-Key" = Option<String>, Header, description = "1 to 255 characters: a retry with the same key and body replays the first answer")),
    request_body(content = NewAssessment, example = json!({"resident_id": "0b6f1a8e-5d2c-4f7a-9c1e-3a2b4c5d6e7f", "kind": "ltc_disability",
        "scores": {"feeding": 5, "dressing": 5, "face_and_mouth": 0, "bowel": 5, "bladder": 5, "toilet": 5,
            "walking": 5, "transfer": 5, "stairs": 0, "bathing": 0,
            "time_orientation": 2, "person_orientation": 3, "place_orientation": 2, "memory": 2,
            "vision": 3, "hearing": 2, "communication": 3}})),
    responses((status = 201, description = "The assessment with its grade", body = AssessmentRecord),
        (status = 403, description = "`forbidden`: the role may not assess (care homes, hospital desks, residents)", body = crate::error::Problem),
        (status = 404, description = "`not_found`: no such resident, or not one the caller serves", body = crate::error::Problem),
        (status = 422, description = "`validation_failed`: `kind` not ltc_disability; an item missing, unknown or with points it does not allow (each named `scores.<item>`); `assessed_at` in the future; `idempotency_key_reused`: the Idempotency-Key was used with another body", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/assessments")]
pub async fn create_assessment(
    user: CurrentUser,
    state: web::Data<AppState>,
    key: IdempotencyKey,
    body: crate::http::Json<NewAssessment>,
) -> AppResult<HttpResponse> {
    let body = body.into_inner();
    let days = state.settings.ltc.assessment_valid_days;
    http::idempotent_post(
        &state,
        user,
        key,
        "POST /assessments",
        body,
        move |conn, user, body| {
            let record = flow::assess(conn, user, &body, days)?;
            Ok((StatusCode::CREATED, to_value(&record)?))
        },
    )
    .await
}

/// A resident's disability assessments
///
/// Newest first, each with its status now (`current`, `superseded`, `expired`). For whoever may
/// see the resident's care records (a hospital desk: none).
#[utoipa::path(get, tag = "long-term care",
    params(("id" = String, Path, description = "The resident's id (a UUID)")),
    responses((status = 200, description = "The assessments", body = Vec<AssessmentRecord>),
        (status = 404, description = "`not_found`: no such resident, or not one the caller may see", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/residents/{id}/assessments")]
pub async fn list_assessments(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = parse_id(&id, "resident")?;
    let list = http::db(&state, move |conn| flow::list(conn, &user, &id)).await?;
    Ok(http::json(StatusCode::OK, &list))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ClaimQuery {
    /// The month, `YYYY-MM` (default: this month in the district).
    #[param(
        pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])$",
        example = "2026-12"
    )]
    pub month: Option<String>,
    /// The provider (a clinic). Admin: optional (every provider); a scheduler: their own clinic
    /// (default), another's is 404.
    pub organization_id: Option<String>,
    /// `csv` for a CSV download (also chosen by `Accept: text/csv`); anything else answers JSON.
    pub format: Option<String>,
}

fn month_or_now(text: Option<&str>, tz: chrono_tz::Tz) -> AppResult<chrono::NaiveDate> {
    match text {
        Some(m) => flow::parse_month(m),
        None => Ok(chrono::Utc::now().with_timezone(&tz).date_naive()),
    }
}

/// A provider's long-term care claim for a month
///
/// The covered visits done in the month (completed, not self-paid, of a service category the
/// resident's disability grade on that day covers): resident, grade, service, minutes from
/// check-in to check-out, clinician, times and check-in/out distances. A visit checked in or
/// out far from the home is listed with `review: true` and not counted as claimed. For the
/// authority (any provider) and a clinic's scheduler (their own). JSON, or CSV with
/// `format=csv` / `Accept: text/csv`.
#[utoipa::path(get, tag = "long-term care", params(ClaimQuery),
    responses((status = 200, description = "The claim (JSON; with `format=csv` or `Accept: text/csv`, the lines as `text/csv`)",
            content((Claim = "application/json"), (String = "text/csv"))),
        (status = 403, description = "`forbidden`: only the authority and the clinics' schedulers read claims", body = crate::error::Problem),
        (status = 404, description = "`not_found`: another organisation's claim", body = crate::error::Problem),
        (status = 422, description = "`validation_failed`: `month` is not YYYY-MM", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/claims")]
pub async fn claims(
    user: CurrentUser,
    state: web::Data<AppState>,
    req: actix_web::HttpRequest,
    q: web::Query<ClaimQuery>,
) -> AppResult<HttpResponse> {
    let month = month_or_now(q.month.as_deref(), state.tz)?;
    let csv = http::wants_csv(q.format.as_deref(), &req);
    let org = q.organization_id.clone();
    let claim = http::db(&state, move |conn| flow::claims(conn, &user, month, org)).await?;
    if csv {
        let name = format!("ltc-claim-{}.csv", claim.month);
        return Ok(http::csv(&name, claim.to_csv(http::csv_cell)));
    }
    Ok(http::json(StatusCode::OK, &claim))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct MonthQuery {
    /// The month, `YYYY-MM` (default: this month in the district).
    #[param(
        pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])$",
        example = "2026-12"
    )]
    pub month: Option<String>,
}

/// A resident's long-term care entitlements in a month
///
/// For each service category the resident's grade covers: what the month grants (the grade's
/// monthly grant, shared out by days when the grade began, changed or ended in the month), what
/// covered visits booked or done in it use (self-paid ones do not count), and what remains.
/// Booking past it answers 409 `entitlement_exceeded` unless the visit is `self_paid`.
#[utoipa::path(get, tag = "long-term care", params(("id" = String, Path, description = "The resident's id (a UUID)"), MonthQuery),
    responses((status = 200, description = "The month's entitlements", body = Entitlements),
        (status = 404, description = "`not_found`: no such resident, or not one the caller may see", body = crate::error::Problem),
        (status = 422, description = "`validation_failed`: `month` is not YYYY-MM", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/residents/{id}/entitlements")]
pub async fn entitlements(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    q: web::Query<MonthQuery>,
) -> AppResult<HttpResponse> {
    let id = parse_id(&id, "resident")?;
    let month = month_or_now(q.month.as_deref(), state.tz)?;
    let out = http::db(&state, move |conn| {
        flow::entitlements(conn, &user, &id, month)
    })
    .await?;
    Ok(http::json(StatusCode::OK, &out))
}
