//! `carelink-bench programmes` (issue #14): a district year for the obligation engine. Fills an
//! empty database with residents, contracts and a year of completed visits by batched inserts,
//! then times the engine over the whole district from scratch, a second (idempotent) run, and
//! the run one documented follow-up triggers at check-out.
use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use diesel::prelude::*;
use serde_json::json;

use carelink::auth::{password, Role};
use carelink::config::Settings;
use carelink::db::schema::{residents, visits};
use carelink::db::{self, new_id, now, write_tx, DbConn};
use carelink::network::model::OrgKind;
use carelink::network::repo as orgs;
use carelink::people::model::NewStaff;
use carelink::programmes::flow::{reconcile, Ctx, Summary};
use carelink::programmes::repo::ContractRow;

const FOLLOW_UP: &str = "chronic_disease_follow_up";
/// Residents whose follow-up is timed one by one.
const FOLLOW_UPS: usize = 50;
/// Rows per INSERT: well under SQLite's and PostgreSQL's limits on bound parameters.
const CHUNK: usize = 500;

pub struct Params {
    pub residents: usize,
    pub seed: u64,
    pub contracted: f64,
    pub chronic: f64,
}

/// A tiny deterministic generator (Knuth's MMIX LCG): a seed always gives the same district.
struct Lcg(u64);

impl Lcg {
    fn draw(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.draw() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.draw() as f64 / (1u64 << 31) as f64) < p
    }
}

#[derive(Insertable)]
#[diesel(table_name = residents)]
struct ResidentInsert {
    id: String,
    name: String,
    sex: String,
    birth_date: String,
    phone: String,
    address: String,
    lat: f64,
    lon: f64,
    community_id: String,
    family_doctor_id: Option<String>,
    conditions: String,
    consent: bool,
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// A completed visit, documented as check-out stores it.
#[derive(Insertable)]
#[diesel(table_name = visits)]
struct VisitInsert {
    id: String,
    resident_id: String,
    clinic_id: String,
    clinician_id: Option<String>,
    service_type: String,
    status: String,
    priority: String,
    window_start: NaiveDateTime,
    window_end: NaiveDateTime,
    starts_at: Option<NaiveDateTime>,
    ends_at: Option<NaiveDateTime>,
    check_in_at: Option<NaiveDateTime>,
    check_out_at: Option<NaiveDateTime>,
    documentation: Option<String>,
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// Inserts rows of one table in chunks, on either backend (batch inserts do not compile on the
/// connection enum).
macro_rules! insert_all {
    ($conn:expr, $table:path, $rows:expr) => {{
        let mut n = 0;
        for chunk in $rows.chunks(CHUNK) {
            n += match &mut *$conn {
                DbConn::Pg(c) => diesel::insert_into($table).values(chunk).execute(c)?,
                DbConn::Sqlite(c) => diesel::insert_into($table).values(chunk).execute(c)?,
            };
        }
        n
    }};
}

/// A clinic and its family doctor.
struct Clinic {
    id: String,
    doctor: String,
}

/// What the generated district holds (the counts printed, the residents whose follow-up is timed).
struct District {
    residents: usize,
    contracted: usize,
    chronic: usize,
    visits: usize,
    /// Contracted residents with a chronic condition: (resident, clinic, doctor).
    follow_up: Vec<(String, String, String)>,
}

/// The readings of a follow-up: blood pressure and fasting glucose, out of control or not.
fn documentation(out_of_control: bool) -> String {
    let (s, d, g) = if out_of_control {
        (168.0, 98.0, 9.6)
    } else {
        (128.0, 78.0, 5.8)
    };
    json!({"tasks": [{"task": "测血压、血糖", "done": true, "reason": null}],
        "vital_signs": {"systolic_mmhg": s, "diastolic_mmhg": d, "fasting_glucose_mmol_l": g},
        "notes": "随访"})
    .to_string()
}

fn completed(
    resident: &str,
    clinic: &Clinic,
    service: &str,
    at: NaiveDateTime,
    doc: Option<String>,
) -> VisitInsert {
    let (start, end) = (at - chrono::Duration::minutes(30), at);
    VisitInsert {
        id: new_id(),
        resident_id: resident.into(),
        clinic_id: clinic.id.clone(),
        clinician_id: Some(clinic.doctor.clone()),
        service_type: service.into(),
        status: "completed".into(),
        priority: "routine".into(),
        window_start: start - chrono::Duration::hours(2),
        window_end: end + chrono::Duration::hours(2),
        starts_at: Some(start),
        ends_at: Some(end),
        check_in_at: Some(start),
        check_out_at: Some(end),
        documentation: doc,
        version: 1,
        created_at: start - chrono::Duration::days(3),
        updated_at: end,
    }
}

/// Each doctor's visits of a day, 30 minutes each from 08:00 district time, one after another
/// (PostgreSQL refuses a clinician's overlapping visits); a full day moves the visit a day back.
struct Slots {
    tz: chrono_tz::Tz,
    today: NaiveDate,
    taken: HashMap<(String, NaiveDate), u32>,
}

impl Slots {
    /// The end of `doctor`'s next free slot about `days_ago` days before today, as stored (UTC).
    fn next(&mut self, doctor: &str, days_ago: u64) -> NaiveDateTime {
        let mut day = self.today - Days::new(days_ago);
        loop {
            let n = self.taken.entry((doctor.to_string(), day)).or_default();
            if *n < 20 {
                *n += 1;
                let minutes = 8 * 60 + 30 * i64::from(*n);
                let t = day.and_time(NaiveTime::MIN) + chrono::Duration::minutes(minutes);
                return self
                    .tz
                    .from_local_datetime(&t)
                    .earliest()
                    .map_or(t, |t| t.naive_utc());
            }
            day = day - Days::new(1);
        }
    }
}

fn generate(conn: &mut DbConn, p: &Params, tz: chrono_tz::Tz) -> Result<District, String> {
    let e = |e: carelink::error::AppError| e.to_string();
    let page = carelink::db::page::PageRequest {
        limit: 10_000,
        after: None,
    };
    let mut of_kind = |kind| -> Result<Vec<orgs::OrgRow>, String> {
        let filter = orgs::OrgFilter {
            kind: Some(kind),
            ..Default::default()
        };
        let mut rows = orgs::list(conn, &filter, &page).map_err(|e| e.to_string())?;
        rows.sort_by(|a, b| a.code.cmp(&b.code));
        Ok(rows)
    };
    let (communities, clinic_rows) = (of_kind(OrgKind::Community)?, of_kind(OrgKind::Clinic)?);
    let hash = password::hash(&new_id()).map_err(|e| e.to_string())?;
    let skills = vec!["general_practice".to_string(), "nursing".to_string()];
    // Each community's clinics, each with one family doctor.
    let mut serving: BTreeMap<String, Vec<Clinic>> = BTreeMap::new();
    for (i, c) in clinic_rows.iter().enumerate() {
        let Some(community) = c.community_id.clone() else {
            continue;
        };
        let new = NewStaff {
            username: format!("bench.doctor.{i:02}"),
            display_name: format!("家庭医生{i:02}"),
            role: Role::Clinician,
            organization_id: Some(c.id.clone()),
            skills: skills.clone(),
            password: String::new(),
            resident_id: None,
        };
        let doctor = carelink::people::repo::insert(conn, &new, &hash).map_err(e)?;
        serving.entry(community).or_default().push(Clinic {
            id: c.id.clone(),
            doctor: doctor.id,
        });
    }
    let communities: Vec<_> = communities
        .iter()
        .filter(|c| serving.contains_key(&c.id))
        .collect();
    if communities.is_empty() {
        return Err("the seeded network has no community with a clinic".into());
    }
    let mut rng = Lcg(p.seed);
    let today = chrono::Utc::now().with_timezone(&tz).date_naive();
    let t = now();
    let mut slots = Slots {
        tz,
        today,
        taken: HashMap::new(),
    };
    let (mut people, mut contracts, mut history) = (vec![], vec![], vec![]);
    let mut district = District {
        residents: p.residents,
        contracted: 0,
        chronic: 0,
        visits: 0,
        follow_up: vec![],
    };
    for i in 0..p.residents {
        let community = communities[i % communities.len()];
        let clinics = &serving[&community.id];
        let clinic = &clinics[rng.below(clinics.len())];
        let id = new_id();
        // Ages 55 to 95 at the end of this year; registered one to six years ago.
        let age = 55 + rng.below(41) as u64;
        let birth = NaiveDate::from_yo_opt(today.year() - age as i32, 1 + rng.below(365) as u32)
            .unwrap_or(today);
        let registered = t - chrono::Duration::days(365 + rng.below(5 * 365) as i64);
        let conditions: Vec<&str> = if rng.chance(p.chronic) {
            match rng.below(4) {
                0 | 1 => vec!["hypertension"],
                2 => vec!["diabetes"],
                _ => vec!["hypertension", "diabetes"],
            }
        } else {
            vec![]
        };
        let contracted = rng.chance(p.contracted);
        if contracted {
            let mut codes = vec!["basic"];
            codes.extend(conditions.iter().copied());
            let price = 12000 * conditions.contains(&"hypertension") as i64
                + 15000 * conditions.contains(&"diabetes") as i64;
            let starts = today - Days::new(1 + rng.below(360) as u64);
            contracts.push(ContractRow {
                id: new_id(),
                resident_id: id.clone(),
                clinic_id: clinic.id.clone(),
                family_doctor_id: clinic.doctor.clone(),
                package_codes: json!(codes).to_string(),
                starts_on: starts.to_string(),
                ends_on: (starts + Days::new(365) - Days::new(1)).to_string(),
                status: "active".into(),
                ended_reason: None,
                renewals: 0,
                price_fen: price,
                version: 1,
                created_at: t,
                updated_at: t,
            });
            district.contracted += 1;
        }
        // A year of quarterly follow-ups (a fifth out of control), and last year's health check.
        if !conditions.is_empty() {
            district.chronic += 1;
            for quarter in 0..4u64 {
                if rng.chance(0.85) {
                    let days_ago = 20 + quarter * 91 + rng.below(40) as u64;
                    let at = slots.next(&clinic.doctor, days_ago);
                    let doc = Some(documentation(rng.chance(0.2)));
                    history.push(completed(&id, clinic, FOLLOW_UP, at, doc));
                }
            }
            if contracted && district.follow_up.len() < FOLLOW_UPS && i % 7 == 0 {
                let who = (id.clone(), clinic.id.clone(), clinic.doctor.clone());
                district.follow_up.push(who);
            }
        }
        if age >= 65 && rng.chance(0.6) {
            let at = slots.next(&clinic.doctor, 300 + rng.below(300) as u64);
            history.push(completed(&id, clinic, "health_check", at, None));
        }
        people.push(ResidentInsert {
            id,
            name: format!("长者{i:05}"),
            sex: ["female", "male"][rng.below(2)].into(),
            birth_date: birth.to_string(),
            phone: format!("139{:08}", i),
            address: format!("{}附近{}号", community.address, i + 1),
            lat: community.lat + (rng.below(2000) as f64 - 1000.0) / 111_000.0,
            lon: community.lon + (rng.below(2000) as f64 - 1000.0) / 100_000.0,
            community_id: community.id.clone(),
            family_doctor_id: contracted.then(|| clinic.doctor.clone()),
            conditions: json!(conditions).to_string(),
            consent: true,
            version: 1,
            created_at: registered,
            updated_at: registered,
        });
    }
    district.visits = history.len();
    let inserted: QueryResult<()> = write_tx(conn, |conn| {
        insert_all!(conn, residents::table, people);
        insert_all!(conn, carelink::db::schema::contracts::table, contracts);
        insert_all!(conn, visits::table, history);
        Ok(())
    });
    inserted.map_err(|e| format!("inserting the district: {e}"))?;
    Ok(district)
}

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
        let inserted: QueryResult<usize> =
            write_tx(conn, |conn| Ok(insert_all!(conn, visits::table, visit)));
        inserted.map_err(|e| format!("inserting a follow-up: {e}"))?;
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
