//! Residents in the database, always read through the caller's scope.
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::model::{mask_id_number, NewResident, PriorityFlag, Resident, ResidentChanges, Sex};
use crate::auth::policy::ResidentScope;
use crate::auth::Role;
use crate::db::schema::{organizations, referrals, residents};
use crate::db::{new_id, now, DbConn, MultiBackend};
use crate::error::{AppError, AppResult};
use crate::http::pagination::PageRequest;
use crate::network::model::{Location, OrgKind};

#[derive(Debug, Clone, Queryable)]
pub struct ResidentRow {
    pub id: String,
    pub name: String,
    pub sex: String,
    pub birth_date: String,
    pub phone: String,
    pub address: String,
    pub lat: f64,
    pub lon: f64,
    pub community_id: String,
    pub care_home_id: Option<String>,
    pub family_doctor_id: Option<String>,
    pub conditions: String,
    pub priority_flags: String,
    pub consent: bool,
    pub id_number: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl ResidentRow {
    pub fn location(&self) -> Location {
        Location {
            lat: self.lat,
            lon: self.lon,
        }
    }

    pub fn birth_date(&self) -> NaiveDate {
        crate::db::date_of(&self.birth_date)
    }

    pub fn conditions(&self) -> Vec<String> {
        serde_json::from_str(&self.conditions).unwrap_or_default()
    }

    pub fn priority_flags(&self) -> Vec<PriorityFlag> {
        serde_json::from_str(&self.priority_flags).unwrap_or_default()
    }

    pub fn to_api(&self) -> Resident {
        Resident {
            id: self.id.clone(),
            name: self.name.clone(),
            sex: if self.sex == "female" {
                Sex::Female
            } else {
                Sex::Male
            },
            birth_date: self.birth_date(),
            phone: self.phone.clone(),
            address: self.address.clone(),
            location: self.location(),
            community_id: self.community_id.clone(),
            care_home_id: self.care_home_id.clone(),
            family_doctor_id: self.family_doctor_id.clone(),
            conditions: self.conditions(),
            priority_flags: self.priority_flags(),
            consent: self.consent,
            id_number: self.id_number.as_deref().map(mask_id_number),
            version: self.version,
            created_at: self.created_at.and_utc().into(),
            updated_at: self.updated_at.and_utc().into(),
        }
    }
}

/// The ids of residents referred to or from an organisation (or followed by it as a care home's
/// clinic), as a subquery.
macro_rules! referred {
    ($org:expr) => {
        referrals::table
            .filter(
                referrals::from_organization_id
                    .eq($org.clone())
                    .or(referrals::to_organization_id.eq($org.clone()))
                    .or(referrals::watcher_organization_id.eq($org.clone())),
            )
            .select(referrals::resident_id)
    };
}

/// The residents a scope may see, as a query to filter further.
pub fn scoped(scope: &ResidentScope) -> residents::BoxedQuery<'static, MultiBackend> {
    let q = residents::table.into_boxed();
    match scope {
        ResidentScope::All => q,
        ResidentScope::Clinic {
            clinic_id,
            community_id,
        } => q.filter(
            residents::community_id
                .eq(community_id.clone())
                .or(residents::care_home_id.eq_any(
                    organizations::table
                        .filter(organizations::contracted_clinic_id.eq(clinic_id.clone()))
                        .select(organizations::id.nullable()),
                ))
                .or(residents::id.eq_any(referred!(clinic_id))),
        ),
        ResidentScope::Referred(org) => q.filter(residents::id.eq_any(referred!(org))),
        ResidentScope::CareHome(home) => q.filter(residents::care_home_id.eq(home.clone())),
        ResidentScope::Only(id) => q.filter(residents::id.eq(id.clone())),
        ResidentScope::Nothing => q.filter(residents::id.is_null()),
    }
}

#[derive(Debug, Default, Clone)]
pub struct ResidentFilter {
    pub community_id: Option<String>,
    pub care_home_id: Option<String>,
}

pub fn list(
    conn: &mut DbConn,
    scope: &ResidentScope,
    f: &ResidentFilter,
    page: &PageRequest,
) -> QueryResult<Vec<ResidentRow>> {
    let mut q = scoped(scope);
    if let Some(c) = &f.community_id {
        q = q.filter(residents::community_id.eq(c.clone()));
    }
    if let Some(h) = &f.care_home_id {
        q = q.filter(residents::care_home_id.eq(h.clone()));
    }
    if let Some(after) = &page.after {
        q = q.filter(residents::id.gt(after.clone()));
    }
    q.order(residents::id.asc())
        .limit(page.limit + 1)
        .load(conn)
}

pub fn find_scoped(
    conn: &mut DbConn,
    scope: &ResidentScope,
    id: &str,
) -> QueryResult<Option<ResidentRow>> {
    scoped(scope)
        .filter(residents::id.eq(id.to_string()))
        .first(conn)
        .optional()
}

pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<ResidentRow>> {
    residents::table.find(id).first(conn).optional()
}

/// Where a resident lives: a community, and maybe a care home in it.
#[derive(Debug, Clone)]
pub struct Placement {
    pub community_id: String,
    pub care_home_id: Option<String>,
}

/// Resolves and checks a placement: the ids name a community and a care home, and the result
/// lies within the caller's scope (a scheduler cannot register residents of another clinic).
pub fn check_placement(
    conn: &mut DbConn,
    scope: &ResidentScope,
    community_id: Option<&str>,
    care_home_id: Option<&str>,
) -> AppResult<Placement> {
    let home = match care_home_id {
        Some(h) => Some(crate::network::repo::expect_kind(
            conn,
            h,
            OrgKind::CareHome,
            "care_home_id",
        )?),
        None => None,
    };
    let community_id = match (community_id, &home) {
        (Some(c), _) => {
            crate::network::repo::expect_kind(conn, c, OrgKind::Community, "community_id")?.id
        }
        (None, Some(h)) => h
            .community_id
            .clone()
            .ok_or_else(|| AppError::invalid("community_id", "is required"))?,
        (None, None) => {
            return Err(AppError::invalid(
                "community_id",
                "is required without a care_home_id",
            ))
        }
    };
    let allowed = match scope {
        ResidentScope::All => true,
        ResidentScope::Clinic {
            clinic_id,
            community_id: own,
        } => {
            *own == community_id
                || home
                    .as_ref()
                    .is_some_and(|h| h.contracted_clinic_id.as_deref() == Some(clinic_id))
        }
        ResidentScope::CareHome(own) => home.as_ref().is_some_and(|h| h.id == *own),
        ResidentScope::Only(_) | ResidentScope::Referred(_) | ResidentScope::Nothing => false,
    };
    if !allowed {
        return Err(AppError::forbidden(
            "This resident would lie outside the area you serve.",
        ));
    }
    Ok(Placement {
        community_id,
        care_home_id: home.map(|h| h.id),
    })
}

/// A family doctor is an active clinician (of the caller's clinic, for clinic staff).
pub fn check_family_doctor(conn: &mut DbConn, scope: &ResidentScope, id: &str) -> AppResult<()> {
    let doctor = super::repo::find(conn, id)?;
    let ok = match (&doctor, scope) {
        (Some(d), _) if d.role() != Some(Role::Clinician) || !d.active => false,
        (Some(d), ResidentScope::Clinic { clinic_id, .. }) => {
            d.organization_id.as_deref() == Some(clinic_id)
        }
        (Some(_), _) => true,
        (None, _) => false,
    };
    if ok {
        Ok(())
    } else {
        Err(AppError::invalid(
            "family_doctor_id",
            "must be an active clinician of the serving clinic",
        ))
    }
}

pub fn insert(conn: &mut DbConn, new: &NewResident, at: &Placement) -> AppResult<ResidentRow> {
    let id = new_id();
    let t = now();
    diesel::insert_into(residents::table)
        .values((
            residents::id.eq(&id),
            residents::name.eq(new.name.trim()),
            residents::sex.eq(new.sex.as_str()),
            residents::birth_date.eq(crate::db::date_text(new.birth_date)),
            residents::phone.eq(&new.phone),
            residents::address.eq(&new.address),
            residents::lat.eq(new.location.lat),
            residents::lon.eq(new.location.lon),
            residents::community_id.eq(&at.community_id),
            residents::care_home_id.eq(&at.care_home_id),
            residents::family_doctor_id.eq(&new.family_doctor_id),
            residents::conditions.eq(json_text(&new.conditions)),
            residents::priority_flags.eq(json_text(&new.priority_flags)),
            residents::consent.eq(new.consent),
            residents::id_number.eq(new.id_number.as_ref().map(|n| n.to_ascii_uppercase())),
            residents::version.eq(1i64),
            residents::created_at.eq(t),
            residents::updated_at.eq(t),
        ))
        .execute(conn)?;
    Ok(residents::table.find(&id).first(conn)?)
}

fn json_text<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

pub fn update(
    conn: &mut DbConn,
    row: &ResidentRow,
    ch: &ResidentChanges,
    at: &Placement,
) -> AppResult<ResidentRow> {
    let location = ch.location.unwrap_or(row.location());
    let n = diesel::update(
        residents::table
            .find(&row.id)
            .filter(residents::version.eq(row.version)),
    )
    .set((
        residents::name.eq(ch.name.as_deref().map(str::trim).unwrap_or(&row.name)),
        residents::sex.eq(ch.sex.map(Sex::as_str).unwrap_or(&row.sex)),
        residents::birth_date.eq(ch
            .birth_date
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or(row.birth_date.clone())),
        residents::phone.eq(ch.phone.as_ref().unwrap_or(&row.phone)),
        residents::address.eq(ch.address.as_ref().unwrap_or(&row.address)),
        residents::lat.eq(location.lat),
        residents::lon.eq(location.lon),
        residents::community_id.eq(&at.community_id),
        residents::care_home_id.eq(&at.care_home_id),
        residents::family_doctor_id.eq(ch
            .family_doctor_id
            .as_ref()
            .or(row.family_doctor_id.as_ref())),
        residents::conditions.eq(ch
            .conditions
            .as_ref()
            .map(json_text)
            .unwrap_or(row.conditions.clone())),
        residents::priority_flags.eq(ch
            .priority_flags
            .as_ref()
            .map(json_text)
            .unwrap_or(row.priority_flags.clone())),
        residents::consent.eq(ch.consent.unwrap_or(row.consent)),
        residents::id_number.eq(ch
            .id_number
            .as_ref()
            .map(|n| n.to_ascii_uppercase())
            .or(row.id_number.clone())),
        residents::version.eq(row.version + 1),
        residents::updated_at.eq(now()),
    ))
    .execute(conn)?;
    if n == 0 {
        return Err(AppError::version_mismatch());
    }
    Ok(residents::table.find(&row.id).first(conn)?)
}

/// Makes `doctor_id` the resident's family doctor (signing a contract does this).
pub fn set_family_doctor(
    conn: &mut DbConn,
    row: &ResidentRow,
    doctor_id: &str,
) -> AppResult<ResidentRow> {
    let n = diesel::update(
        residents::table
            .find(&row.id)
            .filter(residents::version.eq(row.version)),
    )
    .set((
        residents::family_doctor_id.eq(doctor_id),
        residents::version.eq(row.version + 1),
        residents::updated_at.eq(now()),
    ))
    .execute(conn)?;
    if n == 0 {
        return Err(AppError::version_mismatch());
    }
    Ok(residents::table.find(&row.id).first(conn)?)
}

/// Residents to compute obligations for: one, or all.
pub fn all_or_one(conn: &mut DbConn, id: Option<&str>) -> QueryResult<Vec<ResidentRow>> {
    let mut q = residents::table.into_boxed();
    if let Some(id) = id {
        q = q.filter(residents::id.eq(id.to_string()));
    }
    q.order(residents::id.asc()).load(conn)
}
