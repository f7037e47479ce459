//! Family-doctor contracts: sign, list, read, terminate, renew, and their end (terminated, or
//! expired by the daily pass), which stops what they owed from then on.
use serde_json::json;

use super::{reconcile, Ctx};
use crate::audit;
use crate::auth::{policy, CurrentUser, Role};
use crate::db::page::PageRequest;
use crate::db::{new_id, now, DbConn};
use crate::error::{AppError, AppResult, FieldError};
use crate::events;
use crate::programmes::model::engine::Person;
use crate::programmes::model::{year_after, Contract, ContractStatus, NewContract, RenewBody};
use crate::programmes::repo::{self, ContractFilter, ContractRow};

/// Who signs and ends contracts: the district, and the clinic's own staff.
const WRITERS: &[Role] = &[Role::Admin, Role::Scheduler, Role::Clinician];

fn value(c: &ContractRow) -> AppResult<serde_json::Value> {
    serde_json::to_value(c.to_api()).map_err(AppError::internal)
}

fn publish(conn: &mut DbConn, what: &str, c: &ContractRow) -> AppResult<()> {
    events::publish(
        conn,
        &format!("contract.{what}"),
        "contract",
        &c.id,
        &[c.clinic_id.clone(), format!("resident:{}", c.resident_id)],
        &json!({"id": c.id, "resident_id": c.resident_id, "clinic_id": c.clinic_id,
            "status": c.status, "ends_on": c.ends_on, "version": c.version + 1}),
    )?;
    Ok(())
}

/// Signs a contract for a resident of the caller's clinic: packages eligible, the family doctor a
/// clinician of that clinic; one active contract per resident (409 `contract_exists`, enforced by
/// the database). Sets the resident's family doctor and makes what the contract owes.
pub fn sign(
    conn: &mut DbConn,
    ctx: &Ctx,
    user: &CurrentUser,
    new: &NewContract,
) -> AppResult<Contract> {
    policy::require_role(user, WRITERS)?;
    let ends_on = new.check(ctx.today)?;
    let resident = crate::people::residents::find_scoped(
        conn,
        &policy::resident_scope(user),
        &new.resident_id,
    )?
    .ok_or_else(|| AppError::missing("resident"))?;
    let doctor = crate::people::flow::find_user(conn, &new.family_doctor_id)?
        .filter(|d| d.role() == Some(Role::Clinician) && d.active);
    let clinic = match (user.role, &user.organization_id, &doctor) {
        (Role::Admin, _, Some(d)) => d.organization_id.clone(),
        (_, Some(org), _) => Some(org.clone()),
        _ => None,
    };
    let mut errors = vec![];
    let bad = |field: &str, message: &str| FieldError {
        field: field.into(),
        message: message.into(),
    };
    let Some(clinic) = clinic.filter(|c| {
        doctor
            .as_ref()
            .is_some_and(|d| d.organization_id.as_ref() == Some(c))
    }) else {
        return Err(AppError::validation(vec![bad(
            "family_doctor_id",
            "must be an active clinician of the resident's clinic",
        )]));
    };
    if new.starts_on < resident.birth_date() {
        errors.push(bad("starts_on", "must not be before the resident's birth"));
    }
    let person = Person {
        birth_date: resident.birth_date(),
        conditions: resident.conditions(),
        enrolled_on: new.starts_on,
    };
    let groups = ctx.rules.groups(&person.conditions);
    let mut price_fen = 0;
    let mut codes: Vec<String> = vec![];
    for c in &new.package_codes {
        if !codes.contains(c) {
            codes.push(c.clone());
        }
    }
    for (i, code) in codes.iter().enumerate() {
        match repo::package(conn, code)?.filter(|p| p.active) {
            None => errors.push(bad(
                &format!("package_codes[{i}]"),
                "is not an active package",
            )),
            Some(p) if !p.to_api().eligibility.admits(&person, &groups, ends_on) => {
                errors.push(bad(
                    &format!("package_codes[{i}]"),
                    "is not for this resident (its age or conditions)",
                ))
            }
            Some(p) => price_fen += p.price_fen,
        }
    }
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    if !repo::active_contracts(conn, Some(&resident.id))?.is_empty() {
        return Err(exists());
    }
    let at = now();
    let row = ContractRow {
        id: new_id(),
        resident_id: resident.id.clone(),
        clinic_id: clinic,
        family_doctor_id: new.family_doctor_id.clone(),
        package_codes: serde_json::to_string(&codes).map_err(AppError::internal)?,
        starts_on: repo::text(new.starts_on),
        ends_on: repo::text(ends_on),
        status: ContractStatus::Active.as_str().into(),
        ended_reason: None,
        renewals: 0,
        price_fen,
        version: 1,
        created_at: at,
        updated_at: at,
    };
    repo::insert_contract(conn, &row).map_err(|e| match e {
        // The index allowing one active contract per resident: a racer signed first.
        diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        ) => exists(),
        e => e.into(),
    })?;
    audit::record(
        conn,
        Some(user),
        "create",
        "contract",
        &row.id,
        None,
        Some(&value(&row)?),
    )?;
    publish(conn, "signed", &row)?;
    if resident.family_doctor_id.as_deref() != Some(new.family_doctor_id.as_str()) {
        let before = serde_json::to_value(resident.to_api()).map_err(AppError::internal)?;
        let after =
            crate::people::residents::set_family_doctor(conn, &resident, &new.family_doctor_id)?;
        let after = serde_json::to_value(after.to_api()).map_err(AppError::internal)?;
        audit::record(
            conn,
            Some(user),
            "update",
            "resident",
            &resident.id,
            Some(&before),
            Some(&after),
        )?;
    }
    reconcile(conn, &ctx.by(user), Some(&resident.id))?;
    Ok(row.to_api())
}

fn exists() -> AppError {
    AppError::conflict(
        "contract_exists",
        "The resident already has an active contract; renew or terminate it first.",
    )
}

pub fn contracts(
    conn: &mut DbConn,
    user: &CurrentUser,
    f: &ContractFilter,
    page: &PageRequest,
) -> AppResult<Vec<ContractRow>> {
    Ok(repo::contracts(
        conn,
        &policy::programme_scope(user),
        f,
        page,
    )?)
}

pub fn contract(conn: &mut DbConn, user: &CurrentUser, id: &str) -> AppResult<ContractRow> {
    repo::contract_scoped(conn, &policy::programme_scope(user), id)?
        .ok_or_else(|| AppError::missing("contract"))
}

/// How a contract ends.
pub enum Ending {
    Terminated(String),
    Expired,
}

/// Ends an active contract: its status, then what it owed from today on is waived (their
/// requested visits cancelled). False when another change ended it first.
pub fn end(
    conn: &mut DbConn,
    ctx: &Ctx,
    user: Option<&CurrentUser>,
    c: &ContractRow,
    how: Ending,
) -> AppResult<bool> {
    let (status, reason) = match how {
        Ending::Terminated(r) => (ContractStatus::Terminated, Some(r)),
        Ending::Expired => (ContractStatus::Expired, None),
    };
    if !repo::set_contract(
        conn,
        c,
        status,
        repo::day(&c.ends_on),
        reason.clone(),
        c.renewals,
    )? {
        return Ok(false);
    }
    let after = repo::contract(conn, &c.id)?.ok_or_else(|| AppError::missing("contract"))?;
    let action = match status {
        ContractStatus::Expired => "expire",
        _ => "terminate",
    };
    audit::record(
        conn,
        user,
        action,
        "contract",
        &c.id,
        Some(&value(c)?),
        Some(&value(&after)?),
    )?;
    publish(conn, action, c)?;
    let comment = match &reason {
        Some(r) => format!("contract terminated: {r}"),
        None => "contract expired".into(),
    };
    super::obligations::end_source(conn, ctx, user, "contract", &c.id, "other", &comment)?;
    Ok(true)
}

/// Terminates an active contract with a reason.
pub fn terminate(
    conn: &mut DbConn,
    ctx: &Ctx,
    user: &CurrentUser,
    id: &str,
    reason: &str,
    version_ok: impl FnOnce(i64) -> AppResult<()>,
) -> AppResult<Contract> {
    let c = contract(conn, user, id)?;
    policy::require_role(user, WRITERS)?;
    version_ok(c.version)?;
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(AppError::invalid("reason", "must be 1 to 500 characters"));
    }
    if c.status != "active" {
        return Err(AppError::conflict(
            "invalid_transition",
            format!("A contract that is {} cannot be terminated.", c.status),
        ));
    }
    if !end(conn, ctx, Some(user), &c, Ending::Terminated(reason.into()))? {
        return Err(concurrent());
    }
    Ok(repo::contract(conn, &c.id)?
        .ok_or_else(|| AppError::missing("contract"))?
        .to_api())
}

fn concurrent() -> AppError {
    AppError::conflict(
        "concurrent_update",
        "Another change to this contract won; read it again.",
    )
}

/// Renews a contract for another term: an active one runs on, an expired one becomes active again
/// (unless the resident has signed another since: 409 `contract_exists`).
pub fn renew(
    conn: &mut DbConn,
    ctx: &Ctx,
    user: &CurrentUser,
    id: &str,
    body: &RenewBody,
    version_ok: impl FnOnce(i64) -> AppResult<()>,
) -> AppResult<Contract> {
    let c = contract(conn, user, id)?;
    policy::require_role(user, WRITERS)?;
    version_ok(c.version)?;
    let old_end = repo::day(&c.ends_on);
    let ends_on = body
        .ends_on
        .unwrap_or_else(|| year_after(old_end + chrono::Duration::days(1)));
    if ends_on <= old_end || ends_on > old_end + chrono::Duration::days(5 * 366) {
        return Err(AppError::invalid(
            "ends_on",
            "must be after the current end and at most 5 years later",
        ));
    }
    match c.status.as_str() {
        "active" => {}
        "expired" if repo::active_contracts(conn, Some(&c.resident_id))?.is_empty() => {}
        "expired" => return Err(exists()),
        other => {
            return Err(AppError::conflict(
                "invalid_transition",
                format!("A contract that is {other} cannot be renewed; sign a new one."),
            ))
        }
    }
    let renewed = repo::set_contract(
        conn,
        &c,
        ContractStatus::Active,
        ends_on,
        None,
        c.renewals + 1,
    )
    .map_err(|e| match e {
        diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        ) => exists(),
        e => e.into(),
    })?;
    if !renewed {
        return Err(concurrent());
    }
    let after = repo::contract(conn, &c.id)?.ok_or_else(|| AppError::missing("contract"))?;
    audit::record(
        conn,
        Some(user),
        "renew",
        "contract",
        &c.id,
        Some(&value(&c)?),
        Some(&value(&after)?),
    )?;
    publish(conn, "renewed", &c)?;
    reconcile(conn, &ctx.by(user), Some(&c.resident_id))?;
    Ok(after.to_api())
}
