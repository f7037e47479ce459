//! HTTP for care programmes: `/service-packages`, `/contracts`, `/obligations`,
//! `/referral-drafts` and `/programmes/run`. Each parses, calls one flow, answers.
use actix_web::http::StatusCode;
use actix_web::{get, patch, post, web, HttpResponse};

use super::flow::{self, Ctx};
use super::model::packages::{Package, PackageChanges};
use crate::auth::{policy, CurrentUser, Role};
use crate::error::AppResult;
use crate::http::extract::IfMatch;
use crate::http::{self, to_value};
use crate::state::AppState;

mod contracts;
mod drafts;
mod obligations;
mod report;

pub use contracts::{
    create_contract, get_contract, list_contracts, renew_contract, terminate_contract,
};
pub use drafts::{
    discard_referral_draft, get_referral_draft, list_referral_drafts, send_referral_draft,
};
pub use obligations::{get_obligation, list_obligations, waive_obligation};
pub use report::programmes_report;

pub(crate) fn ctx(state: &AppState) -> AppResult<Ctx<'_>> {
    Ctx::new(&state.settings, state.tz)
}

/// List the contract packages
///
/// The district's family-doctor contract packages (家庭医生签约服务包), seeded from
/// `config/seed/service_packages.json` and editable by admin: who may sign each and what it owes
/// a year. Any signed-in user.
#[utoipa::path(get, tag = "programmes",
    responses((status = 200, description = "Every package, by code", body = Vec<Package>)),
    security(("bearer" = [])))]
#[get("/service-packages")]
pub async fn list_packages(
    _user: CurrentUser,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let list = http::db(&state, flow::packages).await?;
    Ok(HttpResponse::Ok().json(list))
}

/// Change a contract package
///
/// Admin only. Contracts already signed keep the price they were signed at; what they owe from
/// now on follows the new items. Send `If-Match` with the package's `version` to be safe from a
/// concurrent change. Audited.
#[utoipa::path(patch, tag = "programmes",
    params(("code" = String, Path, description = "The package's code, e.g. `hypertension`"),
        ("If-Match" = Option<String>, Header, description = "The package's `ETag` (version) last read, e.g. `\"2\"`")),
    request_body(content = PackageChanges, example = json!({"price_yuan": 130, "items": [{"service_type": "blood_pressure_check", "per_year": 12}]})),
    responses((status = 200, description = "The package after the change", body = Package),
        (status = 403, description = "`forbidden`: only admin changes packages", body = crate::error::Problem),
        (status = 404, description = "`not_found`: no such package", body = crate::error::Problem),
        (status = 412, description = "`version_mismatch`: the package changed since the `If-Match` version", body = crate::error::Problem),
        (status = 422, description = "`validation_failed`: a blank name, a price out of range, an unknown service type or condition group, `per_year` out of 1-52", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[patch("/service-packages/{code}")]
pub async fn update_package(
    user: CurrentUser,
    state: web::Data<AppState>,
    code: web::Path<String>,
    if_match: IfMatch,
    body: crate::http::Json<PackageChanges>,
) -> AppResult<HttpResponse> {
    policy::require_role(&user, &[Role::Admin])?;
    let (code, changes, st) = (code.into_inner(), body.into_inner(), state.clone());
    http::patch(&state, move |conn| {
        let ctx = ctx(&st)?;
        let p = flow::update_package(conn, &ctx, &user, &code, &changes, |v| if_match.check(v))?;
        to_value(&p)
    })
    .await
}

/// Run the programme pass now
///
/// Admin only. What every instance does every `programmes.scan_interval_seconds`: contracts past
/// their end expire, the engine computes what every resident is owed (running it twice changes
/// nothing), visits within the planning horizon are requested, and obligations newly overdue are
/// announced to their clinic. Answers what it did.
#[utoipa::path(post, tag = "programmes",
    responses((status = 200, description = "What the pass did: residents seen, obligations made and met, drafts, visits requested, overdue announced, contracts expired", body = Object,
        example = json!({"residents": 120, "made": 36, "met": 2, "drafts": 0, "requested": 9, "overdue": 1, "expired": 0})),
        (status = 403, description = "`forbidden`: only admin runs the pass", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/programmes/run")]
pub async fn run_pass(user: CurrentUser, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    policy::require_role(&user, &[Role::Admin])?;
    let st = state.clone();
    let summary = http::db(&state, move |conn| {
        super::job::pass(conn, &st.settings, st.tz)
    })
    .await?;
    Ok(http::json(StatusCode::OK, &summary))
}
