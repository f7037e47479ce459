//! HTTP: `/api/v1/organizations`. The pilot network is a directory every signed-in user may read;
//! only the authority (admin) changes it.
use actix_web::http::StatusCode;
use actix_web::{get, patch, post, web, HttpResponse};
use serde::Deserialize;

use super::model::{NewOrganization, OrgKind, Organization, OrganizationChanges};
use super::repo::{self, OrgFilter};
use crate::app::AppState;
use crate::audit;
use crate::auth::{policy, CurrentUser, Role};
use crate::error::{AppError, AppResult};
use crate::http::extract::{parse_id, IdempotencyKey, IfMatch};
use crate::http::pagination::{Page, PageParams};
use crate::http::{self, to_value};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct OrgQuery {
    pub kind: Option<OrgKind>,
    pub community_id: Option<String>,
    pub code: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/organizations", tag = "organizations", params(OrgQuery, PageParams),
    responses((status = 200, body = inline(Page<Organization>))), security(("bearer" = [])))]
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
    let rows = http::db(&state, move |conn| Ok(repo::list(conn, &filter, &p)?)).await?;
    let page = Page::from_rows(rows, &page, |r| r.id.as_str()).map(|r| r.to_api());
    Ok(HttpResponse::Ok().json(page))
}

#[utoipa::path(get, path = "/api/v1/organizations/{id}", tag = "organizations",
    responses((status = 200, body = Organization), (status = 404, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/organizations/{id}")]
pub async fn get_organization(
    _user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = parse_id(&id, "organization")?;
    let row = http::db(&state, move |conn| {
        repo::find(conn, &id)?.ok_or_else(|| AppError::missing("organization"))
    })
    .await?;
    Ok(http::json(StatusCode::OK, &row.to_api()))
}

#[utoipa::path(post, path = "/api/v1/organizations", tag = "organizations", request_body = NewOrganization,
    responses((status = 201, body = Organization), (status = 403, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)),
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
            let row = repo::insert(conn, &new)?;
            let after = to_value(&row.to_api())?;
            audit::record(
                conn,
                Some(user),
                "create",
                "organization",
                &row.id,
                None,
                Some(&after),
            )?;
            Ok((StatusCode::CREATED, after))
        },
    )
    .await
}

#[utoipa::path(patch, path = "/api/v1/organizations/{id}", tag = "organizations", request_body = OrganizationChanges,
    responses((status = 200, body = Organization), (status = 404, body = crate::error::Problem),
        (status = 412, body = crate::error::Problem)),
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
    http::patch(&state, move |conn| {
        let row = repo::find(conn, &id)?.ok_or_else(|| AppError::missing("organization"))?;
        if_match.check(row.version)?;
        changes.validate(row.kind())?;
        let before = to_value(&row.to_api())?;
        let after = to_value(&repo::update(conn, &row, &changes)?.to_api())?;
        audit::record(
            conn,
            Some(&user),
            "update",
            "organization",
            &id,
            Some(&before),
            Some(&after),
        )?;
        Ok(after)
    })
    .await
}
