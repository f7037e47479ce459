//! `GET /api/v1/audit` (admin): the audit trail, newest first.
use actix_web::{get, web, HttpResponse};
use serde::Deserialize;

use super::repo::{self, AuditFilter, AuditRecord};
use crate::auth::{policy, CurrentUser, Role};
use crate::error::AppResult;
use crate::http::pagination::{Page, PageParams};
use crate::http::{
    self,
    extract::{parse_end, parse_time},
};
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct AuditQuery {
    /// Singular snake_case resource name, e.g. `resident`.
    pub entity: Option<String>,
    /// Only records of this object (its id).
    pub entity_id: Option<String>,
    /// Only records of changes (or reads) by this user.
    pub actor_id: Option<String>,
    /// RFC 3339 time or a date (its first moment in the district's time zone): records from then.
    #[param(example = "2026-12-01", value_type = Option<crate::time::Start>)]
    pub from: Option<String>,
    /// RFC 3339 time or a date (the whole day, district time): records before then.
    #[param(example = "2026-12-01T18:00:00+08:00", value_type = Option<crate::time::End>)]
    pub to: Option<String>,
}

/// Read the audit trail
///
/// Admin only. Every change (who, what, when, before and after) and every read of resident
/// records, newest first; filters by `entity`, `entity_id`, `actor_id` and the period
/// `from`/`to`; paged with `limit` and `cursor`.
#[utoipa::path(get, tag = "audit", params(AuditQuery, PageParams),
    responses((status = 200, description = "A page of audit records, newest first", body = inline(Page<AuditRecord>)),
        (status = 403, description = "`forbidden`: only admin reads the audit trail", body = crate::error::Problem),
        (status = 422, description = "`validation_failed`: `from` or `to` is neither an RFC 3339 time nor a date, or `limit` is out of range", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/audit")]
pub async fn list_audit(
    user: CurrentUser,
    state: web::Data<AppState>,
    q: web::Query<AuditQuery>,
    page: web::Query<PageParams>,
) -> AppResult<HttpResponse> {
    policy::require_role(&user, &[Role::Admin])?;
    let page = page.parse()?;
    let tz = state.tz;
    let filter = AuditFilter {
        entity: q.entity.clone(),
        entity_id: q.entity_id.clone(),
        actor_id: q.actor_id.clone(),
        from: q
            .from
            .as_deref()
            .map(|s| parse_time("from", s, tz))
            .transpose()?,
        to: q
            .to
            .as_deref()
            .map(|s| parse_end("to", s, tz))
            .transpose()?,
    };
    let rows = http::db(&state, move |conn| {
        Ok(repo::list(conn, &filter, &page).map(|r| (r, page))?)
    })
    .await?;
    let (rows, page) = rows;
    let page = Page::from_rows(rows, &page, |r| r.id.as_str()).map(AuditRecord::from);
    Ok(HttpResponse::Ok().json(page))
}
