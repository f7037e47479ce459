//! What the care-programme report reads.
use chrono::NaiveDate;
use diesel::prelude::*;

use super::text;
use crate::db::schema::{contracts, obligations};
use crate::db::DbConn;

/// An obligation as the report counts it: clinic, state, latest, met_on.
pub type Closing = (String, String, String, Option<String>);

/// Obligations whose window closes in [from, to).
pub fn closing_between(
    conn: &mut DbConn,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<Closing>> {
    obligations::table
        .filter(obligations::latest.ge(text(from)))
        .filter(obligations::latest.lt(text(to)))
        .select((
            obligations::clinic_id,
            obligations::state,
            obligations::latest,
            obligations::met_on,
        ))
        .load(conn)
}

/// The clinics of the contracts whose term overlaps [from, to), terminated ones left out.
pub fn contracts_overlapping(
    conn: &mut DbConn,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<String>> {
    contracts::table
        .filter(contracts::status.ne("terminated"))
        .filter(contracts::starts_on.lt(text(to)))
        .filter(contracts::ends_on.ge(text(from)))
        .select(contracts::clinic_id)
        .load(conn)
}
