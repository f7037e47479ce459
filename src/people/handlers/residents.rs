//! HTTP: `/api/v1/residents`: the elderly residents served, scoped to who may see them.
use actix_web::http::StatusCode;
use actix_web::{get, patch, post, web, HttpResponse};
use serde::Deserialize;

use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::http::extract::{parse_id, IdempotencyKey, IfMatch};
use crate::http::pagination::{Page, PageParams};
use crate::http::{self, to_value};
use crate::people::flow::residents as flow;
use crate::people::model::{NewResident, Resident, ResidentChanges};
use crate::people::residents::ResidentFilter;
use crate::programmes::flow as programmes;
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ResidentQuery {
    /// Only residents of this community (its id).
    pub community_id: Option<String>,
    /// Only residents of this care home (its id).
    pub care_home_id: Option<String>,
}

/// List residents
///
/// Only the residents the caller may see: admin all; schedulers and clinicians those of their
/// clinic's community, of the care homes signed with the clinic, and those referred to or from it;
/// care-home staff their home's residents; a hospital desk the residents referred to or from it; a
/// resident login only its own record. Filters by `community_id` and `care_home_id`; paged with
/// `limit` and `cursor`. The national ID number is served masked; every read is audited.
#[utoipa::path(get, tag = "people", params(ResidentQuery, PageParams),
    responses((status = 200, description = "A page of residents", body = inline(Page<Resident>))), security(("bearer" = [])))]
#[get("/residents")]
pub async fn list_residents(
    user: CurrentUser,
    state: web::Data<AppState>,
    q: web::Query<ResidentQuery>,
    page: web::Query<PageParams>,
) -> AppResult<HttpResponse> {
    let page = page.parse()?;
    let filter = ResidentFilter {
        community_id: q.community_id.clone(),
        care_home_id: q.care_home_id.clone(),
    };
    let p = page.clone();
    let rows = http::db(&state, move |conn| flow::list(conn, &user, &filter, &p)).await?;
    Ok(
        HttpResponse::Ok()
            .json(Page::from_rows(rows, &page, |r| r.id.as_str()).map(|r| r.to_api())),
    )
}

/// Read one resident
///
/// Same visibility as the list (a resident outside the caller's scope is 404). The national ID
/// number is served masked; the read is audited. Served with an `ETag`.
#[utoipa::path(get, tag = "people",
    params(("id" = String, Path, description = "The resident's id (a UUID)")),
    responses((status = 200, description = "The resident", body = Resident),
        (status = 404, description = "`not_found`: no such resident, or not one the caller may see", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/residents/{id}")]
pub async fn get_resident(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = parse_id(&id, "resident")?;
    let row = http::db(&state, move |conn| flow::get(conn, &user, &id)).await?;
    Ok(http::json(StatusCode::OK, &row.to_api()))
}

/// Register a resident
///
/// Admin anywhere; schedulers and clinicians residents of their clinic's community or of a care
/// home signed with their clinic; care-home staff their own home's residents (`care_home_id`
/// defaults to their home). The community defaults to the care home's. A family doctor must be an
/// active clinician (of the caller's clinic, for clinic staff). Audited; with an `Idempotency-Key`,
/// a retry replays the first answer.
#[utoipa::path(post, tag = "people",
    params(("Idempotency-Key" = Option<String>, Header, description = "1 to 255 characters: a retry with the same key and body replays the first answer")),
    request_body(content = NewResident, example = json!({"name": "王秀英", "sex": "female", "birth_date": "1941-03-17",
        "phone": "0871-6536 2201", "address": "昆明市五华区华山西路 12 号 3 单元 501 室",
        "location": {"lat": 25.0436, "lon": 102.7037}, "community_id": "01938a6e-1f00-7c1a-9b2e-3f4a5b6c7d01",
        "family_doctor_id": "01938a6e-3b20-7e3c-9d4a-5b6c7d8e9f03", "conditions": ["高血压", "2型糖尿病"],
        "priority_flags": ["living_alone"], "consent": true, "id_number": "53010219410317002X"})),
    responses((status = 201, description = "The new resident (ID number masked)", body = Resident),
        (status = 403, description = "`forbidden`: the role may not register residents, or the resident would lie outside \
the area the caller serves", body = crate::error::Problem),
        (status = 422, description = "`validation_failed`: invalid fields (name, birth_date, phone, address, location, \
conditions, id_number; community_id and care_home_id must name a community and a care home, community_id is required \
without a care home; family_doctor_id must be an active clinician of the serving clinic); `idempotency_key_reused`: the \
Idempotency-Key was used with another body", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/residents")]
pub async fn create_resident(
    user: CurrentUser,
    state: web::Data<AppState>,
    key: IdempotencyKey,
    body: crate::http::Json<NewResident>,
) -> AppResult<HttpResponse> {
    let st = state.clone();
    http::idempotent_post(
        &state,
        user,
        key,
        "POST /residents",
        body.into_inner(),
        move |conn, user, new| {
            let ctx = programmes::Ctx::new(&st.settings, st.tz)?;
            let r = flow::register(conn, &ctx, user, new)?;
            Ok((StatusCode::CREATED, to_value(&r)?))
        },
    )
    .await
}

/// Change a resident
///
/// Admin, schedulers, clinicians and care-home staff, for residents they may see (others are
/// 404); the new placement must stay in the area the caller serves. Changes only the fields sent.
/// Send the `ETag` as `If-Match` to be sure nobody changed the record meanwhile. Audited.
#[utoipa::path(patch, tag = "people",
    params(("id" = String, Path, description = "The resident's id (a UUID)"),
        ("If-Match" = Option<String>, Header, description = "The `ETag` (version) last read, e.g. `\"4\"`")),
    request_body(content = ResidentChanges, example = json!({"phone": "138 8712 3456", "priority_flags": ["living_alone", "disabled"],
        "conditions": ["高血压", "2型糖尿病", "脑卒中后遗症"]})),
    responses((status = 200, description = "The changed resident", body = Resident),
        (status = 403, description = "`forbidden`: the role may not change residents, or the new placement lies outside the \
area the caller serves", body = crate::error::Problem),
        (status = 404, description = "`not_found`: no such resident, or not one the caller may see", body = crate::error::Problem),
        (status = 412, description = "`version_mismatch`: the resident changed since the `If-Match` version", body = crate::error::Problem),
        (status = 422, description = "`validation_failed`: invalid fields (as for registering; community_id and care_home_id \
must name a community and a care home; family_doctor_id an active clinician of the serving clinic)", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[patch("/residents/{id}")]
pub async fn update_resident(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    if_match: IfMatch,
    body: crate::http::Json<ResidentChanges>,
) -> AppResult<HttpResponse> {
    let id = parse_id(&id, "resident")?;
    let ch = body.into_inner();
    let st = state.clone();
    http::patch(&state, move |conn| {
        let ctx = programmes::Ctx::new(&st.settings, st.tz)?;
        let r = flow::change(conn, &ctx, &user, &id, &ch, |v| if_match.check(v))?;
        to_value(&r)
    })
    .await
}
