//! HTTP for the family's side: `/residents/{id}/accounts`, `/me/visits`, `/visits/{id}/feedback`,
//! `/feedback`, `/complaints`.
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;

use super::flow;
use super::model::{Complaint, Feedback, MyVisits, NewAccount, NewComplaint, NewFeedback};
use super::repo::VoiceFilter;
use crate::auth::password;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::http::extract::{parse_id, IdempotencyKey};
use crate::http::pagination::{Page, PageParams};
use crate::http::{self, to_value};
use crate::people::model::Staff;
use crate::state::AppState;

/// Give a resident or their family a login
///
/// Creates a `resident` login linked to this resident: what the family uses to see the resident's
/// visits, rate them and complain. By admin and the staff of the clinic or care home that serves
/// the resident (another's resident is 404); the display name defaults to the resident's name.
/// The password is stored hashed, never shown. Audited.
#[utoipa::path(post, tag = "family",
    params(("id" = String, Path, description = "The resident's id (a UUID)"),
        ("Idempotency-Key" = Option<String>, Header, description = "1 to 255 characters: a retry with the same key and body replays the first answer")),
    request_body(content = NewAccount, example = json!({"username": "li.xl.family", "display_name": "李秀兰（女儿）", "password": "Kunming-spring-2026"})),
    responses((status = 201, description = "The login", body = Staff),
        (status = 403, description = "`forbidden`: the role may not give logins (hospital desks, residents)", body = crate::error::Problem),
        (status = 404, description = "`not_found`: no such resident, or not one the caller serves", body = crate::error::Problem),
        (status = 409, description = "`username_taken`: the username is in use", body = crate::error::Problem),
        (status = 422, description = "`validation_failed`: username, display_name or password", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/residents/{id}/accounts")]
pub async fn create_resident_account(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    key: IdempotencyKey,
    body: crate::http::Json<NewAccount>,
) -> AppResult<HttpResponse> {
    let id = parse_id(&id, "resident")?;
    let body = body.into_inner();
    flow::check_account(&body, state.settings.auth.min_password_length)?;
    http::idempotent_post(
        &state,
        user,
        key,
        "POST /residents/{id}/accounts",
        (id, body),
        |conn, user, (id, body)| {
            let hash = password::hash(&body.password).map_err(AppError::internal)?;
            let login = flow::give_account(conn, user, &id, &body, &hash)?;
            Ok((StatusCode::CREATED, to_value(&login)?))
        },
    )
    .await
}

/// The resident's own visits
///
/// For a resident's (or family's) login: the visits still to come (requested, scheduled or under
/// way; soonest first, at most 100) and the latest 50 past ones, each with its window, the booked
/// time, the clinic's and clinician's names and the rating given. Other roles: 403.
#[utoipa::path(get, tag = "family",
    responses((status = 200, description = "Upcoming and past visits", body = MyVisits),
        (status = 403, description = "`forbidden`: not a resident's login", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/me/visits")]
pub async fn my_visits(user: CurrentUser, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let visits = http::db(&state, move |conn| flow::my_visits(conn, &user)).await?;
    Ok(http::json(StatusCode::OK, &visits))
}

/// Rate a completed visit
///
/// Once per completed visit, by the resident's own login (the resident or their family): 1-5 and
/// an optional comment. Another resident's visit is 404; a visit not completed 409
/// `visit_not_completed`; a second rating 409 `feedback_exists`. The visit's clinic hears of it
/// (`feedback.given`) and the unit report counts it. Audited.
#[utoipa::path(post, tag = "family",
    params(("id" = String, Path, description = "The visit's id (a UUID)"),
        ("Idempotency-Key" = Option<String>, Header, description = "1 to 255 characters: a retry with the same key and body replays the first answer")),
    request_body(content = NewFeedback, example = json!({"rating": 5, "comment": "护士很耐心，量完血压还讲了用药。"})),
    responses((status = 201, description = "The rating", body = Feedback),
        (status = 403, description = "`forbidden`: not a resident's login", body = crate::error::Problem),
        (status = 404, description = "`not_found`: no such visit, or not the resident's own", body = crate::error::Problem),
        (status = 409, description = "`visit_not_completed`; `feedback_exists`: rated already", body = crate::error::Problem),
        (status = 422, description = "`validation_failed`: rating not 1-5, comment over 1,000 characters", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/visits/{id}/feedback")]
pub async fn give_feedback(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    key: IdempotencyKey,
    body: crate::http::Json<NewFeedback>,
) -> AppResult<HttpResponse> {
    let id = parse_id(&id, "visit")?;
    let body = body.into_inner();
    body.validate()?;
    http::idempotent_post(
        &state,
        user,
        key,
        "POST /visits/{id}/feedback",
        (id, body),
        |conn, user, (id, body)| {
            let f = flow::give_feedback(conn, user, &id, &body)?;
            Ok((StatusCode::CREATED, to_value(&f)?))
        },
    )
    .await
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct VoiceQuery {
    /// Only those about this organisation (a clinic's visits, a care home).
    pub organization_id: Option<String>,
    /// Only this resident's.
    pub resident_id: Option<String>,
}

impl VoiceQuery {
    fn filter(&self) -> VoiceFilter {
        VoiceFilter {
            organization_id: self.organization_id.clone(),
            resident_id: self.resident_id.clone(),
        }
    }
}

/// List visit ratings
///
/// A clinic's staff see the ratings of their clinic's visits; a resident's login their own; admin
/// all; hospital desks and care homes none. Paged, oldest first.
#[utoipa::path(get, tag = "family", params(VoiceQuery, PageParams),
    responses((status = 200, description = "A page of ratings", body = inline(Page<Feedback>))),
    security(("bearer" = [])))]
#[get("/feedback")]
pub async fn list_feedback(
    user: CurrentUser,
    state: web::Data<AppState>,
    q: web::Query<VoiceQuery>,
    page: web::Query<PageParams>,
) -> AppResult<HttpResponse> {
    let page = page.parse()?;
    let (filter, p) = (q.filter(), page.clone());
    let rows = http::db(&state, move |conn| flow::feedback(conn, &user, &filter, &p)).await?;
    Ok(
        HttpResponse::Ok()
            .json(Page::from_rows(rows, &page, |r| r.id.as_str()).map(|r| r.to_api())),
    )
}

/// Make a complaint
///
/// By the resident's own login (the resident or their family), about one of their visits or about
/// the care in general. It goes to the visit's clinic; without a visit, to the family doctor's
/// clinic, else the resident's care home, else the first clinic of the resident's community; the
/// district authority hears of each
/// (`complaint.made`) and the unit report counts them. Another resident's visit is 404. Audited.
#[utoipa::path(post, tag = "family",
    params(("Idempotency-Key" = Option<String>, Header, description = "1 to 255 characters: a retry with the same key and body replays the first answer")),
    request_body(content = NewComplaint, example = json!({"text": "约好上午十点，医生下午两点才到，也没有提前通知。"})),
    responses((status = 201, description = "The complaint", body = Complaint),
        (status = 403, description = "`forbidden`: not a resident's login", body = crate::error::Problem),
        (status = 404, description = "`not_found`: no such visit, or not the resident's own", body = crate::error::Problem),
        (status = 422, description = "`validation_failed`: text blank or over 2,000 characters", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/complaints")]
pub async fn create_complaint(
    user: CurrentUser,
    state: web::Data<AppState>,
    key: IdempotencyKey,
    body: crate::http::Json<NewComplaint>,
) -> AppResult<HttpResponse> {
    let body = body.into_inner();
    body.validate()?;
    http::idempotent_post(
        &state,
        user,
        key,
        "POST /complaints",
        body,
        |conn, user, body| {
            let c = flow::complain(conn, user, &body)?;
            Ok((StatusCode::CREATED, to_value(&c)?))
        },
    )
    .await
}

/// List complaints
///
/// The staff of a clinic or care home see the complaints about their organisation; a resident's
/// login their own; admin all; hospital desks none. Paged, oldest first.
#[utoipa::path(get, tag = "family", params(VoiceQuery, PageParams),
    responses((status = 200, description = "A page of complaints", body = inline(Page<Complaint>))),
    security(("bearer" = [])))]
#[get("/complaints")]
pub async fn list_complaints(
    user: CurrentUser,
    state: web::Data<AppState>,
    q: web::Query<VoiceQuery>,
    page: web::Query<PageParams>,
) -> AppResult<HttpResponse> {
    let page = page.parse()?;
    let (filter, p) = (q.filter(), page.clone());
    let rows = http::db(&state, move |conn| {
        flow::complaints(conn, &user, &filter, &p)
    })
    .await?;
    Ok(
        HttpResponse::Ok()
            .json(Page::from_rows(rows, &page, |r| r.id.as_str()).map(|r| r.to_api())),
    )
}

/// Read one complaint
///
/// Same visibility as the list (any other is 404).
#[utoipa::path(get, tag = "family",
    params(("id" = String, Path, description = "The complaint's id (a UUID)")),
    responses((status = 200, description = "The complaint", body = Complaint),
        (status = 404, description = "`not_found`: no such complaint, or not one the caller may see", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/complaints/{id}")]
pub async fn get_complaint(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = parse_id(&id, "complaint")?;
    let c = http::db(&state, move |conn| flow::complaint(conn, &user, &id)).await?;
    Ok(http::json(StatusCode::OK, &c))
}
