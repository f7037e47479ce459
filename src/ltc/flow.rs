//! The long-term care use cases: record an assessment, read a resident's, their month's
//! entitlements, and the check every booking makes (in the booking's transaction).
use chrono::{Duration, NaiveDate, NaiveDateTime};
use std::collections::BTreeMap;

use super::model::entitlements::{self as ent, GradePeriod, GrantTable, Unit};
use super::model::records::{
    form_errors, AssessmentRecord, Claim, ClaimLine, ClaimTotals, EntitlementLine, Entitlements,
    NewAssessment,
};
use super::model::Standard;
use super::repo::{self, AssessmentRow};
use crate::audit;
use crate::auth::policy;
use crate::auth::{CurrentUser, Role};
use crate::db::{lock_row, new_id, now, DbConn, LockableTable};
use crate::error::{AppError, AppResult};
use crate::people::residents;

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

/// What the resident's covered visits of a category spend of the month (`except`: a visit being
/// moved, not counted twice).
fn used(
    conn: &mut DbConn,
    periods: &[GradePeriod],
    resident_id: &str,
    month: NaiveDate,
    category: &str,
    unit: Unit,
    except: Option<&str>,
) -> AppResult<i64> {
    let tz = crate::time::district_zone();
    let table = GrantTable::embedded();
    let (from, to) = month_range(month)?;
    let mut sum = 0;
    for v in repo::spending(conn, resident_id, from, to)? {
        let (Some(s), Some(e)) = (v.starts_at, v.ends_at) else {
            continue;
        };
        if v.category != category || except == Some(v.id.as_str()) {
            continue;
        }
        let day = s.and_utc().with_timezone(&tz).date_naive();
        let covered = ent::grade_on(periods, day).and_then(|g| table.grant(g, category));
        if covered.is_some() {
            sum += ent::cost(unit, s, e);
        }
    }
    Ok(sum)
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

/// A resident's entitlements in a month: for each category the month grants, granted, used and
/// remaining.
pub fn entitlements(
    conn: &mut DbConn,
    user: &CurrentUser,
    resident_id: &str,
    month: NaiveDate,
) -> AppResult<Entitlements> {
    let id = resident_in_scope(conn, user, resident_id)?;
    let periods = periods_of(conn, &id)?;
    let table = GrantTable::embedded();
    let (first, next) = ent::month_bounds(month);
    let mut lines = vec![];
    for category in table.categories() {
        let Some((unit, granted)) = ent::granted(table, &periods, month, category) else {
            continue;
        };
        let used = used(conn, &periods, &id, month, category, unit, None)?;
        lines.push(EntitlementLine {
            category: category.to_string(),
            unit,
            granted,
            used,
            remaining: (granted - used).max(0),
        });
    }
    let mut grade = None;
    let mut day = next - Duration::days(1);
    while day >= first && grade.is_none() {
        grade = ent::grade_on(&periods, day);
        day -= Duration::days(1);
    }
    Ok(Entitlements {
        resident_id: id,
        month: first.format("%Y-%m").to_string(),
        grade,
        lines,
    })
}

/// A visit about to be booked, as the entitlement check sees it.
pub struct Booking<'a> {
    pub resident_id: &'a str,
    pub category: &'a str,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    /// A visit being moved: its own spending is not counted.
    pub except: Option<&'a str>,
    pub self_paid: bool,
}

/// The check every booking makes inside its transaction: a visit covered by the resident's grade
/// on its day that would take the month past what it grants is 409 `entitlement_exceeded`
/// (unless self-paid). The resident's row is locked first (PostgreSQL), so of concurrent
/// bookings for the last unit exactly one wins; SQLite's single writer does the same.
pub fn check_booking(conn: &mut DbConn, b: &Booking) -> AppResult<()> {
    if b.self_paid {
        return Ok(());
    }
    let periods = periods_of(conn, b.resident_id)?;
    let tz = crate::time::district_zone();
    let day = b.starts_at.and_utc().with_timezone(&tz).date_naive();
    let table = GrantTable::embedded();
    let Some(grant) = ent::grade_on(&periods, day).and_then(|g| table.grant(g, b.category)) else {
        return Ok(()); // not covered: nothing to spend
    };
    lock_row(conn, LockableTable::Residents, b.resident_id)?;
    let Some((unit, granted)) = ent::granted(table, &periods, day, b.category) else {
        return Ok(());
    };
    let used = used(
        conn,
        &periods,
        b.resident_id,
        day,
        b.category,
        unit,
        b.except,
    )?;
    let cost = ent::cost(grant.unit, b.starts_at, b.ends_at);
    if used + cost <= granted {
        return Ok(());
    }
    let month = day.format("%Y-%m").to_string();
    Err(AppError::conflict(
        "entitlement_exceeded",
        format!(
            "This visit would take the resident past their long-term care entitlement for {} in {month} \
             ({used} of {granted} {} used); book it as self-paid (\"self_paid\": true) if the resident pays.",
            b.category,
            match unit {
                Unit::Visits => "visits",
                Unit::Minutes => "minutes",
            }
        ),
    )
    .with_extra(serde_json::json!({
        "category": b.category, "month": month, "unit": unit, "granted": granted, "used": used,
    })))
}

/// Who may read claims: the authority (every provider, or one) and a clinic's scheduler (their
/// own clinic; another's is 404). Others 403.
fn claim_scope(user: &CurrentUser, asked: Option<String>) -> AppResult<Option<String>> {
    match user.role {
        Role::Admin => Ok(asked),
        Role::Scheduler => {
            let own = user.organization_id.clone();
            match asked {
                Some(a) if Some(&a) != own.as_ref() => Err(AppError::missing("organization")),
                _ => Ok(own),
            }
        }
        _ => Err(AppError::forbidden(
            "Claims are read by the authority and the clinics' schedulers.",
        )),
    }
}

/// A month's claim: each covered visit done (completed, not self-paid, of a category the
/// resident's grade on its day covers) of the provider, with the resident, grade, service,
/// minutes, clinician, times and check-in/out distances; a visit with a location exception is
/// listed for review and not counted as claimed.
pub fn claims(
    conn: &mut DbConn,
    user: &CurrentUser,
    month: NaiveDate,
    organization_id: Option<String>,
) -> AppResult<Claim> {
    let org = claim_scope(user, organization_id)?;
    let (from, to) = month_range(month)?;
    let done = repo::done(conn, org.as_deref(), from, to)?;
    let tz = crate::time::district_zone();
    let table = GrantTable::embedded();
    let mut periods: BTreeMap<String, Vec<GradePeriod>> = BTreeMap::new();
    let mut lines = vec![];
    for v in done {
        if !periods.contains_key(&v.resident_id) {
            let p = periods_of(conn, &v.resident_id)?;
            periods.insert(v.resident_id.clone(), p);
        }
        let Some(starts) = v.starts_at else { continue };
        let day = starts.and_utc().with_timezone(&tz).date_naive();
        let Some(grade) = ent::grade_on(&periods[&v.resident_id], day) else {
            continue;
        };
        let Some(grant) = table.grant(grade, &v.category) else {
            continue;
        };
        let minutes = match (v.check_in_at, v.check_out_at) {
            (Some(i), Some(o)) => (o - i).num_minutes().max(0),
            _ => 0,
        };
        lines.push(ClaimLine {
            visit_id: v.id,
            resident_id: v.resident_id,
            resident_name: String::new(),
            grade,
            service_type: v.service_type,
            category: v.category,
            unit: grant.unit,
            minutes,
            clinician_id: v.clinician_id,
            clinician_name: None,
            starts_at: Some(starts.into()),
            check_in_at: v.check_in_at.map(Into::into),
            check_out_at: v.check_out_at.map(Into::into),
            check_in_distance_m: v.check_in_distance_m,
            check_out_distance_m: v.check_out_distance_m,
            review: v.location_exception,
        });
    }
    let ids = |f: &dyn Fn(&ClaimLine) -> Option<String>| -> Vec<String> {
        let mut v: Vec<String> = lines.iter().filter_map(f).collect();
        v.sort();
        v.dedup();
        v
    };
    let residents: BTreeMap<String, String> =
        repo::resident_names(conn, &ids(&|l| Some(l.resident_id.clone())))?
            .into_iter()
            .collect();
    let clinicians: BTreeMap<String, String> =
        repo::user_names(conn, &ids(&|l| l.clinician_id.clone()))?
            .into_iter()
            .collect();
    let mut totals = ClaimTotals::default();
    for l in &mut lines {
        l.resident_name = residents.get(&l.resident_id).cloned().unwrap_or_default();
        l.clinician_name = l
            .clinician_id
            .as_ref()
            .and_then(|c| clinicians.get(c).cloned());
        if l.review {
            totals.for_review += 1;
        } else {
            totals.claimed_visits += 1;
            totals.claimed_minutes += l.minutes;
        }
    }
    let (first, _) = ent::month_bounds(month);
    Ok(Claim {
        month: first.format("%Y-%m").to_string(),
        organization_id: org,
        lines,
        totals,
    })
}
