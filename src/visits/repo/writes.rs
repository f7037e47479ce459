//! Writing visits: the columns a transition changes, new rows one at a time or in batches, and
//! the removal of rows nobody has seen yet.
use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::VisitRow;
use crate::db::schema::visits;
use crate::db::DbConn;
use crate::ids::{OrgId, ReferralId, ResidentId, UserId, VisitId};
use crate::planning::slots::Slot;

/// The columns a transition changes (None: leave as is).
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = visits)]
pub struct VisitChanges {
    pub status: Option<String>,
    pub clinician_id: Option<Option<UserId>>,
    pub starts_at: Option<Option<NaiveDateTime>>,
    pub ends_at: Option<Option<NaiveDateTime>>,
    pub travel_minutes_before: Option<Option<i32>>,
    pub location_exception: Option<bool>,
    pub unplaced_reason: Option<Option<String>>,
    pub cancel_reason: Option<Option<String>>,
    pub cancelled_by: Option<Option<UserId>>,
    pub missed_reason: Option<Option<String>>,
    pub check_in_at: Option<Option<NaiveDateTime>>,
    pub check_in_distance_m: Option<Option<f64>>,
    pub check_out_at: Option<Option<NaiveDateTime>>,
    pub check_out_distance_m: Option<Option<f64>>,
    pub check_in_recorded_at: Option<Option<NaiveDateTime>>,
    pub check_out_recorded_at: Option<Option<NaiveDateTime>>,
    pub self_paid: Option<bool>,
    pub documentation: Option<Option<String>>,
    pub version: Option<i64>,
    pub updated_at: Option<NaiveDateTime>,
}

impl VisitChanges {
    /// The changes that put a visit into a slot found by the booking code.
    pub fn booked(slot: &Slot) -> VisitChanges {
        VisitChanges {
            clinician_id: Some(Some(slot.clinician_id.clone().into())),
            starts_at: Some(Some(slot.starts_at)),
            ends_at: Some(Some(slot.ends_at)),
            travel_minutes_before: Some(Some(slot.travel_minutes_before as i32)),
            unplaced_reason: Some(None),
            ..Default::default()
        }
    }
}

/// Applies changes if the visit is still at `version`; false when another change won.
pub fn update(
    conn: &mut DbConn,
    id: &VisitId,
    version: i64,
    mut ch: VisitChanges,
) -> QueryResult<bool> {
    ch.version = Some(version + 1);
    ch.updated_at = Some(crate::db::now());
    let n = diesel::update(visits::table.find(id).filter(visits::version.eq(version)))
        .set(&ch)
        .execute(conn)?;
    Ok(n == 1)
}

#[derive(Debug, Insertable)]
#[diesel(table_name = visits)]
pub struct NewVisitRow {
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
    pub requested_by: Option<UserId>,
    pub self_paid: bool,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, row: &NewVisitRow) -> QueryResult<VisitRow> {
    diesel::insert_into(visits::table)
        .values(row)
        .execute(conn)?;
    visits::table.find(&row.id).first(conn)
}

/// Inserts many new visits in batched inserts and returns them as stored, in the same order.
pub fn insert_many(conn: &mut DbConn, rows: &[NewVisitRow]) -> QueryResult<Vec<VisitRow>> {
    let mut stored = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(500) {
        match conn {
            DbConn::Pg(c) => diesel::insert_into(visits::table)
                .values(chunk)
                .execute(c)?,
            DbConn::Sqlite(c) => diesel::insert_into(visits::table)
                .values(chunk)
                .execute(c)?,
        };
        let ids: Vec<&VisitId> = chunk.iter().map(|r| &r.id).collect();
        let mut found: std::collections::HashMap<VisitId, VisitRow> = visits::table
            .filter(visits::id.eq_any(ids))
            .load::<VisitRow>(conn)?
            .into_iter()
            .map(|v| (v.id.clone(), v))
            .collect();
        stored.extend(chunk.iter().filter_map(|r| found.remove(&r.id)));
    }
    Ok(stored)
}

/// Deletes visits made in the caller's transaction that turned out not to be wanted (never
/// seen by anyone: no audit record or event names them yet).
pub fn delete_unannounced(conn: &mut DbConn, ids: &[VisitId]) -> QueryResult<usize> {
    diesel::delete(visits::table.filter(visits::id.eq_any(ids))).execute(conn)
}
