//! `carelink-bench city` (issue #19): fills an empty PostgreSQL database with a city, a hundred
//! times the district: Kunming's 14 districts' networks, their staff and shifts, a million
//! residents with contracts, a year of visits at about 90,000 a day (and two weeks ahead),
//! referrals, and the audit and outbox rows those made. Deterministic for `--seed` and `--today`;
//! written with COPY (city_copy.rs). Prints progress to standard error and one JSON line.
use std::time::{Duration, Instant};

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use diesel::prelude::*;
use serde_json::json;

use crate::city_copy::{drop_secondary, restore, Tally};
use crate::city_network::{Network, DISTRICTS};
use carelink::config::Settings;
use carelink::db::{self, DbConn};

/// The password of the logins printed at the end (the same as the demo's).
pub const PASSWORD: &str = "carelink-demo-2026";
/// Days ahead of `--today` that have visits booked (scheduled, or requested in a clinic's pool).
pub const AHEAD: i64 = 14;

#[derive(clap::Args)]
pub struct Args {
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Districts (1 to 14), each with a network shaped like the pilot one.
    #[arg(long, default_value_t = 14)]
    pub districts: usize,
    /// Residents at scale 1.
    #[arg(long, default_value_t = 1_000_000)]
    pub residents: usize,
    /// Days of visit history before `--today` (365 at scale 1: about 33 million visits).
    #[arg(long, default_value_t = 365)]
    pub days: i64,
    /// The city's visits a day at scale 1.
    #[arg(long, default_value_t = 90_000)]
    pub visits_per_day: usize,
    /// Multiplies residents, visits and staff: 0.01 makes a small city for tests.
    #[arg(long, default_value_t = 1.0)]
    pub scale: f64,
    /// The day the history ends (default: today in the district's time zone).
    #[arg(long)]
    pub today: Option<NaiveDate>,
    /// An empty PostgreSQL database: postgres://...
    pub database_url: String,
}

/// What the generators share: the day, the clock, the sizes.
pub struct Frame {
    pub seed: u64,
    pub tz: chrono_tz::Tz,
    pub today: NaiveDate,
    /// The moment the history stops: 08:00 on `today`, district time (as stored, UTC).
    pub now: NaiveDateTime,
    pub days: i64,
    pub residents: usize,
    pub visits_per_day: usize,
    pub clinicians_per_clinic: usize,
    pub event_retention_hours: i64,
}

impl Frame {
    /// `minutes` after midnight of `day`, district time, as stored (UTC).
    pub fn at(&self, day: NaiveDate, minutes: i64) -> NaiveDateTime {
        let t = day.and_time(NaiveTime::MIN) + chrono::Duration::minutes(minutes);
        self.tz
            .from_local_datetime(&t)
            .earliest()
            .map_or(t, |t| t.naive_utc())
    }
}

/// Visits one clinician does on an average working day (shifts of 9.5 hours, visits of 15-90
/// minutes and 10 minutes' travel before each: about 12 fit, so a day is about 80% full).
const VISITS_PER_CLINICIAN_DAY: f64 = 10.0;

pub fn run(a: &Args) -> Result<(), String> {
    if a.scale.is_nan()
        || a.scale <= 0.0
        || !(1..=DISTRICTS.len()).contains(&a.districts)
        || a.days < 1
    {
        return Err("--scale above 0, --districts from 1 to 14, --days at least 1".into());
    }
    let mut settings = Settings::defaults();
    settings.database.url = a.database_url.clone();
    let tz = settings.timezone();
    let pool = db::pool(&a.database_url, 1, Duration::from_secs(10))
        .ok_or("DATABASE_URL: must start with postgres://")?;
    carelink::cli::migrate(&pool, Duration::from_secs(10))?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    let conn: &mut DbConn = &mut conn;
    let DbConn::Pg(pg) = conn else {
        return Err("DATABASE_URL: COPY needs PostgreSQL (postgres://...)".into());
    };
    let users: i64 = carelink::db::schema::users::table
        .count()
        .get_result(pg)
        .map_err(|e| e.to_string())?;
    if !carelink::cli::is_empty(conn).map_err(|e| e.to_string())? || users > 0 {
        return Err(format!(
            "{}: not empty (it has organisations or users); the city needs a fresh database \
             (createdb, or DROP DATABASE and create it again)",
            a.database_url
        ));
    }
    let today = a
        .today
        .unwrap_or_else(|| chrono::Utc::now().with_timezone(&tz).date_naive());
    let clinics = a.districts * crate::city_network::clinics_per_district();
    let visits_per_day = (a.visits_per_day as f64 * a.scale).round() as usize;
    let per_clinic = visits_per_day as f64 / clinics as f64;
    // Each clinician works five days in seven.
    let needed = (per_clinic * 7.0 / 5.0 / VISITS_PER_CLINICIAN_DAY).ceil() as usize;
    let mut frame = Frame {
        seed: a.seed,
        tz,
        today,
        now: NaiveDateTime::MIN,
        days: a.days,
        residents: ((a.residents as f64 * a.scale).round() as usize).max(clinics),
        visits_per_day,
        // At least one of each of the five roles, so every service type has someone to do it.
        clinicians_per_clinic: needed.max(5),
        event_retention_hours: settings.events.retention_hours,
    };
    frame.now = frame.at(today, 8 * 60);
    eprintln!(
        "city: {} districts, {clinics} clinics, {} clinicians a clinic, {} residents, {} visits a day, \
         {} days back and {AHEAD} ahead, seed {}",
        a.districts, frame.clinicians_per_clinic, frame.residents, visits_per_day, a.days, a.seed
    );
    let started = Instant::now();
    let DbConn::Pg(pg) = conn else { unreachable!() };
    diesel::sql_query("SET synchronous_commit = off")
        .execute(pg)
        .and_then(|_| diesel::sql_query("SET maintenance_work_mem = '1GB'").execute(pg))
        .map_err(|e| e.to_string())?;
    let mut tally = Tally::default();
    let t = Instant::now();
    let mut net = Network::organisations(pg, &frame, a.districts, &mut tally)?;
    // The catalogue and the care packages (the pilot organisations exist already, by code).
    carelink::cli::seed(conn).map_err(|e| format!("seeding the catalogue: {e}"))?;
    // The audit log and the outbox keep each month in a partition (ADR 0015): make the history's,
    // which reaches back past the visits to residents registered up to five years before them.
    let first = today - chrono::Days::new(a.days as u64 + 6 * 366);
    let last = today + chrono::Days::new(AHEAD as u64 + 1);
    for table in carelink::db::partitions::TABLES {
        carelink::db::partitions::ensure(conn, table, first, last).map_err(|e| e.to_string())?;
    }
    let DbConn::Pg(pg) = conn else { unreachable!() };
    tally.add("service_types", 0, t);
    let rebuild = drop_secondary(pg)?;
    net.staff(pg, &frame, &mut tally)?;
    let people = crate::city_people::residents(pg, &frame, &mut net, &mut tally)?;
    let visits = crate::city_visits::visits(pg, &frame, &net, &people, &mut tally)?;
    crate::city_referrals::referrals(pg, &frame, &net, &people, &mut tally)?;
    eprintln!("indexes and constraints:");
    let t = Instant::now();
    restore(pg, &rebuild)?;
    tally.add("indexes_and_constraints", 0, t);
    let seconds = started.elapsed().as_secs_f64();
    let round = |x: f64| (x * 10.0).round() / 10.0;
    let tables: serde_json::Map<String, serde_json::Value> = tally
        .tables
        .iter()
        .map(|(k, (rows, s))| (k.to_string(), json!({"rows": rows, "seconds": round(*s)})))
        .collect();
    let rows = tally.total();
    let line = json!({
        "city": {"districts": a.districts, "scale": a.scale, "seed": a.seed, "today": today.to_string(),
            "days": a.days, "ahead": AHEAD, "clinics": clinics,
            "clinicians_per_clinic": frame.clinicians_per_clinic, "visits_per_day": visits_per_day},
        "tables": tables,
        "visits_by_status": visits.by_status,
        "unplaced_visits": visits.unplaced,
        "rows": rows,
        "seconds": round(seconds),
        "rows_per_second": (rows as f64 / seconds).round(),
        "logins": {"password": PASSWORD, "users": net.logins},
        "cores": std::thread::available_parallelism().map_or(0, |n| n.get()),
        "load_average": std::fs::read_to_string("/proc/loadavg").unwrap_or_default()
            .split_whitespace().take(3).filter_map(|x| x.parse::<f64>().ok()).collect::<Vec<_>>(),
    });
    println!("{line}");
    Ok(())
}
