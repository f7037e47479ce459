//! Visits in the database, always read through the caller's scope.
use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{Priority, Status, Visit};
use crate::auth::policy::{self, VisitScope};
use crate::auth::CurrentUser;
use crate::db::page::PageRequest;
use crate::db::schema::{residents, visits};
use crate::db::{DbConn, MultiBackend};
use crate::ids::{OrgId, ReferralId, ResidentId, UserId, VisitId};
use crate::network::model::Location;

mod days;
mod outbox;
mod writes;

pub use days::*;
pub use outbox::*;
pub use writes::*;

#[derive(Debug, Clone, Queryable)]
pub struct VisitRow {
    pub id: VisitId,
    pub resident_id: ResidentId,
    pub clinic_id: OrgId,
    pub clinician_id: Option<UserId>,
    pub service_type: String,
    pub status: String,
    pub priority: String,
    pub window_start: NaiveDateTime,
    pub window_end: NaiveDateTime,
    pub starts_at: Option<NaiveDateTime>,
    pub ends_at: Option<NaiveDateTime>,
    pub travel_minutes_before: Option<i32>,
    pub location_exception: bool,
    pub plan_id: Option<String>,
    pub referral_id: Option<ReferralId>,
    pub notes: String,
    pub unplaced_reason: Option<String>,
    pub cancel_reason: Option<String>,
    pub cancelled_by: Option<UserId>,
    pub missed_reason: Option<String>,
    pub check_in_at: Option<NaiveDateTime>,
    pub check_in_distance_m: Option<f64>,
    pub check_out_at: Option<NaiveDateTime>,
    pub check_out_distance_m: Option<f64>,
    pub documentation: Option<String>,
    pub requested_by: Option<UserId>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The device's time of the check-in / check-out, when it said (an action made offline).
    pub check_in_recorded_at: Option<NaiveDateTime>,
    pub check_out_recorded_at: Option<NaiveDateTime>,
    /// The resident pays for it: not counted against a long-term care entitlement, not claimed.
    pub self_paid: bool,
}

impl VisitRow {
    pub fn status(&self) -> Status {
        Status::parse(&self.status).unwrap_or(Status::Requested)
    }

    pub fn to_api(&self) -> Visit {
        let utc = crate::time::Time::from;
        Visit {
            id: self.id.clone(),
            resident_id: self.resident_id.clone(),
            clinic_id: self.clinic_id.clone(),
            clinician_id: self.clinician_id.clone(),
            service_type: self.service_type.clone(),
            status: self.status(),
            priority: if self.priority == "urgent" {
                Priority::Urgent
            } else {
                Priority::Routine
            },
            window_start: utc(self.window_start),
            window_end: utc(self.window_end),
            starts_at: self.starts_at.map(utc),
            ends_at: self.ends_at.map(utc),
            travel_minutes_before: self.travel_minutes_before,
            location_exception: self.location_exception,
            plan_id: self.plan_id.clone(),
            referral_id: self.referral_id.clone(),
            notes: self.notes.clone(),
            unplaced_reason: self.unplaced_reason.clone(),
            cancel_reason: self.cancel_reason.clone(),
            cancelled_by: self.cancelled_by.clone(),
            missed_reason: self.missed_reason.clone(),
            check_in_at: self.check_in_at.map(utc),
            check_in_distance_m: self.check_in_distance_m,
            check_out_at: self.check_out_at.map(utc),
            check_out_distance_m: self.check_out_distance_m,
            check_in_recorded_at: self.check_in_recorded_at.map(utc),
            check_out_recorded_at: self.check_out_recorded_at.map(utc),
            self_paid: self.self_paid,
            documentation: self
                .documentation
                .as_deref()
                .and_then(|d| serde_json::from_str(d).ok()),
            version: self.version,
            created_at: utc(self.created_at),
            updated_at: utc(self.updated_at),
        }
    }
}

/// The visits a caller may see: the authority all; clinic staff their clinic's; a care home its
/// residents'; a resident their own; a hospital none (until referrals bring them).
pub fn scoped(user: &CurrentUser) -> visits::BoxedQuery<'static, MultiBackend> {
    let q = visits::table.into_boxed();
    match policy::visit_scope(user) {
        VisitScope::All => q,
        VisitScope::Clinic(clinic) => q.filter(visits::clinic_id.eq(clinic)),
        VisitScope::CareHome(home) => q.filter(
            visits::resident_id.eq_any(
                residents::table
                    .filter(residents::care_home_id.eq(home))
                    .select(residents::id),
            ),
        ),
        VisitScope::Resident(resident) => q.filter(visits::resident_id.eq(resident)),
        VisitScope::Nothing => q.filter(visits::id.is_null()),
    }
}

#[derive(Debug, Default, Clone)]
pub struct VisitFilter {
    pub clinician_id: Option<UserId>,
    pub clinic_id: Option<OrgId>,
    pub resident_id: Option<ResidentId>,
    pub plan_id: Option<String>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
    pub status: Option<Status>,
    pub location_exception: Option<bool>,
}

pub fn list(
    conn: &mut DbConn,
    user: &CurrentUser,
    f: &VisitFilter,
    page: &PageRequest,
) -> QueryResult<Vec<VisitRow>> {
    let mut q = scoped(user);
    if let Some(v) = &f.clinician_id {
        q = q.filter(visits::clinician_id.eq(v.clone()));
    }
    if let Some(v) = &f.clinic_id {
        q = q.filter(visits::clinic_id.eq(v.clone()));
    }
    if let Some(v) = &f.resident_id {
        q = q.filter(visits::resident_id.eq(v.clone()));
    }
    if let Some(v) = &f.plan_id {
        q = q.filter(visits::plan_id.eq(v.clone()));
    }
    if let Some(v) = f.from {
        q = q.filter(visits::window_end.gt(v));
    }
    if let Some(v) = f.to {
        q = q.filter(visits::window_start.lt(v));
    }
    if let Some(v) = f.status {
        q = q.filter(visits::status.eq(v.as_str()));
    }
    if let Some(v) = f.location_exception {
        q = q.filter(visits::location_exception.eq(v));
    }
    if let Some(after) = &page.after {
        q = q.filter(visits::id.gt(after.clone()));
    }
    q.order(visits::id.asc()).limit(page.limit + 1).load(conn)
}

/// A clinician's visits that hold time and start in `[from, to)`, in the caller's scope, in
/// start order, each with where its resident lives (two indexed queries, whatever the history).
pub fn day_of(
    conn: &mut DbConn,
    user: &CurrentUser,
    clinician_id: &UserId,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> QueryResult<Vec<(VisitRow, Location)>> {
    let rows: Vec<VisitRow> = scoped(user)
        .filter(visits::clinician_id.eq(clinician_id.clone()))
        .filter(visits::starts_at.ge(from))
        .filter(visits::starts_at.lt(to))
        .filter(visits::status.eq_any(Status::HOLDING_TIME))
        .order(visits::starts_at.asc())
        .load(conn)?;
    let ids: Vec<&str> = rows.iter().map(|v| v.resident_id.as_str()).collect();
    let homes: std::collections::HashMap<String, Location> = residents::table
        .filter(residents::id.eq_any(ids))
        .select((residents::id, residents::lat, residents::lon))
        .load::<(String, f64, f64)>(conn)?
        .into_iter()
        .map(|(id, lat, lon)| (id, Location { lat, lon }))
        .collect();
    Ok(rows
        .into_iter()
        .filter_map(|v| {
            let home = *homes.get(v.resident_id.as_str())?;
            Some((v, home))
        })
        .collect())
}

pub fn find_scoped(
    conn: &mut DbConn,
    user: &CurrentUser,
    id: &VisitId,
) -> QueryResult<Option<VisitRow>> {
    scoped(user)
        .filter(visits::id.eq(id.clone()))
        .first(conn)
        .optional()
}

/// Visits a user asked for in the minute before `now` (the per-user booking quota).
pub fn created_by_in_last_minute(
    conn: &mut DbConn,
    user_id: &UserId,
    now: NaiveDateTime,
    cap: i64,
) -> QueryResult<i64> {
    // Counts no further than the quota: a busy user's check stays as cheap as a quiet one's.
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let query = diesel::sql_query(
        "SELECT count(*) AS n FROM (SELECT 1 FROM visits \
         WHERE requested_by = $1 AND created_at > $2 LIMIT $3) recent",
    )
    .bind::<diesel::sql_types::Text, _>(user_id.as_str())
    .bind::<diesel::sql_types::Timestamp, _>(now - chrono::Duration::minutes(1))
    .bind::<diesel::sql_types::BigInt, _>(cap);
    let count: Count = match conn {
        DbConn::Pg(c) => query.get_result(c)?,
        DbConn::Sqlite(c) => query.get_result(c)?,
    };
    Ok(count.n)
}

pub fn find(conn: &mut DbConn, id: &VisitId) -> QueryResult<Option<VisitRow>> {
    visits::table.find(id).first(conn).optional()
}

/// Visits still under way whose booked end lies in `[from, to)`, soonest end first (at most 500).
pub fn under_way_ended_between(
    conn: &mut DbConn,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> QueryResult<Vec<VisitRow>> {
    visits::table
        .filter(visits::status.eq(Status::InProgress.as_str()))
        .filter(visits::ends_at.ge(from))
        .filter(visits::ends_at.lt(to))
        .order((visits::ends_at.asc(), visits::id.asc()))
        .limit(500)
        .load(conn)
}
