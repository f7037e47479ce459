//! Obligations: the list, one, and waiving (the only change people make; carelink makes them).
use serde_json::json;

use super::Ctx;
use crate::audit;
use crate::auth::{policy, CurrentUser, Role};
use crate::db::page::PageRequest;
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::events;
use crate::programmes::model::{Obligation, WaiveBody};
use crate::programmes::repo::{self, ObligationChanges, ObligationFilter, ObligationRow};

pub fn obligations(
    conn: &mut DbConn,
    user: &CurrentUser,
    f: &ObligationFilter,
    today: chrono::NaiveDate,
    page: &PageRequest,
) -> AppResult<Vec<ObligationRow>> {
    Ok(repo::obligations(
        conn,
        &policy::programme_scope(user),
        f,
        today,
        page,
    )?)
}

pub fn obligation(conn: &mut DbConn, user: &CurrentUser, id: &str) -> AppResult<ObligationRow> {
    repo::obligation_scoped(conn, &policy::programme_scope(user), id)?
        .ok_or_else(|| AppError::missing("obligation"))
}

/// Waives an open obligation with a reason: it is no longer owed, and its requested visit is
/// cancelled. Clinic staff and the district; a met or waived one answers 409.
pub fn waive(
    conn: &mut DbConn,
    ctx: &Ctx,
    user: &CurrentUser,
    id: &str,
    body: &WaiveBody,
    version_ok: impl FnOnce(i64) -> AppResult<()>,
) -> AppResult<Obligation> {
    let o = obligation(conn, user, id)?;
    policy::require_role(user, &[Role::Admin, Role::Scheduler, Role::Clinician])?;
    version_ok(o.version)?;
    let comment = body.check()?;
    if o.state != "open" {
        return Err(AppError::conflict(
            "invalid_transition",
            format!(
                "An obligation that is {} cannot be waived.",
                o.status(ctx.today).as_str()
            ),
        ));
    }
    if !waive_row(conn, ctx, Some(user), &o, body.reason.as_str(), comment)? {
        return Err(AppError::conflict(
            "concurrent_update",
            "Another change to this obligation won; read it again.",
        ));
    }
    let after = repo::obligation(conn, &o.id)?.ok_or_else(|| AppError::missing("obligation"))?;
    Ok(after.to_api(ctx.today))
}

/// Waives one open obligation (a person's waiver, or a contract's end): audited, announced to the
/// clinic, its live visit cancelled. False when another change won.
pub fn waive_row(
    conn: &mut DbConn,
    ctx: &Ctx,
    user: Option<&CurrentUser>,
    o: &ObligationRow,
    reason: &str,
    comment: Option<String>,
) -> AppResult<bool> {
    let ch = ObligationChanges {
        state: Some("waived".into()),
        reason: Some(Some(reason.into())),
        comment: Some(comment.clone()),
        ..Default::default()
    };
    if !repo::update_obligation(conn, o, ch)? {
        return Ok(false);
    }
    let after = repo::obligation(conn, &o.id)?.ok_or_else(|| AppError::missing("obligation"))?;
    let value =
        |r: &ObligationRow| serde_json::to_value(r.to_api(ctx.today)).map_err(AppError::internal);
    audit::record(
        conn,
        user,
        "waive",
        "obligation",
        &o.id,
        Some(&value(o)?),
        Some(&value(&after)?),
    )?;
    events::publish(
        conn,
        "obligation.waived",
        "obligation",
        &o.id,
        std::slice::from_ref(&o.clinic_id),
        &json!({"id": o.id, "resident_id": o.resident_id, "reason": reason, "version": after.version}),
    )?;
    if let Some(visit) = &o.visit_id {
        let why = format!(
            "obligation waived: {reason}{}",
            comment.map(|c| format!(" ({c})")).unwrap_or_default()
        );
        crate::visits::flow::cancel_owed(conn, user, &visit.as_str().into(), &why)?;
    }
    Ok(true)
}

/// What a contract or an episode still owes stops: each of its open obligations whose window has
/// not closed by today is waived with `reason` and `comment` (its requested or scheduled visit
/// cancelled); those met, those already overdue and those whose visit is under way stay as they
/// are. How many were waived.
pub fn end_source(
    conn: &mut DbConn,
    ctx: &Ctx,
    user: Option<&CurrentUser>,
    source: &str,
    source_id: &str,
    reason: &str,
    comment: &str,
) -> AppResult<usize> {
    let mut waived = 0;
    for o in of_source(conn, source_id)? {
        if o.source != source || o.state != "open" || repo::day(&o.latest) < ctx.today {
            continue;
        }
        // A visit under way meets it when it is checked out.
        if let Some(v) = &o.visit_id {
            if crate::visits::flow::begun(conn, &v.as_str().into())? {
                continue;
            }
        }
        if waive_row(conn, ctx, user, &o, reason, Some(comment.to_string()))? {
            waived += 1;
        }
    }
    Ok(waived)
}

/// Every obligation a contract or an episode made, by window; the caller checked its access.
pub fn of_source(conn: &mut DbConn, source_id: &str) -> AppResult<Vec<ObligationRow>> {
    let filter = ObligationFilter {
        source_id: Some(source_id.to_string()),
        ..Default::default()
    };
    let all = PageRequest {
        limit: 10_000,
        after: None,
    };
    let today = chrono::NaiveDate::MIN;
    let mut rows = repo::obligations(conn, &policy::ResidentScope::All, &filter, today, &all)?;
    rows.sort_by(|a, b| {
        (&a.earliest, &a.service_type, &a.period).cmp(&(&b.earliest, &b.service_type, &b.period))
    });
    Ok(rows)
}
