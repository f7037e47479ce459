//! HTTP: `GET /api/v1/service-types`.
use actix_web::{get, web, HttpResponse};

use super::model::ServiceType;
use super::repo;
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::http;
use crate::state::AppState;

/// List the service catalogue
///
/// Any signed-in user. Every service type with its `code` (how a service type is named
/// everywhere else), name, category, duration and the skill a clinician needs for it. One page
/// holding the whole catalogue (`next_cursor` is always null).
#[utoipa::path(get, tag = "catalogue",
    responses((status = 200, description = "The whole catalogue", body = inline(crate::http::pagination::Page<ServiceType>))),
    security(("bearer" = [])))]
#[get("/service-types")]
pub async fn list_service_types(
    _user: CurrentUser,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let all = http::db(&state, |conn| Ok(repo::all(conn)?)).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": all, "next_cursor": null })))
}
