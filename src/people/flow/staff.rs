//! The staff accounts' use cases: list, read, create, change (a new password ends the holder's
//! other sessions).
use crate::audit;
use crate::auth::{password, policy, CurrentUser, Role};
use crate::db::page::PageRequest;
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::people::model::{NewStaff, Staff, StaffChanges};
use crate::people::repo::{self, StaffFilter, UserRow};

fn value(r: &UserRow) -> AppResult<serde_json::Value> {
    serde_json::to_value(r.to_api()).map_err(AppError::internal)
}

pub fn list(
    conn: &mut DbConn,
    user: &CurrentUser,
    filter: &StaffFilter,
    page: &PageRequest,
) -> AppResult<Vec<UserRow>> {
    Ok(repo::list(conn, &policy::staff_scope(user), filter, page)?)
}

/// One account the caller may see (404 otherwise).
pub fn get(conn: &mut DbConn, user: &CurrentUser, id: &str) -> AppResult<UserRow> {
    repo::find_scoped(conn, &policy::staff_scope(user), id)?
        .ok_or_else(|| AppError::missing("staff member"))
}

/// What a caller may create: admin anything; a scheduler clinicians of their own clinic.
fn may_create(user: &CurrentUser, mut new: NewStaff) -> AppResult<NewStaff> {
    policy::require_role(user, policy::STAFF_WRITERS)?;
    if user.role == Role::Scheduler {
        if new.role != Role::Clinician {
            return Err(AppError::forbidden(
                "A scheduler may create clinician accounts only.",
            ));
        }
        let own = user.organization_id.clone();
        if new.organization_id.is_some() && new.organization_id != own {
            return Err(AppError::forbidden(
                "A scheduler may create accounts for their own clinic only.",
            ));
        }
        new.organization_id = own;
    }
    Ok(new)
}

/// Checks who may create it and its fields, before the password is hashed.
pub fn check_new(user: &CurrentUser, new: NewStaff, min_password: usize) -> AppResult<NewStaff> {
    let new = may_create(user, new)?;
    new.validate(min_password)?;
    Ok(new)
}

/// Creates a checked account (`check_new`). Audited.
pub fn create(conn: &mut DbConn, user: &CurrentUser, new: &NewStaff) -> AppResult<Staff> {
    let hash = password::hash(&new.password).map_err(AppError::internal)?;
    Ok(super::add_login(conn, Some(user), new, &hash)?.to_api())
}

/// Changes an account the caller may see and write, at the version read (a scheduler: clinicians
/// only). A new password ends every other session of its holder. Audited.
pub fn change(
    conn: &mut DbConn,
    user: &CurrentUser,
    id: &str,
    changes: &StaffChanges,
    min_password: usize,
    version_ok: impl FnOnce(i64) -> AppResult<()>,
) -> AppResult<Staff> {
    changes.validate(min_password)?;
    let row = get(conn, user, id)?;
    policy::require_role(user, policy::STAFF_WRITERS)?;
    if user.role == Role::Scheduler && row.role() != Some(Role::Clinician) {
        return Err(AppError::forbidden(
            "A scheduler may change clinician accounts only.",
        ));
    }
    version_ok(row.version)?;
    if crate::http::is_no_change(changes) {
        return Ok(row.to_api());
    }
    let hash = changes
        .password
        .as_deref()
        .map(password::hash)
        .transpose()
        .map_err(AppError::internal)?;
    let after = repo::update(conn, &row, changes, hash.clone())?;
    if hash.is_some() {
        // A new password ends every other session of that user (a reset after a leak must lock
        // the holder of a stolen token or refresh token out at once).
        let keep = (user.id == id).then_some(user.session_id.as_str());
        crate::auth::repo::revoke_sessions_of(
            conn,
            id,
            keep,
            "password_changed",
            crate::db::now(),
        )?;
    }
    audit::record(
        conn,
        Some(user),
        "update",
        "staff",
        id,
        Some(&value(&row)?),
        Some(&value(&after)?),
    )?;
    Ok(after.to_api())
}
