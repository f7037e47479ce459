//! HTTP: `/episodes` (home sickbeds).
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;

use super::flow::{self, Ctx};
use super::model::{CloseBody, Episode, EpisodeStatus, ExtendBody, NewEpisode};
use super::repo::EpisodeFilter;
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::http::extract::{parse_id, IdempotencyKey, IfMatch};
use crate::http::pagination::{Page, PageParams};
use crate::http::{self, to_value};
use crate::ids::EpisodeId;
use crate::state::AppState;

fn ctx(state: &AppState) -> AppResult<Ctx<'_>> {
    Ok(Ctx {
        programmes: crate::programmes::flow::Ctx::new(&state.settings, state.tz)?,
        settings: &state.settings.episodes,
    })
}

/// Open a home sickbed (建床)
///
/// Clinic staff open one for a resident of their clinic's area (admin: any resident, for the
/// responsible clinician's clinic), with the admission assessment (diagnosis, the Barthel ADL
/// score, risks) and the plan: rounds (查床) and nursing per week until a last day at most
/// `episodes.max_days` (default 90) ahead. Each week's rounds and nursing become obligations
/// (source `episode`), whose visits are requested into the clinic's pool within the planning
/// horizon. One open sickbed per resident (409 `sickbed_open`, enforced by the database). A
/// down-referral asking for `follow_up.home_sickbed` opens one when the clinic accepts it.
/// Audited; `episode.opened` to the clinic and the resident.
#[utoipa::path(post, tag = "episodes",
    params(("Idempotency-Key" = Option<String>, Header, description = "1 to 255 characters: a retry with the same key and body replays the first answer")),
    request_body(content = NewEpisode, example = json!({"kind": "home_sickbed", "resident_id": "01938a6e-3b20-7e3c-9d4a-5b6c7d8e9f01",
        "diagnosis": {"code": "I63.9", "text": "脑梗死恢复期"}, "responsible_clinician_id": "01938a6e-3b20-7e3c-9d4a-5b6c7d8e9f03",
        "plan": {"rounds_per_week": 2, "nursing": [{"service_type": "pressure_ulcer_care", "per_week": 3}], "until": "2027-01-31"},
        "admission": {"adl_score": 35, "risks": ["falls", "pressure_ulcer"]}})),
    responses((status = 201, description = "The sickbed, with its care", body = Episode),
        (status = 403, description = "`forbidden`: only clinic staff and admin open sickbeds", body = crate::error::Problem),
        (status = 404, description = "`not_found`: no such resident, or not one the caller may see", body = crate::error::Problem),
        (status = 409, description = "`sickbed_open`: the resident already has an open home sickbed", body = crate::error::Problem),
        (status = 422, description = "`validation_failed`: a blank diagnosis or a bad ICD-10 code; rounds over 7, nursing per week not 1-7, a service type unknown or twice, a plan owing nothing; \
`until` in the past or past `episodes.max_days`; an ADL score not 0-100 in steps of 5; a responsible clinician not of the clinic; a referral not a down-referral of this resident to the clinic; `idempotency_key_reused`", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/episodes")]
pub async fn create_episode(
    user: CurrentUser,
    state: web::Data<AppState>,
    key: IdempotencyKey,
    body: crate::http::Json<NewEpisode>,
) -> AppResult<HttpResponse> {
    let st = state.clone();
    http::idempotent_post(
        &state,
        user,
        key,
        "POST /episodes",
        body.into_inner(),
        move |conn, user, new| {
            let e = flow::open(conn, &ctx(&st)?, user, &new)?;
            Ok((StatusCode::CREATED, to_value(&e)?))
        },
    )
    .await
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct EpisodeQuery {
    /// Only this resident's sickbeds.
    pub resident_id: Option<String>,
    /// Only sickbeds in this state.
    pub status: Option<EpisodeStatus>,
}

/// List home sickbeds
///
/// Scoped like visits: a clinic sees the sickbeds it runs, a care home its residents', a
/// resident their own, admin all; a hospital none. Filters by resident and status; paged, by id.
/// Read one for its care (obligations) and progress.
#[utoipa::path(get, tag = "episodes", params(EpisodeQuery, PageParams),
    responses((status = 200, description = "A page of sickbeds", body = inline(Page<Episode>))),
    security(("bearer" = [])))]
#[get("/episodes")]
pub async fn list_episodes(
    user: CurrentUser,
    state: web::Data<AppState>,
    q: web::Query<EpisodeQuery>,
    page: web::Query<PageParams>,
) -> AppResult<HttpResponse> {
    let page = page.parse()?;
    let filter = EpisodeFilter {
        resident_id: q.resident_id.clone().map(Into::into),
        status: q.status,
    };
    let p = page.clone();
    let rows = http::db(&state, move |conn| flow::list(conn, &user, &filter, &p)).await?;
    Ok(
        HttpResponse::Ok()
            .json(Page::from_rows(rows, &page, |r| r.id.as_str()).map(|r| r.to_api())),
    )
}

/// Read one home sickbed
///
/// With its care: each week's rounds and nursing as obligations (due, met with their visit,
/// overdue, waived), and their counts (`progress`). Same visibility as the list (any other is
/// 404). Served with an `ETag`.
#[utoipa::path(get, tag = "episodes",
    params(("id" = String, Path, description = "The sickbed's id (a UUID)")),
    responses((status = 200, description = "The sickbed, with its care", body = Episode),
        (status = 404, description = "`not_found`: no such sickbed, or not one the caller may see", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/episodes/{id}")]
pub async fn get_episode(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id: EpisodeId = parse_id(&id, "episode")?.into();
    let st = state.clone();
    let e = http::db(&state, move |conn| flow::get(conn, &ctx(&st)?, &user, &id)).await?;
    Ok(http::json(StatusCode::OK, &e))
}

/// Extend a home sickbed
///
/// Past its last day, with a reason: the new day is after the current one and at most
/// `episodes.max_days` past it. Its rounds and nursing run on. Clinic staff and admin; audited;
/// `episode.extended`.
#[utoipa::path(post, tag = "episodes",
    params(("id" = String, Path, description = "The sickbed's id (a UUID)"),
        ("Idempotency-Key" = Option<String>, Header, description = "1 to 255 characters: a retry with the same key and body replays the first answer"),
        ("If-Match" = Option<String>, Header, description = "The sickbed's `ETag` (version) last read, e.g. `\"1\"`")),
    request_body(content = ExtendBody, example = json!({"until": "2027-03-31", "reason": "压疮未愈合，需继续换药"})),
    responses((status = 200, description = "The sickbed, extended", body = Episode),
        (status = 403, description = "`forbidden`: only clinic staff and admin", body = crate::error::Problem),
        (status = 404, description = "`not_found`: no such sickbed, or not one the caller may see", body = crate::error::Problem),
        (status = 409, description = "`invalid_transition`: the sickbed is closed; `concurrent_update`", body = crate::error::Problem),
        (status = 412, description = "`version_mismatch`: the sickbed changed since the `If-Match` version", body = crate::error::Problem),
        (status = 422, description = "`validation_failed`: a blank reason or one over 500 characters; `until` not after the current last day or past `episodes.max_days` from it; `idempotency_key_reused`", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/episodes/{id}/extend")]
pub async fn extend_episode(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    key: IdempotencyKey,
    if_match: IfMatch,
    body: crate::http::Json<ExtendBody>,
) -> AppResult<HttpResponse> {
    let id: EpisodeId = parse_id(&id, "episode")?.into();
    let st = state.clone();
    http::idempotent_post(
        &state,
        user,
        key,
        "POST /episodes/{id}/extend",
        (id, body.into_inner()),
        move |conn, user, (id, b)| {
            let e = flow::extend(conn, &ctx(&st)?, user, &id, &b, |v| if_match.check(v))?;
            Ok((StatusCode::OK, to_value(&e)?))
        },
    )
    .await
}

/// Close a home sickbed (撤床)
///
/// With its outcome and a discharge summary. What it still owes from today is waived (reason
/// by outcome: `deceased`, `hospitalised` for `referred_up`, else `other`) and the visits
/// requested or scheduled for it are cancelled with the reason; visits under way or done stay.
/// Clinic staff and admin; audited; `episode.closed`.
#[utoipa::path(post, tag = "episodes",
    params(("id" = String, Path, description = "The sickbed's id (a UUID)"),
        ("Idempotency-Key" = Option<String>, Header, description = "1 to 255 characters: a retry with the same key and body replays the first answer"),
        ("If-Match" = Option<String>, Header, description = "The sickbed's `ETag` (version) last read, e.g. `\"1\"`")),
    request_body(content = CloseBody, example = json!({"outcome": "recovered", "summary": "创面愈合，生活基本自理，转社区随访"})),
    responses((status = 200, description = "The sickbed, closed", body = Episode),
        (status = 403, description = "`forbidden`: only clinic staff and admin", body = crate::error::Problem),
        (status = 404, description = "`not_found`: no such sickbed, or not one the caller may see", body = crate::error::Problem),
        (status = 409, description = "`invalid_transition`: the sickbed is already closed; `concurrent_update`", body = crate::error::Problem),
        (status = 412, description = "`version_mismatch`: the sickbed changed since the `If-Match` version", body = crate::error::Problem),
        (status = 422, description = "`validation_failed`: a blank summary or one over 4,000 characters; `idempotency_key_reused`", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/episodes/{id}/close")]
pub async fn close_episode(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    key: IdempotencyKey,
    if_match: IfMatch,
    body: crate::http::Json<CloseBody>,
) -> AppResult<HttpResponse> {
    let id: EpisodeId = parse_id(&id, "episode")?.into();
    let st = state.clone();
    http::idempotent_post(
        &state,
        user,
        key,
        "POST /episodes/{id}/close",
        (id, body.into_inner()),
        move |conn, user, (id, b)| {
            let e = flow::close(conn, &ctx(&st)?, user, &id, &b, |v| if_match.check(v))?;
            Ok((StatusCode::OK, to_value(&e)?))
        },
    )
    .await
}
