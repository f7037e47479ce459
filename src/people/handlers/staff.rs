//! HTTP: `/api/v1/staff`: the staff of the network, clinicians with their skills.
use actix_web::http::StatusCode;
use actix_web::{get, patch, post, web, HttpResponse};
use serde::Deserialize;

use crate::auth::{CurrentUser, Role};
use crate::error::AppResult;
use crate::http::extract::{parse_id, IdempotencyKey, IfMatch};
use crate::http::pagination::{Page, PageParams};
use crate::http::{self, to_value};
use crate::people::flow::staff as flow;
use crate::people::model::{NewStaff, Staff, StaffChanges};
use crate::people::repo::StaffFilter;
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct StaffQuery {
    /// Only accounts of this role.
    pub role: Option<Role>,
    /// Only accounts of this organisation (its id).
    pub organization_id: Option<String>,
}

/// List staff accounts
///
/// Admin sees every account; schedulers and clinicians see their own clinic's staff; every other
/// role sees only its own account. Filters by `role` and `organization_id`; paged with `limit`
/// and `cursor`, in creation order.
#[utoipa::path(get, tag = "people", params(StaffQuery, PageParams),
    responses((status = 200, description = "A page of accounts", body = inline(Page<Staff>))), security(("bearer" = [])))]
#[get("/staff")]
pub async fn list_staff(
    user: CurrentUser,
    state: web::Data<AppState>,
    q: web::Query<StaffQuery>,
    page: web::Query<PageParams>,
) -> AppResult<HttpResponse> {
    let page = page.parse()?;
    let filter = StaffFilter {
        role: q.role,
        organization_id: q.organization_id.clone(),
    };
    let p = page.clone();
    let rows = http::db(&state, move |conn| flow::list(conn, &user, &filter, &p)).await?;
    Ok(
        HttpResponse::Ok()
            .json(Page::from_rows(rows, &page, |r| r.id.as_str()).map(|r| r.to_api())),
    )
}

/// Read one staff account
///
/// Same visibility as the list: admin any account, schedulers and clinicians their clinic's
/// staff, others only themselves; any other account is 404. Served with an `ETag`.
#[utoipa::path(get, tag = "people",
    params(("id" = String, Path, description = "The account's id (a UUID)")),
    responses((status = 200, description = "The account", body = Staff),
        (status = 404, description = "`not_found`: no such account, or not one the caller may see", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/staff/{id}")]
pub async fn get_staff(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = parse_id(&id, "staff member")?;
    let row = http::db(&state, move |conn| flow::get(conn, &user, &id)).await?;
    Ok(http::json(StatusCode::OK, &row.to_api()))
}

/// Create a staff (or resident) login
///
/// Admin creates any account; a scheduler creates clinician accounts of their own clinic only
/// (the organisation defaults to it). The organisation must be of the role's kind (a clinic for
/// schedulers and clinicians, a care home, a hospital); a `resident` login names its resident
/// record instead. The password is stored hashed, never shown. Audited; with an
/// `Idempotency-Key`, a retry replays the first answer.
#[utoipa::path(post, tag = "people",
    params(("Idempotency-Key" = Option<String>, Header, description = "1 to 255 characters: a retry with the same key and body replays the first answer")),
    request_body(content = NewStaff, example = json!({"username": "nurse03", "display_name": "李芳",
        "role": "clinician", "organization_id": "01938a6e-2a10-7d2b-8c3f-4a5b6c7d8e02",
        "skills": ["nursing", "wound_care"], "password": "Kunming-spring-2026"})),
    responses((status = 201, description = "The new account", body = Staff),
        (status = 403, description = "`forbidden`: the role may not create accounts, or a scheduler asked for a \
non-clinician or another clinic's account", body = crate::error::Problem),
        (status = 409, description = "`username_taken`: the username is in use", body = crate::error::Problem),
        (status = 422, description = "`validation_failed`: invalid fields (username, display_name, skills, password; \
organization_id required for the role and of its kind; resident_id required for, and only for, a resident login); \
`idempotency_key_reused`: the Idempotency-Key was used with another body", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/staff")]
pub async fn create_staff(
    user: CurrentUser,
    state: web::Data<AppState>,
    key: IdempotencyKey,
    body: crate::http::Json<NewStaff>,
) -> AppResult<HttpResponse> {
    let min = state.settings.auth.min_password_length;
    let new = flow::check_new(&user, body.into_inner(), min)?;
    http::idempotent_post(&state, user, key, "POST /staff", new, |conn, user, new| {
        let staff = flow::create(conn, user, &new)?;
        Ok((StatusCode::CREATED, to_value(&staff)?))
    })
    .await
}

/// Change a staff account
///
/// Admin changes any account; a scheduler changes the clinician accounts of their own clinic.
/// Changes only the fields sent: display name, skills, active (false disables the login at once),
/// password. An account the caller may not see is 404. Send the `ETag` as `If-Match` to be sure
/// nobody changed it meanwhile. Audited.
#[utoipa::path(patch, tag = "people",
    params(("id" = String, Path, description = "The account's id (a UUID)"),
        ("If-Match" = Option<String>, Header, description = "The `ETag` (version) last read, e.g. `\"2\"`")),
    request_body(content = StaffChanges, example = json!({"display_name": "李芳", "skills": ["nursing", "wound_care", "rehabilitation"]})),
    responses((status = 200, description = "The changed account", body = Staff),
        (status = 403, description = "`forbidden`: the role may not change accounts, or a scheduler tried a non-clinician account", body = crate::error::Problem),
        (status = 404, description = "`not_found`: no such account, or not one the caller may see", body = crate::error::Problem),
        (status = 412, description = "`version_mismatch`: the account changed since the `If-Match` version", body = crate::error::Problem),
        (status = 422, description = "`validation_failed`: invalid fields (display_name, skills, password)", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[patch("/staff/{id}")]
pub async fn update_staff(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    if_match: IfMatch,
    body: crate::http::Json<StaffChanges>,
) -> AppResult<HttpResponse> {
    let id = parse_id(&id, "staff member")?;
    let changes = body.into_inner();
    let min = state.settings.auth.min_password_length;
    http::patch(&state, move |conn| {
        let staff = flow::change(conn, &user, &id, &changes, min, |v| if_match.check(v))?;
        to_value(&staff)
    })
    .await
}
