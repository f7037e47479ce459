//! Seeds the district's pilot network and the service catalogue from config/seed/ (idempotent:
//! only what is missing, by code, is added).
use diesel::prelude::*;
use serde::Deserialize;

use super::model::{Location, NewOrganization, OrgKind};
use super::repo;
use crate::catalogue::model::ServiceType;
use crate::db::{write_tx, DbConn};
use crate::error::{AppError, AppResult};

const NETWORK: &str = include_str!("../../config/seed/network.json");
const SERVICE_TYPES: &str = include_str!("../../config/seed/service_types.json");

#[derive(Deserialize)]
struct NetworkFile {
    authority: SeedOrg,
    communities: Vec<SeedOrg>,
    clinics: Vec<SeedOrg>,
    care_homes: Vec<SeedOrg>,
    hospitals: Vec<SeedOrg>,
}

#[derive(Deserialize)]
struct SeedOrg {
    code: String,
    name: String,
    address: String,
    location: Location,
    community: Option<String>,
    contracted_clinic: Option<String>,
}

#[derive(Deserialize)]
struct CatalogueFile {
    service_types: Vec<ServiceType>,
}

/// Reads a seed file from the config folder, or the copy built into the binary.
fn read(name: &str, embedded: &'static str) -> String {
    std::fs::read_to_string(crate::config::config_dir().join("seed").join(name))
        .unwrap_or_else(|_| embedded.to_string())
}

#[derive(Debug, Default, PartialEq)]
pub struct Seeded {
    pub organizations: usize,
    pub service_types: usize,
    /// Care-programme packages (seeded by the programmes domain, counted here).
    pub packages: usize,
}

pub fn run(conn: &mut DbConn) -> AppResult<Seeded> {
    let network: NetworkFile = serde_json::from_str(&read("network.json", NETWORK))
        .map_err(|e| AppError::internal(format!("config/seed/network.json: {e}")))?;
    let catalogue: CatalogueFile = serde_json::from_str(&read("service_types.json", SERVICE_TYPES))
        .map_err(|e| AppError::internal(format!("config/seed/service_types.json: {e}")))?;
    write_tx(conn, |conn| {
        let mut seeded = Seeded::default();
        let groups = [
            (OrgKind::Authority, std::slice::from_ref(&network.authority)),
            (OrgKind::Community, &network.communities[..]),
            (OrgKind::Clinic, &network.clinics[..]),
            (OrgKind::CareHome, &network.care_homes[..]),
            (OrgKind::Hospital, &network.hospitals[..]),
        ];
        for (kind, orgs) in groups {
            for org in orgs {
                if seed_org(conn, kind, org)? {
                    seeded.organizations += 1;
                }
            }
        }
        for st in &catalogue.service_types {
            if crate::catalogue::repo::insert_if_missing(conn, st)? {
                seeded.service_types += 1;
            }
        }
        Ok(seeded)
    })
}

fn id_of_code(conn: &mut DbConn, code: &Option<String>) -> AppResult<Option<String>> {
    match code {
        None => Ok(None),
        Some(c) => repo::find_by_code(conn, c)?
            .map(|o| Some(o.id))
            .ok_or_else(|| AppError::internal(format!("seed refers to unknown code {c}"))),
    }
}

fn seed_org(conn: &mut DbConn, kind: OrgKind, org: &SeedOrg) -> AppResult<bool> {
    if repo::find_by_code(conn, &org.code)?.is_some() {
        return Ok(false);
    }
    let new = NewOrganization {
        code: org.code.clone(),
        name: org.name.clone(),
        kind,
        community_id: id_of_code(conn, &org.community)?,
        address: org.address.clone(),
        location: org.location,
        contracted_clinic_id: id_of_code(conn, &org.contracted_clinic)?,
        pilot: kind != OrgKind::Authority,
        active: true,
    };
    new.validate()?;
    let row = repo::insert(conn, &new)?;
    let after = serde_json::to_value(row.to_api()).map_err(AppError::internal)?;
    crate::audit::record(
        conn,
        None,
        "seed",
        "organization",
        &row.id,
        None,
        Some(&after),
    )?;
    Ok(true)
}

/// Whether the database has no organisations yet (serve seeds only then).
pub fn is_empty(conn: &mut DbConn) -> QueryResult<bool> {
    use crate::db::schema::organizations;
    Ok(organizations::table.count().get_result::<i64>(conn)? == 0)
}
