//! The shifts' use cases: list and read a clinic's shifts, add a clinician's shift. Each takes the
//! connection and the caller, and runs in the transaction its caller opened.
use super::model::{Shift, ShiftSpan, Span};
use super::repo::{self, ShiftFilter, ShiftRow};
use crate::audit;
use crate::auth::{policy, CurrentUser, Role};
use crate::db::page::PageRequest;
use crate::db::DbConn;
use crate::error::{AppError, AppResult};

/// One page of the shifts the caller may see (rows, so the page's cursor can be taken from them).
pub fn list(
    conn: &mut DbConn,
    user: &CurrentUser,
    filter: &ShiftFilter,
    page: &PageRequest,
) -> AppResult<Vec<ShiftRow>> {
    Ok(repo::list(
        conn,
        &policy::shift_clinics(user),
        filter,
        page,
    )?)
}

/// One shift the caller may see, else 404.
pub fn get(conn: &mut DbConn, user: &CurrentUser, id: &str) -> AppResult<Shift> {
    let row = repo::find_scoped(conn, &policy::shift_clinics(user), id)?
        .ok_or_else(|| AppError::missing("shift"))?;
    Ok(row.to_api())
}

/// Adds a shift for a clinician of the caller's clinic (any clinic for admin), at the
/// clinician's clinic with its breaks (checked against it by the model), unless it overlaps
/// another of theirs; audited.
pub fn add(
    conn: &mut DbConn,
    user: &CurrentUser,
    clinician_id: &str,
    span: ShiftSpan,
    breaks: &[Span],
) -> AppResult<Shift> {
    policy::require_role(user, policy::SHIFT_WRITERS)?;
    // People has no flow yet: the clinician is read from its repo.
    let clinician = crate::people::flow::find_user(conn, clinician_id)?
        .filter(|c| c.role() == Some(Role::Clinician))
        .filter(|c| user.is_admin() || c.organization_id == user.organization_id)
        .ok_or_else(|| AppError::invalid("clinician_id", "must be a clinician of your clinic"))?;
    let clinic_id = clinician
        .organization_id
        .clone()
        .ok_or_else(|| AppError::invalid("clinician_id", "has no clinic"))?;
    let shift = repo::insert(conn, &clinician.id, &clinic_id, span, breaks)?.to_api();
    let after = serde_json::to_value(&shift).map_err(AppError::internal)?;
    audit::record(
        conn,
        Some(user),
        "create",
        "shift",
        &shift.id,
        None,
        Some(&after),
    )?;
    Ok(shift)
}

/// A clinician absent from `from` until `to` (a repair for their absence, applied): their shifts
/// in that span end at `from`, or go if they begin at or after it. Audited; answers how many
/// shifts changed. Visits stay as they are (the repair has moved what it could).
pub fn absent_from(
    conn: &mut DbConn,
    user: &CurrentUser,
    clinician_id: &str,
    from: chrono::NaiveDateTime,
    to: chrono::NaiveDateTime,
) -> AppResult<usize> {
    let rows = repo::of_clinician_between(conn, clinician_id, from, to)?;
    for row in &rows {
        let before = serde_json::to_value(row.to_api()).map_err(AppError::internal)?;
        if row.starts_at >= from {
            repo::delete(conn, &row.id)?;
            audit::record(
                conn,
                Some(user),
                "delete",
                "shift",
                &row.id,
                Some(&before),
                None,
            )?;
        } else {
            let after = repo::end_at(conn, row, from)?.to_api();
            let after = serde_json::to_value(after).map_err(AppError::internal)?;
            audit::record(
                conn,
                Some(user),
                "update",
                "shift",
                &row.id,
                Some(&before),
                Some(&after),
            )?;
        }
    }
    Ok(rows.len())
}
