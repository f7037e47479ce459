//! Draft referrals in the database.
use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::json_list;
use crate::auth::policy::ResidentScope;
use crate::db::page::PageRequest;
use crate::db::schema::{referral_drafts, residents};
use crate::db::{now, DbConn};
use crate::programmes::model::{DraftStatus, ReferralDraft};

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = referral_drafts)]
pub struct DraftRow {
    pub id: String,
    pub resident_id: String,
    pub clinic_id: String,
    pub status: String,
    pub form: String,
    pub follow_up_visit_ids: String,
    pub trigger_visit_id: String,
    pub referral_id: Option<String>,
    pub discard_reason: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl DraftRow {
    pub fn to_api(&self) -> ReferralDraft {
        ReferralDraft {
            id: self.id.clone(),
            resident_id: self.resident_id.clone(),
            clinic_id: self.clinic_id.clone(),
            status: DraftStatus::parse(&self.status).unwrap_or(DraftStatus::Draft),
            form: serde_json::from_str(&self.form).unwrap_or_default(),
            follow_up_visit_ids: json_list(&self.follow_up_visit_ids),
            referral_id: self.referral_id.clone(),
            discard_reason: self.discard_reason.clone(),
            version: self.version,
            created_at: self.created_at.into(),
        }
    }
}

/// Inserts a draft unless one exists for its follow-up; true when inserted.
pub fn insert_draft(conn: &mut DbConn, row: &DraftRow) -> QueryResult<bool> {
    let n = match conn {
        DbConn::Pg(c) => diesel::insert_into(referral_drafts::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(c)?,
        DbConn::Sqlite(c) => diesel::insert_or_ignore_into(referral_drafts::table)
            .values(row)
            .execute(c)?,
    };
    Ok(n == 1)
}

#[derive(Debug, Default, Clone)]
pub struct DraftFilter {
    pub resident_id: Option<String>,
    pub clinic_id: Option<String>,
    pub status: Option<DraftStatus>,
}

pub fn drafts(
    conn: &mut DbConn,
    scope: &ResidentScope,
    f: &DraftFilter,
    page: &PageRequest,
) -> QueryResult<Vec<DraftRow>> {
    let mut q = scoped!(referral_drafts, scope);
    if let Some(r) = &f.resident_id {
        q = q.filter(referral_drafts::resident_id.eq(r.clone()));
    }
    if let Some(c) = &f.clinic_id {
        q = q.filter(referral_drafts::clinic_id.eq(c.clone()));
    }
    if let Some(s) = f.status {
        q = q.filter(referral_drafts::status.eq(s.as_str()));
    }
    if let Some(after) = &page.after {
        q = q.filter(referral_drafts::id.gt(after.clone()));
    }
    q.order(referral_drafts::id.asc())
        .limit(page.limit + 1)
        .load(conn)
}

pub fn draft_scoped(
    conn: &mut DbConn,
    scope: &ResidentScope,
    id: &str,
) -> QueryResult<Option<DraftRow>> {
    scoped!(referral_drafts, scope)
        .filter(referral_drafts::id.eq(id.to_string()))
        .first(conn)
        .optional()
}

pub fn draft(conn: &mut DbConn, id: &str) -> QueryResult<Option<DraftRow>> {
    referral_drafts::table.find(id).first(conn).optional()
}

/// Ends a draft (sent or discarded) if it is still a draft at the version read.
pub fn end_draft(
    conn: &mut DbConn,
    row: &DraftRow,
    status: DraftStatus,
    referral_id: Option<String>,
    reason: Option<String>,
) -> QueryResult<bool> {
    let n = diesel::update(
        referral_drafts::table
            .filter(referral_drafts::id.eq(&row.id))
            .filter(referral_drafts::version.eq(row.version))
            .filter(referral_drafts::status.eq("draft")),
    )
    .set((
        referral_drafts::status.eq(status.as_str()),
        referral_drafts::referral_id.eq(referral_id),
        referral_drafts::discard_reason.eq(reason),
        referral_drafts::version.eq(row.version + 1),
        referral_drafts::updated_at.eq(now()),
    ))
    .execute(conn)?;
    Ok(n == 1)
}
