//! `carelink-bench programmes` (issue #14): a district year for the obligation engine. Fills an
//! empty database with residents, contracts and a year of completed visits by batched inserts
//! (district_year.rs), then times the engine over the whole district from scratch, a second
//! (idempotent) run, and the run one documented follow-up triggers at check-out.
use std::time::{Duration, Instant};

use diesel::prelude::*;
use serde_json::json;

pub use crate::district_year::Params;
use crate::district_year::{completed, documentation, generate, insert_visits, Clinic, FOLLOW_UP};
use carelink::config::Settings;
use carelink::db::{self, now, write_tx, DbConn};
use carelink::programmes::flow::{reconcile, Ctx, Summary};

/// Nearest-rank percentile of sorted milliseconds, to 0.01 ms.
fn percentile(sorted: &[f64], q: f64) -> f64 {
    let rank = ((q * sorted.len() as f64).ceil() as usize).max(1);
    sorted
        .get(rank - 1)
        .map_or(0.0, |ms| (ms * 100.0).round() / 100.0)
}

fn timed(conn: &mut DbConn, ctx: &Ctx, resident: Option<&str>) -> Result<(Summary, f64), String> {
    let started = Instant::now();
    let summary = write_tx(conn, |conn| reconcile(conn, ctx, resident))
        .map_err(|e| format!("reconcile: {e:?}"))?;
    Ok((summary, started.elapsed().as_secs_f64()))
}

pub fn run(p: &Params, url: &str) -> Result<(), String> {
    if !(0.0..=1.0).contains(&p.contracted) || !(0.0..=1.0).contains(&p.chronic) {
        return Err("--contracted and --chronic: fractions between 0 and 1".into());
    }
    let mut settings = Settings::defaults();
    settings.database.url = url.to_string();
    let tz = settings.timezone();
    let pool = db::pool(url, 2, Duration::from_secs(10))
        .ok_or("DATABASE_URL: must start with sqlite:// or postgres://")?;
    carelink::cli::migrate(&pool, Duration::from_secs(10))?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    let conn: &mut DbConn = &mut conn;
    if !carelink::cli::is_empty(conn).map_err(|e| e.to_string())? {
        return Err("DATABASE_URL: needs an empty database (it already has a network)".into());
    }
    let started = Instant::now();
    carelink::cli::seed(conn).map_err(|e| e.to_string())?;
    let district = generate(conn, p, tz)?;
    let seeding = started.elapsed().as_secs_f64();
    eprintln!(
        "{} residents, {} contracted, {} chronic, {} completed visits: {seeding:.1} s",
        district.residents, district.contracted, district.chronic, district.visits
    );
    let ctx = Ctx::new(&settings, tz).map_err(|e| e.to_string())?;
    let (first, first_s) = timed(conn, &ctx, None)?;
    eprintln!("from scratch: {first:?} in {first_s:.2} s");
    let obligations: i64 = carelink::db::schema::obligations::table
        .count()
        .get_result(conn)
        .map_err(|e| e.to_string())?;
    let (second, second_s) = timed(conn, &ctx, None)?;
    eprintln!("second run: {second:?} in {second_s:.2} s");
    // One documented follow-up each, out of control, checked out now; then what check-out runs.
    let (mut ms, mut made, mut requested, mut drafts) = (vec![], 0, 0, 0);
    for (k, (resident, clinic, doctor)) in district.follow_up.iter().enumerate() {
        let clinic = Clinic {
            id: clinic.clone(),
            doctor: doctor.clone(),
        };
        let visit = [completed(
            resident,
            &clinic,
            FOLLOW_UP,
            // Checked out just now, each 31 minutes before the next: no doctor's visits overlap.
            now() - chrono::Duration::minutes(31 * k as i64),
            Some(documentation(true)),
        )];
        insert_visits(conn, &visit).map_err(|e| format!("inserting a follow-up: {e}"))?;
        let (s, seconds) = timed(conn, &ctx, Some(resident))?;
        ms.push(seconds * 1000.0);
        (made, requested, drafts) = (made + s.made, requested + s.requested, drafts + s.drafts);
    }
    ms.sort_by(f64::total_cmp);
    let round = |x: f64| (x * 1000.0).round() / 1000.0;
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load: Vec<f64> = load
        .split_whitespace()
        .take(3)
        .filter_map(|x| x.parse().ok())
        .collect();
    let database = match conn.backend() {
        db::Backend::Sqlite => "sqlite",
        db::Backend::Postgres => "postgres",
    };
    let line = json!({
        "database": database,
        "residents": district.residents,
        "contracted": district.contracted,
        "chronic": district.chronic,
        "completed_visits": district.visits,
        "obligations": obligations,
        "met": first.met,
        "requested_visits": first.requested,
        "drafts": first.drafts,
        "from_scratch_seconds": round(first_s),
        "second_run_seconds": round(second_s),
        "second_run_made": second.made,
        "second_run_requested": second.requested,
        "follow_up_ms": {"p50": percentile(&ms, 0.5), "max": percentile(&ms, 1.0), "runs": ms.len(),
            "made": made, "requested": requested, "drafts": drafts},
        "seeding_seconds": round(seeding),
        "seed": p.seed,
        "cores": std::thread::available_parallelism().map_or(0, |n| n.get()),
        "load_average": load,
    });
    println!("{line}");
    Ok(())
}
