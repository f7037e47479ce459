//! The people domain's use cases: residents and staff accounts, and creating a login, which other
//! domains and the command line share.
use crate::audit;
use crate::auth::CurrentUser;
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::people::model::NewStaff;
use crate::people::repo;
pub use crate::people::repo::UserRow;

pub mod residents;
pub mod staff;

/// Creates a login (staff, or a resident's) from a checked `new` and its password hash, audited
/// as `actor`'s (None: the command line). The caller holds the transaction.
pub fn add_login(
    conn: &mut DbConn,
    actor: Option<&CurrentUser>,
    new: &NewStaff,
    password_hash: &str,
) -> AppResult<UserRow> {
    if let Some(resident) = &new.resident_id {
        if crate::people::residents::find(conn, resident)?.is_none() {
            return Err(AppError::invalid("resident_id", "is not a known resident"));
        }
    }
    let row = repo::insert(conn, new, password_hash)?;
    let after = serde_json::to_value(row.to_api()).map_err(AppError::internal)?;
    audit::record(conn, actor, "create", "staff", &row.id, None, Some(&after))?;
    Ok(row)
}

/// One account, if there is one: how other domains read staff (a family doctor, a responsible
/// clinician, who sent a referral); their access to it is theirs to check.
pub fn find_user(conn: &mut DbConn, id: &str) -> AppResult<Option<UserRow>> {
    Ok(repo::find(conn, id)?)
}
