//! HTTP: `/api/v1/staff` and `/api/v1/residents`.
use actix_web::http::StatusCode;
use actix_web::{get, patch, post, web, HttpResponse};
use serde::Deserialize;

use super::model::{
    NewResident, NewStaff, Resident, ResidentChanges, ResidentFields, Staff, StaffChanges,
};
use super::repo::{self, StaffFilter};
use super::residents::{self, ResidentFilter};
use crate::app::AppState;
use crate::audit;
use crate::auth::{password, policy, CurrentUser, Role};
use crate::error::{AppError, AppResult};
use crate::http::extract::{parse_id, IdempotencyKey, IfMatch};
use crate::http::pagination::{Page, PageParams};
use crate::http::{self, to_value};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct StaffQuery {
    pub role: Option<Role>,
    pub organization_id: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/staff", tag = "people", params(StaffQuery, PageParams),
    responses((status = 200, body = inline(Page<Staff>))), security(("bearer" = [])))]
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

#[utoipa::path(get, path = "/api/v1/staff/{id}", tag = "people",
    responses((status = 200, body = Staff), (status = 404, body = crate::error::Problem)), security(("bearer" = [])))]
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

#[utoipa::path(post, path = "/api/v1/staff", tag = "people", request_body = NewStaff,
    responses((status = 201, body = Staff), (status = 403, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
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
        let row = repo::insert(conn, &new, &hash)?;
        let after = to_value(&row.to_api())?;
        audit::record(
            conn,
            Some(user),
            "create",
            "staff",
            &row.id,
            None,
            Some(&after),
        )?;
        Ok((StatusCode::CREATED, after))
    })
    .await
}

#[utoipa::path(patch, path = "/api/v1/staff/{id}", tag = "people", request_body = StaffChanges,
    responses((status = 200, body = Staff), (status = 404, body = crate::error::Problem),
        (status = 412, body = crate::error::Problem)), security(("bearer" = [])))]
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

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ResidentQuery {
    pub community_id: Option<String>,
    pub care_home_id: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/residents", tag = "people", params(ResidentQuery, PageParams),
    responses((status = 200, body = inline(Page<Resident>))), security(("bearer" = [])))]
#[get("/residents")]
pub async fn list_residents(
    user: CurrentUser,
    state: web::Data<AppState>,
    q: web::Query<ResidentQuery>,
    page: web::Query<PageParams>,
) -> AppResult<HttpResponse> {
    let page = page.parse()?;
    let scope = policy::resident_scope(&user);
    let filter = ResidentFilter {
        community_id: q.community_id.clone(),
        care_home_id: q.care_home_id.clone(),
    };
    let p = page.clone();
    let rows = http::db(&state, move |conn| {
        let rows = residents::list(conn, &scope, &filter, &p)?;
        audit::record_reads(conn, &user, "resident", rows.iter().map(|r| r.id.as_str()))?;
        Ok(rows)
    })
    .await?;
    Ok(
        HttpResponse::Ok()
            .json(Page::from_rows(rows, &page, |r| r.id.as_str()).map(|r| r.to_api())),
    )
}

#[utoipa::path(get, path = "/api/v1/residents/{id}", tag = "people",
    responses((status = 200, body = Resident), (status = 404, body = crate::error::Problem)), security(("bearer" = [])))]
#[get("/residents/{id}")]
pub async fn get_resident(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let (id, scope) = (parse_id(&id, "resident")?, policy::resident_scope(&user));
    let row = http::db(&state, move |conn| {
        let row = residents::find_scoped(conn, &scope, &id)?
            .ok_or_else(|| AppError::missing("resident"))?;
        audit::record_reads(conn, &user, "resident", std::iter::once(row.id.as_str()))?;
        Ok(row)
    })
    .await?;
    Ok(http::json(StatusCode::OK, &row.to_api()))
}

fn today(state: &AppState) -> chrono::NaiveDate {
    chrono::Utc::now().with_timezone(&state.tz).date_naive()
}

#[utoipa::path(post, path = "/api/v1/residents", tag = "people", request_body = NewResident,
    responses((status = 201, body = Resident), (status = 403, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)), security(("bearer" = [])))]
#[post("/residents")]
pub async fn create_resident(
    user: CurrentUser,
    state: web::Data<AppState>,
    key: IdempotencyKey,
    body: crate::http::Json<NewResident>,
) -> AppResult<HttpResponse> {
    policy::require_role(&user, policy::RESIDENT_WRITERS)?;
    let mut new = body.into_inner();
    if user.role == Role::CareHome && new.care_home_id.is_none() {
        new.care_home_id = user.organization_id.clone();
    }
    ResidentFields {
        name: &new.name,
        birth_date: new.birth_date,
        phone: &new.phone,
        address: &new.address,
        location: new.location,
        conditions: &new.conditions,
        id_number: new.id_number.as_deref(),
    }
    .validate(today(&state))?;
    http::idempotent_post(
        &state,
        user,
        key,
        "POST /residents",
        new,
        |conn, user, new| {
            let scope = policy::resident_scope(user);
            let at = residents::check_placement(
                conn,
                &scope,
                new.community_id.as_deref(),
                new.care_home_id.as_deref(),
            )?;
            if let Some(d) = &new.family_doctor_id {
                residents::check_family_doctor(conn, &scope, d)?;
            }
            let row = residents::insert(conn, &new, &at)?;
            let after = to_value(&row.to_api())?;
            audit::record(
                conn,
                Some(user),
                "create",
                "resident",
                &row.id,
                None,
                Some(&after),
            )?;
            Ok((StatusCode::CREATED, after))
        },
    )
    .await
}

#[utoipa::path(patch, path = "/api/v1/residents/{id}", tag = "people", request_body = ResidentChanges,
    responses((status = 200, body = Resident), (status = 404, body = crate::error::Problem),
        (status = 412, body = crate::error::Problem)), security(("bearer" = [])))]
#[patch("/residents/{id}")]
pub async fn update_resident(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    if_match: IfMatch,
    body: crate::http::Json<ResidentChanges>,
) -> AppResult<HttpResponse> {
    let (id, scope) = (parse_id(&id, "resident")?, policy::resident_scope(&user));
    let ch = body.into_inner();
    let today = today(&state);
    http::patch(&state, move |conn| {
        let row = residents::find_scoped(conn, &scope, &id)?
            .ok_or_else(|| AppError::missing("resident"))?;
        policy::require_role(&user, policy::RESIDENT_WRITERS)?;
        if_match.check(row.version)?;
        let conditions = ch.conditions.clone().unwrap_or_else(|| row.conditions());
        ResidentFields {
            name: ch.name.as_deref().unwrap_or(&row.name),
            birth_date: ch.birth_date.unwrap_or(row.birth_date()),
            phone: ch.phone.as_deref().unwrap_or(&row.phone),
            address: ch.address.as_deref().unwrap_or(&row.address),
            location: ch.location.unwrap_or(row.location()),
            conditions: &conditions,
            id_number: ch.id_number.as_deref(),
        }
        .validate(today)?;
        let at = residents::check_placement(
            conn,
            &scope,
            Some(ch.community_id.as_deref().unwrap_or(&row.community_id)),
            ch.care_home_id.as_deref().or(row.care_home_id.as_deref()),
        )?;
        if let Some(d) = &ch.family_doctor_id {
            residents::check_family_doctor(conn, &scope, d)?;
        }
        let before = to_value(&row.to_api())?;
        let after = to_value(&residents::update(conn, &row, &ch, &at)?.to_api())?;
        audit::record(
            conn,
            Some(&user),
            "update",
            "resident",
            &id,
            Some(&before),
            Some(&after),
        )?;
        Ok(after)
    })
    .await
}
