//! HTTP: `/api/v1/organizations`. The pilot network is a directory every signed-in user may read;
//! only the authority (admin) changes it. Each handler parses, calls one use case of `flow`, answers.
use actix_web::http::StatusCode;
use actix_web::{get, patch, post, web, HttpResponse};
use serde::Deserialize;

use super::flow;
use super::model::{NewOrganization, OrgKind, Organization, OrganizationChanges};
use super::repo::OrgFilter;
use crate::auth::{policy, CurrentUser, Role};
use crate::error::AppResult;
use crate::http::extract::{parse_id, IdempotencyKey, IfMatch};
use crate::http::pagination::{Page, PageParams};
use crate::http::{self, to_value};
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct OrgQuery {
    /// Only organisations of this kind.
    pub kind: Option<OrgKind>,
    /// Only those standing in this community (its id).
    pub community_id: Option<String>,
    /// Only the organisation with this code, e.g. `WH-CL-01`.
    pub code: Option<String>,
}

/// List the organisations of the pilot network
///
/// Any signed-in user: the network is a directory every role may read. Filters by `kind`,
/// `community_id` and `code`; paged with `limit` and `cursor`, in creation order.
#[utoipa::path(get, tag = "organizations", params(OrgQuery, PageParams),
    responses((status = 200, description = "A page of organisations", body = inline(Page<Organization>))), security(("bearer" = [])))]
#[get("/organizations")]
pub async fn list_organizations(
    _user: CurrentUser,
    state: web::Data<AppState>,
    q: web::Query<OrgQuery>,
    page: web::Query<PageParams>,
) -> AppResult<HttpResponse> {
    let page = page.parse()?;
    let filter = OrgFilter {
        kind: q.kind,
        community_id: q.community_id.clone(),
        code: q.code.clone(),
    };
    let p = page.clone();
    let rows = http::db(&state, move |conn| flow::list(conn, &filter, &p)).await?;
    let page = Page::from_rows(rows, &page, |r| r.id.as_str()).map(|r| r.to_api());
    Ok(HttpResponse::Ok().json(page))
}

/// Read one organisation
///
/// Any signed-in user. Served with an `ETag` (its `version`) for a later `If-Match`.
#[utoipa::path(get, tag = "organizations",
    params(("id" = String, Path, description = "The organisation's id (a UUID)")),
    responses((status = 200, description = "The organisation", body = Organization),
        (status = 404, description = "`not_found`: no organisation with this id", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/organizations/{id}")]
pub async fn get_organization(
    _user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = parse_id(&id, "organization")?;
    let org = http::db(&state, move |conn| flow::get(conn, &id)).await?;
    Ok(http::json(StatusCode::OK, &org))
}

/// Add an organisation to the network
///
/// Admin (the district health authority) only. Clinics and care homes name the community they
/// stand in; only a care home names the clinic it has signed with (`contracted_clinic_id`). The
/// change is audited. With an `Idempotency-Key`, a retry replays the first answer.
#[utoipa::path(post, tag = "organizations",
    params(("Idempotency-Key" = Option<String>, Header, description = "1 to 255 characters: a retry with the same key and body replays the first answer")),
    request_body(content = NewOrganization, example = json!({"code": "WH-CH-21", "name": "五华区福康养老院",
        "kind": "care_home", "community_id": "01938a6e-1f00-7c1a-9b2e-3f4a5b6c7d01",
        "address": "昆明市五华区人民西路 128 号", "location": {"lat": 25.0452, "lon": 102.6891},
        "contracted_clinic_id": "01938a6e-2a10-7d2b-8c3f-4a5b6c7d8e02", "pilot": true})),
    responses((status = 201, description = "The new organisation", body = Organization),
        (status = 403, description = "`forbidden`: only admin adds organisations", body = crate::error::Problem),
        (status = 409, description = "`code_taken`: another organisation has this code", body = crate::error::Problem),
        (status = 422, description = "`validation_failed`: invalid fields (code, name, address, location; community_id \
required for a clinic or care home, none for a community; contracted_clinic_id only for a care home, and it must name a \
clinic); `idempotency_key_reused`: the Idempotency-Key was used with another body", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/organizations")]
pub async fn create_organization(
    user: CurrentUser,
    state: web::Data<AppState>,
    key: IdempotencyKey,
    body: crate::http::Json<NewOrganization>,
) -> AppResult<HttpResponse> {
    policy::require_role(&user, &[Role::Admin])?;
    body.validate()?;
    http::idempotent_post(
        &state,
        user,
        key,
        "POST /organizations",
        body.into_inner(),
        |conn, user, new| {
            let org = flow::create(conn, user, &new)?;
            Ok((StatusCode::CREATED, to_value(&org)?))
        },
    )
    .await
}

/// Change an organisation
///
/// Admin only. Changes only the fields sent (name, address, location, contracted clinic, pilot,
/// active); kind, code and community stay. Send the `ETag` you read as `If-Match` to be sure nobody
/// changed it meanwhile. The change is audited.
#[utoipa::path(patch, tag = "organizations",
    params(("id" = String, Path, description = "The organisation's id (a UUID)"),
        ("If-Match" = Option<String>, Header, description = "The `ETag` (version) last read, e.g. `\"3\"`")),
    request_body(content = OrganizationChanges, example = json!({"name": "华山街道社区卫生服务中心", "active": true,
        "location": {"lat": 25.0419, "lon": 102.7052}})),
    responses((status = 200, description = "The changed organisation", body = Organization),
        (status = 404, description = "`not_found`: no organisation with this id", body = crate::error::Problem),
        (status = 412, description = "`version_mismatch`: the organisation changed since the `If-Match` version", body = crate::error::Problem),
        (status = 422, description = "`validation_failed`: invalid fields (name, location; contracted_clinic_id only for a \
care home, and it must name a clinic)", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[patch("/organizations/{id}")]
pub async fn update_organization(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    if_match: IfMatch,
    body: crate::http::Json<OrganizationChanges>,
) -> AppResult<HttpResponse> {
    policy::require_role(&user, &[Role::Admin])?;
    let id = parse_id(&id, "organization")?;
    let changes = body.into_inner();
    // A PATCH that sends no field changes nothing (http::is_no_change).
    let changes = (!http::is_no_change(&changes)).then_some(changes);
    http::patch(&state, move |conn| {
        let check = |v| if_match.check(v);
        to_value(&flow::update(conn, &user, &id, changes.as_ref(), check)?)
    })
    .await
}
