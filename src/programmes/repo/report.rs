//! What the care-programme report reads.
use chrono::NaiveDate;
use diesel::prelude::*;

use super::text;
use crate::db::schema::{contracts, obligations};
use crate::db::DbConn;

/// Obligations whose window closes in [from, to): clinic, state, latest, met_on.
pub fn closing_between(
    conn: &mut DbConn,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<(String, String, String, Option<String>)>> {
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
