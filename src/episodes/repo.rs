//! Home sickbeds in the database. Lists and lookups take the caller's scope (auth::policy's
//! visit scope: a sickbed is its clinic's, like a visit), applied as SQL.
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::model::{
    Admission, Diagnosis, Episode, EpisodeKind, EpisodeStatus, Extension, Outcome, Plan,
};
use crate::auth::policy::VisitScope;
use crate::db::page::PageRequest;
use crate::db::schema::{episodes, referrals, residents};
use crate::db::{now, DbConn, MultiBackend};
use crate::ids::{EpisodeId, OrgId, ReferralId, ResidentId, UserId};

pub use crate::db::{date_of as day, date_text as text};

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = episodes)]
pub struct EpisodeRow {
    pub id: EpisodeId,
    pub kind: String,
    pub resident_id: ResidentId,
    pub clinic_id: OrgId,
    pub referral_id: Option<ReferralId>,
    pub status: String,
    pub diagnosis_code: Option<String>,
    pub diagnosis_text: String,
    pub admission: Option<String>,
    pub responsible_clinician_id: UserId,
    pub plan: String,
    pub opened_on: String,
    pub until: String,
    pub extensions: String,
    pub closed_on: Option<String>,
    pub outcome: Option<String>,
    pub summary: Option<String>,
    pub opened_by: UserId,
    pub closed_by: Option<UserId>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl EpisodeRow {
    pub fn status(&self) -> EpisodeStatus {
        EpisodeStatus::parse(&self.status)
    }
    pub fn until(&self) -> NaiveDate {
        day(&self.until)
    }
    pub fn extensions(&self) -> Vec<Extension> {
        serde_json::from_str(&self.extensions).unwrap_or_default()
    }
    pub fn to_api(&self) -> Episode {
        Episode {
            id: self.id.clone(),
            kind: EpisodeKind::HomeSickbed,
            resident_id: self.resident_id.clone(),
            clinic_id: self.clinic_id.clone(),
            referral_id: self.referral_id.clone(),
            status: self.status(),
            diagnosis: Diagnosis {
                code: self.diagnosis_code.clone(),
                text: self.diagnosis_text.clone(),
            },
            admission: self
                .admission
                .as_deref()
                .and_then(|a| serde_json::from_str::<Admission>(a).ok())
                .map(|a| a.view()),
            responsible_clinician_id: self.responsible_clinician_id.clone(),
            plan: serde_json::from_str::<Plan>(&self.plan).unwrap_or(Plan {
                rounds_per_week: 0,
                round_service_type: String::new(),
                nursing: vec![],
            }),
            opened_on: day(&self.opened_on),
            until: self.until(),
            extensions: self.extensions(),
            closed_on: self.closed_on.as_deref().map(day),
            outcome: self.outcome.as_deref().and_then(Outcome::parse),
            summary: self.summary.clone(),
            opened_by: self.opened_by.clone(),
            closed_by: self.closed_by.clone(),
            version: self.version,
            created_at: self.created_at.into(),
            updated_at: self.updated_at.into(),
            care: None,
            progress: None,
        }
    }
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = episodes)]
pub struct EpisodeChanges {
    pub status: Option<String>,
    pub until: Option<String>,
    pub extensions: Option<String>,
    pub closed_on: Option<Option<String>>,
    pub outcome: Option<Option<String>>,
    pub summary: Option<Option<String>>,
    pub closed_by: Option<Option<UserId>>,
    pub version: Option<i64>,
    pub updated_at: Option<NaiveDateTime>,
}

#[derive(Debug, Default, Clone)]
pub struct EpisodeFilter {
    pub resident_id: Option<ResidentId>,
    pub status: Option<EpisodeStatus>,
}

fn scoped(scope: &VisitScope) -> episodes::BoxedQuery<'static, MultiBackend> {
    let q = episodes::table.into_boxed::<MultiBackend>();
    match scope.clone() {
        VisitScope::All => q,
        VisitScope::Clinic(clinic) => q.filter(episodes::clinic_id.eq(clinic)),
        VisitScope::CareHome(home) => q.filter(
            episodes::resident_id.eq_any(
                residents::table
                    .filter(residents::care_home_id.eq(home))
                    .select(residents::id),
            ),
        ),
        VisitScope::Resident(r) => q.filter(episodes::resident_id.eq(r)),
        VisitScope::Nothing => q.filter(episodes::id.is_null()),
    }
}

pub fn insert(conn: &mut DbConn, row: &EpisodeRow) -> QueryResult<()> {
    diesel::insert_into(episodes::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn find(conn: &mut DbConn, id: &EpisodeId) -> QueryResult<Option<EpisodeRow>> {
    episodes::table.find(id).first(conn).optional()
}

pub fn find_scoped(
    conn: &mut DbConn,
    scope: &VisitScope,
    id: &EpisodeId,
) -> QueryResult<Option<EpisodeRow>> {
    scoped(scope)
        .filter(episodes::id.eq(id.clone()))
        .first(conn)
        .optional()
}

pub fn list(
    conn: &mut DbConn,
    scope: &VisitScope,
    f: &EpisodeFilter,
    page: &PageRequest,
) -> QueryResult<Vec<EpisodeRow>> {
    let mut q = scoped(scope);
    if let Some(r) = &f.resident_id {
        q = q.filter(episodes::resident_id.eq(r.clone()));
    }
    if let Some(s) = f.status {
        q = q.filter(episodes::status.eq(s.as_str()));
    }
    if let Some(after) = &page.after {
        q = q.filter(episodes::id.gt(after.clone()));
    }
    q.order(episodes::id.asc()).limit(page.limit + 1).load(conn)
}

/// Applies `ch` if the row is still at the version read; false when another change won.
pub fn update(conn: &mut DbConn, row: &EpisodeRow, mut ch: EpisodeChanges) -> QueryResult<bool> {
    ch.version = Some(row.version + 1);
    ch.updated_at = Some(now());
    let n = diesel::update(
        episodes::table
            .filter(episodes::id.eq(&row.id))
            .filter(episodes::version.eq(row.version)),
    )
    .set(ch)
    .execute(conn)?;
    Ok(n == 1)
}

/// What an opening checks of the referral it names (a read model of the referrals table):
/// its resident, direction, receiver and status.
pub struct ReferralFacts {
    pub resident_id: String,
    pub direction: String,
    pub to_organization_id: String,
    pub status: String,
}

pub fn referral_facts(conn: &mut DbConn, id: &ReferralId) -> QueryResult<Option<ReferralFacts>> {
    let row: Option<(String, String, String, String)> = referrals::table
        .find(id.as_str())
        .select((
            referrals::resident_id,
            referrals::direction,
            referrals::to_organization_id,
            referrals::status,
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(
        |(resident_id, direction, to_organization_id, status)| ReferralFacts {
            resident_id,
            direction,
            to_organization_id,
            status,
        },
    ))
}
