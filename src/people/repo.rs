//! Staff accounts in the database (the `users` table: every login, staff or resident).
use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{NewStaff, Staff, StaffChanges};
use crate::auth::policy::StaffScope;
use crate::auth::Role;
use crate::db::page::PageRequest;
use crate::db::schema::users;
use crate::db::{new_id, now, DbConn, MultiBackend};
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Queryable)]
pub struct UserRow {
    pub id: String,
    pub username: String,
    pub password_hash: String,
    pub display_name: String,
    pub role: String,
    pub organization_id: Option<String>,
    pub resident_id: Option<String>,
    pub skills: String,
    pub active: bool,
    pub failed_logins: i32,
    pub locked_until: Option<NaiveDateTime>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl UserRow {
    pub fn role(&self) -> Option<Role> {
        Role::parse(&self.role)
    }

    pub fn skills(&self) -> Vec<String> {
        serde_json::from_str(&self.skills).unwrap_or_default()
    }

    pub fn to_api(&self) -> Staff {
        Staff {
            id: self.id.clone(),
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            role: self.role().unwrap_or(Role::Resident),
            organization_id: self.organization_id.clone(),
            resident_id: self.resident_id.clone(),
            skills: self.skills(),
            active: self.active,
            version: self.version,
            created_at: self.created_at.and_utc().into(),
        }
    }
}

fn scoped(scope: &StaffScope) -> users::BoxedQuery<'static, MultiBackend> {
    let q = users::table.into_boxed();
    match scope {
        StaffScope::All => q,
        StaffScope::Organization(org) => q.filter(users::organization_id.eq(org.clone())),
        StaffScope::Own(id) => q.filter(users::id.eq(id.clone())),
    }
}

#[derive(Debug, Default, Clone)]
pub struct StaffFilter {
    pub role: Option<Role>,
    pub organization_id: Option<String>,
}

pub fn list(
    conn: &mut DbConn,
    scope: &StaffScope,
    f: &StaffFilter,
    page: &PageRequest,
) -> QueryResult<Vec<UserRow>> {
    let mut q = scoped(scope);
    if let Some(role) = f.role {
        q = q.filter(users::role.eq(role.as_str()));
    }
    if let Some(org) = &f.organization_id {
        q = q.filter(users::organization_id.eq(org.clone()));
    }
    if let Some(after) = &page.after {
        q = q.filter(users::id.gt(after.clone()));
    }
    q.order(users::id.asc()).limit(page.limit + 1).load(conn)
}

pub fn find_scoped(
    conn: &mut DbConn,
    scope: &StaffScope,
    id: &str,
) -> QueryResult<Option<UserRow>> {
    scoped(scope)
        .filter(users::id.eq(id.to_string()))
        .first(conn)
        .optional()
}

pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<UserRow>> {
    users::table.find(id).first(conn).optional()
}

/// Creates an account; the organisation must be of the kind the role belongs to.
pub fn insert(conn: &mut DbConn, new: &NewStaff, password_hash: &str) -> AppResult<UserRow> {
    match (new.role.organization_kind(), &new.organization_id) {
        (Some(kind), Some(org)) => {
            crate::network::repo::expect_kind(conn, org, kind, "organization_id")?;
        }
        // An admin may stand in any organisation, but in one that exists: say which field names
        // none, rather than the database's bare foreign-key refusal (`unknown_reference`).
        (None, Some(org))
            if new.role == Role::Admin && crate::network::flow::find(conn, org)?.is_none() =>
        {
            return Err(AppError::invalid(
                "organization_id",
                "must be the id of an organisation",
            ));
        }
        _ => {}
    }
    if new.role.organization_kind().is_none()
        && new.role != Role::Admin
        && new.organization_id.is_some()
    {
        return Err(AppError::invalid(
            "organization_id",
            "this role belongs to no organisation",
        ));
    }
    if let Some(r) = &new.resident_id {
        if super::residents::find(conn, r)?.is_none() {
            return Err(AppError::invalid(
                "resident_id",
                "must be the id of a resident",
            ));
        }
    }
    if users::table
        .filter(users::username.eq(&new.username))
        .count()
        .get_result::<i64>(conn)?
        > 0
    {
        return Err(AppError::conflict(
            "username_taken",
            format!("The username {} is in use.", new.username),
        ));
    }
    let id = new_id();
    let t = now();
    diesel::insert_into(users::table)
        .values((
            users::id.eq(&id),
            users::username.eq(&new.username),
            users::password_hash.eq(password_hash),
            users::display_name.eq(new.display_name.trim()),
            users::role.eq(new.role.as_str()),
            users::organization_id.eq(&new.organization_id),
            users::resident_id.eq(&new.resident_id),
            users::skills.eq(serde_json::to_string(&new.skills).unwrap_or_else(|_| "[]".into())),
            users::active.eq(true),
            users::failed_logins.eq(0),
            users::version.eq(1i64),
            users::created_at.eq(t),
            users::updated_at.eq(t),
        ))
        .execute(conn)?;
    Ok(users::table.find(&id).first(conn)?)
}

pub fn update(
    conn: &mut DbConn,
    row: &UserRow,
    ch: &StaffChanges,
    password_hash: Option<String>,
) -> AppResult<UserRow> {
    let skills = match &ch.skills {
        Some(s) => serde_json::to_string(s).unwrap_or_else(|_| "[]".into()),
        None => row.skills.clone(),
    };
    let n = diesel::update(
        users::table
            .find(&row.id)
            .filter(users::version.eq(row.version)),
    )
    .set((
        users::display_name.eq(ch
            .display_name
            .as_deref()
            .map(str::trim)
            .unwrap_or(&row.display_name)),
        users::skills.eq(skills),
        users::active.eq(ch.active.unwrap_or(row.active)),
        users::password_hash.eq(password_hash.as_ref().unwrap_or(&row.password_hash)),
        users::version.eq(row.version + 1),
        users::updated_at.eq(now()),
    ))
    .execute(conn)?;
    if n == 0 {
        return Err(AppError::version_mismatch());
    }
    Ok(users::table.find(&row.id).first(conn)?)
}
