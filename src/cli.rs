//! The commands of the `carelink` binary: serve, migrate, seed, user add, demo.
use chrono::{Duration, NaiveDate, NaiveTime, TimeZone};
use diesel::prelude::*;

use crate::auth::{password, Role};
use crate::config::Settings;
use crate::db::{self, write_tx, DbConn, Pool};
use crate::error::{AppError, AppResult};
use crate::network::model::Location;
use crate::people::model::{NewResident, NewStaff, PriorityFlag, Sex};

/// Opens the pool for a command, or explains why not.
pub fn open_pool(settings: &Settings) -> Result<Pool, String> {
    db::pool(
        &settings.database.url,
        settings.database.pool_size,
        std::time::Duration::from_secs(settings.database.pool_timeout_seconds),
    )
    .ok_or_else(|| "setting `database.url`: must start with sqlite:// or postgres://".to_string())
}

/// Runs migrations, waiting up to `wait` for the database to come up (containers start together).
pub fn migrate(pool: &Pool, wait: std::time::Duration) -> Result<usize, String> {
    let deadline = std::time::Instant::now() + wait;
    loop {
        match pool.get() {
            Ok(mut conn) => return db::migrate::run(&mut conn),
            Err(e) if std::time::Instant::now() >= deadline => {
                return Err(format!("database unreachable: {e}"))
            }
            Err(_) => std::thread::sleep(std::time::Duration::from_millis(500)),
        }
    }
}

pub fn seed(conn: &mut DbConn) -> AppResult<crate::network::seed::Seeded> {
    crate::network::seed::run(conn)
}

/// `carelink user add`: creates an account from the command line (password from stdin).
pub fn add_user(
    conn: &mut DbConn,
    settings: &Settings,
    username: &str,
    role: Role,
    org_code: Option<&str>,
    skills: Vec<String>,
    password_text: &str,
) -> AppResult<String> {
    let organization_id = match org_code {
        Some(code) => Some(
            crate::network::repo::find_by_code(conn, code)?
                .ok_or_else(|| {
                    AppError::invalid("org", format!("no organisation has the code {code}"))
                })?
                .id,
        ),
        None => None,
    };
    let new = NewStaff {
        username: username.to_string(),
        display_name: username.to_string(),
        role,
        organization_id,
        skills,
        password: password_text.to_string(),
        resident_id: None,
    };
    new.validate(settings.auth.min_password_length)?;
    let hash = password::hash(&new.password).map_err(AppError::internal)?;
    write_tx(conn, |conn| {
        let row = crate::people::repo::insert(conn, &new, &hash)?;
        let after = serde_json::to_value(row.to_api()).map_err(AppError::internal)?;
        crate::audit::record(conn, None, "create", "staff", &row.id, None, Some(&after))?;
        Ok(row.id)
    })
}

/// One demo login, for the printed table.
pub struct DemoLogin {
    pub username: String,
    pub role: Role,
    pub organization: String,
}

struct DemoStaff {
    username: &'static str,
    name: &'static str,
    role: Role,
    org: &'static str,
    skills: &'static [&'static str],
}

const DEMO_STAFF: &[DemoStaff] = &[
    DemoStaff {
        username: "admin",
        name: "区卫健局管理员",
        role: Role::Admin,
        org: "WH-AUTH",
        skills: &[],
    },
    DemoStaff {
        username: "sched01",
        name: "张调度",
        role: Role::Scheduler,
        org: "WH-CL-01",
        skills: &[],
    },
    DemoStaff {
        username: "doc01",
        name: "王医生",
        role: Role::Clinician,
        org: "WH-CL-01",
        skills: &["general_practice", "tcm"],
    },
    DemoStaff {
        username: "nurse01",
        name: "李护士",
        role: Role::Clinician,
        org: "WH-CL-01",
        skills: &["nursing", "wound_care"],
    },
    DemoStaff {
        username: "rehab01",
        name: "赵康复师",
        role: Role::Clinician,
        org: "WH-CL-01",
        skills: &["rehabilitation"],
    },
    DemoStaff {
        username: "sched02",
        name: "陈调度",
        role: Role::Scheduler,
        org: "WH-CL-04",
        skills: &[],
    },
    DemoStaff {
        username: "doc02",
        name: "刘医生",
        role: Role::Clinician,
        org: "WH-CL-04",
        skills: &["general_practice", "nursing"],
    },
    DemoStaff {
        username: "nurse02",
        name: "杨护士",
        role: Role::Clinician,
        org: "WH-CL-04",
        skills: &["nursing", "rehabilitation"],
    },
    DemoStaff {
        username: "desk-ho01",
        name: "人民医院转诊台",
        role: Role::Hospital,
        org: "WH-HO-01",
        skills: &[],
    },
    DemoStaff {
        username: "desk-ho02",
        name: "中医医院转诊台",
        role: Role::Hospital,
        org: "WH-HO-02",
        skills: &[],
    },
];

const DEMO_RESIDENTS: &[(&str, Sex, &str, &[PriorityFlag])] = &[
    (
        "周桂芳",
        Sex::Female,
        "1941-03-12",
        &[PriorityFlag::LivingAlone],
    ),
    ("孙建国", Sex::Male, "1938-07-01", &[PriorityFlag::Disabled]),
    (
        "吴秀英",
        Sex::Female,
        "1945-11-20",
        &[PriorityFlag::Dementia, PriorityFlag::EmptyNest],
    ),
    ("郑志强", Sex::Male, "1950-02-14", &[]),
    (
        "冯玉兰",
        Sex::Female,
        "1936-09-09",
        &[PriorityFlag::Bedridden],
    ),
    ("何德明", Sex::Male, "1947-05-30", &[]),
];

/// `carelink demo`: demo staff for several organisations and roles, residents with locations,
/// a care-home login, a resident login and clinician shifts for the coming week. Idempotent.
pub fn demo(conn: &mut DbConn, settings: &Settings) -> AppResult<Vec<DemoLogin>> {
    let password_text = settings.seed.demo_password.expose().to_string();
    let hash = password::hash(&password_text).map_err(AppError::internal)?;
    let tz = settings.timezone();
    write_tx(conn, |conn| {
        let mut logins = vec![];
        for s in DEMO_STAFF {
            let org = org_id(conn, s.org)?;
            ensure_user(
                conn,
                s.username,
                s.name,
                s.role,
                Some(org),
                s.skills,
                None,
                &hash,
            )?;
            logins.push(DemoLogin {
                username: s.username.into(),
                role: s.role,
                organization: s.org.into(),
            });
        }
        // The care home signed with the first demo clinic, and its desk login.
        let clinic = crate::network::repo::find_by_code(conn, "WH-CL-01")?
            .ok_or_else(AppError::not_found)?;
        let home = crate::db::schema::organizations::table
            .filter(crate::db::schema::organizations::contracted_clinic_id.eq(&clinic.id))
            .select(crate::db::schema::organizations::code)
            .first::<String>(conn)
            .optional()?;
        if let Some(code) = &home {
            let id = org_id(conn, code)?;
            ensure_user(
                conn,
                "home01",
                "养老院护理员",
                Role::CareHome,
                Some(id),
                &[],
                None,
                &hash,
            )?;
            logins.push(DemoLogin {
                username: "home01".into(),
                role: Role::CareHome,
                organization: code.clone(),
            });
        }
        let mut first_resident = None;
        for (i, code) in ["WH-CL-01", "WH-CL-04"].iter().enumerate() {
            let clinic =
                crate::network::repo::find_by_code(conn, code)?.ok_or_else(AppError::not_found)?;
            for (j, (name, sex, born, flags)) in DEMO_RESIDENTS.iter().enumerate() {
                let id = ensure_resident(conn, &clinic, i, j, name, *sex, born, flags)?;
                first_resident.get_or_insert(id);
            }
        }
        if let Some(rid) = first_resident {
            ensure_user(
                conn,
                "resident01",
                "周桂芳家属",
                Role::Resident,
                None,
                &[],
                Some(rid),
                &hash,
            )?;
            logins.push(DemoLogin {
                username: "resident01".into(),
                role: Role::Resident,
                organization: "-".into(),
            });
        }
        demo_shifts(conn, tz)?;
        Ok(logins)
    })
}

fn org_id(conn: &mut DbConn, code: &str) -> AppResult<String> {
    crate::network::repo::find_by_code(conn, code)?
        .map(|o| o.id)
        .ok_or_else(|| AppError::internal(format!("demo needs the seeded organisation {code}")))
}

#[allow(clippy::too_many_arguments)]
fn ensure_user(
    conn: &mut DbConn,
    username: &str,
    name: &str,
    role: Role,
    org: Option<String>,
    skills: &[&str],
    resident_id: Option<String>,
    hash: &str,
) -> AppResult<()> {
    if crate::auth::repo::find_by_username(conn, username)?.is_some() {
        return Ok(());
    }
    let organization_id = if role.organization_kind().is_some() || role == Role::Admin {
        org
    } else {
        None
    };
    let new = NewStaff {
        username: username.into(),
        display_name: name.into(),
        role,
        organization_id,
        skills: skills.iter().map(|s| s.to_string()).collect(),
        password: String::new(),
        resident_id,
    };
    let row = crate::people::repo::insert(conn, &new, hash)?;
    let after = serde_json::to_value(row.to_api()).map_err(AppError::internal)?;
    crate::audit::record(conn, None, "create", "staff", &row.id, None, Some(&after))
        .map_err(AppError::from)
}

#[allow(clippy::too_many_arguments)]
fn ensure_resident(
    conn: &mut DbConn,
    clinic: &crate::network::repo::OrgRow,
    i: usize,
    j: usize,
    name: &str,
    sex: Sex,
    born: &str,
    flags: &[PriorityFlag],
) -> AppResult<String> {
    use crate::db::schema::residents;
    let community = clinic
        .community_id
        .clone()
        .ok_or_else(AppError::not_found)?;
    let existing = residents::table
        .filter(residents::name.eq(name))
        .filter(residents::community_id.eq(&community))
        .select(residents::id)
        .first::<String>(conn)
        .optional()?;
    if let Some(id) = existing {
        return Ok(id);
    }
    // Homes spread around the clinic, 300 m to 1.5 km away, in a fixed pattern.
    let angle = (j as f64) * 1.047 + i as f64;
    let km = 0.3 + 0.2 * j as f64;
    let location = Location {
        lat: clinic.lat + km / 111.0 * angle.sin(),
        lon: clinic.lon + km / (111.0 * clinic.lat.to_radians().cos()) * angle.cos(),
    };
    let new = NewResident {
        name: name.into(),
        sex,
        birth_date: NaiveDate::parse_from_str(born, "%Y-%m-%d").map_err(AppError::internal)?,
        phone: format!("1380871{:04}", i * 100 + j),
        address: format!("{}附近{}号", clinic.address, j + 1),
        location,
        community_id: Some(community.clone()),
        care_home_id: None,
        family_doctor_id: None,
        conditions: vec!["高血压".into()],
        priority_flags: flags.to_vec(),
        consent: true,
        id_number: None,
    };
    let at = crate::people::residents::Placement {
        community_id: community,
        care_home_id: None,
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

/// Weekday shifts 08:30-17:00 (district time) for the next 7 days, for every demo clinician.
fn demo_shifts(conn: &mut DbConn, tz: chrono_tz::Tz) -> AppResult<()> {
    use chrono::Datelike;
    let today = chrono::Utc::now().with_timezone(&tz).date_naive();
    for s in DEMO_STAFF.iter().filter(|s| s.role == Role::Clinician) {
        let Some(user) = crate::auth::repo::find_by_username(conn, s.username)? else {
            continue;
        };
        let clinic = user.organization_id.clone().unwrap_or_default();
        for d in 0..7 {
            let day = today + Duration::days(d);
            if day.weekday().number_from_monday() > 5 {
                continue;
            }
            let at = |h, m| {
                tz.from_local_datetime(
                    &day.and_time(NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default()),
                )
                .earliest()
                .map(|t| t.naive_utc())
            };
            let (Some(starts_at), Some(ends_at)) = (at(8, 30), at(17, 0)) else {
                continue;
            };
            let span = crate::shifts::model::ShiftSpan { starts_at, ends_at };
            match crate::shifts::repo::insert(conn, &user.id, &clinic, span) {
                Ok(_) => {}
                Err(e) if e.code == "shift_overlap" => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(())
}

/// Prints the demo logins as a table.
pub fn print_logins(logins: &[DemoLogin], password_text: &str) {
    println!("Demo logins (password for all: {password_text}):");
    println!("  {:<12} {:<10} organisation", "username", "role");
    for l in logins {
        println!(
            "  {:<12} {:<10} {}",
            l.username,
            l.role.as_str(),
            l.organization
        );
    }
}

/// Is this a fresh database (no organisations)?
pub fn is_empty(conn: &mut DbConn) -> AppResult<bool> {
    Ok(crate::network::seed::is_empty(conn)?)
}
