//! Demo data for trying carelink in its first minute: staff of every role, residents at home and in
//! a care home with family doctors, clinicians' shifts, a week of visits around today in every
//! state and referrals in every state, all dated relative to today in the district's time zone.
//! Made through the domain's own code (booking, state machines, the referral flow), audited.
//! Idempotent, and off in production. `GET /api/v1/demo` tells the console's login page about it.
pub mod cast;
pub mod handlers;
pub mod people;
pub mod programmes;
pub mod referrals;
pub mod visit_steps;
pub mod visits;

use chrono::{NaiveDate, NaiveDateTime, Timelike};
use diesel::prelude::*;

use crate::auth::{password, Role};
use crate::config::Settings;
use crate::db::{write_tx, DbConn};
use crate::error::{AppError, AppResult};
use crate::planning::travel::{GreatCircle, TravelModel};
use people::{DemoStaff, DEMO_STAFF, RESIDENT_LOGIN};

/// One demo login, for the printed table.
pub struct DemoLogin {
    pub username: String,
    pub role: Role,
    pub organization: String,
}

/// The demo's "now": today in the district, and the settings its bookings follow.
pub struct Clock<'a> {
    pub tz: chrono_tz::Tz,
    pub today: NaiveDate,
    /// Now, in UTC as stored.
    pub now: NaiveDateTime,
    pub settings: &'a Settings,
    pub travel: Box<dyn TravelModel>,
}

impl<'a> Clock<'a> {
    pub fn new(settings: &'a Settings, now: chrono::DateTime<chrono::Utc>) -> Clock<'a> {
        let tz = settings.timezone();
        Clock {
            tz,
            today: now.with_timezone(&tz).date_naive(),
            // Whole seconds: the demo's times are made up, and read back equal on both databases.
            now: now
                .naive_utc()
                .with_nanosecond(0)
                .unwrap_or(now.naive_utc()),
            settings,
            travel: Box::new(GreatCircle::from_settings(&settings.travel)),
        }
    }
}

/// What one run added (all zero when the demo data was there already).
#[derive(Debug, Default, Clone, Copy)]
pub struct Added {
    pub visits: usize,
    pub referrals: usize,
    pub contracts: usize,
}

/// `carelink demo` (and `carelink serve` on an empty database outside production): adds what is
/// missing of the demo data and returns the logins.
pub fn run(conn: &mut DbConn, settings: &Settings) -> AppResult<(Vec<DemoLogin>, Added)> {
    if settings.is_production() {
        return Err(AppError::conflict(
            "demo_off_in_production",
            "Demo data is off in production (CARELINK_ENV=production).",
        ));
    }
    let password_text = settings.seed.demo_password.expose().to_string();
    let hash = password::hash(&password_text).map_err(AppError::internal)?;
    let clock = Clock::new(settings, chrono::Utc::now());
    let (logins, added) = write_tx(conn, |conn| {
        let mut logins = vec![];
        for s in DEMO_STAFF {
            people::ensure_user(conn, s, None, &hash)?;
            logins.push(DemoLogin {
                username: s.username.into(),
                role: s.role,
                organization: s.org.into(),
            });
        }
        let residents = vec![
            people::ensure_residents(conn, 0, people::CLINICS[0].0)?,
            people::ensure_residents(conn, 1, people::CLINICS[1].0)?,
        ];
        let family = DemoStaff {
            username: RESIDENT_LOGIN,
            name: "周桂芳家属",
            role: Role::Resident,
            org: "-",
            skills: &[],
        };
        people::ensure_user(conn, &family, Some(residents[0][0].clone()), &hash)?;
        logins.push(DemoLogin {
            username: RESIDENT_LOGIN.into(),
            role: Role::Resident,
            organization: "-".into(),
        });
        people::ensure_shifts(conn, clock.tz, clock.today)?;
        let mut added = Added::default();
        if !has_history(conn)? {
            added.visits = visits::add(conn, &clock, &residents)?;
            added.referrals = referrals::add(conn, &clock, &residents)?;
        }
        added.contracts = programmes::add(conn, &clock, &residents[0])?;
        Ok::<_, AppError>((logins, added))
    })?;
    // The overdue referral escalates now rather than at the server's next scan.
    crate::referrals::deadlines::scan(conn, &settings.referrals, clock.now)?;
    Ok((logins, added))
}

/// Whether the demo clinics already have visits or referrals (then the demo adds none: running it
/// twice adds nothing, and it never mixes its history into someone's real work).
fn has_history(conn: &mut DbConn) -> AppResult<bool> {
    use crate::db::schema::{referrals, visits};
    let mut orgs = vec![];
    for code in [
        people::CLINICS[0].0,
        people::CLINICS[1].0,
        people::CARE_HOME,
    ] {
        orgs.push(people::org(conn, code)?.id);
    }
    let v: i64 = visits::table
        .filter(visits::clinic_id.eq_any(&orgs))
        .count()
        .get_result(conn)?;
    let r: i64 = referrals::table
        .filter(referrals::from_organization_id.eq_any(&orgs))
        .count()
        .get_result(conn)?;
    Ok(v + r > 0)
}

/// Prints the demo logins as a table.
pub fn print_logins(logins: &[DemoLogin], password_text: &str, added: Added) {
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
    if added.visits + added.referrals + added.contracts > 0 {
        println!(
            "Added {} visits, {} referrals and {} family-doctor contracts around today.",
            added.visits, added.referrals, added.contracts
        );
    }
}
