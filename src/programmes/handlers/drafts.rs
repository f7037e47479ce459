//! HTTP: `/referral-drafts`.
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;

use super::ctx;
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::http::extract::{parse_id, IdempotencyKey, IfMatch};
use crate::http::pagination::{Page, PageParams};
use crate::http::{self, to_value};
use crate::programmes::flow;
use crate::programmes::model::{DiscardBody, DraftStatus, ReferralDraft};
use crate::programmes::repo::DraftFilter;
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct DraftQuery {
    /// Only this resident's drafts.
    pub resident_id: Option<String>,
    /// Only this clinic's drafts.
    pub clinic_id: Option<String>,
    /// Only drafts in this state (`draft`: waiting for the clinic).
    pub status: Option<DraftStatus>,
}

/// List draft up-referrals
///
/// Up-referrals carelink prepared after two follow-ups out of control in a row, for the clinic to
/// send or discard; not in any hospital's inbox until sent. Scoped like residents (a hospital
/// sees none); paged.
#[utoipa::path(get, tag = "programmes", params(DraftQuery, PageParams),
    responses((status = 200, description = "A page of drafts", body = inline(Page<ReferralDraft>))),
    security(("bearer" = [])))]
#[get("/referral-drafts")]
pub async fn list_referral_drafts(
    user: CurrentUser,
    state: web::Data<AppState>,
    q: web::Query<DraftQuery>,
    page: web::Query<PageParams>,
) -> AppResult<HttpResponse> {
    let page = page.parse()?;
    let filter = DraftFilter {
        resident_id: q.resident_id.clone(),
        clinic_id: q.clinic_id.clone(),
        status: q.status,
    };
    let p = page.clone();
    let rows = http::db(&state, move |conn| flow::drafts(conn, &user, &filter, &p)).await?;
    Ok(
        HttpResponse::Ok()
            .json(Page::from_rows(rows, &page, |r| r.id.as_str()).map(|r| r.to_api())),
    )
}

/// Read one draft up-referral
///
/// Same visibility as the list (any other is 404). Served with an `ETag`.
#[utoipa::path(get, tag = "programmes",
    params(("id" = String, Path, description = "The draft's id (a UUID)")),
    responses((status = 200, description = "The draft", body = ReferralDraft),
        (status = 404, description = "`not_found`: no such draft, or not one the caller may see", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/referral-drafts/{id}")]
pub async fn get_referral_draft(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = parse_id(&id, "referral draft")?;
    let row = http::db(&state, move |conn| flow::draft(conn, &user, &id)).await?;
    Ok(http::json(StatusCode::OK, &row.to_api()))
}

/// Send a draft up-referral
///
/// The clinic's staff send it in one action: its form is submitted as a referral from their
/// clinic (`POST /referrals`'s checks apply) and lands in the hospital's inbox; the draft records
/// the referral's id. Audited; `referral_draft.sent`.
#[utoipa::path(post, tag = "programmes",
    params(("id" = String, Path, description = "The draft's id (a UUID)"),
        ("Idempotency-Key" = Option<String>, Header, description = "1 to 255 characters: a retry with the same key and body replays the first answer"),
        ("If-Match" = Option<String>, Header, description = "The draft's `ETag` (version) last read, e.g. `\"1\"`")),
    request_body(content = EmptyBody, description = "Empty, or `{}`", example = json!({})),
    responses((status = 200, description = "The draft, sent", body = ReferralDraft),
        (status = 403, description = "`forbidden`: only the staff of the draft's clinic", body = crate::error::Problem),
        (status = 404, description = "`not_found`: no such draft, or not one the caller may see", body = crate::error::Problem),
        (status = 409, description = "`invalid_transition`: already sent or discarded; `concurrent_update`", body = crate::error::Problem),
        (status = 412, description = "`version_mismatch`: the draft changed since the `If-Match` version", body = crate::error::Problem),
        (status = 422, description = "`validation_failed`: the referral's own checks failed (e.g. the hospital is no longer active)", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/referral-drafts/{id}/send")]
pub async fn send_referral_draft(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    key: IdempotencyKey,
    if_match: IfMatch,
    body: crate::http::Json<EmptyBody>,
) -> AppResult<HttpResponse> {
    let id = parse_id(&id, "referral draft")?;
    let _ = body.into_inner();
    let st = state.clone();
    http::idempotent_post(
        &state,
        user,
        key,
        "POST /referral-drafts/{id}/send",
        id,
        move |conn, user, id| {
            let d = flow::send(conn, &ctx(&st)?, user, &id, |v| if_match.check(v))?;
            Ok((StatusCode::OK, to_value(&d)?))
        },
    )
    .await
}

/// An empty body.
#[derive(Debug, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmptyBody {}

/// Discard a draft up-referral
///
/// The clinic decides not to refer (an optional reason). Audited; `referral_draft.discarded`.
#[utoipa::path(post, tag = "programmes",
    params(("id" = String, Path, description = "The draft's id (a UUID)"),
        ("Idempotency-Key" = Option<String>, Header, description = "1 to 255 characters: a retry with the same key and body replays the first answer"),
        ("If-Match" = Option<String>, Header, description = "The draft's `ETag` (version) last read, e.g. `\"1\"`")),
    request_body(content = DiscardBody, example = json!({"reason": "已电话联系，家属选择自行就医"})),
    responses((status = 200, description = "The draft, discarded", body = ReferralDraft),
        (status = 403, description = "`forbidden`: only the staff of the draft's clinic", body = crate::error::Problem),
        (status = 404, description = "`not_found`: no such draft, or not one the caller may see", body = crate::error::Problem),
        (status = 409, description = "`invalid_transition`: already sent or discarded; `concurrent_update`", body = crate::error::Problem),
        (status = 412, description = "`version_mismatch`: the draft changed since the `If-Match` version", body = crate::error::Problem),
        (status = 422, description = "`validation_failed`: a reason over 500 characters", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/referral-drafts/{id}/discard")]
pub async fn discard_referral_draft(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    key: IdempotencyKey,
    if_match: IfMatch,
    body: crate::http::Json<DiscardBody>,
) -> AppResult<HttpResponse> {
    let id = parse_id(&id, "referral draft")?;
    http::idempotent_post(
        &state,
        user,
        key,
        "POST /referral-drafts/{id}/discard",
        (id, body.into_inner()),
        move |conn, user, (id, b)| {
            let d = flow::discard(conn, user, &id, b.reason.as_deref(), |v| if_match.check(v))?;
            Ok((StatusCode::OK, to_value(&d)?))
        },
    )
    .await
}
