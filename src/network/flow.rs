//! The network's use cases: read the directory, add an organisation, change one. Each takes the
//! connection and the caller, and runs in the transaction its caller opened.
use super::model::{NewOrganization, Organization, OrganizationChanges};
use super::repo;
pub use super::repo::{OrgFilter, OrgRow};
use crate::audit;
use crate::auth::{policy, CurrentUser, Role};
use crate::db::page::PageRequest;
use crate::db::DbConn;
use crate::error::{AppError, AppResult};

/// One page of the directory (rows, so the page's cursor can be taken from them): every
/// signed-in user may read it.
pub fn list(conn: &mut DbConn, filter: &OrgFilter, page: &PageRequest) -> AppResult<Vec<OrgRow>> {
    Ok(repo::list(conn, filter, page)?)
}

/// One organisation's row, if there is one: how other domains read the directory.
pub fn find(conn: &mut DbConn, id: &str) -> AppResult<Option<OrgRow>> {
    Ok(repo::find(conn, id)?)
}

/// One organisation's row by its code (`WH-CL-01`), if there is one.
pub fn find_by_code(conn: &mut DbConn, code: &str) -> AppResult<Option<OrgRow>> {
    Ok(repo::find_by_code(conn, code)?)
}

/// One organisation, else 404.
pub fn get(conn: &mut DbConn, id: &str) -> AppResult<Organization> {
    let row = repo::find(conn, id)?.ok_or_else(|| AppError::missing("organization"))?;
    Ok(row.to_api())
}

/// Adds an organisation (admin only; its fields already validated); audited.
pub fn create(
    conn: &mut DbConn,
    user: &CurrentUser,
    new: &NewOrganization,
) -> AppResult<Organization> {
    policy::require_role(user, &[Role::Admin])?;
    let org = repo::insert(conn, new)?.to_api();
    let after = to_value(&org)?;
    audit::record(
        conn,
        Some(user),
        "create",
        "organization",
        &org.id,
        None,
        Some(&after),
    )?;
    Ok(org)
}

/// Changes an organisation (admin only) at a version `version_ok` accepts (If-Match); audited.
/// `changes` None (a PATCH that sends no field) answers the organisation as it is, without a new
/// version or an audit record.
pub fn update(
    conn: &mut DbConn,
    user: &CurrentUser,
    id: &str,
    changes: Option<&OrganizationChanges>,
    version_ok: impl FnOnce(i64) -> AppResult<()>,
) -> AppResult<Organization> {
    policy::require_role(user, &[Role::Admin])?;
    let row = repo::find(conn, id)?.ok_or_else(|| AppError::missing("organization"))?;
    version_ok(row.version)?;
    let Some(changes) = changes else {
        return Ok(row.to_api());
    };
    changes.validate(row.kind())?;
    let before = to_value(&row.to_api())?;
    let org = repo::update(conn, &row, changes)?.to_api();
    let after = to_value(&org)?;
    audit::record(
        conn,
        Some(user),
        "update",
        "organization",
        id,
        Some(&before),
        Some(&after),
    )?;
    Ok(org)
}

fn to_value(org: &Organization) -> AppResult<serde_json::Value> {
    serde_json::to_value(org).map_err(AppError::internal)
}
