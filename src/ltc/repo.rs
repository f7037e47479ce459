//! Long-term care in the database: assessments, and the visits that spend an entitlement.
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{ltc_assessments, service_types, visits};
use crate::db::DbConn;

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = ltc_assessments)]
pub struct AssessmentRow {
    pub id: String,
    pub resident_id: String,
    pub kind: String,
    pub scores: String,
    pub result: String,
    pub grade: i32,
    pub organization_id: Option<String>,
    pub assessed_by: String,
    pub assessed_at: NaiveDateTime,
    pub valid_until: NaiveDateTime,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, row: &AssessmentRow) -> QueryResult<()> {
    diesel::insert_into(ltc_assessments::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// A resident's assessments, oldest first.
pub fn of_resident(conn: &mut DbConn, resident_id: &str) -> QueryResult<Vec<AssessmentRow>> {
    ltc_assessments::table
        .filter(ltc_assessments::resident_id.eq(resident_id))
        .order((
            ltc_assessments::assessed_at.asc(),
            ltc_assessments::id.asc(),
        ))
        .load(conn)
}

/// A visit that may spend an entitlement: booked or done, not self-paid.
#[derive(Debug, Clone, Queryable)]
pub struct Spending {
    pub id: String,
    pub category: String,
    pub starts_at: Option<NaiveDateTime>,
    pub ends_at: Option<NaiveDateTime>,
}

/// The resident's visits booked or done that start in `[from, to)` and are not self-paid, with
/// their service category (all categories; the caller decides what each one costs).
pub fn spending(
    conn: &mut DbConn,
    resident_id: &str,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> QueryResult<Vec<Spending>> {
    visits::table
        .inner_join(service_types::table.on(service_types::code.eq(visits::service_type)))
        .filter(visits::resident_id.eq(resident_id))
        .filter(visits::status.eq_any(["scheduled", "in_progress", "completed"]))
        .filter(visits::self_paid.eq(false))
        .filter(visits::starts_at.ge(from))
        .filter(visits::starts_at.lt(to))
        .select((
            visits::id,
            service_types::category,
            visits::starts_at,
            visits::ends_at,
        ))
        .load(conn)
}
