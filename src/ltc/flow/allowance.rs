//! What a month grants and what it has used: a resident's entitlements, and the check every
//! booking makes in its transaction.
use chrono::{Duration, NaiveDate, NaiveDateTime};

use super::super::model::entitlements::{self as ent, GradePeriod, GrantTable, Unit};
use super::super::model::records::{EntitlementLine, Entitlements};
use super::super::repo;
use super::{month_range, periods_of, resident_in_scope};
use crate::auth::CurrentUser;
use crate::db::{lock_row, DbConn, LockableTable};
use crate::error::{AppError, AppResult};

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
