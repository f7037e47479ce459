//! Day planning's use cases: start a run (a clinic's day, its week, or a repair of a day that has
//! begun), solve it (in the background, `solve`), read it, apply it through the visits' own
//! conflict-safe booking. Each takes the connection, the caller and a plain context.
use chrono::{Duration, NaiveDate, NaiveDateTime};
use std::collections::HashSet;

use crate::audit;
use crate::dayplan::model::repair::{
    self as repair_model, Event, CHANGE_WEIGHT_MINUTES, TOLERANCE_MINUTES,
};
use crate::dayplan::model::{self, NewRun, RepairReason, Scope, VisitIn};
use crate::dayplan::repo::{self, NewRunRow};

mod apply;

use crate::auth::{CurrentUser, Role};
use crate::db::{lock_row, new_id, now, DbConn, LockableTable};
use crate::error::{AppError, AppResult};
use crate::planning::optimiser::replan::{self, Disruption, ReplanOptions};
use crate::planning::optimiser::{self as opt, SolveOptions, Ticks};
use crate::planning::travel::TravelModel;
pub use apply::apply;

/// What the use cases need besides the connection and the caller.
pub struct Ctx<'a> {
    pub travel: &'a dyn TravelModel,
    pub tz: chrono_tz::Tz,
    pub planning: &'a crate::config::Planning,
}

/// Who may plan a clinic: admin any, a scheduler their own (another clinic, or a clinician: 404).
pub fn may_plan(user: &CurrentUser, clinic: &str) -> AppResult<()> {
    match user.role {
        Role::Admin => Ok(()),
        Role::Scheduler if user.organization_id.as_deref() == Some(clinic) => Ok(()),
        Role::Scheduler | Role::Clinician => Err(AppError::missing("clinic")),
        _ => Err(AppError::forbidden(
            "Day plans are made by a clinic's schedulers.",
        )),
    }
}

pub fn in_progress() -> AppError {
    AppError::conflict(
        "run_in_progress",
        "The clinic already has a day plan running; wait for it to finish.",
    )
}

/// A search to run once its run is committed.
pub struct Job {
    pub id: String,
    day_start: NaiveDateTime,
    tz: chrono_tz::Tz,
    problem: opt::Problem,
    /// A repair's event and the moment it happened.
    repair: Option<(Disruption, NaiveDateTime)>,
    pinned: Vec<String>,
    /// Per visit of the problem: under way or done, so a repair never moves it.
    fixed: Vec<bool>,
    limit: u64,
    seed: u64,
    stall: Option<usize>,
}

/// The span a run covers, the day stored with it, and a repair's event with its moment.
struct Span {
    mode: &'static str,
    day: NaiveDate,
    from: NaiveDateTime,
    to: NaiveDateTime,
    repair: Option<(model::request::Repair, NaiveDateTime)>,
}

fn span_of(ctx: &Ctx, scope: &Scope) -> AppResult<Span> {
    use crate::visits::flow::day_bounds;
    Ok(match scope {
        Scope::Day(d) => {
            let (from, to) = day_bounds(ctx.tz, *d)?;
            Span {
                mode: "day",
                day: *d,
                from,
                to,
                repair: None,
            }
        }
        Scope::Week(monday) => {
            let (from, _) = day_bounds(ctx.tz, *monday).map_err(|_| week_error())?;
            let (_, to) =
                day_bounds(ctx.tz, *monday + Duration::days(6)).map_err(|_| week_error())?;
            Span {
                mode: "week",
                day: *monday,
                from,
                to,
                repair: None,
            }
        }
        Scope::Repair(r) => {
            let at = r.from.unwrap_or_else(now).max(now());
            let day = at.and_utc().with_timezone(&ctx.tz).date_naive();
            if r.date.is_some_and(|d| d != day) {
                return Err(AppError::invalid(
                    "date",
                    "must be the day of the repair: the day of from, or today without from",
                ));
            }
            let (from, to) = day_bounds(ctx.tz, day)?;
            Span {
                mode: "repair",
                day,
                from,
                to,
                repair: Some((r.clone(), at)),
            }
        }
    })
}

fn week_error() -> AppError {
    AppError::invalid("week_of", "must be a date in the years 1900-2100")
}

/// Starts a run: checks the request, reads the clinic's shifts and visits of the span, builds the
/// problem (and a repair's event), stores the run `running` and audits it. The caller commits,
/// then hands the job to `solve`. One run at a time per clinic (409 `run_in_progress`).
pub fn start(
    conn: &mut DbConn,
    ctx: &Ctx,
    user: &CurrentUser,
    b: &NewRun,
) -> AppResult<(serde_json::Value, Job)> {
    let (scope, limit) = b.check()?;
    may_plan(user, &b.clinic_id)?;
    let span = span_of(ctx, &scope)?;
    let clinic = crate::network::flow::find(conn, &b.clinic_id)?
        .filter(|c| c.kind() == crate::network::model::OrgKind::Clinic)
        .ok_or_else(|| AppError::missing("clinic"))?;
    // One run at a time per clinic: the clinic's row serialises the check and the insert.
    lock_row(conn, LockableTable::Organizations, &clinic.id)?;
    if let Some(running) = repo::settle_running(conn, &clinic.id, now())? {
        return Err(in_progress().with_extra(serde_json::json!({ "run_id": running })));
    }
    let shifts = repo::shifts_of_day(conn, &clinic.id, span.from, span.to)?;
    if shifts.is_empty() {
        let (field, what) = match span.mode {
            "week" => ("week_of", "week"),
            _ => ("date", "day"),
        };
        return Err(AppError::invalid(
            field,
            format!("no clinician of the clinic has a shift that {what}"),
        ));
    }
    let repairing = span.repair.is_some();
    let (mut visits, mut versions) =
        repo::visits_of_day(conn, &clinic.id, span.from, span.to, repairing)?;
    // A visit booked with a clinician who has no shift in the span (deactivated, or absent since)
    // stays as it is: the plan can neither keep it in a route nor move it. A repair handles what
    // happened: the booked day and the visit it names, not the pool. One pass over each list.
    let named = span.repair.as_ref().map(|(r, _)| r.visit_id.as_deref());
    visits.retain(|v| {
        let on_shift = v
            .pinned
            .as_ref()
            .is_none_or(|(c, _)| shifts.iter().any(|s| s.clinician_id == *c));
        let wanted = named.is_none_or(|named| v.status != "requested" || named == Some(&*v.id));
        on_shift && wanted
    });
    let kept: std::collections::HashSet<&str> = visits.iter().map(|v| v.id.as_str()).collect();
    versions.retain(|(id, _)| kept.contains(id.as_str()));
    let problem = model::problem(
        span.from,
        span.to,
        clinic.location(),
        (&shifts, &visits),
        ctx.travel,
        span.mode == "week",
    )
    .map_err(|e| AppError::invalid("date", e.to_string()))?;
    let (repair, params) = match &span.repair {
        None => (None, None),
        Some((r, at)) => {
            let event = event_of(ctx, r, *at, &shifts, &visits, span.from)?;
            let disruption = repair_model::disruption(span.from, &visits, &event)?;
            (Some((disruption, *at)), Some(params_of(r, &event, *at)))
        }
    };
    let id = new_id();
    let seed = b.seed.unwrap_or(1);
    repo::insert(
        conn,
        NewRunRow {
            id: &id,
            clinic_id: &clinic.id,
            day: span.day.to_string(),
            mode: span.mode,
            params: params.map(|p| p.to_string()),
            time_limit_seconds: limit as i32,
            seed: seed as i64,
            requested_by: &user.id,
            visit_versions: serde_json::to_string(&versions).unwrap_or_default(),
        },
    )
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
    let pinned = visits
        .iter()
        .filter(|v| v.pinned.is_some())
        .map(|v| v.id.clone())
        .collect();
    let fixed = visits
        .iter()
        .map(|v| matches!(v.status.as_str(), "in_progress" | "completed"))
        .collect();
    let job = Job {
        fixed,
        id,
        day_start: span.from,
        tz: ctx.tz,
        problem,
        repair,
        pinned,
        limit,
        seed,
        stall: Some(ctx.planning.stall_offspring).filter(|&n| n > 0),
    };
    Ok((row.to_api(), job))
}

/// A repair's event with its clinician or visit found in the day.
fn event_of(
    ctx: &Ctx,
    r: &model::request::Repair,
    at: NaiveDateTime,
    shifts: &[model::ShiftIn],
    visits: &[VisitIn],
    day_start: NaiveDateTime,
) -> AppResult<Event> {
    let visit_id = r.visit_id.clone().unwrap_or_default();
    Ok(match r.reason {
        RepairReason::ClinicianAbsent => {
            let clinician_id = r.clinician_id.clone().unwrap_or_default();
            if !shifts.iter().any(|s| s.clinician_id == clinician_id) {
                return Err(AppError::invalid(
                    "clinician_id",
                    "must be a clinician of the clinic with a shift that day",
                ));
            }
            Event::Absent {
                clinician_id,
                from: at,
            }
        }
        RepairReason::UrgentVisit => Event::Urgent { visit_id },
        RepairReason::Overrun => {
            let booked_end = visits
                .iter()
                .find(|v| v.id == visit_id)
                .and_then(|v| {
                    v.pinned
                        .as_ref()
                        .map(|(_, s)| *s + Duration::minutes(v.minutes))
                })
                .unwrap_or(day_start);
            let assumed = Duration::minutes(ctx.planning.overrun_assumed_minutes);
            let until = r.until.unwrap_or(booked_end.max(at) + assumed);
            if until <= at {
                return Err(AppError::invalid("until", "must be after from (or now)"));
            }
            Event::Overrun { visit_id, until }
        }
    })
}

/// A repair's event as the run shows it.
fn params_of(r: &model::request::Repair, e: &Event, at: NaiveDateTime) -> serde_json::Value {
    let until = match e {
        Event::Overrun { until, .. } => Some(crate::time::Time::from(*until)),
        _ => None,
    };
    serde_json::json!({"reason": r.reason, "clinician_id": r.clinician_id, "visit_id": r.visit_id,
        "from": crate::time::Time::from(at), "until": until})
}

/// Runs a job's search (on the calling thread) and answers the proposal as stored JSON, or the error.
pub fn solve(job: Job) -> Result<String, String> {
    let options = SolveOptions::new(std::time::Duration::from_secs(job.limit), job.seed)
        .map(|o| SolveOptions {
            stall_limit: job.stall,
            ..o
        })
        .map_err(|e| e.to_string())?;
    let proposal = match job.repair {
        None => {
            let s = opt::solve(&job.problem, &options).map_err(|e| e.to_string())?;
            model::proposal(job.day_start, job.tz, &s, &job.pinned)
        }
        Some((disruption, at)) => {
            let ticks = |t: NaiveDateTime| (t - job.day_start).num_seconds() as Ticks;
            let r = replan::replan_keeping(
                &job.problem,
                &disruption,
                &ReplanOptions {
                    now: ticks(at),
                    solve: options,
                    tolerance: TOLERANCE_MINUTES * 60,
                    change_weight: CHANGE_WEIGHT_MINUTES * 60,
                },
                &job.fixed,
            )
            .map_err(|e| e.to_string())?;
            let (changes, figures) = repair_model::changes(job.day_start, at, &r, &job.fixed);
            let changed: HashSet<&str> = changes.iter().map(|c| c.visit_id.as_str()).collect();
            let kept: Vec<String> = job
                .problem
                .visits()
                .iter()
                .filter(|v| !changed.contains(v.id.as_str()))
                .map(|v| v.id.clone())
                .collect();
            let mut p = model::proposal(job.day_start, job.tz, &r.solution, &kept);
            p.changes = Some(changes);
            p.repair = Some(figures);
            p
        }
    };
    serde_json::to_string(&proposal).map_err(|e| e.to_string())
}

/// One run the caller may see; a run whose instance stopped mid-search is settled as failed.
pub fn get(conn: &mut DbConn, user: &CurrentUser, id: &str) -> AppResult<serde_json::Value> {
    let row =
        repo::find_scoped(conn, user, id)?.ok_or_else(|| AppError::missing("planning run"))?;
    if !model::is_abandoned(&row.status, row.created_at, row.time_limit_seconds, now()) {
        return Ok(row.to_api());
    }
    crate::db::write_tx(conn, |c| repo::abandon(c, id))?;
    Ok(repo::find_scoped(conn, user, id)?
        .ok_or_else(|| AppError::missing("planning run"))?
        .to_api())
}
