//! The long-term care use cases: record an assessment, read a resident's, their month's
//! entitlements, and the check every booking makes (in the booking's transaction); a month's
//! claim. The assessments here, what a month grants and uses in `allowance`, claims in `claims`.
use chrono::{Duration, NaiveDate, NaiveDateTime};

use super::model::entitlements::{self as ent, GradePeriod};
use super::model::records::{form_errors, AssessmentRecord, NewAssessment};
use super::model::Standard;
use super::repo::{self, AssessmentRow};
use crate::audit;
use crate::auth::policy;
use crate::auth::CurrentUser;
use crate::db::{new_id, now, DbConn};
use crate::error::{AppError, AppResult};
use crate::people::residents;

mod allowance;
mod claims;

pub use allowance::{check_booking, entitlements, Booking};
pub use claims::claims;

fn resident_in_scope(conn: &mut DbConn, user: &CurrentUser, id: &str) -> AppResult<String> {
    residents::find_scoped(conn, &policy::programme_scope(user), id)?
        .map(|r| r.id)
        .ok_or_else(|| AppError::missing("resident"))
}

fn standard() -> AppResult<&'static Standard> {
    Standard::embedded().map_err(AppError::internal)
}

fn record(row: &AssessmentRow, status: &str) -> AssessmentRecord {
    AssessmentRecord {
        id: row.id.clone(),
        resident_id: row.resident_id.clone(),
        kind: row.kind.clone(),
        scores: serde_json::from_str(&row.scores).unwrap_or_default(),
        result: serde_json::from_str(&row.result).unwrap_or_default(),
        grade: row.grade,
        organization_id: row.organization_id.clone(),
        assessed_by: row.assessed_by.clone(),
        assessed_at: row.assessed_at.into(),
        valid_until: row.valid_until.into(),
        status: status.into(),
        created_at: row.created_at.into(),
    }
}

/// Each assessment with its status at `at`, newest first.
fn with_status(rows: &[AssessmentRow], at: NaiveDateTime) -> Vec<AssessmentRecord> {
    let mut out: Vec<AssessmentRecord> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let superseded = rows[i + 1..].iter().any(|n| n.assessed_at <= at);
            let status = if r.assessed_at > at {
                "future"
            } else if superseded {
                "superseded"
            } else if r.valid_until <= at {
                "expired"
            } else {
                "current"
            };
            record(r, status)
        })
        .collect();
    out.reverse();
    out
}

/// Records a disability assessment: scored under the standard (every item required, each with
/// an allowed value, else 422 naming each), valid `valid_days`; by the authority or the serving
/// clinic's staff (403 others, 404 a resident they may not see). Audited.
pub fn assess(
    conn: &mut DbConn,
    user: &CurrentUser,
    body: &NewAssessment,
    valid_days: i64,
) -> AppResult<AssessmentRecord> {
    policy::require_role(user, policy::ASSESSORS)?;
    body.check_kind()?;
    let scored = standard()?.score(&body.scores).map_err(form_errors)?;
    let at = body
        .assessed_at
        .map(|t| t.0.naive_utc())
        .unwrap_or_else(now);
    if at > now() + Duration::minutes(5) {
        return Err(AppError::invalid(
            "assessed_at",
            "must not be in the future",
        ));
    }
    let resident_id = resident_in_scope(conn, user, &body.resident_id)?;
    let row = AssessmentRow {
        id: new_id(),
        resident_id,
        kind: body.kind.clone(),
        scores: json_text(&body.scores)?,
        result: json_text(&scored)?,
        grade: i32::from(scored.grade),
        organization_id: user.organization_id.clone(),
        assessed_by: user.id.clone(),
        assessed_at: at,
        valid_until: at + Duration::days(valid_days),
        created_at: now(),
    };
    repo::insert(conn, &row)?;
    let rows = repo::of_resident(conn, &row.resident_id)?;
    let out = with_status(&rows, now())
        .into_iter()
        .find(|r| r.id == row.id)
        .unwrap_or_else(|| record(&row, "current"));
    let value = serde_json::to_value(&out).map_err(AppError::internal)?;
    audit::record(
        conn,
        Some(user),
        "create",
        "ltc_assessment",
        &row.id,
        None,
        Some(&value),
    )?;
    Ok(out)
}

/// What is stored as JSON text.
fn json_text<T: serde::Serialize>(v: &T) -> AppResult<String> {
    serde_json::to_string(v).map_err(AppError::internal)
}

/// A resident's assessments, newest first, each with its status now.
pub fn list(
    conn: &mut DbConn,
    user: &CurrentUser,
    resident_id: &str,
) -> AppResult<Vec<AssessmentRecord>> {
    let id = resident_in_scope(conn, user, resident_id)?;
    Ok(with_status(&repo::of_resident(conn, &id)?, now()))
}

/// The grade periods of a resident's assessments, in district days.
fn periods_of(conn: &mut DbConn, resident_id: &str) -> AppResult<Vec<GradePeriod>> {
    let tz = crate::time::district_zone();
    let day = |t: NaiveDateTime| t.and_utc().with_timezone(&tz).date_naive();
    let rows = repo::of_resident(conn, resident_id)?;
    let list: Vec<(NaiveDate, NaiveDate, i32)> = rows
        .iter()
        .map(|r| (day(r.assessed_at), day(r.valid_until), r.grade))
        .collect();
    Ok(ent::periods(&list))
}

/// A month as a UTC range of district time (from its first moment to the next month's).
fn month_range(month: NaiveDate) -> AppResult<(NaiveDateTime, NaiveDateTime)> {
    let tz = crate::time::district_zone();
    let (first, next) = ent::month_bounds(month);
    let start = |d: NaiveDate| {
        crate::time::first_moment_utc(d, tz)
            .ok_or_else(|| AppError::invalid("month", "must be a month in the years 1900-2100"))
    };
    Ok((start(first)?, start(next)?))
}

/// `YYYY-MM` (or a date: its month).
pub fn parse_month(text: &str) -> AppResult<NaiveDate> {
    let bad = || AppError::invalid("month", "must be a month, YYYY-MM");
    let d = NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(text, "%Y-%m-%d"))
        .map_err(|_| bad())?;
    if !crate::time::in_range(d) {
        return Err(bad());
    }
    Ok(d)
}
