//! Diesel for the family's side: feedback and complaints, scoped by `auth::policy::VoiceScope`,
//! and the resident's own visits with the names a family needs.
use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{Complaint, Feedback, MyVisit};
use crate::auth::policy::VoiceScope;
use crate::db::page::PageRequest;
use crate::db::schema::{complaints, organizations, users, visit_feedback, visits};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = visit_feedback, treat_none_as_default_value = false)]
pub struct FeedbackRow {
    pub id: String,
    pub visit_id: String,
    pub resident_id: String,
    pub clinic_id: String,
    pub clinician_id: Option<String>,
    pub rating: i32,
    pub comment: Option<String>,
    pub author_id: String,
    pub created_at: NaiveDateTime,
}

impl FeedbackRow {
    pub fn to_api(&self) -> Feedback {
        Feedback {
            id: self.id.clone(),
            visit_id: self.visit_id.clone(),
            resident_id: self.resident_id.clone(),
            clinic_id: self.clinic_id.clone(),
            clinician_id: self.clinician_id.clone(),
            rating: self.rating,
            comment: self.comment.clone(),
            created_at: self.created_at.into(),
        }
    }
}

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = complaints, treat_none_as_default_value = false)]
pub struct ComplaintRow {
    pub id: String,
    pub resident_id: String,
    pub visit_id: Option<String>,
    pub organization_id: Option<String>,
    pub text: String,
    pub author_id: String,
    pub created_at: NaiveDateTime,
}

impl ComplaintRow {
    pub fn to_api(&self) -> Complaint {
        Complaint {
            id: self.id.clone(),
            resident_id: self.resident_id.clone(),
            visit_id: self.visit_id.clone(),
            organization_id: self.organization_id.clone(),
            text: self.text.clone(),
            created_at: self.created_at.into(),
        }
    }
}

/// Stores a rating; a visit already rated (also by a concurrent request) is 409
/// `feedback_exists`, decided by the database's unique visit id.
pub fn insert_feedback(conn: &mut DbConn, row: &FeedbackRow) -> AppResult<()> {
    let n = match conn {
        DbConn::Pg(c) => diesel::insert_into(visit_feedback::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(c)?,
        DbConn::Sqlite(c) => diesel::insert_or_ignore_into(visit_feedback::table)
            .values(row)
            .execute(c)?,
    };
    if n == 0 {
        return Err(AppError::conflict(
            "feedback_exists",
            "This visit has been rated already; a visit takes one rating.",
        ));
    }
    Ok(())
}

pub fn insert_complaint(conn: &mut DbConn, row: &ComplaintRow) -> QueryResult<()> {
    diesel::insert_into(complaints::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// Only feedback on this clinic's visits, or of this resident.
#[derive(Debug, Default, Clone)]
pub struct VoiceFilter {
    pub organization_id: Option<String>,
    pub resident_id: Option<String>,
}

pub fn feedback(
    conn: &mut DbConn,
    scope: &VoiceScope,
    f: &VoiceFilter,
    page: &PageRequest,
) -> QueryResult<Vec<FeedbackRow>> {
    let mut q = visit_feedback::table.into_boxed();
    q = match scope {
        VoiceScope::All => q,
        VoiceScope::Organization(org) => q.filter(visit_feedback::clinic_id.eq(org.clone())),
        VoiceScope::Resident(r) => q.filter(visit_feedback::resident_id.eq(r.clone())),
        VoiceScope::Nothing => q.filter(visit_feedback::id.is_null()),
    };
    if let Some(o) = &f.organization_id {
        q = q.filter(visit_feedback::clinic_id.eq(o.clone()));
    }
    if let Some(r) = &f.resident_id {
        q = q.filter(visit_feedback::resident_id.eq(r.clone()));
    }
    if let Some(after) = &page.after {
        q = q.filter(visit_feedback::id.gt(after.clone()));
    }
    q.order(visit_feedback::id.asc())
        .limit(page.limit + 1)
        .load(conn)
}

pub fn feedback_of_visit(conn: &mut DbConn, visit: &str) -> QueryResult<Option<FeedbackRow>> {
    visit_feedback::table
        .filter(visit_feedback::visit_id.eq(visit))
        .first(conn)
        .optional()
}

/// The complaints a scope may read, as a query to filter further.
fn complaints_in(scope: &VoiceScope) -> complaints::BoxedQuery<'static, crate::db::MultiBackend> {
    let q = complaints::table.into_boxed();
    match scope {
        VoiceScope::All => q,
        VoiceScope::Organization(org) => q.filter(complaints::organization_id.eq(org.clone())),
        VoiceScope::Resident(r) => q.filter(complaints::resident_id.eq(r.clone())),
        VoiceScope::Nothing => q.filter(complaints::id.is_null()),
    }
}

pub fn complaints(
    conn: &mut DbConn,
    scope: &VoiceScope,
    f: &VoiceFilter,
    page: &PageRequest,
) -> QueryResult<Vec<ComplaintRow>> {
    let mut q = complaints_in(scope);
    if let Some(o) = &f.organization_id {
        q = q.filter(complaints::organization_id.eq(o.clone()));
    }
    if let Some(r) = &f.resident_id {
        q = q.filter(complaints::resident_id.eq(r.clone()));
    }
    if let Some(after) = &page.after {
        q = q.filter(complaints::id.gt(after.clone()));
    }
    q.order(complaints::id.asc())
        .limit(page.limit + 1)
        .load(conn)
}

pub fn complaint(
    conn: &mut DbConn,
    scope: &VoiceScope,
    id: &str,
) -> QueryResult<Option<ComplaintRow>> {
    complaints_in(scope)
        .filter(complaints::id.eq(id.to_string()))
        .first(conn)
        .optional()
}

/// The first clinic (by code) serving a community.
pub fn clinic_of_community(conn: &mut DbConn, community: &str) -> QueryResult<Option<String>> {
    organizations::table
        .filter(organizations::kind.eq("clinic"))
        .filter(organizations::community_id.eq(community))
        .order(organizations::code.asc())
        .select(organizations::id)
        .first(conn)
        .optional()
}

type VisitLine = (
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    NaiveDateTime,
    NaiveDateTime,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
    Option<i32>,
);

/// A resident's visits with the clinic's and clinician's names and the rating given: those that
/// may still happen (soonest first) or the others (latest first), at most `limit`.
pub fn visits_of(
    conn: &mut DbConn,
    resident: &str,
    upcoming: bool,
    limit: i64,
) -> QueryResult<Vec<MyVisit>> {
    let open = vec!["requested", "scheduled", "in_progress"];
    let q = visits::table
        .inner_join(organizations::table.on(organizations::id.eq(visits::clinic_id)))
        .left_join(users::table.on(users::id.nullable().eq(visits::clinician_id)))
        .left_join(visit_feedback::table.on(visit_feedback::visit_id.eq(visits::id)))
        .filter(visits::resident_id.eq(resident))
        .select((
            visits::id,
            visits::service_type,
            visits::status,
            visits::clinic_id,
            organizations::name,
            visits::clinician_id,
            users::display_name.nullable(),
            visits::window_start,
            visits::window_end,
            visits::starts_at,
            visits::ends_at,
            visit_feedback::rating.nullable(),
        ))
        .into_boxed();
    let rows: Vec<VisitLine> = if upcoming {
        q.filter(visits::status.eq_any(open))
            .order((visits::window_start.asc(), visits::id.asc()))
            .limit(limit)
            .load(conn)?
    } else {
        q.filter(visits::status.ne_all(open))
            .order((visits::window_start.desc(), visits::id.desc()))
            .limit(limit)
            .load(conn)?
    };
    Ok(rows
        .into_iter()
        .map(|r| MyVisit {
            id: r.0,
            service_type: r.1,
            status: r.2,
            clinic_id: r.3,
            clinic_name: r.4,
            clinician_id: r.5,
            clinician_name: r.6,
            window_start: r.7.into(),
            window_end: r.8.into(),
            starts_at: r.9.map(Into::into),
            ends_at: r.10.map(Into::into),
            rating: r.11,
        })
        .collect())
}

/// What was said in a period: each rating with the clinic rated, each complaint's organisation.
pub struct Said {
    pub ratings: Vec<(String, i32)>,
    pub complaints: Vec<String>,
}

/// Ratings and complaints made in [from, to).
pub fn voice_in(conn: &mut DbConn, from: NaiveDateTime, to: NaiveDateTime) -> QueryResult<Said> {
    let ratings = visit_feedback::table
        .filter(visit_feedback::created_at.ge(from))
        .filter(visit_feedback::created_at.lt(to))
        .select((visit_feedback::clinic_id, visit_feedback::rating))
        .load(conn)?;
    let complaints = complaints::table
        .filter(complaints::created_at.ge(from))
        .filter(complaints::created_at.lt(to))
        .filter(complaints::organization_id.is_not_null())
        .select(complaints::organization_id.assume_not_null())
        .load(conn)?;
    Ok(Said {
        ratings,
        complaints,
    })
}
