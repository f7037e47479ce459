//! spawn_app(): a running carelink on a fresh database (a temp SQLite file, or a PostgreSQL
//! database cloned from a migrated template), with typed helpers to call it.
use carelink::auth::Role;
use carelink::config::{Secret, Settings};
use carelink::db::{self, DbConn, Pool};
use diesel::connection::SimpleConnection;
use diesel::RunQueryDsl;
use reqwest::header::HeaderMap;
use serde_json::{json, Value};
use std::sync::{Mutex, OnceLock};

pub const PASSWORD: &str = "correct-horse-battery";

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Declares one test per backend: `mod name { fn on_sqlite(); fn on_postgres(); }`. The
/// PostgreSQL variant runs when CARELINK_TEST_POSTGRES_URL was set at build time (.ci/run sets
/// it; build.rs turns it into the cfg `carelink_pg_tests`); otherwise cargo lists it as ignored,
/// with the reason, so a run without PostgreSQL never counts it as passed.
#[macro_export]
macro_rules! db_test {
    ($(#[$meta:meta])* async fn $name:ident($app:ident) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            $(#[$meta])*
            #[actix_web::test]
            async fn on_sqlite() {
                let $app = $crate::helpers::spawn_app($crate::helpers::Backend::Sqlite).await;
                $body
            }
            $(#[$meta])*
            #[actix_web::test]
            #[cfg_attr(not(carelink_pg_tests), ignore = "CARELINK_TEST_POSTGRES_URL unset: PostgreSQL not run")]
            async fn on_postgres() {
                let $app = $crate::helpers::spawn_app($crate::helpers::Backend::Postgres).await;
                $body
            }
        }
    };
}

/// Declares a test that only means something on PostgreSQL: `mod name { fn on_postgres(); }`,
/// ignored with the reason where CARELINK_TEST_POSTGRES_URL was unset at build time.
#[macro_export]
macro_rules! pg_test {
    ($(#[$meta:meta])* async fn $name:ident($app:ident) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            $(#[$meta])*
            #[actix_web::test]
            #[cfg_attr(not(carelink_pg_tests), ignore = "CARELINK_TEST_POSTGRES_URL unset: PostgreSQL not run")]
            async fn on_postgres() {
                let $app = $crate::helpers::spawn_app($crate::helpers::Backend::Postgres).await;
                $body
            }
        }
    };
}

/// The PostgreSQL server of the tests. Called only by tests that cargo runs because the URL was
/// set at build time: if it has gone from the environment since, the test fails, saying so.
pub fn require_postgres_url() -> String {
    postgres_url().expect(
        "CARELINK_TEST_POSTGRES_URL was set when the tests were built but is unset now: set it, or rebuild",
    )
}

pub fn postgres_url() -> Option<String> {
    std::env::var("CARELINK_TEST_POSTGRES_URL")
        .ok()
        .filter(|s| !s.is_empty())
}

/// The URL of database `name` on the server of `url`.
pub fn with_database(url: &str, name: &str) -> String {
    let base = url.split('?').next().unwrap_or(url);
    let cut = base
        .rfind('/')
        .filter(|&i| i > "postgres://".len())
        .unwrap_or(base.len());
    format!("{}/{}", &base[..cut], name)
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub backend: Backend,
    pub settings: Settings,
    pub pool: Pool,
    pub database_url: String,
    handle: actix_web::dev::ServerHandle,
    db: TestDb,
}

enum TestDb {
    Sqlite(std::path::PathBuf),
    Postgres { admin_url: String, name: String },
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // The stop command is sent at once; nothing needs to await its completion.
        drop(self.handle.stop(false));
        match &self.db {
            TestDb::Sqlite(path) => {
                for suffix in ["", "-wal", "-shm", ".jwt-secret"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            TestDb::Postgres { admin_url, name } => {
                if let Ok(mut c) = carelink::db::connect_pg(admin_url) {
                    let _ = c
                        .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"));
                }
            }
        }
    }
}

pub fn test_settings(database_url: &str) -> Settings {
    let mut s = Settings::defaults();
    s.database.url = database_url.to_string();
    s.database.pool_size = 8;
    s.server.listen = "127.0.0.1:0".into();
    s.server.workers = 2;
    s.server.shutdown_timeout_seconds = 1;
    s.auth.jwt_secret = Secret::new("test-secret-that-is-long-enough-0123456789".into());
    // Tests name a shift's breaks; the district's lunch break for shifts that name none is tested
    // on its own (same_day.rs), so the older tests' days keep their noon.
    s.shifts.lunch_break = String::new();
    s
}

/// Migrates and seeds a database directly (not through the service).
pub fn prepare(url: &str) -> Pool {
    let pool = db::pool(url, 2, std::time::Duration::from_secs(5)).expect("a valid test URL");
    carelink::cli::migrate(&pool, std::time::Duration::from_secs(10)).expect("migrations run");
    let mut conn = pool.get().expect("a connection");
    carelink::cli::seed(&mut conn).expect("seed runs");
    pool
}

static PG_LOCK: Mutex<Option<String>> = Mutex::new(None);

/// A migrated, seeded template database, made once per test process (named by a hash of the
/// migrations and seed files, so a stale template from older code is never used).
fn pg_template(admin_url: &str) -> String {
    let mut guard = PG_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(name) = guard.as_ref() {
        return name.clone();
    }
    let name = format!("carelink_tpl_{}", content_hash());
    let mut admin = carelink::db::connect_pg(admin_url).expect("PostgreSQL reachable");
    let exists = diesel::sql_query(format!(
        "SELECT 1 FROM pg_database WHERE datname = '{name}'"
    ))
    .execute(&mut admin)
    .expect("query pg_database")
        > 0;
    if !exists {
        let tmp = format!("{name}_{}", std::process::id());
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS \"{tmp}\""))
            .expect("drop old template");
        admin
            .batch_execute(&format!("CREATE DATABASE \"{tmp}\""))
            .expect("create template");
        let pool = prepare(&with_database(admin_url, &tmp));
        drop(pool);
        // Renaming needs no one connected; the pool above is gone. A concurrent process may have won.
        if admin
            .batch_execute(&format!("ALTER DATABASE \"{tmp}\" RENAME TO \"{name}\""))
            .is_err()
        {
            let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS \"{tmp}\" WITH (FORCE)"));
        }
    }
    *guard = Some(name.clone());
    name
}

fn content_hash() -> String {
    use sha2::{Digest, Sha256};
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![];
    for dir in ["migrations/postgres", "config/seed"] {
        collect(&root.join(dir), &mut files);
    }
    files.sort();
    let mut h = Sha256::new();
    for f in files {
        h.update(f.to_string_lossy().as_bytes());
        h.update(std::fs::read(&f).unwrap_or_default());
    }
    hex::encode(h.finalize())[..16].to_string()
}

fn collect(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = entry.path();
        if p.is_dir() {
            collect(&p, out)
        } else {
            out.push(p)
        }
    }
}

/// A fresh, empty-of-people database with the pilot network seeded.
fn fresh_database(backend: Backend) -> (String, TestDb) {
    let id = uuid::Uuid::new_v4().simple().to_string();
    match backend {
        Backend::Sqlite => {
            let path = std::env::temp_dir().join(format!("carelink-test-{id}.db"));
            let url = format!("sqlite://{}", path.display());
            drop(prepare(&url));
            (url, TestDb::Sqlite(path))
        }
        Backend::Postgres => {
            let admin_url = require_postgres_url();
            let template = pg_template(&admin_url);
            let name = format!("t_{id}");
            {
                let _serial = PG_LOCK.lock().unwrap_or_else(|e| e.into_inner());
                let mut admin = carelink::db::connect_pg(&admin_url).expect("PostgreSQL reachable");
                admin
                    .batch_execute(&format!(
                        "CREATE DATABASE \"{name}\" TEMPLATE \"{template}\""
                    ))
                    .expect("create test database");
            }
            (
                with_database(&admin_url, &name),
                TestDb::Postgres { admin_url, name },
            )
        }
    }
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

pub async fn spawn_app_with(backend: Backend, tweak: impl FnOnce(&mut Settings)) -> TestApp {
    let (database_url, db) = fresh_database(backend);
    let mut settings = test_settings(&database_url);
    tweak(&mut settings);
    let pool = db::pool(
        &database_url,
        settings.database.pool_size,
        std::time::Duration::from_secs(3),
    )
    .expect("pool");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let address = format!("http://{}", listener.local_addr().expect("local addr"));
    let state = carelink::app::AppState::new(settings.clone(), pool.clone());
    let server = carelink::app::serve(state, listener).expect("server starts");
    let handle = server.handle();
    actix_web::rt::spawn(server);
    TestApp {
        address,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            // The server closes a connection idle for 5 s (actix's keep-alive); a test that works
            // on the database for longer between requests must not reuse one it is closing.
            .pool_idle_timeout(std::time::Duration::from_secs(2))
            .build()
            .expect("client"),
        backend,
        settings,
        pool,
        database_url,
        handle,
        db,
    }
}

/// One answer: status, JSON body (Null when empty or not JSON) and headers.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub body: Value,
    pub headers: HeaderMap,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }
    pub fn content_type(&self) -> String {
        self.header("content-type").unwrap_or_default()
    }
    /// Asserts the RFC 9457 shape and returns the code.
    pub fn problem_code(&self) -> String {
        assert!(
            self.content_type().starts_with("application/problem+json"),
            "not problem+json: {self:?}"
        );
        assert_eq!(
            self.body["status"].as_u64(),
            Some(self.status as u64),
            "{self:?}"
        );
        assert!(
            self.body["title"].is_string() && self.body["type"].is_string(),
            "{self:?}"
        );
        self.body["code"].as_str().expect("a code").to_string()
    }
    pub fn id(&self) -> String {
        self.body["id"]
            .as_str()
            .unwrap_or_else(|| panic!("no id in {self:?}"))
            .to_string()
    }
}

pub async fn to_resp(r: reqwest::Response) -> Resp {
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let bytes = r.bytes().await.expect("a body");
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Resp {
        status,
        body,
        headers,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn send(&self, req: reqwest::RequestBuilder) -> Resp {
        to_resp(req.send().await.expect("request sent")).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Resp {
        self.send(self.client.get(self.url(path)).bearer_auth(token))
            .await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Resp {
        self.send(
            self.client
                .post(self.url(path))
                .bearer_auth(token)
                .json(&body),
        )
        .await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Resp {
        self.send(
            self.client
                .patch(self.url(path))
                .bearer_auth(token)
                .json(&body),
        )
        .await
    }

    pub fn conn(&self) -> r2d2::PooledConnection<db::Manager> {
        self.pool.get().expect("a connection")
    }

    pub fn org_id(&self, code: &str) -> String {
        carelink::network::repo::find_by_code(&mut self.conn(), code)
            .expect("query")
            .expect("seeded org")
            .id
    }

    /// Creates an account straight in the database (password: PASSWORD).
    pub fn create_user(
        &self,
        username: &str,
        role: Role,
        org_code: Option<&str>,
        skills: &[&str],
    ) -> String {
        let new = carelink::people::model::NewStaff {
            username: username.into(),
            display_name: username.into(),
            role,
            organization_id: org_code.map(|c| self.org_id(c)),
            skills: skills.iter().map(|s| s.to_string()).collect(),
            password: PASSWORD.into(),
            resident_id: None,
        };
        carelink::people::repo::insert(&mut self.conn(), &new, password_hash())
            .expect("user created")
            .id
    }

    pub async fn login(&self, username: &str, password: &str) -> Resp {
        self.send(
            self.client
                .post(self.url("/api/v1/auth/token"))
                .json(&json!({"username": username, "password": password})),
        )
        .await
    }

    /// Creates a user and signs them in; returns the access token.
    pub async fn token_for(&self, username: &str, role: Role, org_code: Option<&str>) -> String {
        self.create_user(username, role, org_code, &[]);
        self.access_token(username).await
    }

    pub async fn access_token(&self, username: &str) -> String {
        self.access_token_with(username, PASSWORD).await
    }

    pub async fn access_token_with(&self, username: &str, password: &str) -> String {
        let r = self.login(username, password).await;
        assert_eq!(r.status, 200, "login of {username}: {r:?}");
        r.body["access_token"]
            .as_str()
            .expect("access token")
            .to_string()
    }

    pub async fn admin(&self) -> String {
        self.token_for("admin", Role::Admin, Some("WH-AUTH")).await
    }

    /// A resident of the community of clinic `clinic_code`, registered through the API by `token`.
    pub async fn resident_of(&self, token: &str, clinic_code: &str, name: &str) -> String {
        let community = carelink::network::repo::find_by_code(&mut self.conn(), clinic_code)
            .expect("query")
            .expect("clinic")
            .community_id
            .expect("community");
        let r = self
            .post(
                "/api/v1/residents",
                token,
                json!({"name": name, "sex": "female", "birth_date": "1942-05-06", "location": {"lat": 25.05, "lon": 102.70},
                       "community_id": community, "priority_flags": ["living_alone"]}),
            )
            .await;
        assert_eq!(r.status, 201, "{r:?}");
        r.id()
    }

    pub fn count(&self, sql_table: &str) -> i64 {
        #[derive(diesel::QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let mut conn = self.conn();
        let rows: Vec<N> = diesel::RunQueryDsl::load(
            diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {sql_table}")),
            &mut **conn as &mut DbConn,
        )
        .expect("count");
        rows[0].n
    }
}

/// A basic-nursing visit of `clinician` for `resident` starting at `starts` (45 minutes, in a
/// window from an hour before to three after), to write straight to the database: history the API
/// would take weeks to make.
pub fn past_visit_row(
    clinic_id: String,
    resident: &str,
    clinician: &str,
    starts: chrono::NaiveDateTime,
    status: &str,
) -> carelink::visits::repo::NewVisitRow {
    use chrono::Duration;
    carelink::visits::repo::NewVisitRow {
        id: carelink::db::new_id().into(),
        resident_id: resident.into(),
        clinic_id: clinic_id.into(),
        clinician_id: Some(clinician.into()),
        service_type: "basic_nursing".into(),
        status: status.into(),
        priority: "routine".into(),
        window_start: starts - Duration::hours(1),
        window_end: starts + Duration::hours(3),
        starts_at: Some(starts),
        ends_at: Some(starts + Duration::minutes(45)),
        travel_minutes_before: Some(5),
        location_exception: false,
        plan_id: None,
        referral_id: None,
        notes: String::new(),
        unplaced_reason: None,
        requested_by: None,
        self_paid: false,
        version: 1,
        created_at: starts,
        updated_at: starts,
    }
}

/// One argon2 hash of PASSWORD, made once: hashing per user would slow every test.
pub fn password_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| carelink::auth::password::hash(PASSWORD).expect("hash"))
}

/// Another carelink process serving the same database (a second instance behind a load balancer).
pub struct Instance {
    child: std::process::Child,
    pub address: String,
    /// Its log (standard error), one JSON object a line.
    pub log: std::path::PathBuf,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

impl Instance {
    /// Sends SIGTERM and waits (up to `wait`) for the process to end: its exit status, or None.
    pub async fn terminate(
        &mut self,
        wait: std::time::Duration,
    ) -> Option<std::process::ExitStatus> {
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success(), "SIGTERM sent");
        let deadline = std::time::Instant::now() + wait;
        while std::time::Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("the child's status") {
                return Some(status);
            }
            actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        None
    }
}

impl TestApp {
    /// Starts the real binary as a second instance on this test's database and waits until it serves.
    pub async fn second_instance(&self) -> Instance {
        self.second_instance_with(&[]).await
    }

    /// A second instance with extra settings as environment variables (`CARELINK_...`).
    pub async fn second_instance_with(&self, env: &[(&str, &str)]) -> Instance {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let log = std::env::temp_dir().join(format!("carelink-instance-{port}.log"));
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_carelink"))
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .env("DATABASE_URL", &self.database_url)
            .env(
                "CARELINK_AUTH__JWT_SECRET",
                self.settings.auth.jwt_secret.expose(),
            )
            .env(
                "CARELINK_CONFIG_DIR",
                concat!(env!("CARGO_MANIFEST_DIR"), "/config"),
            )
            .env("CARELINK_LOG__LEVEL", "info")
            .env("CARELINK_SEED__DEMO", "false")
            .envs(env.iter().copied())
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(&log).expect("a log file"))
            .spawn()
            .expect("the binary starts");
        let instance = Instance {
            child,
            address: format!("http://127.0.0.1:{port}"),
            log,
        };
        for _ in 0..200 {
            if let Ok(r) = self
                .client
                .get(format!("{}/healthz", instance.address))
                .send()
                .await
            {
                if r.status().is_success() {
                    return instance;
                }
            }
            actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the second instance did not come up");
    }
}
