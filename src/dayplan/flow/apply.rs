//! Applying a completed run: each proposed booking through the visits' conflict-safe booking.
use chrono::NaiveDateTime;
use std::collections::HashMap;

use super::may_plan;
use crate::audit;
use crate::auth::CurrentUser;
use crate::dayplan::{model, repo};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};

#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct Outcome {
    applied: Vec<String>,
    /// Changed since the run (booked by hand, cancelled, ...): reported, not overwritten.
    changed: Vec<String>,
    /// Their proposed slot is no longer free.
    conflicts: Vec<String>,
    /// A repair's visits it could place nowhere: left as they are for the scheduler.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    unplaced: Vec<String>,
}

/// Applies a completed run in one transaction: books each proposed visit (a day or week plan: its
/// requested visits; a repair: each visit it adds, moves or reassigns) through the visits' booking,
/// reporting what changed meanwhile or no longer fits instead of overwriting it; the run becomes
/// `applied`, announced to its clinic.
pub fn apply(
    conn: &mut DbConn,
    ctx: &crate::visits::flow::Ctx,
    user: &CurrentUser,
    id: &str,
) -> AppResult<serde_json::Value> {
    let run =
        repo::find_scoped(conn, user, id)?.ok_or_else(|| AppError::missing("planning run"))?;
    may_plan(user, &run.clinic_id)?;
    if run.status != "completed" {
        return Err(AppError::conflict(
            "invalid_transition",
            format!("A run in the state {} cannot be applied.", run.status),
        ));
    }
    let proposal: model::Proposal =
        serde_json::from_str(run.proposal.as_deref().unwrap_or("")).map_err(AppError::internal)?;
    let versions: HashMap<String, i64> =
        serde_json::from_str::<repo::Versions>(&run.visit_versions)
            .map_err(AppError::internal)?
            .into_iter()
            .collect();
    let mut outcome = Outcome::default();
    let mut todo: Vec<(String, String, NaiveDateTime)> = vec![];
    match &proposal.changes {
        Some(changes) => {
            for c in changes {
                match &c.after {
                    Some(p) => todo.push((
                        c.visit_id.clone(),
                        p.clinician_id.clone(),
                        p.starts_at.0.naive_utc(),
                    )),
                    None => outcome.unplaced.push(c.visit_id.clone()),
                }
            }
        }
        None => {
            for route in &proposal.routes {
                for stop in route.stops.iter().filter(|s| !s.pinned) {
                    todo.push((
                        stop.visit_id.clone(),
                        route.clinician_id.clone(),
                        stop.starts_at.0.naive_utc(),
                    ));
                }
            }
        }
    }
    book_all(conn, ctx, user, todo, &versions, &mut outcome)?;
    if run.mode == "repair" {
        record_absence(conn, ctx, user, run.params.as_deref())?;
    }
    let outcome_json = serde_json::to_string(&outcome).map_err(AppError::internal)?;
    repo::mark_applied(conn, id, run.version, &outcome_json)?;
    let after = repo::find(conn, id)?
        .ok_or_else(|| AppError::missing("planning run"))?
        .to_api();
    audit::record(
        conn,
        Some(user),
        "apply",
        "planning_run",
        id,
        Some(&run.to_api()),
        Some(&after),
    )?;
    crate::events::publish(
        conn,
        "planning_run.applied",
        "planning_run",
        id,
        std::slice::from_ref(&run.clinic_id),
        &serde_json::json!({"id": id, "clinic_id": run.clinic_id, "mode": run.mode, "date": run.day,
            "outcome": serde_json::from_str::<serde_json::Value>(&outcome_json).unwrap_or_default()}),
    )?;
    Ok(after)
}

/// Books each (visit, clinician, start) through the conflict-safe booking. A repair's moves can
/// wait on each other (a visit goes where another leaves), so slots not free are tried again
/// after the others, until a pass books nothing more.
fn book_all(
    conn: &mut DbConn,
    ctx: &crate::visits::flow::Ctx,
    user: &CurrentUser,
    mut todo: Vec<(String, String, NaiveDateTime)>,
    versions: &HashMap<String, i64>,
    outcome: &mut Outcome,
) -> AppResult<()> {
    use crate::visits::flow::{book_proposed, Proposed};
    loop {
        let before = todo.len();
        let mut wait = vec![];
        for (visit, clinician, at) in todo {
            let expected = versions.get(&visit).copied();
            let (v, c) = (visit.as_str().into(), clinician.as_str().into());
            match book_proposed(conn, ctx, user, &v, expected, &c, at)? {
                Proposed::Applied => outcome.applied.push(visit),
                Proposed::Changed => outcome.changed.push(visit),
                Proposed::Conflict => wait.push((visit, clinician, at)),
            }
        }
        if wait.is_empty() || wait.len() == before {
            outcome.conflicts.extend(wait.into_iter().map(|w| w.0));
            return Ok(());
        }
        todo = wait;
    }
}

/// A clinician's absence, once its repair is applied, ends their shifts from its moment to the
/// end of that day, so later plans and bookings no longer count on them.
fn record_absence(
    conn: &mut DbConn,
    ctx: &crate::visits::flow::Ctx,
    user: &CurrentUser,
    params: Option<&str>,
) -> AppResult<()> {
    let Some(p) = params.and_then(|p| serde_json::from_str::<serde_json::Value>(p).ok()) else {
        return Ok(());
    };
    if p["reason"] != "clinician_absent" {
        return Ok(());
    }
    let (Some(clinician), Some(from)) = (
        p["clinician_id"].as_str(),
        p["from"]
            .as_str()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok()),
    ) else {
        return Ok(());
    };
    let day = from.with_timezone(&ctx.tz).date_naive();
    let (_, day_end) = crate::visits::flow::day_bounds(ctx.tz, day)?;
    crate::shifts::flow::absent_from(conn, user, clinician, from.naive_utc(), day_end)?;
    Ok(())
}
