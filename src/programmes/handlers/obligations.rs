//! HTTP: `/obligations`.
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;

use super::ctx;
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::http::extract::{parse_id, IdempotencyKey, IfMatch};
use crate::http::pagination::{Page, PageParams};
use crate::http::{self, to_value};
use crate::programmes::flow;
use crate::programmes::model::{Obligation, ObligationStatus, WaiveBody};
use crate::programmes::repo::ObligationFilter;
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ObligationQuery {
    /// Only this resident's obligations.
    pub resident_id: Option<String>,
    /// Only this clinic's obligations.
    pub clinic_id: Option<String>,
    /// Only obligations in this state today (`overdue`: the clinic's overdue list).
    pub status: Option<ObligationStatus>,
    /// Only those due before this day.
    #[param(example = "2026-12-31")]
    pub due_before: Option<NaiveDate>,
}

/// List what residents are owed
///
/// The visits owed under contracts (`source: contract`) and the public-health rules (`rule`),
/// each with its window `earliest`..`latest`, the rule and version that owes it, and its status
/// today. Scoped like residents (a hospital sees none). Filters by resident, clinic, status and
/// `due_before`; paged.
#[utoipa::path(get, tag = "programmes", params(ObligationQuery, PageParams),
    responses((status = 200, description = "A page of obligations", body = inline(Page<Obligation>))),
    security(("bearer" = [])))]
#[get("/obligations")]
pub async fn list_obligations(
    user: CurrentUser,
    state: web::Data<AppState>,
    q: web::Query<ObligationQuery>,
    page: web::Query<PageParams>,
) -> AppResult<HttpResponse> {
    let page = page.parse()?;
    let due_before = q
        .due_before
        .map(|d| crate::http::extract::check_day("due_before", d))
        .transpose()?;
    let filter = ObligationFilter {
        resident_id: q.resident_id.clone(),
        clinic_id: q.clinic_id.clone(),
        status: q.status,
        due_before,
        source_id: None,
    };
    let (p, st) = (page.clone(), state.clone());
    let (rows, today) = http::db(&state, move |conn| {
        let today = ctx(&st)?.today;
        Ok((flow::obligations(conn, &user, &filter, today, &p)?, today))
    })
    .await?;
    Ok(HttpResponse::Ok()
        .json(Page::from_rows(rows, &page, |r| r.id.as_str()).map(|r| r.to_api(today))))
}

/// Read one obligation
///
/// Same visibility as the list (any other is 404). Served with an `ETag`.
#[utoipa::path(get, tag = "programmes",
    params(("id" = String, Path, description = "The obligation's id (a UUID)")),
    responses((status = 200, description = "The obligation", body = Obligation),
        (status = 404, description = "`not_found`: no such obligation, or not one the caller may see", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/obligations/{id}")]
pub async fn get_obligation(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = parse_id(&id, "obligation")?;
    let st = state.clone();
    let o = http::db(&state, move |conn| {
        let today = ctx(&st)?.today;
        Ok(flow::obligation(conn, &user, &id)?.to_api(today))
    })
    .await?;
    Ok(http::json(StatusCode::OK, &o))
}

/// Waive an obligation
///
/// It is no longer owed (`declined`, `hospitalised`, `moved_away`, `deceased`, or `other` with a
/// comment): its requested visit is cancelled with the reason. Clinic staff and admin; an
/// obligation already met or waived answers 409. Audited; `obligation.waived` to the clinic.
#[utoipa::path(post, tag = "programmes",
    params(("id" = String, Path, description = "The obligation's id (a UUID)"),
        ("Idempotency-Key" = Option<String>, Header, description = "1 to 255 characters: a retry with the same key and body replays the first answer"),
        ("If-Match" = Option<String>, Header, description = "The obligation's `ETag` (version) last read, e.g. `\"2\"`")),
    request_body(content = WaiveBody, example = json!({"reason": "hospitalised", "comment": "住院治疗中"})),
    responses((status = 200, description = "The obligation, waived", body = Obligation),
        (status = 403, description = "`forbidden`: only clinic staff and admin waive", body = crate::error::Problem),
        (status = 404, description = "`not_found`: no such obligation, or not one the caller may see", body = crate::error::Problem),
        (status = 409, description = "`invalid_transition`: already met or waived; `concurrent_update`", body = crate::error::Problem),
        (status = 412, description = "`version_mismatch`: the obligation changed since the `If-Match` version", body = crate::error::Problem),
        (status = 422, description = "`validation_failed`: an unknown reason; `other` without a comment; a comment over 500 characters", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/obligations/{id}/waive")]
pub async fn waive_obligation(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    key: IdempotencyKey,
    if_match: IfMatch,
    body: crate::http::Json<WaiveBody>,
) -> AppResult<HttpResponse> {
    let id = parse_id(&id, "obligation")?;
    let st = state.clone();
    http::idempotent_post(
        &state,
        user,
        key,
        "POST /obligations/{id}/waive",
        (id, body.into_inner()),
        move |conn, user, (id, b)| {
            let o = flow::waive(conn, &ctx(&st)?, user, &id, &b, |v| if_match.check(v))?;
            Ok((StatusCode::OK, to_value(&o)?))
        },
    )
    .await
}
