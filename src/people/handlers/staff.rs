//! HTTP: `/api/v1/staff`: the staff of the network, clinicians with their skills.
use actix_web::http::StatusCode;
use actix_web::{get, patch, post, web, HttpResponse};
use serde::Deserialize;

use crate::audit;
use crate::auth::{password, policy, CurrentUser, Role};
use crate::error::{AppError, AppResult};
use crate::http::extract::{parse_id, IdempotencyKey, IfMatch};
use crate::http::pagination::{Page, PageParams};
use crate::http::{self, to_value};
use crate::people::model::{NewStaff, Staff, StaffChanges};
use crate::people::repo::{self, StaffFilter};
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
    let (scope, filter, p) = (
        policy::staff_scope(&user),
        StaffFilter {
            role: q.role,
            organization_id: q.organization_id.clone(),
        },
        page.clone(),
    );
    let rows = http::db(&state, move |conn| {
        Ok(repo::list(conn, &scope, &filter, &p)?)
    })
    .await?;
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
    let (id, scope) = (parse_id(&id, "staff member")?, policy::staff_scope(&user));
    let row = http::db(&state, move |conn| {
        repo::find_scoped(conn, &scope, &id)?.ok_or_else(|| AppError::missing("staff member"))
    })
    .await?;
    Ok(http::json(StatusCode::OK, &row.to_api()))
}

/// Admin creates any account; a scheduler creates clinicians of their own clinic.
fn may_create(user: &CurrentUser, mut new: NewStaff) -> AppResult<NewStaff> {
    policy::require_role(user, policy::STAFF_WRITERS)?;
    if user.role == Role::Scheduler {
        if new.role != Role::Clinician {
            return Err(AppError::forbidden(
                "A scheduler may create clinician accounts only.",
            ));
        }
        let own = user.organization_id.clone();
        if new.organization_id.is_some() && new.organization_id != own {
            return Err(AppError::forbidden(
                "A scheduler may create accounts for their own clinic only.",
            ));
        }
        new.organization_id = own;
    }
    Ok(new)
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
    let new = may_create(&user, body.into_inner())?;
    new.validate(state.settings.auth.min_password_length)?;
    http::idempotent_post(&state, user, key, "POST /staff", new, |conn, user, new| {
        let hash = password::hash(&new.password).map_err(AppError::internal)?;
        let row = crate::people::flow::add_login(conn, Some(user), &new, &hash)?;
        Ok((StatusCode::CREATED, to_value(&row.to_api())?))
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
    let (id, scope) = (parse_id(&id, "staff member")?, policy::staff_scope(&user));
    let changes = body.into_inner();
    changes.validate(state.settings.auth.min_password_length)?;
    http::patch(&state, move |conn| {
        let row = repo::find_scoped(conn, &scope, &id)?
            .ok_or_else(|| AppError::missing("staff member"))?;
        policy::require_role(&user, policy::STAFF_WRITERS)?;
        if user.role == Role::Scheduler && row.role() != Some(Role::Clinician) {
            return Err(AppError::forbidden(
                "A scheduler may change clinician accounts only.",
            ));
        }
        if_match.check(row.version)?;
        let hash = changes
            .password
            .as_deref()
            .map(password::hash)
            .transpose()
            .map_err(AppError::internal)?;
        let before = to_value(&row.to_api())?;
        if http::is_no_change(&changes) {
            return Ok(before);
        }
        let after = to_value(&repo::update(conn, &row, &changes, hash.clone())?.to_api())?;
        if hash.is_some() {
            // A new password ends every other session of that user (a reset after a leak must
            // lock the holder of a stolen token or refresh token out at once).
            let keep = (user.id == id).then_some(user.session_id.as_str());
            crate::auth::repo::revoke_sessions_of(
                conn,
                &id,
                keep,
                "password_changed",
                crate::db::now(),
            )?;
        }
        audit::record(
            conn,
            Some(&user),
            "update",
            "staff",
            &id,
            Some(&before),
            Some(&after),
        )?;
        Ok(after)
    })
    .await
}
