//! HTTP: `/api/v1/planning/runs` (start, read) and `/apply`; the use cases are in `flow`.
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};

use super::flow;
use super::model::NewRun;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::http;
use crate::http::extract::{parse_id, IdempotencyKey};
use crate::state::AppState;

/// Start planning a clinic's day or week, or repair a day that has begun
///
/// Admin for any clinic; a scheduler for their own (another clinic, or a clinician, is answered
/// 404). Starts a run in the background that assigns the clinic's `requested` visits of the day
/// (`date`) or of the week (`week_of`: Monday to Sunday; visits whose windows span days get a day)
/// to its clinicians' shifts and orders each route (skills, shifts and their breaks, windows;
/// urgent and priority residents first; least travel; continuity with the family doctor;
/// scheduled visits stay). `mode: repair` re-plans the rest of today (or of the day of `from`)
/// around what happened (`reason`: `clinician_absent` with `clinician_id`, `urgent_visit` or
/// `overrun` with `visit_id`, e.g. `{"clinic_id", "mode": "repair", "reason": "clinician_absent",
/// "clinician_id"}`): visits started stay, and it moves as few booked visits as it can (first only
/// those the event touches, then others by at most 30 minutes, then 90, then anywhere in their windows) before it saves
/// travel; the proposal lists each change. It stops at `time_limit_seconds` or sooner once the
/// search stops improving; poll `GET /api/v1/planning/runs/{id}` for the proposal, then `apply`
/// it. A clinic has one run going at a time. With an `Idempotency-Key`, a retry replays the first
/// answer and starts no second search.
#[utoipa::path(post, tag = "planning",
    params(("Idempotency-Key" = Option<String>, Header, description = "1 to 255 characters: a retry with the same key and body replays the first answer")),
    request_body(content = NewRun, example = json!({"clinic_id": "01938a6e-2a10-7d2b-8c3f-4a5b6c7d8e02",
        "date": "2026-12-03", "time_limit_seconds": 5})),
    responses((status = 202, description = "The run, `running` in the background"),
        (status = 403, description = "`forbidden`: day plans are made by a clinic's schedulers (and admin)", body = crate::error::Problem),
        (status = 404, description = "`not_found`: no such clinic, or not the caller's", body = crate::error::Problem),
        (status = 409, description = "`run_in_progress`: the clinic already has a run going (the body names its `run_id`)", body = crate::error::Problem),
        (status = 422, description = "`validation_failed`: `time_limit_seconds` outside 1-60; neither or both of `date` and \
`week_of`; a repair without its `reason`, or without the `clinician_id` or `visit_id` it needs, or with a visit that is not \
requested (urgent) or under way (overrun); repair fields without `mode: repair`; no clinician of the clinic has a shift \
that day or week, or the day cannot be planned; `idempotency_key_reused`: the Idempotency-Key was used with another body", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/planning/runs")]
pub async fn start(
    user: CurrentUser,
    state: web::Data<AppState>,
    key: IdempotencyKey,
    body: crate::http::Json<NewRun>,
) -> AppResult<HttpResponse> {
    let st = state.get_ref().clone();
    // The search starts after the run is committed (and only for a new run, not a replay).
    let job: std::sync::Arc<std::sync::Mutex<Option<flow::Job>>> = Default::default();
    let slot = job.clone();
    let resp = http::idempotent_post(
        &state,
        user,
        key,
        "POST /planning/runs",
        body.into_inner(),
        move |conn, user, b| {
            let ctx = flow::Ctx {
                travel: st.travel.as_ref(),
                tz: st.tz,
                planning: &st.settings.planning,
            };
            let (run, job) = flow::start(conn, &ctx, user, &b)?;
            *slot.lock().map_err(|_| AppError::internal("poisoned"))? = Some(job);
            Ok((StatusCode::ACCEPTED, run))
        },
    )
    .await?;
    if let Some(job) = job.lock().ok().and_then(|mut j| j.take()) {
        spawn_solve(state.get_ref().clone(), job);
    }
    Ok(resp)
}

/// Solves in the background (one blocking thread) and stores the proposal or the failure.
fn spawn_solve(state: AppState, job: flow::Job) {
    actix_web::rt::spawn(async move {
        let pool = state.pool.clone();
        let _ = web::block(move || {
            let id = job.id.clone();
            let result = flow::solve(job);
            if let Ok(mut conn) = pool.get() {
                let _ = crate::db::write_tx(&mut conn, |c| super::repo::finish(c, &id, result));
            }
        })
        .await;
    });
}

/// Read a planning run and its proposal
///
/// Admin any run; schedulers and clinicians their own clinic's; any other run is 404. The run is
/// `running`, then `completed` with its proposal (each clinician's route per shift and day,
/// unplaced visits with their reasons, the figures; a repair also its `changes` and `repair`
/// figures: kept, moved, reassigned, unplaced, added, residents shifted over 30 minutes, travel
/// before and after) or `failed` with the error, and `applied` once applied; a run whose
/// instance stopped mid-search reads as `failed`. Served with an `ETag`.
#[utoipa::path(get, operation_id = "get_planning_run", tag = "planning",
    params(("id" = String, Path, description = "The run's id (a UUID)")),
    responses((status = 200, description = "The run with its proposal once completed"),
        (status = 404, description = "`not_found`: no such run, or not one the caller may see", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/planning/runs/{id}")]
pub async fn get(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = parse_id(&id, "planning run")?;
    let run = http::db(&state, move |conn| flow::get(conn, &user, &id)).await?;
    Ok(http::json_value(StatusCode::OK, run))
}

/// Apply a completed run: book its proposal
///
/// Admin, or a scheduler of the run's clinic (a clinician is answered 404). Books every proposed
/// visit (a repair: every visit it adds, moves or reassigns) through the same conflict-safe
/// booking as a single booking, in one transaction: a visit changed since the run (booked by
/// hand, cancelled, ...) is reported in `outcome.changed` and not overwritten; one whose slot is
/// no longer free in `outcome.conflicts`; a repair's visits placed nowhere in `outcome.unplaced`;
/// the rest in `outcome.applied`, each announced (`visit.schedule`, `visit.reschedule`) to its
/// clinic and resident. Applying a `clinician_absent` repair also records the absence: the
/// clinician's shifts that day end at its `from` (audited). The run becomes `applied`
/// (`planning_run.applied` to the clinic). No body. With an `Idempotency-Key`, a retry replays the first answer.
#[utoipa::path(post, tag = "planning",
    params(("id" = String, Path, description = "The run's id (a UUID)"),
        ("Idempotency-Key" = Option<String>, Header, description = "1 to 255 characters: a retry with the same key and body replays the first answer")),
    responses((status = 200, description = "The run with what was booked, changed meanwhile, or in conflict"),
        (status = 404, description = "`not_found`: no such run, or not one the caller may see", body = crate::error::Problem),
        (status = 409, description = "`invalid_transition`: the run is not `completed` (still running, failed, or applied \
already)", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/planning/runs/{id}/apply")]
pub async fn apply(
    user: CurrentUser,
    state: web::Data<AppState>,
    key: IdempotencyKey,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = parse_id(&id, "planning run")?;
    let st = state.get_ref().clone();
    http::idempotent_post(
        &state,
        user,
        key,
        "POST /planning/runs/{id}/apply",
        id,
        move |conn, user, id| {
            let ctx = crate::visits::flow::Ctx::new(st.travel.as_ref(), &st.settings.visits, st.tz);
            Ok((StatusCode::OK, flow::apply(conn, &ctx, user, &id)?))
        },
    )
    .await
}
