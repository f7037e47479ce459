//! Contracts in the database.
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::{day, json_list, text};
use crate::auth::policy::ResidentScope;
use crate::db::page::PageRequest;
use crate::db::schema::{contracts, residents};
use crate::db::{now, DbConn};
use crate::programmes::model::{Contract, ContractStatus};

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = contracts)]
pub struct ContractRow {
    pub id: String,
    pub resident_id: String,
    pub clinic_id: String,
    pub family_doctor_id: String,
    pub package_codes: String,
    pub starts_on: String,
    pub ends_on: String,
    pub status: String,
    pub ended_reason: Option<String>,
    pub renewals: i32,
    pub price_fen: i64,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl ContractRow {
    pub fn packages(&self) -> Vec<String> {
        json_list(&self.package_codes)
    }
    pub fn to_api(&self) -> Contract {
        Contract {
            id: self.id.clone(),
            resident_id: self.resident_id.clone(),
            clinic_id: self.clinic_id.clone(),
            family_doctor_id: self.family_doctor_id.clone(),
            package_codes: self.packages(),
            starts_on: day(&self.starts_on),
            ends_on: day(&self.ends_on),
            status: ContractStatus::parse(&self.status).unwrap_or(ContractStatus::Active),
            ended_reason: self.ended_reason.clone(),
            renewals: self.renewals,
            price_yuan: self.price_fen as f64 / 100.0,
            version: self.version,
            created_at: self.created_at.into(),
        }
    }
}

#[derive(Debug, Default, Clone)]
pub struct ContractFilter {
    pub resident_id: Option<String>,
    pub clinic_id: Option<String>,
    pub status: Option<ContractStatus>,
}

pub fn insert_contract(conn: &mut DbConn, row: &ContractRow) -> QueryResult<()> {
    diesel::insert_into(contracts::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn contracts(
    conn: &mut DbConn,
    scope: &ResidentScope,
    f: &ContractFilter,
    page: &PageRequest,
) -> QueryResult<Vec<ContractRow>> {
    let mut q = scoped!(contracts, scope);
    if let Some(r) = &f.resident_id {
        q = q.filter(contracts::resident_id.eq(r.clone()));
    }
    if let Some(c) = &f.clinic_id {
        q = q.filter(contracts::clinic_id.eq(c.clone()));
    }
    if let Some(s) = f.status {
        q = q.filter(contracts::status.eq(s.as_str()));
    }
    if let Some(after) = &page.after {
        q = q.filter(contracts::id.gt(after.clone()));
    }
    q.order(contracts::id.asc())
        .limit(page.limit + 1)
        .load(conn)
}

pub fn contract_scoped(
    conn: &mut DbConn,
    scope: &ResidentScope,
    id: &str,
) -> QueryResult<Option<ContractRow>> {
    scoped!(contracts, scope)
        .filter(contracts::id.eq(id.to_string()))
        .first(conn)
        .optional()
}

pub fn contract(conn: &mut DbConn, id: &str) -> QueryResult<Option<ContractRow>> {
    contracts::table.find(id).first(conn).optional()
}

/// Active contracts, of one resident or all.
pub fn active_contracts(
    conn: &mut DbConn,
    resident: Option<&str>,
) -> QueryResult<Vec<ContractRow>> {
    let mut q = contracts::table
        .filter(contracts::status.eq("active"))
        .into_boxed();
    if let Some(r) = resident {
        q = q.filter(contracts::resident_id.eq(r.to_string()));
    }
    q.load(conn)
}

/// Sets a contract's status, end and reason if it is still at `version`.
pub fn set_contract(
    conn: &mut DbConn,
    row: &ContractRow,
    status: ContractStatus,
    ends_on: NaiveDate,
    reason: Option<String>,
    renewals: i32,
) -> QueryResult<bool> {
    let n = diesel::update(
        contracts::table
            .filter(contracts::id.eq(&row.id))
            .filter(contracts::version.eq(row.version)),
    )
    .set((
        contracts::status.eq(status.as_str()),
        contracts::ends_on.eq(text(ends_on)),
        contracts::ended_reason.eq(reason),
        contracts::renewals.eq(renewals),
        contracts::version.eq(row.version + 1),
        contracts::updated_at.eq(now()),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Active contracts that ended before `today`.
pub fn ended_contracts(conn: &mut DbConn, today: NaiveDate) -> QueryResult<Vec<ContractRow>> {
    contracts::table
        .filter(contracts::status.eq("active"))
        .filter(contracts::ends_on.lt(text(today)))
        .limit(1000)
        .load(conn)
}
