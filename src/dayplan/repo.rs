//! Planning runs in the database, and a clinic's day as the optimiser's input.
use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{ShiftIn, VisitIn};
use crate::auth::{policy, CurrentUser};
use crate::db::schema::{planning_runs, residents, service_types, shifts, users, visits};
use crate::db::{now, DbConn, MultiBackend};
use crate::network::model::Location;

#[derive(Debug, Clone, Queryable)]
pub struct RunRow {
    pub id: String,
    pub clinic_id: String,
    pub day: String,
    pub status: String,
    pub time_limit_seconds: i32,
    pub seed: i64,
    pub requested_by: String,
    pub visit_versions: String,
    pub proposal: Option<String>,
    pub outcome: Option<String>,
    pub error: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// day, week or repair.
    pub mode: String,
    /// A repair's event as asked (JSON).
    pub params: Option<String>,
}

impl RunRow {
    pub fn to_api(&self) -> serde_json::Value {
        let json = |s: &Option<String>| {
            s.as_deref()
                .and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok())
        };
        let week_of = (self.mode == "week").then_some(self.day.as_str());
        serde_json::json!({
            "id": self.id, "clinic_id": self.clinic_id, "date": self.day, "status": self.status,
            "mode": self.mode, "week_of": week_of, "repair": json(&self.params),
            "time_limit_seconds": self.time_limit_seconds, "seed": self.seed, "requested_by": self.requested_by,
            "proposal": json(&self.proposal), "outcome": json(&self.outcome), "error": self.error,
            "version": self.version, "created_at": crate::time::Time::from(self.created_at), "updated_at": crate::time::Time::from(self.updated_at),
        })
    }
}

/// Runs are visible to the authority and the staff of their clinic.
pub fn scoped(user: &CurrentUser) -> planning_runs::BoxedQuery<'static, MultiBackend> {
    let q = planning_runs::table.into_boxed();
    match policy::planning_clinics(user) {
        None => q,
        Some(clinics) => q.filter(planning_runs::clinic_id.eq_any(clinics)),
    }
}

pub fn find_scoped(conn: &mut DbConn, user: &CurrentUser, id: &str) -> QueryResult<Option<RunRow>> {
    scoped(user)
        .filter(planning_runs::id.eq(id.to_string()))
        .first(conn)
        .optional()
}

pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<RunRow>> {
    planning_runs::table.find(id).first(conn).optional()
}

/// A new run, as stored.
pub struct NewRunRow<'a> {
    pub id: &'a str,
    pub clinic_id: &'a str,
    pub day: String,
    pub mode: &'a str,
    pub params: Option<String>,
    pub time_limit_seconds: i32,
    pub seed: i64,
    pub requested_by: &'a str,
    pub visit_versions: String,
}

/// Stores a new running run. Another run of the clinic still running breaks the unique index
/// that allows one (the caller maps that to 409).
pub fn insert(conn: &mut DbConn, r: NewRunRow) -> QueryResult<()> {
    let at = now();
    diesel::insert_into(planning_runs::table)
        .values((
            planning_runs::id.eq(r.id),
            planning_runs::clinic_id.eq(r.clinic_id),
            planning_runs::day.eq(r.day),
            planning_runs::mode.eq(r.mode),
            planning_runs::params.eq(r.params),
            planning_runs::status.eq("running"),
            planning_runs::time_limit_seconds.eq(r.time_limit_seconds),
            planning_runs::seed.eq(r.seed),
            planning_runs::requested_by.eq(r.requested_by),
            planning_runs::visit_versions.eq(r.visit_versions),
            planning_runs::version.eq(1i64),
            planning_runs::created_at.eq(at),
            planning_runs::updated_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Marks a completed run applied with its outcome, if still at `version`.
pub fn mark_applied(conn: &mut DbConn, id: &str, version: i64, outcome: &str) -> QueryResult<bool> {
    let n = diesel::update(
        planning_runs::table
            .find(id)
            .filter(planning_runs::version.eq(version)),
    )
    .set((
        planning_runs::status.eq("applied"),
        planning_runs::outcome.eq(Some(outcome)),
        planning_runs::version.eq(version + 1),
        planning_runs::updated_at.eq(now()),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// The clinic's shifts touching [from, to), with each clinician's skills: one entry per part
/// worked (a shift with a lunch break is two, `{id}/1` and `{id}/2`, each from and back to the
/// clinic), clipped to [from, to).
pub fn shifts_of_day(
    conn: &mut DbConn,
    clinic: &str,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> QueryResult<Vec<ShiftIn>> {
    let rows: Vec<(String, String, NaiveDateTime, NaiveDateTime, String, String)> = shifts::table
        .inner_join(users::table)
        .filter(shifts::clinic_id.eq(clinic))
        .filter(users::active.eq(true))
        .filter(shifts::starts_at.lt(to))
        .filter(shifts::ends_at.gt(from))
        .filter(shifts::starts_at.gt(from - crate::shifts::model::longest()))
        .order((shifts::starts_at.asc(), shifts::id.asc()))
        .select((
            shifts::clinician_id,
            shifts::id,
            shifts::starts_at,
            shifts::ends_at,
            shifts::breaks,
            users::skills,
        ))
        .load(conn)?;
    let mut out = vec![];
    for (clinician_id, shift_id, starts_at, ends_at, breaks, skills) in rows {
        let skills: Vec<String> = serde_json::from_str(&skills).unwrap_or_default();
        let parts = crate::shifts::repo::worked(starts_at, ends_at, &breaks);
        let split = parts.len() > 1;
        for (n, (s, e)) in parts.into_iter().enumerate() {
            let (s, e) = (s.max(from), e.min(to));
            if s >= e {
                continue;
            }
            out.push(ShiftIn {
                clinician_id: clinician_id.clone(),
                shift_id: if split {
                    format!("{shift_id}/{}", n + 1)
                } else {
                    shift_id.clone()
                },
                starts_at: s,
                ends_at: e,
                skills: skills.clone(),
            });
        }
    }
    Ok(out)
}

/// Each visit's version when the run read it.
pub type Versions = Vec<(String, i64)>;

type DayVisitRow = (
    String,
    String,
    Option<String>,
    NaiveDateTime,
    NaiveDateTime,
    Option<String>,
    Option<NaiveDateTime>,
    i64,
    f64,
    f64,
    Option<String>,
    String,
    i32,
    String,
);

/// The clinic's requested visits whose window touches [from, to) and its scheduled visits starting
/// in it (pinned), with (visit id, version) for spotting later changes. With `started`, also
/// the visits under way or done that started in it (pinned: a repair keeps them).
pub fn visits_of_day(
    conn: &mut DbConn,
    clinic: &str,
    from: NaiveDateTime,
    to: NaiveDateTime,
    started: bool,
) -> QueryResult<(Vec<VisitIn>, Versions)> {
    let booked: &[&str] = if started {
        &["scheduled", "in_progress", "completed"]
    } else {
        &["scheduled"]
    };
    let rows: Vec<DayVisitRow> = visits::table
        .inner_join(residents::table)
        .inner_join(service_types::table.on(service_types::code.eq(visits::service_type)))
        .filter(visits::clinic_id.eq(clinic))
        .filter(
            visits::status
                .eq("requested")
                .and(visits::window_start.lt(to))
                .and(visits::window_end.gt(from))
                .or(visits::status
                    .eq_any(booked)
                    .and(visits::starts_at.ge(from))
                    .and(visits::starts_at.lt(to))),
        )
        .select((
            visits::id,
            visits::status,
            visits::clinician_id,
            visits::window_start,
            visits::window_end,
            visits::priority.nullable(),
            visits::starts_at,
            visits::version,
            residents::lat,
            residents::lon,
            residents::family_doctor_id,
            residents::priority_flags,
            service_types::duration_minutes,
            service_types::required_skill,
        ))
        .order(visits::id.asc())
        .load(conn)?;
    let mut out = vec![];
    let mut versions = vec![];
    for (
        id,
        status,
        clinician,
        ws,
        we,
        priority,
        starts,
        version,
        lat,
        lon,
        doctor,
        flags,
        minutes,
        skill,
    ) in rows
    {
        let urgent = priority.as_deref() == Some("urgent");
        let flagged = flags != "[]";
        let pinned = if status == "requested" {
            None
        } else {
            clinician.zip(starts)
        };
        versions.push((id.clone(), version));
        out.push(VisitIn {
            id,
            status,
            location: Location { lat, lon },
            minutes: minutes as i64,
            window_start: ws,
            window_end: we,
            skill,
            priority: if urgent {
                3
            } else if flagged {
                2
            } else {
                1
            },
            family_doctor: doctor,
            pinned,
        });
    }
    Ok((out, versions))
}

/// The clinic's run still searching at `now`, if any. Runs marked running whose instance died
/// (see `model::is_abandoned`) are settled as failed on the way: at most one run per clinic may be
/// running (a unique index), and a dead one must not block the clinic for ever.
pub fn settle_running(
    conn: &mut DbConn,
    clinic: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<String>> {
    let rows: Vec<(String, NaiveDateTime, i32)> = planning_runs::table
        .filter(planning_runs::clinic_id.eq(clinic))
        .filter(planning_runs::status.eq("running"))
        .select((
            planning_runs::id,
            planning_runs::created_at,
            planning_runs::time_limit_seconds,
        ))
        .load(conn)?;
    let mut live = None;
    for (id, at, limit) in rows {
        if super::model::is_abandoned("running", at, limit, now) {
            abandon(conn, &id)?;
        } else {
            live = Some(id);
        }
    }
    Ok(live)
}

/// Settles a run whose instance stopped mid-search as failed (a late solver and this cannot
/// both win: both update only a run still running).
pub fn abandon(conn: &mut DbConn, id: &str) -> QueryResult<()> {
    finish(conn, id, Err(super::model::ABANDONED_ERROR.to_string()))
}

/// Records the outcome of a background run.
pub fn finish(conn: &mut DbConn, id: &str, result: Result<String, String>) -> QueryResult<()> {
    let (status, proposal, error) = match result {
        Ok(p) => ("completed", Some(p), None),
        Err(e) => ("failed", None, Some(e)),
    };
    diesel::update(
        planning_runs::table
            .find(id)
            .filter(planning_runs::status.eq("running")),
    )
    .set((
        planning_runs::status.eq(status),
        planning_runs::proposal.eq(proposal),
        planning_runs::error.eq(error),
        planning_runs::version.eq(planning_runs::version + 1),
        planning_runs::updated_at.eq(now()),
    ))
    .execute(conn)?;
    Ok(())
}
