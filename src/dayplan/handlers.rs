//! HTTP: `/api/v1/planning/runs` (start, read) and `/apply`.
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

use super::{model, repo};
use crate::audit;
use crate::auth::{CurrentUser, Role};
use crate::db::schema::planning_runs;
use crate::db::{lock_row, new_id, now, DbConn, LockableTable};
use crate::error::{AppError, AppResult};
use crate::http;
use crate::http::extract::{parse_id, IdempotencyKey};
use crate::planning::optimiser::{self as opt, SolveOptions};
use crate::state::AppState;

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRun {
    /// The clinic whose day to plan.
    pub clinic_id: String,
    /// The day to plan (district time zone).
    pub date: chrono::NaiveDate,
    /// 1 to 60 seconds (default 5): the most the search may take. It stops sooner once it has
    /// stopped finding better plans, which for a clinic's usual day is within a second.
    #[schema(minimum = 1, maximum = 60, default = 5)]
    pub time_limit_seconds: Option<u64>,
    /// The search's random seed (default 1): the same seed on the same day plans alike.
    pub seed: Option<u64>,
}

/// The maximum a request may give the search.
const MAX_SECONDS: u64 = 60;

fn may_plan(user: &CurrentUser, clinic: &str) -> AppResult<()> {
    match user.role {
        Role::Admin => Ok(()),
        Role::Scheduler if user.organization_id.as_deref() == Some(clinic) => Ok(()),
        Role::Scheduler | Role::Clinician => Err(AppError::missing("clinic")),
        _ => Err(AppError::forbidden(
            "Day plans are made by a clinic's schedulers.",
        )),
    }
}

/// Start planning a clinic's day
///
/// Admin for any clinic; a scheduler for their own (another clinic, or a clinician, is answered
/// 404). Starts a run in the background that assigns the clinic's `requested` visits of the day to
/// its clinicians' shifts and orders each route (skills, shifts, windows; urgent and priority
/// residents first; least travel; scheduled visits stay). It stops at `time_limit_seconds` or
/// sooner once the search stops improving; poll `GET /api/v1/planning/runs/{id}` for the proposal,
/// then `apply` it. A clinic has one run going at a time. With an `Idempotency-Key`, a retry
/// replays the first answer and starts no second search.
#[utoipa::path(post, tag = "planning",
    params(("Idempotency-Key" = Option<String>, Header, description = "1 to 255 characters: a retry with the same key and body replays the first answer")),
    request_body(content = NewRun, example = json!({"clinic_id": "01938a6e-2a10-7d2b-8c3f-4a5b6c7d8e02",
        "date": "2026-12-03", "time_limit_seconds": 5})),
    responses((status = 202, description = "The run, `running` in the background"),
        (status = 403, description = "`forbidden`: day plans are made by a clinic's schedulers (and admin)", body = crate::error::Problem),
        (status = 404, description = "`not_found`: no such clinic, or not the caller's", body = crate::error::Problem),
        (status = 409, description = "`run_in_progress`: the clinic already has a run going (the body names its `run_id`)", body = crate::error::Problem),
        (status = 422, description = "`validation_failed`: `time_limit_seconds` outside 1-60; no clinician of the clinic has a \
shift on `date`, or the day cannot be planned; `idempotency_key_reused`: the Idempotency-Key was used with another body", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/planning/runs")]
pub async fn start(
    user: CurrentUser,
    state: web::Data<AppState>,
    key: IdempotencyKey,
    body: crate::http::Json<NewRun>,
) -> AppResult<HttpResponse> {
    let limit = body.time_limit_seconds.unwrap_or(5);
    if !(1..=MAX_SECONDS).contains(&limit) {
        return Err(AppError::invalid(
            "time_limit_seconds",
            format!("must be 1 to {MAX_SECONDS}"),
        ));
    }
    may_plan(&user, &body.clinic_id)?;
    let (from, to) = crate::visits::flow::day_bounds(state.tz, body.date)?;
    let st = state.get_ref().clone();
    // The search starts after the run is committed (and only for a new run, not a replay).
    let job: std::sync::Arc<std::sync::Mutex<Option<Job>>> = Default::default();
    let slot = job.clone();
    let travel = st.travel.clone();
    let resp = http::idempotent_post(
        &state,
        user,
        key,
        "POST /planning/runs",
        body.into_inner(),
        move |conn, user, b| {
            let clinic = crate::network::flow::find(conn, &b.clinic_id)?
                .filter(|c| c.kind() == crate::network::model::OrgKind::Clinic)
                .ok_or_else(|| AppError::missing("clinic"))?;
            // One run at a time per clinic: the clinic's row serialises the check and the insert.
            lock_row(conn, LockableTable::Organizations, &clinic.id)?;
            if let Some(running) = repo::settle_running(conn, &clinic.id, now())? {
                return Err(in_progress().with_extra(serde_json::json!({ "run_id": running })));
            }
            let shifts = repo::shifts_of_day(conn, &clinic.id, from, to)?;
            if shifts.is_empty() {
                return Err(AppError::invalid(
                    "date",
                    "no clinician of the clinic has a shift that day",
                ));
            }
            let (day_visits, versions) = repo::visits_of_day(conn, &clinic.id, from, to)?;
            let problem = model::problem(
                from,
                clinic.location(),
                &shifts,
                &day_visits,
                travel.as_ref(),
            )
            .map_err(|e| AppError::invalid("date", e.to_string()))?;
            let id = new_id();
            let at = now();
            let seed = b.seed.unwrap_or(1);
            diesel::insert_into(planning_runs::table)
                .values((
                    planning_runs::id.eq(&id),
                    planning_runs::clinic_id.eq(&clinic.id),
                    planning_runs::day.eq(b.date.to_string()),
                    planning_runs::status.eq("running"),
                    planning_runs::time_limit_seconds.eq(limit as i32),
                    planning_runs::seed.eq(seed as i64),
                    planning_runs::requested_by.eq(&user.id),
                    planning_runs::visit_versions
                        .eq(serde_json::to_string(&versions).unwrap_or_default()),
                    planning_runs::version.eq(1i64),
                    planning_runs::created_at.eq(at),
                    planning_runs::updated_at.eq(at),
                ))
                .execute(conn)
                .map_err(|e| match e {
                    // The index that allows one running run per clinic: a racer got there first.
                    diesel::result::Error::DatabaseError(
                        diesel::result::DatabaseErrorKind::UniqueViolation,
                        _,
                    ) => in_progress(),
                    e => e.into(),
                })?;
            let row = repo::find(conn, &id)?.ok_or_else(|| AppError::missing("planning run"))?;
            audit::record(
                conn,
                Some(user),
                "create",
                "planning_run",
                &id,
                None,
                Some(&row.to_api()),
            )?;
            let pinned: Vec<String> = day_visits
                .iter()
                .filter(|v| v.pinned.is_some())
                .map(|v| v.id.clone())
                .collect();
            *slot.lock().map_err(|_| AppError::internal("poisoned"))? = Some(Job {
                id,
                day_start: from,
                problem,
                pinned,
                limit,
                seed,
            });
            Ok((StatusCode::ACCEPTED, row.to_api()))
        },
    )
    .await?;
    if let Some(job) = job.lock().ok().and_then(|mut j| j.take()) {
        spawn_solve(st, job);
    }
    Ok(resp)
}

fn in_progress() -> AppError {
    AppError::conflict(
        "run_in_progress",
        "The clinic already has a day plan running; wait for it to finish.",
    )
}

/// A search to run once its run is committed.
struct Job {
    id: String,
    day_start: chrono::NaiveDateTime,
    problem: opt::Problem,
    pinned: Vec<String>,
    limit: u64,
    seed: u64,
}

/// Solves in the background (one blocking thread) and stores the proposal or the failure.
fn spawn_solve(
    state: AppState,
    Job {
        id,
        day_start,
        problem,
        pinned,
        limit,
        seed,
    }: Job,
) {
    actix_web::rt::spawn(async move {
        let pool = state.pool.clone();
        let stall = Some(state.settings.planning.stall_offspring).filter(|&n| n > 0);
        let _ = web::block(move || {
            let result = SolveOptions::new(std::time::Duration::from_secs(limit), seed)
                .map(|o| SolveOptions {
                    stall_limit: stall,
                    ..o
                })
                .and_then(|o| opt::solve(&problem, &o))
                .map(|s| {
                    serde_json::to_string(&model::proposal(day_start, &s, &pinned))
                        .unwrap_or_default()
                })
                .map_err(|e| e.to_string());
            if let Ok(mut conn) = pool.get() {
                let _ = crate::db::write_tx(&mut conn, |c| repo::finish(c, &id, result));
            }
        })
        .await;
    });
}

/// Read a planning run and its proposal
///
/// Admin any run; schedulers and clinicians their own clinic's; any other run is 404. The run is
/// `running`, then `completed` with its proposal (each clinician's route, unplaced visits with
/// their reasons, the figures) or `failed` with the error, and `applied` once applied; a run whose
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
    let row = http::db(&state, move |conn| {
        let row = repo::find_scoped(conn, &user, &id)?
            .ok_or_else(|| AppError::missing("planning run"))?;
        if !model::is_abandoned(&row.status, row.created_at, row.time_limit_seconds, now()) {
            return Ok(row);
        }
        // Its instance stopped mid-search: say so instead of `running` for ever.
        crate::db::write_tx(conn, |c| repo::abandon(c, &id))?;
        repo::find_scoped(conn, &user, &id)?.ok_or_else(|| AppError::missing("planning run"))
    })
    .await?;
    Ok(http::json_value(StatusCode::OK, row.to_api()))
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Outcome {
    applied: Vec<String>,
    /// Changed since the run (booked by hand, cancelled, ...): reported, not overwritten.
    changed: Vec<String>,
    /// Their proposed slot is no longer free.
    conflicts: Vec<String>,
}

/// Apply a completed run: book its proposal
///
/// Admin, or a scheduler of the run's clinic (a clinician is answered 404). Books every proposed
/// visit through the same conflict-safe booking as a single booking, in one transaction: a visit
/// changed since the run (booked by hand, cancelled, ...) is reported in `outcome.changed` and
/// not overwritten; one whose slot is no longer free in `outcome.conflicts`; the rest in
/// `outcome.applied`. The run becomes `applied`. No body. With an `Idempotency-Key`, a retry
/// replays the first answer.
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
            let run = repo::find_scoped(conn, user, &id)?
                .ok_or_else(|| AppError::missing("planning run"))?;
            may_plan(user, &run.clinic_id)?;
            if run.status != "completed" {
                return Err(AppError::conflict(
                    "invalid_transition",
                    format!("A run in the state {} cannot be applied.", run.status),
                ));
            }
            let proposal: model::Proposal =
                serde_json::from_str(run.proposal.as_deref().unwrap_or(""))
                    .map_err(AppError::internal)?;
            let versions: HashMap<String, i64> =
                serde_json::from_str::<Vec<(String, i64)>>(&run.visit_versions)
                    .map_err(AppError::internal)?
                    .into_iter()
                    .collect();
            let ctx = crate::visits::flow::Ctx::new(st.travel.as_ref(), &st.settings.visits, st.tz);
            let mut outcome = Outcome::default();
            for route in &proposal.routes {
                for stop in route.stops.iter().filter(|s| !s.pinned) {
                    book(
                        conn,
                        &ctx,
                        user,
                        &route.clinician_id,
                        stop,
                        &versions,
                        &mut outcome,
                    )?;
                }
            }
            let outcome_json = serde_json::to_string(&outcome).map_err(AppError::internal)?;
            diesel::update(
                planning_runs::table
                    .find(&id)
                    .filter(planning_runs::version.eq(run.version)),
            )
            .set((
                planning_runs::status.eq("applied"),
                planning_runs::outcome.eq(Some(outcome_json)),
                planning_runs::version.eq(run.version + 1),
                planning_runs::updated_at.eq(now()),
            ))
            .execute(conn)?;
            let after = repo::find(conn, &id)?
                .ok_or_else(|| AppError::missing("planning run"))?
                .to_api();
            audit::record(
                conn,
                Some(user),
                "apply",
                "planning_run",
                &id,
                Some(&run.to_api()),
                Some(&after),
            )?;
            Ok((StatusCode::OK, after))
        },
    )
    .await
}

/// Books one proposed stop through the conflict-safe booking, or notes why not.
fn book(
    conn: &mut DbConn,
    ctx: &crate::visits::flow::Ctx,
    user: &CurrentUser,
    clinician: &str,
    stop: &model::ProposedStop,
    versions: &HashMap<String, i64>,
    outcome: &mut Outcome,
) -> AppResult<()> {
    use crate::visits::flow::{book_proposed, Proposed};
    let id = stop.visit_id.clone();
    let expected = versions.get(&id).copied();
    match book_proposed(
        conn,
        ctx,
        user,
        &id,
        expected,
        clinician,
        stop.starts_at.0.naive_utc(),
    )? {
        Proposed::Applied => outcome.applied.push(id),
        Proposed::Changed => outcome.changed.push(id),
        Proposed::Conflict => outcome.conflicts.push(id),
    }
    Ok(())
}
