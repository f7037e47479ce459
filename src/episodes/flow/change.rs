//! Changing an open sickbed: extending it past its last day, and closing it (撤床).

use super::super::model::{CloseBody, Episode, EpisodeStatus, ExtendBody};
use super::super::repo::{self, EpisodeChanges, EpisodeRow};
use super::{publish, scoped, value, with_care, Ctx, WRITERS};
use crate::audit;
use crate::auth::{policy, CurrentUser};
use crate::db::{now, DbConn};
use crate::error::{AppError, AppResult};
use crate::ids::EpisodeId;
use crate::programmes::flow as programmes;

/// An open sickbed the caller may change: a writer of its clinic (or admin), at the version read.
fn open_for_change(
    conn: &mut DbConn,
    user: &CurrentUser,
    id: &EpisodeId,
    verb: &str,
    version_ok: impl FnOnce(i64) -> AppResult<()>,
) -> AppResult<EpisodeRow> {
    let row = scoped(conn, user, id)?;
    policy::require_role(user, WRITERS)?;
    version_ok(row.version)?;
    if row.status() != EpisodeStatus::Open {
        return Err(AppError::conflict(
            "invalid_transition",
            format!("A closed home sickbed cannot be {verb}."),
        ));
    }
    Ok(row)
}

fn changed(conn: &mut DbConn, row: &EpisodeRow, ch: EpisodeChanges) -> AppResult<EpisodeRow> {
    if !repo::update(conn, row, ch)? {
        return Err(AppError::conflict(
            "concurrent_update",
            "Another change to this home sickbed won; read it again.",
        ));
    }
    repo::find(conn, &row.id)?.ok_or_else(|| AppError::missing("episode"))
}

/// Extends an open sickbed past its last day with a reason: what it owes runs on to the new day.
pub fn extend(
    conn: &mut DbConn,
    ctx: &Ctx,
    user: &CurrentUser,
    id: &EpisodeId,
    body: &ExtendBody,
    version_ok: impl FnOnce(i64) -> AppResult<()>,
) -> AppResult<Episode> {
    let row = open_for_change(conn, user, id, "extended", version_ok)?;
    AppError::check_fields(body.check(row.until(), ctx.settings.max_days))?;
    let mut extensions = row.extensions();
    extensions.push(super::super::model::Extension {
        from: row.until(),
        to: body.until,
        reason: body.reason.trim().to_string(),
        by: user.id.clone().into(),
        at: now().into(),
    });
    let ch = EpisodeChanges {
        until: Some(repo::text(body.until)),
        extensions: Some(serde_json::to_string(&extensions).map_err(AppError::internal)?),
        ..Default::default()
    };
    let after = changed(conn, &row, ch)?;
    audit::record(
        conn,
        Some(user),
        "extend",
        "episode",
        row.id.as_str(),
        Some(&value(&row)?),
        Some(&value(&after)?),
    )?;
    publish(conn, "extended", &after)?;
    programmes::reconcile(
        conn,
        &ctx.programmes.by(user),
        Some(after.resident_id.as_str()),
    )?;
    with_care(conn, ctx, after)
}

/// Closes an open sickbed (撤床) with its outcome and summary: what it still owes from today is
/// waived and those visits not yet begun are cancelled with the reason; what was done stays.
pub fn close(
    conn: &mut DbConn,
    ctx: &Ctx,
    user: &CurrentUser,
    id: &EpisodeId,
    body: &CloseBody,
    version_ok: impl FnOnce(i64) -> AppResult<()>,
) -> AppResult<Episode> {
    let row = open_for_change(conn, user, id, "closed", version_ok)?;
    AppError::check_fields(body.check())?;
    let ch = EpisodeChanges {
        status: Some(EpisodeStatus::Closed.as_str().into()),
        closed_on: Some(Some(repo::text(ctx.programmes.today))),
        outcome: Some(Some(body.outcome.as_str().into())),
        summary: Some(Some(body.summary.trim().to_string())),
        closed_by: Some(Some(user.id.clone().into())),
        ..Default::default()
    };
    let after = changed(conn, &row, ch)?;
    audit::record(
        conn,
        Some(user),
        "close",
        "episode",
        row.id.as_str(),
        Some(&value(&row)?),
        Some(&value(&after)?),
    )?;
    publish(conn, "closed", &after)?;
    let comment = format!("home sickbed closed: {}", body.outcome.as_str());
    programmes::end_source(
        conn,
        &ctx.programmes,
        Some(user),
        "episode",
        row.id.as_str(),
        body.outcome.waiver(),
        &comment,
    )?;
    with_care(conn, ctx, after)
}
