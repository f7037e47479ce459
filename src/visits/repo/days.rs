//! The clinicians' days a booking searches: skills, shifts and the visits that hold time.
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::auth::Role;
use crate::db::schema::{residents, shifts, users, visits};
use crate::db::DbConn;
use crate::network::model::Location;
use crate::planning::slots::Stop;
use crate::shifts::model::longest;
use crate::visits::model::Status;

/// The parts worked of the shifts touching [from, to) of several clinicians, as (clinician, start,
/// end), in one query: a shift with a break is two parts, so nothing is booked in the break.
pub fn shifts_of_many(
    conn: &mut DbConn,
    clinician_ids: &[String],
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> QueryResult<Vec<(String, NaiveDateTime, NaiveDateTime)>> {
    let rows: Vec<(String, NaiveDateTime, NaiveDateTime, String)> = shifts::table
        .filter(shifts::clinician_id.eq_any(clinician_ids))
        .filter(shifts::starts_at.lt(to))
        .filter(shifts::ends_at.gt(from))
        .filter(shifts::starts_at.gt(from - longest()))
        .order(shifts::starts_at.asc())
        .select((
            shifts::clinician_id,
            shifts::starts_at,
            shifts::ends_at,
            shifts::breaks,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .flat_map(|(c, s, e, breaks)| {
            crate::shifts::repo::worked(s, e, &breaks)
                .into_iter()
                .map(move |(s, e)| (c.clone(), s, e))
        })
        .collect())
}

/// clinician, start, end, and the resident's home (lat, lon).
type ClinicianStopRow = (
    Option<String>,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
    f64,
    f64,
);

/// Visits holding time in [from, to) of several clinicians, as (clinician, stop), in one query.
pub fn stops_of_many(
    conn: &mut DbConn,
    clinician_ids: &[String],
    from: NaiveDateTime,
    to: NaiveDateTime,
    except: Option<&str>,
) -> QueryResult<Vec<(String, Stop)>> {
    let rows: Vec<ClinicianStopRow> = visits::table
        .inner_join(residents::table)
        .filter(visits::clinician_id.eq_any(clinician_ids))
        .filter(visits::status.eq_any(Status::HOLDING_TIME))
        .filter(visits::starts_at.lt(to))
        .filter(visits::ends_at.gt(from))
        .filter(visits::starts_at.gt(from - longest()))
        .filter(visits::id.ne(except.unwrap_or("")))
        .select((
            visits::clinician_id,
            visits::starts_at,
            visits::ends_at,
            residents::lat,
            residents::lon,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(c, s, e, lat, lon)| {
            Some((
                c?,
                Stop {
                    starts_at: s?,
                    ends_at: e?,
                    location: Location { lat, lon },
                },
            ))
        })
        .collect())
}

/// The active clinicians of a clinic who have `skill`, in id order (the order locks are taken in).
pub fn clinicians_with_skill(
    conn: &mut DbConn,
    clinic_id: &str,
    skill: &str,
) -> QueryResult<Vec<crate::people::repo::UserRow>> {
    let all: Vec<crate::people::repo::UserRow> = users::table
        .filter(users::organization_id.eq(clinic_id))
        .filter(users::role.eq(Role::Clinician.as_str()))
        .filter(users::active.eq(true))
        .order(users::id.asc())
        .load(conn)?;
    Ok(all
        .into_iter()
        .filter(|u| u.skills().iter().any(|s| s == skill))
        .collect())
}
