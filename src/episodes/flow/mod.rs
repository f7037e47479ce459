//! The home sickbed use cases, each in its caller's transaction: open (建床, by hand or by a
//! down-referral's acceptance), extend, close (撤床), list and read. What a sickbed owes is made by
//! the obligation engine (`programmes::flow::reconcile`), which reads the episodes table; closing
//! stops it through `programmes::flow::end_source`.
use serde_json::json;

mod change;
mod referral;

pub use change::{close, extend};
pub use referral::open_for_referral;

use super::model::{progress, Episode, EpisodeStatus, NewEpisode, Plan};
use super::repo::{self, EpisodeFilter, EpisodeRow};
use crate::audit;
use crate::auth::{policy, CurrentUser, Role};
use crate::db::page::PageRequest;
use crate::db::{new_id, now, DbConn};
use crate::error::{AppError, AppResult, FieldError};
use crate::events;
use crate::ids::EpisodeId;
use crate::programmes::flow as programmes;

/// Who opens, extends and closes sickbeds: the district, and the clinic's own staff.
const WRITERS: &[Role] = &[Role::Admin, Role::Scheduler, Role::Clinician];

/// What the use cases need besides the connection and the caller.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    pub programmes: programmes::Ctx<'a>,
    pub settings: &'a crate::config::Episodes,
}

fn value(e: &EpisodeRow) -> AppResult<serde_json::Value> {
    serde_json::to_value(e.to_api()).map_err(AppError::internal)
}

fn publish(conn: &mut DbConn, what: &str, e: &EpisodeRow) -> AppResult<()> {
    events::publish(
        conn,
        &format!("episode.{what}"),
        "episode",
        e.id.as_str(),
        &[
            e.clinic_id.to_string(),
            format!("resident:{}", e.resident_id),
        ],
        &json!({"id": e.id, "kind": e.kind, "resident_id": e.resident_id, "clinic_id": e.clinic_id,
            "status": e.status, "until": e.until, "version": e.version}),
    )?;
    Ok(())
}

fn bad(field: &str, message: &str) -> FieldError {
    FieldError {
        field: field.into(),
        message: message.into(),
    }
}

fn already_open() -> AppError {
    AppError::conflict(
        "sickbed_open",
        "The resident already has an open home sickbed; close it before opening another.",
    )
}

/// Opens a home sickbed for a resident the caller's clinic serves (admin: any, for the
/// responsible clinician's clinic). One open sickbed per resident (409 `sickbed_open`, enforced
/// by the database). Makes what it owes and requests the visits within the horizon.
pub fn open(
    conn: &mut DbConn,
    ctx: &Ctx,
    user: &CurrentUser,
    new: &NewEpisode,
) -> AppResult<Episode> {
    policy::require_role(user, WRITERS)?;
    let today = ctx.programmes.today;
    let rounds = ctx.settings.round_service_type.as_str();
    let mut errors = new.check(today, ctx.settings.max_days, rounds);
    let resident = crate::people::residents::find_scoped(
        conn,
        &policy::programme_scope(user),
        new.resident_id.as_str(),
    )?
    .ok_or_else(|| AppError::missing("resident"))?;
    let clinician = crate::people::flow::find_user(conn, new.responsible_clinician_id.as_str())?
        .filter(|c| c.role() == Some(Role::Clinician) && c.active);
    let clinic = match (user.role, &user.organization_id) {
        (Role::Admin, _) => clinician.as_ref().and_then(|c| c.organization_id.clone()),
        (_, org) => org.clone(),
    };
    let Some(clinic) = clinic else {
        errors.push(bad(
            "responsible_clinician_id",
            "must be an active clinician of a clinic",
        ));
        return Err(AppError::validation(errors));
    };
    if clinician.and_then(|c| c.organization_id) != Some(clinic.clone()) {
        errors.push(bad(
            "responsible_clinician_id",
            "must be an active clinician of the opening clinic",
        ));
    }
    for (i, n) in new.plan.nursing.iter().enumerate() {
        if crate::catalogue::repo::find(conn, &n.service_type)?.is_none() {
            errors.push(bad(
                &format!("plan.nursing[{i}].service_type"),
                "is not a service type of the catalogue",
            ));
        }
    }
    if new.plan.rounds_per_week > 0 && crate::catalogue::repo::find(conn, rounds)?.is_none() {
        return Err(AppError::internal(format!(
            "episodes.round_service_type {rounds} is not in the catalogue"
        )));
    }
    if let Some(id) = &new.referral_id {
        let fits = repo::referral_facts(conn, id)?.is_some_and(|r| {
            r.resident_id == resident.id
                && r.direction == "down"
                && r.to_organization_id == clinic
                && !matches!(r.status.as_str(), "rejected" | "cancelled")
        });
        if !fits {
            errors.push(bad(
                "referral_id",
                "must be a down-referral of this resident to the opening clinic",
            ));
        }
    }
    AppError::check_fields(errors)?;
    let plan = Plan {
        rounds_per_week: new.plan.rounds_per_week,
        round_service_type: rounds.to_string(),
        nursing: new.plan.nursing.clone(),
    };
    let at = now();
    let row = EpisodeRow {
        id: new_id().into(),
        kind: new.kind.as_str().into(),
        resident_id: resident.id.clone().into(),
        clinic_id: clinic.into(),
        referral_id: new.referral_id.clone(),
        status: EpisodeStatus::Open.as_str().into(),
        diagnosis_code: new.diagnosis.code.clone(),
        diagnosis_text: new.diagnosis.text.trim().to_string(),
        admission: new.admission.as_ref().map(json_text).transpose()?,
        responsible_clinician_id: new.responsible_clinician_id.clone(),
        plan: json_text(&plan)?,
        opened_on: repo::text(today),
        until: repo::text(new.plan.until),
        extensions: "[]".into(),
        closed_on: None,
        outcome: None,
        summary: None,
        opened_by: user.id.clone().into(),
        closed_by: None,
        version: 1,
        created_at: at,
        updated_at: at,
    };
    repo::insert(conn, &row).map_err(|e| match e {
        // The index allowing one open sickbed per resident: it is there, or a racer opened first.
        diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        ) => already_open(),
        e => e.into(),
    })?;
    audit::record(
        conn,
        Some(user),
        "create",
        "episode",
        row.id.as_str(),
        None,
        Some(&value(&row)?),
    )?;
    publish(conn, "opened", &row)?;
    programmes::reconcile(
        conn,
        &ctx.programmes.by(user),
        Some(row.resident_id.as_str()),
    )?;
    with_care(conn, ctx, row)
}

/// What is stored as JSON text.
fn json_text<T: serde::Serialize>(v: &T) -> AppResult<String> {
    serde_json::to_string(v).map_err(AppError::internal)
}

/// The sickbed with its care (its obligations, by window) and their counts.
fn with_care(conn: &mut DbConn, ctx: &Ctx, row: EpisodeRow) -> AppResult<Episode> {
    let care: Vec<_> = programmes::of_source(conn, row.id.as_str())?
        .iter()
        .filter(|o| o.source == "episode")
        .map(|o| o.to_api(ctx.programmes.today))
        .collect();
    let mut e = row.to_api();
    e.progress = Some(progress(&care));
    e.care = Some(care);
    Ok(e)
}

/// One sickbed the caller may see (404 otherwise).
fn scoped(conn: &mut DbConn, user: &CurrentUser, id: &EpisodeId) -> AppResult<EpisodeRow> {
    repo::find_scoped(conn, &policy::visit_scope(user), id)?
        .ok_or_else(|| AppError::missing("episode"))
}

pub fn list(
    conn: &mut DbConn,
    user: &CurrentUser,
    f: &EpisodeFilter,
    page: &PageRequest,
) -> AppResult<Vec<EpisodeRow>> {
    Ok(repo::list(conn, &policy::visit_scope(user), f, page)?)
}

/// One sickbed with its care, for whoever may see it.
pub fn get(conn: &mut DbConn, ctx: &Ctx, user: &CurrentUser, id: &EpisodeId) -> AppResult<Episode> {
    let row = scoped(conn, user, id)?;
    with_care(conn, ctx, row)
}
