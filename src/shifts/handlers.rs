//! HTTP: `/api/v1/shifts`. Schedulers manage their own clinic's shifts; clinic staff read them.
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;

use super::model::{NewShift, Shift, ShiftSpan};
use super::repo::{self, ShiftFilter};
use crate::app::AppState;
use crate::audit;
use crate::auth::{policy, CurrentUser, Role};
use crate::error::{AppError, AppResult};
use crate::http::extract::{parse_end, parse_id, parse_time, IdempotencyKey};
use crate::http::pagination::{Page, PageParams};
use crate::http::{self, to_value};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ShiftQuery {
    pub clinician_id: Option<String>,
    /// RFC 3339 time or date: shifts ending after it.
    pub from: Option<String>,
    /// RFC 3339 time or date: shifts starting before it.
    pub to: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/shifts", tag = "people", params(ShiftQuery, PageParams),
    responses((status = 200, body = inline(Page<Shift>))), security(("bearer" = [])))]
#[get("/shifts")]
pub async fn list_shifts(
    user: CurrentUser,
    state: web::Data<AppState>,
    q: web::Query<ShiftQuery>,
    page: web::Query<PageParams>,
) -> AppResult<HttpResponse> {
    let page = page.parse()?;
    let filter = ShiftFilter {
        clinician_id: q.clinician_id.clone(),
        from: q
            .from
            .as_deref()
            .map(|s| parse_time("from", s, state.tz))
            .transpose()?,
        to: q
            .to
            .as_deref()
            .map(|s| parse_end("to", s, state.tz))
            .transpose()?,
    };
    let (clinics, p) = (policy::shift_clinics(&user), page.clone());
    let rows = http::db(&state, move |conn| {
        Ok(repo::list(conn, &clinics, &filter, &p)?)
    })
    .await?;
    Ok(
        HttpResponse::Ok()
            .json(Page::from_rows(rows, &page, |r| r.id.as_str()).map(|r| r.to_api())),
    )
}

#[utoipa::path(get, path = "/api/v1/shifts/{id}", tag = "people",
    responses((status = 200, body = Shift), (status = 404, body = crate::error::Problem)), security(("bearer" = [])))]
#[get("/shifts/{id}")]
pub async fn get_shift(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let (id, clinics) = (parse_id(&id, "shift")?, policy::shift_clinics(&user));
    let row = http::db(&state, move |conn| {
        repo::find_scoped(conn, &clinics, &id)?.ok_or_else(|| AppError::missing("shift"))
    })
    .await?;
    Ok(http::json(StatusCode::OK, &row.to_api()))
}

#[utoipa::path(post, path = "/api/v1/shifts", tag = "people", request_body = NewShift,
    responses((status = 201, body = Shift), (status = 403, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/shifts")]
pub async fn create_shift(
    user: CurrentUser,
    state: web::Data<AppState>,
    key: IdempotencyKey,
    body: crate::http::Json<NewShift>,
) -> AppResult<HttpResponse> {
    policy::require_role(&user, policy::SHIFT_WRITERS)?;
    let span = ShiftSpan::parse(*body.starts_at, *body.ends_at)?;
    http::idempotent_post(
        &state,
        user,
        key,
        "POST /shifts",
        body.into_inner(),
        move |conn, user, new| {
            let clinician = crate::people::repo::find(conn, &new.clinician_id)?
                .filter(|c| c.role() == Some(Role::Clinician))
                .filter(|c| user.is_admin() || c.organization_id == user.organization_id)
                .ok_or_else(|| {
                    AppError::invalid("clinician_id", "must be a clinician of your clinic")
                })?;
            let clinic_id = clinician
                .organization_id
                .clone()
                .ok_or_else(|| AppError::invalid("clinician_id", "has no clinic"))?;
            let row = repo::insert(conn, &clinician.id, &clinic_id, span)?;
            let after = to_value(&row.to_api())?;
            audit::record(
                conn,
                Some(user),
                "create",
                "shift",
                &row.id,
                None,
                Some(&after),
            )?;
            Ok((StatusCode::CREATED, after))
        },
    )
    .await
}
