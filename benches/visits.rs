//! Home-visit availability and booking under load, on a generated district day.
//!
//! Builds a fresh database (a temp SQLite file, or a PostgreSQL database created on the server of
//! CARELINK_BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/postgres, and dropped
//! at the end), seeds the pilot network, and adds through the library: 5 clinicians per clinic
//! (every service type's skill covered in each clinic) on shift 08:00-17:00 +08:00 three days
//! ahead, one scheduler per clinic, and 900 residents within 1.5 km of their community
//! (deterministic from --seed). It serves carelink in-process (2 workers, as the tests do) and:
//!
//! 1. availability: 500 sequential GET /api/v1/availability as a serving clinic's scheduler, over
//!    every service type: p50, p99, max latency, non-200 answers, answers without a slot;
//! 2. booking: --clients concurrent clients POST auto-assigned /api/v1/visits (short services,
//!    the whole shift as window) for --seconds: bookings/s, requests/s, 409s by code (the day fills
//!    up), 5xx, and "database is locked". The service never puts a cause in a body, so its error
//!    log is captured (not printed) and counted. Then the visits table is counted and checked for
//!    overlapping bookings of one clinician.
//!
//! One JSON line per backend on stdout; progress on stderr. Run (or bench/visits.sh, same options):
//! `cargo bench --bench visits -- [--backend sqlite|postgres|both] [--clients 16] [--seconds 10] [--seed N]`
use carelink::auth::{password, Role};
use carelink::config::{Secret, Settings};
use carelink::db::{self, write_tx, Backend, DbConn, Pool};
use carelink::error::{AppError, AppResult};
use carelink::network::{model::OrgKind, repo as orgs};
use carelink::people::model::{NewResident, NewStaff};
use carelink::people::residents::{self, Placement};
use chrono::{DateTime, Days, NaiveDate, NaiveDateTime};
use diesel::{connection::SimpleConnection, prelude::*};
use serde_json::{json, Value};
use std::{
    cell::RefCell, collections::BTreeMap, f64::consts::TAU, rc::Rc, sync::atomic::AtomicU64,
};
use std::{sync::atomic::Ordering::Relaxed, time::Duration, time::Instant};

const PASSWORD: &str = "bench-password-2026";
/// Booked in phase 2: the short service types (15, 30 and 30 minutes).
const BOOKED: [&str; 3] = [
    "blood_pressure_check",
    "catheter_care",
    "chronic_disease_follow_up",
];
const CLINICIANS_PER_CLINIC: usize = 5;
const RESIDENTS: usize = 900;
const SEARCHES: usize = 500;
const LOCKED: &str = "database is locked";
const USAGE: &str = "usage: cargo bench --bench visits -- [--backend sqlite|postgres|both] \
                     [--clients 16] [--seconds 10] [--seed N]";

struct Args {
    backends: Vec<Backend>,
    clients: usize,
    seconds: f64,
    seed: u64,
}

/// The value after `--name`, parsed, or `default` when the option is absent.
fn option<T: std::str::FromStr>(args: &[String], name: &str, default: T) -> Result<T, String> {
    let Some(i) = args.iter().position(|a| a == name) else {
        return Ok(default);
    };
    let value = args.get(i + 1).and_then(|v| v.parse().ok());
    value.ok_or_else(|| format!("{name} needs a valid value"))
}

fn parse_args() -> Result<Args, String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let known = ["--backend", "--clients", "--seconds", "--seed", "--bench"]; // cargo adds --bench
    let unknown = args
        .iter()
        .find(|a| a.starts_with("--") && !known.contains(&a.as_str()));
    if let Some(unknown) = unknown {
        return Err(format!("unknown option {unknown}"));
    }
    let backends = match option(&args, "--backend", "both".to_string())?.as_str() {
        "sqlite" => vec![Backend::Sqlite],
        "postgres" => vec![Backend::Postgres],
        "both" => vec![Backend::Sqlite, Backend::Postgres],
        other => return Err(format!("--backend {other}: not sqlite, postgres or both")),
    };
    let clients = option(&args, "--clients", 16)?;
    let seconds = option(&args, "--seconds", 10.0)?;
    if clients == 0 || seconds <= 0.0 {
        return Err("--clients and --seconds must be above 0".into());
    }
    let seed = option(&args, "--seed", 1)?;
    Ok(Args {
        backends,
        clients,
        seconds,
        seed,
    })
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
        (self.draw() % n as u64) as usize
    }
    fn unit(&mut self) -> f64 {
        self.draw() as f64 / (1u64 << 31) as f64
    }
}

/// "database is locked" in the service's error log (5xx causes, never sent to the client).
static LOCKED_LOGGED: AtomicU64 = AtomicU64::new(0);

struct LogCounter;

impl std::io::Write for LogCounter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if buf.windows(LOCKED.len()).any(|w| w == LOCKED.as_bytes()) {
            LOCKED_LOGGED.fetch_add(1, Relaxed);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The scratch database: a SQLite file to remove, or a PostgreSQL database to drop (`admin`:
/// the server's URL), also when the run panics.
struct Scratch {
    url: String,
    admin: Option<String>,
}

impl Scratch {
    fn create(backend: Backend) -> Scratch {
        let name = format!("carelink_bench_{}", uuid::Uuid::new_v4().simple());
        if backend == Backend::Sqlite {
            let path = std::env::temp_dir().join(format!("{name}.db"));
            let url = format!("sqlite://{}", path.display());
            return Scratch { url, admin: None };
        }
        let admin = std::env::var("CARELINK_BENCH_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let mut server = carelink::db::connect_pg(&admin)
            .expect("PostgreSQL reachable at CARELINK_BENCH_POSTGRES_URL");
        let created = server.batch_execute(&format!("CREATE DATABASE {name}"));
        created.expect("a PostgreSQL role that may create databases");
        let base = admin.split('?').next().unwrap_or(&admin);
        let cut = base.rfind('/').filter(|&i| i > "postgres://".len());
        let url = format!("{}/{name}", &base[..cut.unwrap_or(base.len())]);
        Scratch {
            url,
            admin: Some(admin),
        }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let Some(admin) = &self.admin else {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", db::sqlite_path(&self.url)));
            }
            return;
        };
        let name = self.url.rsplit('/').next().unwrap_or_default();
        if let Ok(mut server) = carelink::db::connect_pg(admin) {
            let _ = server.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

/// The generated day: who to call the API as, and for whom.
struct District {
    day: NaiveDate,
    /// Each clinic's scheduler (username).
    schedulers: Vec<String>,
    /// Each community's clinics (indices into `schedulers`).
    serving: Vec<Vec<usize>>,
    /// Each resident: id and community (index into `serving`).
    residents: Vec<(String, usize)>,
    /// Every service type of the catalogue (searched in phase 1).
    services: Vec<String>,
}

fn at(day: NaiveDate, hm: &str) -> String {
    format!("{day}T{hm}:00+08:00")
}

fn generate(conn: &mut DbConn, settings: &Settings, rng: &mut Lcg) -> AppResult<District> {
    let hash = password::hash(PASSWORD).map_err(AppError::internal)?;
    let today = chrono::Utc::now().with_timezone(&settings.timezone());
    let day = today.date_naive() + Days::new(3);
    let time = |hm| DateTime::parse_from_rfc3339(&at(day, hm)).map_err(AppError::internal);
    let span = carelink::shifts::model::ShiftSpan::parse(time("08:00")?, time("17:00")?)?;
    write_tx(conn, |conn| {
        let page = carelink::http::pagination::PageRequest {
            limit: 100,
            after: None,
        };
        let mut of_kind = |kind| -> AppResult<Vec<orgs::OrgRow>> {
            let filter = orgs::OrgFilter {
                kind: Some(kind),
                ..Default::default()
            };
            let mut rows = orgs::list(conn, &filter, &page)?;
            rows.sort_by(|a, b| a.code.cmp(&b.code));
            Ok(rows)
        };
        let (communities, clinics) = (of_kind(OrgKind::Community)?, of_kind(OrgKind::Clinic)?);
        let catalogue = carelink::catalogue::repo::all(conn)?;
        let mut skills: Vec<String> = catalogue.iter().map(|s| s.required_skill.clone()).collect();
        skills.sort();
        skills.dedup();
        let services = catalogue.into_iter().map(|s| s.code).collect();
        let (schedulers, serving) = (vec![], vec![vec![]; communities.len()]);
        let mut d = District {
            day,
            schedulers,
            serving,
            residents: vec![],
            services,
        };
        for (i, clinic) in clinics.iter().enumerate() {
            let community = communities
                .iter()
                .position(|c| clinic.community_id.as_ref() == Some(&c.id));
            let missing = || AppError::internal(format!("{} has no community", clinic.code));
            d.serving[community.ok_or_else(missing)?].push(i);
            let staff = |username: String, role, skills| NewStaff {
                display_name: username.clone(),
                username,
                role,
                organization_id: Some(clinic.id.clone()),
                skills,
                password: String::new(),
                resident_id: None,
            };
            let username = format!("bench.sched.{i:02}");
            let scheduler = staff(username.clone(), Role::Scheduler, vec![]);
            carelink::people::repo::insert(conn, &scheduler, &hash)?;
            d.schedulers.push(username);
            // Clinician k has skill k (so each clinic covers them all), and maybe a second one.
            for k in 0..CLINICIANS_PER_CLINIC {
                let mut has = vec![skills[k % skills.len()].clone()];
                has.push(skills[rng.below(skills.len())].clone());
                has.dedup();
                let new = staff(format!("bench.clin.{i:02}.{k}"), Role::Clinician, has);
                let c = carelink::people::repo::insert(conn, &new, &hash)?;
                carelink::shifts::repo::insert(conn, &c.id, &clinic.id, span, &[])?;
            }
        }
        for r in 0..RESIDENTS {
            let ci = r % communities.len();
            let c = &communities[ci];
            let (km, angle) = (1.5 * rng.unit().sqrt(), rng.unit() * TAU);
            let lat = c.lat + km / 111.0 * angle.sin();
            let lon = c.lon + km / (111.0 * c.lat.to_radians().cos()) * angle.cos();
            let new: NewResident = serde_json::from_value(json!({"name": format!("长者{r:03}"), "consent": true,
                "birth_date": format!("{}-{:02}-{:02}", 1930 + rng.below(25), 1 + rng.below(12), 1 + rng.below(28)),
                "sex": (["female", "male"][rng.below(2)]), "location": {"lat": lat, "lon": lon},
                "phone": format!("1390871{r:04}"), "address": format!("{}附近{}号", c.address, r + 1)}))
            .map_err(AppError::internal)?;
            let at = Placement {
                community_id: c.id.clone(),
                care_home_id: None,
            };
            let id = residents::insert(conn, &new, &at)?.id;
            d.residents.push((id, ci));
        }
        Ok(d)
    })
}

/// A running service on a generated day, and a token per clinic scheduler.
struct Bench {
    client: reqwest::Client,
    address: String,
    district: District,
    tokens: Vec<String>,
}

impl Bench {
    /// A resident, and the token of the scheduler of a clinic serving them.
    fn pick(&self, rng: &mut Lcg) -> (&str, &str) {
        let (resident, community) =
            &self.district.residents[rng.below(self.district.residents.len())];
        let clinics = &self.district.serving[*community];
        (resident, &self.tokens[clinics[rng.below(clinics.len())]])
    }
}

/// Nearest-rank percentile of sorted milliseconds, to 0.01 ms.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((p * sorted.len() as f64).ceil() as usize).max(1);
    sorted
        .get(rank - 1)
        .map_or(0.0, |ms| (ms * 100.0).round() / 100.0)
}

async fn availability(b: &Bench, rng: &mut Lcg) -> Value {
    let (mut latencies, mut errors, mut empty) = (vec![], 0, 0);
    let (from, to) = (b.district.day, b.district.day + Days::new(1));
    for _ in 0..SEARCHES {
        let (resident, token) = b.pick(rng);
        let service = &b.district.services[rng.below(b.district.services.len())];
        let query = format!("resident_id={resident}&service_type={service}&from={from}&to={to}");
        let request = b
            .client
            .get(format!("{}/api/v1/availability?{query}", b.address));
        let started = Instant::now();
        let answer = match request.bearer_auth(token).send().await {
            Ok(r) => (r.status().as_u16(), r.bytes().await.unwrap_or_default()),
            Err(_) => (0, Default::default()),
        };
        latencies.push(started.elapsed().as_secs_f64() * 1000.0);
        match serde_json::from_slice::<Value>(&answer.1) {
            Ok(body) if answer.0 == 200 => {
                empty += body["items"].as_array().is_none_or(Vec::is_empty) as u32
            }
            _ => errors += 1,
        }
    }
    latencies.sort_by(f64::total_cmp);
    let p = |q| percentile(&latencies, q);
    json!({"requests": SEARCHES, "p50_ms": p(0.5), "p99_ms": p(0.99), "max_ms": p(1.0), "errors": errors, "empty": empty})
}

/// What the booking clients saw (they all run on this thread).
#[derive(Default)]
struct Tally {
    created: u64,
    conflicts: BTreeMap<String, u64>,
    other_4xx: u64,
    server_errors: u64,
    transport_errors: u64,
    locked: u64,
    latencies: Vec<f64>,
    /// Bookings made in each second of the run (the day fills up: then only 409s remain).
    each_second: Vec<u64>,
    /// When the first booking found no slot left (seconds into the run) and how many were made by then.
    full_at: Option<(f64, u64)>,
}

async fn book(b: Rc<Bench>, mut rng: Lcg, run: (Instant, Instant), tally: Rc<RefCell<Tally>>) {
    let (start, end) = (at(b.district.day, "08:00"), at(b.district.day, "17:00"));
    let url = format!("{}/api/v1/visits", b.address);
    while Instant::now() < run.1 {
        let (resident, token) = b.pick(&mut rng);
        let body = json!({"resident_id": resident, "service_type": BOOKED[rng.below(BOOKED.len())],
            "window_start": start, "window_end": end, "auto_assign": true});
        let request = b.client.post(&url).bearer_auth(token).json(&body);
        let started = Instant::now();
        let (status, text) = match request.send().await {
            Ok(r) => (r.status().as_u16(), r.text().await.unwrap_or_default()),
            Err(e) => (0, e.to_string()),
        };
        let mut t = tally.borrow_mut();
        t.latencies.push(started.elapsed().as_secs_f64() * 1000.0);
        t.locked += (status != 201 && text.contains(LOCKED)) as u64;
        match status {
            201 => {
                t.created += 1;
                let second = run.0.elapsed().as_secs() as usize;
                let len = t.each_second.len().max(second + 1);
                t.each_second.resize(len, 0);
                t.each_second[second] += 1;
            }
            409 => {
                let body = serde_json::from_str::<Value>(&text).unwrap_or_default();
                if body["code"] == "no_slot_available" && t.full_at.is_none() {
                    t.full_at = Some((run.0.elapsed().as_secs_f64(), t.created));
                }
                *t.conflicts
                    .entry(body["code"].as_str().unwrap_or("").into())
                    .or_default() += 1;
            }
            0 => t.transport_errors += 1,
            s if s >= 500 => t.server_errors += 1,
            _ => t.other_4xx += 1,
        }
    }
}

async fn booking(b: Rc<Bench>, args: &Args, pool: &Pool) -> Value {
    let logged_before = LOCKED_LOGGED.load(Relaxed);
    let tally = Rc::new(RefCell::new(Tally::default()));
    let started = Instant::now();
    let until = started + Duration::from_secs_f64(args.seconds);
    let tasks: Vec<_> = (0..args.clients as u64)
        .map(|i| {
            let rng = Lcg(args.seed ^ ((i + 1) << 40));
            actix_web::rt::spawn(book(b.clone(), rng, (started, until), tally.clone()))
        })
        .collect();
    for task in tasks {
        task.await.expect("a booking client ran to the end");
    }
    let elapsed = started.elapsed().as_secs_f64();
    let mut t = tally.take();
    t.latencies.sort_by(f64::total_cmp);
    let (rows, double_booked) = after_run(pool);
    let rate = |n: usize| (n as f64 / elapsed * 10.0).round() / 10.0;
    json!({"clients": args.clients, "seconds": (elapsed * 100.0).round() / 100.0, "created": t.created,
        "per_second": rate(t.created as usize),
        // The throughput while slots remained (the generated day fills up within seconds).
        "per_second_until_full": t.full_at.map(|(secs, n)| (n as f64 / secs * 10.0).round() / 10.0),
        "seconds_until_full": t.full_at.map(|(secs, _)| (secs * 100.0).round() / 100.0),
        "requests": t.latencies.len(), "requests_per_second": rate(t.latencies.len()),
        "p50_ms": percentile(&t.latencies, 0.5), "p99_ms": percentile(&t.latencies, 0.99),
        "conflicts": t.conflicts.values().sum::<u64>(), "conflict_codes": t.conflicts, "other_4xx": t.other_4xx,
        "server_errors": t.server_errors, "transport_errors": t.transport_errors,
        "database_locked": t.locked + LOCKED_LOGGED.load(Relaxed) - logged_before,
        "visits_rows": rows, "double_booked": double_booked, "created_each_second": t.each_second})
}

/// Rows in the visits table, and booked visits overlapping the clinician's previous one (must be 0).
fn after_run(pool: &Pool) -> (i64, usize) {
    use carelink::db::schema::visits::dsl as v;
    let mut pooled = pool.get().expect("a database connection after the run");
    let conn: &mut DbConn = &mut pooled;
    let rows: i64 = v::visits.count().get_result(conn).expect("counting visits");
    let booked = v::visits.filter(v::status.eq("scheduled"));
    let query = booked.select((v::clinician_id, v::starts_at, v::ends_at));
    let mut held: Vec<(Option<String>, Option<NaiveDateTime>, Option<NaiveDateTime>)> =
        query.load(conn).expect("loading booked visits");
    held.sort();
    let overlaps = held
        .windows(2)
        .filter(|w| w[0].0 == w[1].0 && w[1].1 < w[0].2);
    (rows, overlaps.count())
}

async fn run(backend: Backend, args: &Args) -> Value {
    let loadavg = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let name = format!("{backend:?}").to_lowercase();
    let scratch = Scratch::create(backend);
    let mut settings = Settings::defaults();
    settings.database.url = scratch.url.clone();
    settings.server.listen = "127.0.0.1:0".into();
    settings.server.workers = 2;
    settings.server.shutdown_timeout_seconds = 1;
    settings.auth.jwt_secret = Secret::new("bench-secret-that-is-long-enough-0123456789".into());
    let timeout = Duration::from_secs(settings.database.pool_timeout_seconds);
    let pool = db::pool(&scratch.url, settings.database.pool_size, timeout);
    let pool = pool.expect("a database URL");
    carelink::cli::migrate(&pool, Duration::from_secs(10)).expect("migrations run");
    let (generating, mut rng) = (Instant::now(), Lcg(args.seed));
    let mut conn = pool.get().expect("a database connection");
    carelink::cli::seed(&mut conn).expect("the pilot network seeds");
    let district = generate(&mut conn, &settings, &mut rng).expect("the district day is generated");
    drop(conn);
    let (clinics, residents) = (district.schedulers.len(), district.residents.len());
    let took = generating.elapsed().as_secs_f64();
    eprintln!(
        "{name}: {clinics} clinics, {residents} residents for {}: {took:.1} s",
        district.day
    );
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free local port");
    let address = format!("http://{}", listener.local_addr().expect("its address"));
    let state = carelink::app::AppState::new(settings, pool.clone());
    let server = carelink::app::serve(state, listener).expect("the server starts");
    let handle = server.handle();
    actix_web::rt::spawn(server);
    let (client, mut tokens) = (reqwest::Client::new(), vec![]);
    for username in &district.schedulers {
        let login = json!({"username": username, "password": PASSWORD});
        let request = client
            .post(format!("{address}/api/v1/auth/token"))
            .json(&login);
        let answer = request.send().await.expect("login sent");
        let body: Value = answer.json().await.expect("a JSON login answer");
        let token = body["access_token"].as_str().map(str::to_string);
        tokens.push(token.unwrap_or_else(|| panic!("login of {username}: {body}")));
    }
    let b = Rc::new(Bench {
        client,
        address,
        district,
        tokens,
    });
    eprintln!("{name}: {SEARCHES} availability searches...");
    let avail = availability(&b, &mut rng).await;
    let (n, secs) = (args.clients, args.seconds);
    eprintln!("{name}: {avail}\n{name}: booking with {n} clients for {secs} s...");
    let booked = booking(b, args, &pool).await;
    handle.stop(false).await;
    drop((pool, scratch));
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    json!({"backend": name, "clinics": clinics, "clinicians": clinics * CLINICIANS_PER_CLINIC, "residents": residents,
        "availability": avail, "booking": booked, "machine": {"cores": cores, "loadavg": loadavg.trim()}})
}

#[actix_web::main]
async fn main() {
    let args = parse_args().unwrap_or_else(|e| {
        eprintln!("{e}\n{USAGE}");
        std::process::exit(2)
    });
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::ERROR)
        .with_ansi(false)
        .with_writer(|| LogCounter)
        .try_init()
        .expect("no other log subscriber is installed");
    for backend in &args.backends {
        println!("{}", run(*backend, &args).await);
    }
}
