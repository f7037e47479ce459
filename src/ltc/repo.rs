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

/// A visit done, with what a claim line needs of it.
#[derive(Debug, Clone, Queryable)]
pub struct Done {
    pub id: String,
    pub resident_id: String,
    pub clinic_id: String,
    pub clinician_id: Option<String>,
    pub service_type: String,
    pub category: String,
    pub starts_at: Option<NaiveDateTime>,
    pub check_in_at: Option<NaiveDateTime>,
    pub check_out_at: Option<NaiveDateTime>,
    pub check_in_distance_m: Option<f64>,
    pub check_out_distance_m: Option<f64>,
    pub location_exception: bool,
}

/// Visits completed and not self-paid that start in `[from, to)`, of one clinic or all, in
/// start order.
pub fn done(
    conn: &mut DbConn,
    clinic_id: Option<&str>,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> QueryResult<Vec<Done>> {
    let mut q = visits::table
        .inner_join(service_types::table.on(service_types::code.eq(visits::service_type)))
        .filter(visits::status.eq("completed"))
        .filter(visits::self_paid.eq(false))
        .filter(visits::starts_at.ge(from))
        .filter(visits::starts_at.lt(to))
        .into_boxed();
    if let Some(c) = clinic_id {
        q = q.filter(visits::clinic_id.eq(c.to_string()));
    }
    q.order((visits::starts_at.asc(), visits::id.asc()))
        .select((
            visits::id,
            visits::resident_id,
            visits::clinic_id,
            visits::clinician_id,
            visits::service_type,
            service_types::category,
            visits::starts_at,
            visits::check_in_at,
            visits::check_out_at,
            visits::check_in_distance_m,
            visits::check_out_distance_m,
            visits::location_exception,
        ))
        .load(conn)
}

/// Names by id, of residents and of users.
pub fn resident_names(conn: &mut DbConn, ids: &[String]) -> QueryResult<Vec<(String, String)>> {
    crate::db::schema::residents::table
        .filter(crate::db::schema::residents::id.eq_any(ids))
        .select((
            crate::db::schema::residents::id,
            crate::db::schema::residents::name,
        ))
        .load(conn)
}

pub fn user_names(conn: &mut DbConn, ids: &[String]) -> QueryResult<Vec<(String, String)>> {
    crate::db::schema::users::table
        .filter(crate::db::schema::users::id.eq_any(ids))
        .select((
            crate::db::schema::users::id,
            crate::db::schema::users::display_name,
        ))
        .load(conn)
}
