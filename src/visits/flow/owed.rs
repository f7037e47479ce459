//! What care programmes need of visits: the visits carelink requests for what residents are
//! owed (no caller: the system asks), their cancelling when an obligation is waived, and the
//! completed visits the obligation engine reads.
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::audit;
use crate::auth::CurrentUser;
use crate::db::schema::visits;
use crate::db::{new_id, now, DbConn};
use crate::error::{AppError, AppResult};
use crate::ids::{OrgId, ResidentId, VisitId};
use crate::visits::model::Status;
use crate::visits::repo::{self, VisitChanges};

/// A visit owed to a resident, to be requested into its clinic's pool.
pub struct OwedVisit<'a> {
    pub resident_id: &'a str,
    pub clinic_id: &'a str,
    pub service_type: &'a str,
    /// The window may span days (an obligation's `earliest`..`latest`); the day planner and the
    /// booking take any day of it.
    pub window_start: NaiveDateTime,
    pub window_end: NaiveDateTime,
    pub notes: String,
}

/// Requests owed visits (status `requested`, no requester) in batched statements: audited as
/// `actor`'s (the user whose action made them owed; None: the daily pass), `visit.requested` to
/// the clinic and the resident. Once the visits are inserted, `claim` gets their ids (in the
/// order of `owed`) and answers which ones the caller still wants: it records what each visit is
/// for in the same transaction, so two instances never request the same thing twice. Visits it
/// refuses are removed before anyone hears of them. Returns the kept visits' ids, in the order of
/// `owed`.
pub fn request_owed(
    conn: &mut DbConn,
    actor: Option<&CurrentUser>,
    owed: &[OwedVisit],
    claim: impl FnOnce(&mut DbConn, &[VisitId]) -> AppResult<Vec<bool>>,
) -> AppResult<Vec<Option<VisitId>>> {
    let at = now();
    let rows: Vec<_> = owed
        .iter()
        .map(|o| repo::NewVisitRow {
            id: new_id().into(),
            resident_id: o.resident_id.into(),
            clinic_id: o.clinic_id.into(),
            clinician_id: None,
            service_type: o.service_type.into(),
            status: Status::Requested.as_str().into(),
            priority: "routine".into(),
            window_start: o.window_start,
            window_end: o.window_end,
            starts_at: None,
            ends_at: None,
            travel_minutes_before: None,
            location_exception: false,
            plan_id: None,
            referral_id: None,
            notes: o.notes.clone(),
            unplaced_reason: None,
            requested_by: None,
            self_paid: false,
            version: 1,
            created_at: at,
            updated_at: at,
        })
        .collect();
    let stored = repo::insert_many(conn, &rows)?;
    let ids: Vec<VisitId> = stored.iter().map(|v| v.id.clone()).collect();
    let wanted = claim(conn, &ids)?;
    let (mut kept, mut refused) = (Vec::with_capacity(stored.len()), vec![]);
    for (row, want) in stored
        .into_iter()
        .zip(wanted.iter().chain(std::iter::repeat(&false)))
    {
        if *want {
            kept.push(row);
        } else {
            refused.push(row.id);
        }
    }
    if !refused.is_empty() {
        repo::delete_unannounced(conn, &refused)?;
    }
    let mut created = Vec::with_capacity(kept.len());
    for row in &kept {
        let value = serde_json::to_value(row.to_api()).map_err(AppError::internal)?;
        created.push((row.id.to_string(), value.to_string()));
    }
    audit::record_created(conn, actor, "visit", &created)?;
    repo::publish_many(conn, "requested", &kept)?;
    Ok(ids
        .into_iter()
        .zip(wanted.into_iter().chain(std::iter::repeat(false)))
        .map(|(id, want)| want.then_some(id))
        .collect())
}

/// Cancels a visit that was requested or scheduled for an obligation no longer owed; true when
/// it was cancelled (a visit under way or done is left as it is).
pub fn cancel_owed(
    conn: &mut DbConn,
    user: Option<&CurrentUser>,
    visit_id: &VisitId,
    reason: &str,
) -> AppResult<bool> {
    let Some(row) = repo::find(conn, visit_id)? else {
        return Ok(false);
    };
    if !matches!(row.status(), Status::Requested | Status::Scheduled) {
        return Ok(false);
    }
    let changes = VisitChanges {
        status: Some(Status::Cancelled.as_str().into()),
        cancel_reason: Some(Some(reason.chars().take(500).collect())),
        cancelled_by: Some(user.map(|u| u.id.clone().into())),
        ..Default::default()
    };
    if !repo::update(conn, &row.id, row.version, changes)? {
        return Ok(false);
    }
    let after = repo::find(conn, &row.id)?.ok_or_else(|| AppError::missing("visit"))?;
    let value = |r: &repo::VisitRow| serde_json::to_value(r.to_api()).map_err(AppError::internal);
    audit::record(
        conn,
        user,
        "cancel",
        "visit",
        row.id.as_str(),
        Some(&value(&row)?),
        Some(&value(&after)?),
    )?;
    repo::publish(conn, "cancel", &after)?;
    Ok(true)
}

/// Has this visit begun (under way, or done)? What it is for then stands, whatever ends.
pub fn begun(conn: &mut DbConn, visit_id: &VisitId) -> AppResult<bool> {
    Ok(repo::find(conn, visit_id)?
        .is_some_and(|v| matches!(v.status(), Status::InProgress | Status::Completed)))
}

/// A completed visit as the obligation engine reads it.
#[derive(Debug, Clone, Queryable)]
pub struct Completed {
    pub id: VisitId,
    pub resident_id: ResidentId,
    pub clinic_id: OrgId,
    pub service_type: String,
    pub check_out_at: Option<NaiveDateTime>,
    pub documentation: Option<String>,
}

/// Completed visits (of one resident, or all) checked out since `since`, oldest first.
pub fn completed_since(
    conn: &mut DbConn,
    resident: Option<&ResidentId>,
    since: NaiveDateTime,
) -> AppResult<Vec<Completed>> {
    let mut q = visits::table
        .filter(visits::status.eq(Status::Completed.as_str()))
        .filter(visits::check_out_at.ge(since))
        .into_boxed();
    if let Some(r) = resident {
        q = q.filter(visits::resident_id.eq(r.clone()));
    }
    Ok(q.order((visits::check_out_at.asc(), visits::id.asc()))
        .select((
            visits::id,
            visits::resident_id,
            visits::clinic_id,
            visits::service_type,
            visits::check_out_at,
            visits::documentation,
        ))
        .load(conn)?)
}
