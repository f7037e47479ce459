//! Contract packages: the list, and an admin's change.
use crate::audit;
use crate::auth::{policy, CurrentUser, Role};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::programmes::model::packages::{Package, PackageChanges};
use crate::programmes::repo::{self, PackageRow};

pub fn packages(conn: &mut DbConn) -> AppResult<Vec<Package>> {
    Ok(repo::packages(conn)?
        .iter()
        .map(PackageRow::to_api)
        .collect())
}

/// Changes a package (admin only); contracts already signed keep their price, and what they owe
/// from now on follows the new items (obligations made name the package version).
pub fn update_package(
    conn: &mut DbConn,
    ctx: &super::Ctx,
    user: &CurrentUser,
    code: &str,
    ch: &PackageChanges,
    version_ok: impl FnOnce(i64) -> AppResult<()>,
) -> AppResult<Package> {
    policy::require_role(user, &[Role::Admin])?;
    let row = repo::package(conn, code)?.ok_or_else(|| AppError::missing("service package"))?;
    version_ok(row.version)?;
    let groups: Vec<String> = ctx.rules.chronic_conditions.keys().cloned().collect();
    let services: Vec<String> = crate::catalogue::repo::all(conn)?
        .into_iter()
        .map(|s| s.code)
        .collect();
    let errors = ch.check(&groups, &services);
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    let before = row.to_api();
    let mut p = before.clone();
    if let Some(n) = &ch.name {
        p.name = n.trim().into();
    }
    if let Some(x) = ch.price_yuan {
        p.price_yuan = (x * 100.0).round() / 100.0;
    }
    if let Some(e) = &ch.eligibility {
        p.eligibility = e.clone();
    }
    if let Some(i) = &ch.items {
        p.items = i.clone();
    }
    if let Some(a) = ch.active {
        p.active = a;
    }
    if p == before {
        return Ok(before);
    }
    p.version = row.version + 1;
    if !repo::update_package(conn, &PackageRow::of(&p), row.version)? {
        return Err(AppError::conflict(
            "concurrent_update",
            "Another change to this package won; read it again.",
        ));
    }
    let v = |p: &Package| serde_json::to_value(p).map_err(AppError::internal);
    audit::record(
        conn,
        Some(user),
        "update",
        "service_package",
        code,
        Some(&v(&before)?),
        Some(&v(&p)?),
    )?;
    Ok(p)
}
