//! Organisations in the database.
use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{Location, NewOrganization, OrgKind, Organization, OrganizationChanges};
use crate::db::page::PageRequest;
use crate::db::schema::organizations;
use crate::db::{new_id, now, DbConn};
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Queryable)]
pub struct OrgRow {
    pub id: String,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub community_id: Option<String>,
    pub address: String,
    pub lat: f64,
    pub lon: f64,
    pub contracted_clinic_id: Option<String>,
    pub pilot: bool,
    pub active: bool,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl OrgRow {
    pub fn kind(&self) -> OrgKind {
        OrgKind::parse(&self.kind).unwrap_or(OrgKind::Community)
    }

    pub fn location(&self) -> Location {
        Location {
            lat: self.lat,
            lon: self.lon,
        }
    }

    pub fn to_api(&self) -> Organization {
        Organization {
            id: self.id.clone(),
            code: self.code.clone(),
            name: self.name.clone(),
            kind: self.kind(),
            community_id: self.community_id.clone(),
            address: self.address.clone(),
            location: self.location(),
            contracted_clinic_id: self.contracted_clinic_id.clone(),
            pilot: self.pilot,
            active: self.active,
            version: self.version,
            created_at: self.created_at.and_utc().into(),
            updated_at: self.updated_at.and_utc().into(),
        }
    }
}

#[derive(Debug, Default, Clone)]
pub struct OrgFilter {
    pub kind: Option<OrgKind>,
    pub community_id: Option<String>,
    pub code: Option<String>,
}

pub fn list(conn: &mut DbConn, f: &OrgFilter, page: &PageRequest) -> QueryResult<Vec<OrgRow>> {
    let mut q = organizations::table.into_boxed();
    if let Some(kind) = f.kind {
        q = q.filter(organizations::kind.eq(kind.as_str()));
    }
    if let Some(c) = &f.community_id {
        q = q.filter(organizations::community_id.eq(c.clone()));
    }
    if let Some(c) = &f.code {
        q = q.filter(organizations::code.eq(c.clone()));
    }
    if let Some(after) = &page.after {
        q = q.filter(organizations::id.gt(after.clone()));
    }
    q.order(organizations::id.asc())
        .limit(page.limit + 1)
        .load(conn)
}

pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<OrgRow>> {
    organizations::table.find(id).first(conn).optional()
}

pub fn find_by_code(conn: &mut DbConn, code: &str) -> QueryResult<Option<OrgRow>> {
    organizations::table
        .filter(organizations::code.eq(code))
        .first(conn)
        .optional()
}

pub fn count_by_kind(conn: &mut DbConn, kind: OrgKind) -> QueryResult<i64> {
    organizations::table
        .filter(organizations::kind.eq(kind.as_str()))
        .count()
        .get_result(conn)
}

/// The organisation with this id, which must be of `kind` (a validation error on `field` otherwise).
pub fn expect_kind(conn: &mut DbConn, id: &str, kind: OrgKind, field: &str) -> AppResult<OrgRow> {
    match find(conn, id)? {
        Some(org) if org.kind() == kind => Ok(org),
        _ => Err(AppError::invalid(
            field,
            format!("must be the id of a {}", kind.as_str()),
        )),
    }
}

pub fn insert(conn: &mut DbConn, new: &NewOrganization) -> AppResult<OrgRow> {
    if let Some(c) = &new.community_id {
        expect_kind(conn, c, OrgKind::Community, "community_id")?;
    }
    if let Some(c) = &new.contracted_clinic_id {
        expect_kind(conn, c, OrgKind::Clinic, "contracted_clinic_id")?;
    }
    if find_by_code(conn, &new.code)?.is_some() {
        return Err(AppError::conflict(
            "code_taken",
            format!("The code {} is in use.", new.code),
        ));
    }
    let id = new_id();
    let t = now();
    diesel::insert_into(organizations::table)
        .values((
            organizations::id.eq(&id),
            organizations::code.eq(&new.code),
            organizations::name.eq(new.name.trim()),
            organizations::kind.eq(new.kind.as_str()),
            organizations::community_id.eq(&new.community_id),
            organizations::address.eq(&new.address),
            organizations::lat.eq(new.location.lat),
            organizations::lon.eq(new.location.lon),
            organizations::contracted_clinic_id.eq(&new.contracted_clinic_id),
            organizations::pilot.eq(new.pilot),
            organizations::active.eq(new.active),
            organizations::version.eq(1i64),
            organizations::created_at.eq(t),
            organizations::updated_at.eq(t),
        ))
        .execute(conn)?;
    Ok(organizations::table.find(&id).first(conn)?)
}

pub fn update(conn: &mut DbConn, row: &OrgRow, ch: &OrganizationChanges) -> AppResult<OrgRow> {
    if let Some(c) = &ch.contracted_clinic_id {
        expect_kind(conn, c, OrgKind::Clinic, "contracted_clinic_id")?;
    }
    let location = ch.location.unwrap_or(row.location());
    let n = diesel::update(
        organizations::table
            .find(&row.id)
            .filter(organizations::version.eq(row.version)),
    )
    .set((
        organizations::name.eq(ch.name.as_deref().map(str::trim).unwrap_or(&row.name)),
        organizations::address.eq(ch.address.as_ref().unwrap_or(&row.address)),
        organizations::lat.eq(location.lat),
        organizations::lon.eq(location.lon),
        organizations::contracted_clinic_id.eq(ch
            .contracted_clinic_id
            .as_ref()
            .or(row.contracted_clinic_id.as_ref())),
        organizations::pilot.eq(ch.pilot.unwrap_or(row.pilot)),
        organizations::active.eq(ch.active.unwrap_or(row.active)),
        organizations::version.eq(row.version + 1),
        organizations::updated_at.eq(now()),
    ))
    .execute(conn)?;
    if n == 0 {
        return Err(AppError::version_mismatch());
    }
    Ok(organizations::table.find(&row.id).first(conn)?)
}
