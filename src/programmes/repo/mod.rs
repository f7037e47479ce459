//! Care programmes in the database: packages, contracts, obligations and draft referrals. Lists
//! and lookups take the caller's resident scope (auth::policy), applied as SQL.
use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::packages::{Eligibility, Item, Package};
use crate::db::schema::service_packages;
use crate::db::{now, DbConn};

pub use crate::db::{date_of as day, date_text as text};
pub(crate) fn json_list(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

/// A table's rows whose resident the scope may see (ResidentScope, as for residents), boxed to
/// filter further. The subqueries are spelled out per scope: a boxed subquery does not nest.
macro_rules! scoped {
    ($table:ident, $scope:expr) => {{
        use crate::db::schema::{organizations, referrals};
        let q = $table::table.into_boxed::<crate::db::MultiBackend>();
        match $scope {
            ResidentScope::All => q,
            ResidentScope::Clinic {
                clinic_id,
                community_id,
            } => q.filter(
                $table::resident_id.eq_any(
                    residents::table
                        .filter(
                            residents::community_id
                                .eq(community_id.clone())
                                .or(residents::care_home_id.eq_any(
                                    organizations::table
                                        .filter(
                                            organizations::contracted_clinic_id
                                                .eq(clinic_id.clone()),
                                        )
                                        .select(organizations::id.nullable()),
                                ))
                                .or(residents::id.eq_any(
                                    referrals::table
                                        .filter(
                                            referrals::from_organization_id
                                                .eq(clinic_id.clone())
                                                .or(referrals::to_organization_id
                                                    .eq(clinic_id.clone()))
                                                .or(referrals::watcher_organization_id
                                                    .eq(clinic_id.clone())),
                                        )
                                        .select(referrals::resident_id),
                                )),
                        )
                        .select(residents::id),
                ),
            ),
            ResidentScope::CareHome(home) => q.filter(
                $table::resident_id.eq_any(
                    residents::table
                        .filter(residents::care_home_id.eq(home.clone()))
                        .select(residents::id),
                ),
            ),
            ResidentScope::Only(id) => q.filter($table::resident_id.eq(id.clone())),
            ResidentScope::Referred(_) | ResidentScope::Nothing => q.filter($table::id.is_null()),
        }
    }};
}

mod contracts;
mod drafts;
mod episodes;
mod obligations;
mod report;

pub use contracts::*;
pub use drafts::*;
pub use episodes::*;
pub use obligations::*;
pub use report::*;

// ---- packages

#[derive(Debug, Clone, Queryable, Insertable, AsChangeset)]
#[diesel(table_name = service_packages)]
pub struct PackageRow {
    pub code: String,
    pub name: String,
    pub price_fen: i64,
    pub eligibility: String,
    pub items: String,
    pub active: bool,
    pub version: i64,
    pub updated_at: NaiveDateTime,
}

impl PackageRow {
    pub fn to_api(&self) -> Package {
        Package {
            code: self.code.clone(),
            name: self.name.clone(),
            price_yuan: self.price_fen as f64 / 100.0,
            eligibility: serde_json::from_str::<Eligibility>(&self.eligibility).unwrap_or_default(),
            items: serde_json::from_str::<Vec<Item>>(&self.items).unwrap_or_default(),
            active: self.active,
            version: self.version,
        }
    }

    pub fn of(p: &Package) -> PackageRow {
        PackageRow {
            code: p.code.clone(),
            name: p.name.clone(),
            price_fen: (p.price_yuan * 100.0).round() as i64,
            eligibility: serde_json::to_string(&p.eligibility).unwrap_or_else(|_| "{}".into()),
            items: serde_json::to_string(&p.items).unwrap_or_else(|_| "[]".into()),
            active: p.active,
            version: p.version,
            updated_at: now(),
        }
    }
}

pub fn packages(conn: &mut DbConn) -> QueryResult<Vec<PackageRow>> {
    service_packages::table
        .order(service_packages::code.asc())
        .load(conn)
}

pub fn package(conn: &mut DbConn, code: &str) -> QueryResult<Option<PackageRow>> {
    service_packages::table.find(code).first(conn).optional()
}

/// Inserts a seeded package unless one with its code exists; true when inserted.
pub fn seed_package(conn: &mut DbConn, p: &Package) -> QueryResult<bool> {
    if package(conn, &p.code)?.is_some() {
        return Ok(false);
    }
    diesel::insert_into(service_packages::table)
        .values(PackageRow::of(p))
        .execute(conn)?;
    Ok(true)
}

/// Writes a package if it is still at `version`; false when another change won.
pub fn update_package(conn: &mut DbConn, row: &PackageRow, version: i64) -> QueryResult<bool> {
    let n = diesel::update(
        service_packages::table
            .filter(service_packages::code.eq(&row.code))
            .filter(service_packages::version.eq(version)),
    )
    .set(row)
    .execute(conn)?;
    Ok(n == 1)
}
