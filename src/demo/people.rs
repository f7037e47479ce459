//! The demo's people: staff of several organisations and roles, residents at home and in a care
//! home (with family doctors, so that availability ranks continuity first), and clinicians' shifts.
use chrono::{Datelike, Duration, NaiveDate, NaiveTime, TimeZone};
use diesel::prelude::*;

use crate::auth::{CurrentUser, Role};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::network::flow::OrgRow;
use crate::network::model::Location;
use crate::people::model::{NewResident, NewStaff};

pub use super::cast::*;

pub fn org(conn: &mut DbConn, code: &str) -> AppResult<OrgRow> {
    crate::network::flow::find_by_code(conn, code)?
        .ok_or_else(|| AppError::internal(format!("demo needs the seeded organisation {code}")))
}

/// Creates a demo account unless the username is taken (then leaves it as it is).
pub fn ensure_user(
    conn: &mut DbConn,
    s: &DemoStaff,
    resident_id: Option<String>,
    hash: &str,
) -> AppResult<()> {
    if crate::auth::repo::find_by_username(conn, s.username)?.is_some() {
        return Ok(());
    }
    let organization_id = if s.role == Role::Resident {
        None
    } else {
        Some(org(conn, s.org)?.id)
    };
    let new = NewStaff {
        username: s.username.into(),
        display_name: s.name.into(),
        role: s.role,
        organization_id,
        skills: s.skills.iter().map(|x| x.to_string()).collect(),
        password: String::new(),
        resident_id,
    };
    let row = crate::people::repo::insert(conn, &new, hash)?;
    let after = serde_json::to_value(row.to_api()).map_err(AppError::internal)?;
    crate::audit::record(conn, None, "create", "staff", &row.id, None, Some(&after))?;
    Ok(())
}

/// A demo user as a caller, so that the demo's history is made by the domain's own use cases
/// and audited under the person who would have done it.
pub fn actor(conn: &mut DbConn, username: &str) -> AppResult<CurrentUser> {
    let u = crate::auth::repo::find_by_username(conn, username)?
        .ok_or_else(|| AppError::internal(format!("demo user {username} is missing")))?;
    let community_id = match &u.organization_id {
        Some(o) => crate::network::flow::find(conn, o)?.and_then(|o| o.community_id),
        None => None,
    };
    Ok(CurrentUser {
        role: u
            .role()
            .ok_or_else(|| AppError::internal("demo user with no role"))?,
        id: u.id,
        username: u.username,
        organization_id: u.organization_id,
        community_id,
        resident_id: u.resident_id,
        session_id: "carelink-demo".into(),
        request_id: "carelink-demo".into(),
    })
}

/// The residents of one demo clinic, in list order (at home, then the care home's for WH-CL-01).
pub fn ensure_residents(conn: &mut DbConn, i: usize, code: &str) -> AppResult<Vec<String>> {
    let clinic = org(conn, code)?;
    let doctor_code = CLINICS[i].1;
    let doctor = crate::auth::repo::find_by_username(conn, doctor_code)?.map(|u| u.id);
    let mut ids = vec![];
    for (j, r) in AT_HOME.iter().enumerate() {
        let home = around(clinic.location(), i as f64, j, 0.3 + 0.2 * j as f64);
        let address = format!("{}附近{}号", clinic.address, j + 1);
        let doc = doctor.clone().filter(|_| r.signed);
        ids.push(ensure_resident(
            conn, &clinic, None, r, home, address, i, j, doc,
        )?);
    }
    if i == 0 {
        let care_home = org(conn, CARE_HOME)?;
        for (j, r) in IN_CARE_HOME.iter().enumerate() {
            // Rooms of one building: a few metres apart.
            let at = around(care_home.location(), 0.0, j, 0.01);
            let address = format!("{} {}0{}室", care_home.address, j + 1, j + 1);
            let doc = doctor.clone().filter(|_| r.signed);
            ids.push(ensure_resident(
                conn,
                &clinic,
                Some(&care_home),
                r,
                at,
                address,
                i,
                10 + j,
                doc,
            )?);
        }
    }
    Ok(ids)
}

/// Homes spread around a place in a fixed pattern, `km` away.
fn around(base: Location, turn: f64, j: usize, km: f64) -> Location {
    let angle = (j as f64) * 1.047 + turn;
    Location {
        lat: base.lat + km / 111.0 * angle.sin(),
        lon: base.lon + km / (111.0 * base.lat.to_radians().cos()) * angle.cos(),
    }
}

#[allow(clippy::too_many_arguments)]
fn ensure_resident(
    conn: &mut DbConn,
    clinic: &OrgRow,
    care_home: Option<&OrgRow>,
    r: &DemoResident,
    location: Location,
    address: String,
    i: usize,
    j: usize,
    family_doctor_id: Option<String>,
) -> AppResult<String> {
    use crate::db::schema::residents;
    let community = care_home
        .and_then(|h| h.community_id.clone())
        .or_else(|| clinic.community_id.clone())
        .ok_or_else(AppError::not_found)?;
    let existing = residents::table
        .filter(residents::name.eq(r.name))
        .filter(residents::community_id.eq(&community))
        .select(residents::id)
        .first::<String>(conn)
        .optional()?;
    if let Some(id) = existing {
        // A database from an older demo has its residents without family doctors.
        if let Some(doctor) = &family_doctor_id {
            sign_up(conn, &id, doctor)?;
        }
        return Ok(id);
    }
    let new = NewResident {
        name: r.name.into(),
        sex: r.sex,
        birth_date: NaiveDate::parse_from_str(r.born, "%Y-%m-%d").map_err(AppError::internal)?,
        phone: format!("1380871{:04}", i * 100 + j),
        address,
        location,
        community_id: Some(community.clone()),
        care_home_id: care_home.map(|h| h.id.clone()),
        family_doctor_id,
        conditions: r.conditions.iter().map(|c| c.to_string()).collect(),
        priority_flags: r.flags.to_vec(),
        consent: true,
        id_number: None,
    };
    let at = crate::people::residents::Placement {
        community_id: community,
        care_home_id: care_home.map(|h| h.id.clone()),
    };
    let row = crate::people::residents::insert(conn, &new, &at)?;
    let after = serde_json::to_value(row.to_api()).map_err(AppError::internal)?;
    crate::audit::record(
        conn,
        None,
        "create",
        "resident",
        &row.id,
        None,
        Some(&after),
    )?;
    Ok(row.id)
}

/// Gives a demo resident who has none their family doctor, audited.
fn sign_up(conn: &mut DbConn, id: &str, doctor: &str) -> AppResult<()> {
    use crate::db::schema::residents;
    let Some(before) = crate::people::residents::find(conn, id)? else {
        return Ok(());
    };
    if before.family_doctor_id.is_some() {
        return Ok(());
    }
    diesel::update(
        residents::table
            .find(id)
            .filter(residents::version.eq(before.version)),
    )
    .set((
        residents::family_doctor_id.eq(doctor),
        residents::version.eq(before.version + 1),
        residents::updated_at.eq(crate::db::now()),
    ))
    .execute(conn)?;
    let after = crate::people::residents::find(conn, id)?.ok_or_else(AppError::not_found)?;
    let (b, a) = (
        serde_json::to_value(before.to_api()).map_err(AppError::internal)?,
        serde_json::to_value(after.to_api()).map_err(AppError::internal)?,
    );
    crate::audit::record(conn, None, "update", "resident", id, Some(&b), Some(&a))?;
    Ok(())
}

/// How many days of shifts the demo keeps behind and ahead of today: its visits lie in between.
pub const SHIFT_DAYS_BACK: i64 = 7;
pub const SHIFT_DAYS_AHEAD: i64 = 7;

/// Weekday shifts 08:30-17:00 (district time) from a week back to a week ahead for every demo
/// clinician, and a weekend morning on duty (09:00-12:00) for the doctors and `nurse01`, so that
/// today has someone on shift whatever the day.
pub fn ensure_shifts(conn: &mut DbConn, tz: chrono_tz::Tz, today: NaiveDate) -> AppResult<()> {
    for s in DEMO_STAFF.iter().filter(|s| s.role == Role::Clinician) {
        let Some(user) = crate::auth::repo::find_by_username(conn, s.username)? else {
            continue;
        };
        let clinic = user.organization_id.clone().unwrap_or_default();
        let on_duty = matches!(s.username, "doc01" | "nurse01" | "doc02");
        for d in -SHIFT_DAYS_BACK..SHIFT_DAYS_AHEAD {
            let day = today + Duration::days(d);
            let hours = match (day.weekday().number_from_monday() > 5, on_duty) {
                (false, _) => ((8, 30), (17, 0)),
                (true, true) => ((9, 0), (12, 0)),
                (true, false) => continue,
            };
            let (Some(starts_at), Some(ends_at)) = (
                at(tz, day, hours.0 .0, hours.0 .1),
                at(tz, day, hours.1 .0, hours.1 .1),
            ) else {
                continue;
            };
            let span = crate::shifts::model::ShiftSpan { starts_at, ends_at };
            // No lunch break in the demo: its visits of "now" are booked whatever the time of day.
            match crate::shifts::repo::insert(conn, &user.id, &clinic, span, &[]) {
                Ok(row) => {
                    let after = serde_json::to_value(row.to_api()).map_err(AppError::internal)?;
                    crate::audit::record(
                        conn,
                        None,
                        "create",
                        "shift",
                        &row.id,
                        None,
                        Some(&after),
                    )?;
                }
                Err(e) if e.code == "shift_overlap" => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(())
}

/// A district-time moment of a day, as stored (UTC).
pub fn at(tz: chrono_tz::Tz, day: NaiveDate, h: u32, m: u32) -> Option<chrono::NaiveDateTime> {
    tz.from_local_datetime(&day.and_time(NaiveTime::from_hms_opt(h, m, 0)?))
        .earliest()
        .map(|t| t.naive_utc())
}
