//! HTTP: `/contracts`.
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;

use super::ctx;
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::http::extract::{parse_id, IdempotencyKey};
use crate::http::pagination::{Page, PageParams};
use crate::http::{self, to_value};
use crate::programmes::flow;
use crate::programmes::model::{Contract, ContractStatus, NewContract, RenewBody, TerminateBody};
use crate::programmes::repo::ContractFilter;
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ContractQuery {
    /// Only this resident's contracts.
    pub resident_id: Option<String>,
    /// Only this clinic's contracts.
    pub clinic_id: Option<String>,
    /// Only contracts in this state.
    pub status: Option<ContractStatus>,
}

/// List family-doctor contracts
///
/// Scoped like residents: a clinic sees its area's, a care home its own residents', a resident
/// their own, admin all; a hospital none. Filters by resident, clinic and status; paged.
#[utoipa::path(get, tag = "programmes", params(ContractQuery, PageParams),
    responses((status = 200, description = "A page of contracts", body = inline(Page<Contract>))),
    security(("bearer" = [])))]
#[get("/contracts")]
pub async fn list_contracts(
    user: CurrentUser,
    state: web::Data<AppState>,
    q: web::Query<ContractQuery>,
    page: web::Query<PageParams>,
) -> AppResult<HttpResponse> {
    let page = page.parse()?;
    let filter = ContractFilter {
        resident_id: q.resident_id.clone(),
        clinic_id: q.clinic_id.clone(),
        status: q.status,
    };
    let p = page.clone();
    let rows = http::db(&state, move |conn| {
        flow::contracts(conn, &user, &filter, &p)
    })
    .await?;
    Ok(
        HttpResponse::Ok()
            .json(Page::from_rows(rows, &page, |r| r.id.as_str()).map(|r| r.to_api())),
    )
}

/// Read one contract
///
/// Same visibility as the list (any other is 404). Served with an `ETag`.
#[utoipa::path(get, tag = "programmes",
    params(("id" = String, Path, description = "The contract's id (a UUID)")),
    responses((status = 200, description = "The contract", body = Contract),
        (status = 404, description = "`not_found`: no such contract, or not one the caller may see", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/contracts/{id}")]
pub async fn get_contract(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = parse_id(&id, "contract")?;
    let row = http::db(&state, move |conn| flow::contract(conn, &user, &id)).await?;
    Ok(http::json(StatusCode::OK, &row.to_api()))
}

/// Sign a family-doctor contract (签约)
///
/// Clinic staff for a resident of their clinic's area (admin for any). The packages must be
/// active and fit the resident (age, conditions); the family doctor a clinician of the clinic,
/// who becomes the resident's `family_doctor_id`. Default term: a year. A resident has at most
/// one active contract (409 `contract_exists`, enforced by the database). Signing makes what the
/// contract and the public-health rules owe (`GET /obligations`) and requests the visits due
/// within the planning horizon. Audited; `contract.signed` to the clinic and the resident.
#[utoipa::path(post, tag = "programmes",
    params(("Idempotency-Key" = Option<String>, Header, description = "1 to 255 characters: a retry with the same key and body replays the first answer")),
    request_body(content = NewContract, example = json!({"resident_id": "01938a6e-3b20-7e3c-9d4a-5b6c7d8e9f01",
        "package_codes": ["basic", "hypertension"], "family_doctor_id": "01938a6e-3b20-7e3c-9d4a-5b6c7d8e9f03",
        "starts_on": "2026-12-01"})),
    responses((status = 201, description = "The contract", body = Contract),
        (status = 403, description = "`forbidden`: only clinic staff and admin sign contracts", body = crate::error::Problem),
        (status = 404, description = "`not_found`: no such resident, or not one the caller may see", body = crate::error::Problem),
        (status = 409, description = "`contract_exists`: the resident already has an active contract", body = crate::error::Problem),
        (status = 422, description = "`validation_failed`: an unknown, inactive or unfitting package; a family doctor not a clinician of the clinic; \
`starts_on` before the resident's birth or more than a year from today; `ends_on` not after `starts_on` or over 5 years; `idempotency_key_reused`", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/contracts")]
pub async fn create_contract(
    user: CurrentUser,
    state: web::Data<AppState>,
    key: IdempotencyKey,
    body: crate::http::Json<NewContract>,
) -> AppResult<HttpResponse> {
    let st = state.clone();
    http::idempotent_post(
        &state,
        user,
        key,
        "POST /contracts",
        body.into_inner(),
        move |conn, user, new| {
            let c = flow::sign(conn, &ctx(&st)?, user, &new)?;
            Ok((StatusCode::CREATED, to_value(&c)?))
        },
    )
    .await
}

/// Terminate a contract
///
/// Ends an active contract early with a reason (clinic staff, admin). What it owed from today on
/// is waived and the visits requested for it cancelled. Audited; `contract.terminate`.
#[utoipa::path(post, tag = "programmes",
    params(("id" = String, Path, description = "The contract's id (a UUID)"),
        ("Idempotency-Key" = Option<String>, Header, description = "1 to 255 characters: a retry with the same key and body replays the first answer"),
        ("If-Match" = Option<String>, Header, description = "The contract's `ETag` (version) last read, e.g. `\"1\"`")),
    request_body(content = TerminateBody, example = json!({"reason": "搬离本社区"})),
    responses((status = 200, description = "The contract, terminated", body = Contract),
        (status = 403, description = "`forbidden`: only clinic staff and admin", body = crate::error::Problem),
        (status = 404, description = "`not_found`: no such contract, or not one the caller may see", body = crate::error::Problem),
        (status = 409, description = "`invalid_transition`: the contract is not active; `concurrent_update`", body = crate::error::Problem),
        (status = 412, description = "`version_mismatch`: the contract changed since the `If-Match` version", body = crate::error::Problem),
        (status = 422, description = "`validation_failed`: a blank reason or one over 500 characters", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/contracts/{id}/terminate")]
pub async fn terminate_contract(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    key: IdempotencyKey,
    if_match: crate::http::extract::IfMatch,
    body: crate::http::Json<TerminateBody>,
) -> AppResult<HttpResponse> {
    let id = parse_id(&id, "contract")?;
    let st = state.clone();
    http::idempotent_post(
        &state,
        user,
        key,
        "POST /contracts/{id}/terminate",
        (id, body.into_inner()),
        move |conn, user, (id, b)| {
            let c = flow::terminate(conn, &ctx(&st)?, user, &id, &b.reason, |v| {
                if_match.check(v)
            })?;
            Ok((StatusCode::OK, to_value(&c)?))
        },
    )
    .await
}

/// Renew a contract
///
/// Another term (default a year from the current end): an active contract runs on, an expired
/// one becomes active again unless the resident signed another since (409 `contract_exists`).
/// A terminated contract is not renewed: sign a new one. Audited; `contract.renewed`.
#[utoipa::path(post, tag = "programmes",
    params(("id" = String, Path, description = "The contract's id (a UUID)"),
        ("Idempotency-Key" = Option<String>, Header, description = "1 to 255 characters: a retry with the same key and body replays the first answer"),
        ("If-Match" = Option<String>, Header, description = "The contract's `ETag` (version) last read, e.g. `\"1\"`")),
    request_body(content = RenewBody, example = json!({})),
    responses((status = 200, description = "The contract, renewed", body = Contract),
        (status = 403, description = "`forbidden`: only clinic staff and admin", body = crate::error::Problem),
        (status = 404, description = "`not_found`: no such contract, or not one the caller may see", body = crate::error::Problem),
        (status = 409, description = "`invalid_transition`: a terminated contract; `contract_exists`: the resident has another active contract; `concurrent_update`", body = crate::error::Problem),
        (status = 412, description = "`version_mismatch`: the contract changed since the `If-Match` version", body = crate::error::Problem),
        (status = 422, description = "`validation_failed`: `ends_on` not after the current end, or over 5 years later", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/contracts/{id}/renew")]
pub async fn renew_contract(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    key: IdempotencyKey,
    if_match: crate::http::extract::IfMatch,
    body: crate::http::Json<RenewBody>,
) -> AppResult<HttpResponse> {
    let id = parse_id(&id, "contract")?;
    let st = state.clone();
    http::idempotent_post(
        &state,
        user,
        key,
        "POST /contracts/{id}/renew",
        (id, body.into_inner()),
        move |conn, user, (id, b)| {
            let c = flow::renew(conn, &ctx(&st)?, user, &id, &b, |v| if_match.check(v))?;
            Ok((StatusCode::OK, to_value(&c)?))
        },
    )
    .await
}
