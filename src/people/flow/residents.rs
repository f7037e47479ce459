//! The residents' use cases: list, read (each read audited), register, change. What a resident is
//! owed follows their age and conditions, so registering and such changes run the programmes
//! engine over them in the same transaction.
use crate::audit;
use crate::auth::{policy, CurrentUser, Role};
use crate::db::page::PageRequest;
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::people::model::{NewResident, Resident, ResidentChanges, ResidentFields};
use crate::people::residents::{self, ResidentFilter, ResidentRow};
use crate::programmes::flow as programmes;

fn value(r: &ResidentRow) -> AppResult<serde_json::Value> {
    serde_json::to_value(r.to_api()).map_err(AppError::internal)
}

/// The residents the caller may see, a page; each read is audited.
pub fn list(
    conn: &mut DbConn,
    user: &CurrentUser,
    filter: &ResidentFilter,
    page: &PageRequest,
) -> AppResult<Vec<ResidentRow>> {
    let rows = residents::list(conn, &policy::resident_scope(user), filter, page)?;
    audit::record_reads(conn, user, "resident", rows.iter().map(|r| r.id.as_str()))?;
    Ok(rows)
}

/// One resident the caller may see (404 otherwise); the read is audited.
pub fn get(conn: &mut DbConn, user: &CurrentUser, id: &str) -> AppResult<ResidentRow> {
    let row = residents::find_scoped(conn, &policy::resident_scope(user), id)?
        .ok_or_else(|| AppError::missing("resident"))?;
    audit::record_reads(conn, user, "resident", std::iter::once(row.id.as_str()))?;
    Ok(row)
}

/// Registers a resident in the caller's area (a care home's own, by default), with what they are
/// owed. Audited.
pub fn register(
    conn: &mut DbConn,
    ctx: &programmes::Ctx,
    user: &CurrentUser,
    mut new: NewResident,
) -> AppResult<Resident> {
    policy::require_role(user, policy::RESIDENT_WRITERS)?;
    if user.role == Role::CareHome && new.care_home_id.is_none() {
        new.care_home_id = user.organization_id.clone();
    }
    ResidentFields {
        name: &new.name,
        birth_date: new.birth_date,
        phone: &new.phone,
        address: &new.address,
        location: new.location,
        conditions: &new.conditions,
        id_number: new.id_number.as_deref(),
    }
    .validate(ctx.today)?;
    let scope = policy::resident_scope(user);
    let at = residents::check_placement(
        conn,
        &scope,
        new.community_id.as_deref(),
        new.care_home_id.as_deref(),
    )?;
    if let Some(d) = &new.family_doctor_id {
        residents::check_family_doctor(conn, &scope, d)?;
    }
    let row = residents::insert(conn, &new, &at)?;
    audit::record(
        conn,
        Some(user),
        "create",
        "resident",
        &row.id,
        None,
        Some(&value(&row)?),
    )?;
    programmes::reconcile(conn, &ctx.by(user), Some(&row.id))?;
    Ok(row.to_api())
}

/// Changes a resident the caller may see and write, at the version read; a body that changes
/// nothing answers the resident as it is. Audited; a change of age or conditions re-runs what they
/// are owed.
pub fn change(
    conn: &mut DbConn,
    ctx: &programmes::Ctx,
    user: &CurrentUser,
    id: &str,
    ch: &ResidentChanges,
    version_ok: impl FnOnce(i64) -> AppResult<()>,
) -> AppResult<Resident> {
    let scope = policy::resident_scope(user);
    let row =
        residents::find_scoped(conn, &scope, id)?.ok_or_else(|| AppError::missing("resident"))?;
    policy::require_role(user, policy::RESIDENT_WRITERS)?;
    version_ok(row.version)?;
    let conditions = ch.conditions.clone().unwrap_or_else(|| row.conditions());
    ResidentFields {
        name: ch.name.as_deref().unwrap_or(&row.name),
        birth_date: ch.birth_date.unwrap_or(row.birth_date()),
        phone: ch.phone.as_deref().unwrap_or(&row.phone),
        address: ch.address.as_deref().unwrap_or(&row.address),
        location: ch.location.unwrap_or(row.location()),
        conditions: &conditions,
        id_number: ch.id_number.as_deref(),
    }
    .validate(ctx.today)?;
    let at = residents::check_placement(
        conn,
        &scope,
        Some(ch.community_id.as_deref().unwrap_or(&row.community_id)),
        ch.care_home_id.as_deref().or(row.care_home_id.as_deref()),
    )?;
    if let Some(d) = &ch.family_doctor_id {
        residents::check_family_doctor(conn, &scope, d)?;
    }
    if crate::http::is_no_change(ch) {
        return Ok(row.to_api());
    }
    let after = residents::update(conn, &row, ch, &at)?;
    audit::record(
        conn,
        Some(user),
        "update",
        "resident",
        id,
        Some(&value(&row)?),
        Some(&value(&after)?),
    )?;
    if ch.conditions.is_some() || ch.birth_date.is_some() {
        programmes::reconcile(conn, &ctx.by(user), Some(id))?;
    }
    Ok(after.to_api())
}
