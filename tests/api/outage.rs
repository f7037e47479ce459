//! PostgreSQL stopped and started under load: carelink answers 503 problem+json (never hangs, never
//! exits), /readyz goes 503, and it serves again within seconds of the database returning, without
//! a restart. Runs on a private PostgreSQL cluster (so the shared one stays up for other tests);
//! ignored (with the reason) where the server binaries are missing; a failure to make it is a failure.
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

struct Cluster {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
}

impl Cluster {
    fn as_postgres(&self, tool: &str, args: &[&str]) -> bool {
        let mut cmd = if is_root() {
            Command::new("runuser")
        } else {
            Command::new(self.bin.join(tool))
        };
        if is_root() {
            cmd.args(["-u", "postgres", "--"]).arg(self.bin.join(tool));
        }
        cmd.args(args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    fn start(&self) -> bool {
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.display()
        );
        self.as_postgres(
            "pg_ctl",
            &["-D", &self.data(), "-o", &opts, "-w", "-t", "30", "start"],
        )
    }

    fn stop(&self) -> bool {
        self.as_postgres("pg_ctl", &["-D", &self.data(), "-m", "fast", "-w", "stop"])
    }

    fn data(&self) -> String {
        self.dir.join("data").display().to_string()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// A fresh private cluster on a free port, or None where this machine cannot make one.
fn cluster() -> Option<Cluster> {
    let bin = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .map(|e| e.path().join("bin"))
        .find(|p| p.join("initdb").exists())?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .ok()?
        .local_addr()
        .ok()?
        .port();
    let dir = std::env::temp_dir().join(format!("carelink-pg-{port}"));
    std::fs::create_dir_all(&dir).ok()?;
    if is_root() {
        Command::new("chown")
            .args(["-R", "postgres", &dir.display().to_string()])
            .status()
            .ok()?;
    }
    let c = Cluster { bin, dir, port };
    let data = c.data();
    if !c.as_postgres(
        "initdb",
        &["-D", &data, "-U", "postgres", "--auth=trust", "-E", "UTF8"],
    ) || !c.start()
    {
        return None;
    }
    Some(c)
}

#[actix_web::test]
#[cfg_attr(
    not(all(carelink_pg_tests, carelink_pg_cluster)),
    ignore = "needs CARELINK_TEST_POSTGRES_URL and PostgreSQL's server binaries under /usr/lib/postgresql"
)]
async fn postgresql_going_away_gives_503_and_carelink_recovers_on_its_own() {
    crate::helpers::require_postgres_url();
    // build.rs found initdb, so a cluster that cannot be made is a failure, not a skip.
    let pg = cluster().expect("a private PostgreSQL cluster (initdb, pg_ctl as the postgres user)");
    let url = format!("postgres://postgres@127.0.0.1:{}/postgres", pg.port);
    let mut settings = crate::helpers::test_settings(&url);
    settings.database.pool_timeout_seconds = 2;
    let pool = crate::helpers::prepare(&url);
    drop(pool);
    let pool = carelink::db::pool(&url, 4, Duration::from_secs(2)).unwrap();
    conn_user(&mut pool.get().expect("a connection to the private cluster"));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server =
        carelink::app::serve(carelink::app::AppState::new(settings, pool), listener).unwrap();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(15))
        .build()
        .unwrap();
    // A signed-in caller: its token is checked against the sessions table, so the request reaches
    // the database (a request without a token would be refused before it, proving nothing).
    let login = client
        .post(format!("{base}/api/v1/auth/token"))
        .json(&serde_json::json!({"username": "outage.user", "password": crate::helpers::PASSWORD}))
        .send()
        .await
        .expect("a login answer");
    let token = crate::helpers::to_resp(login).await.body["access_token"]
        .as_str()
        .expect("an access token")
        .to_string();
    let get = |path: &'static str| {
        let (client, base, token) = (client.clone(), base.clone(), token.clone());
        async move {
            crate::helpers::to_resp(
                client
                    .get(format!("{base}{path}"))
                    .bearer_auth(token)
                    .send()
                    .await
                    .expect("an answer, not a hang"),
            )
            .await
        }
    };
    assert_eq!(get("/readyz").await.status, 200);

    assert!(pg.stop(), "PostgreSQL stopped");
    for path in ["/readyz", "/api/v1/service-types"] {
        let started = Instant::now();
        let r = get(path).await;
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{path} answered within the pool timeout"
        );
        assert_eq!(
            (r.status, r.problem_code()),
            (503, "database_unavailable".to_string()),
            "{path}: {r:?}"
        );
    }
    assert_eq!(
        get("/healthz").await.status,
        200,
        "the process keeps running"
    );

    assert!(pg.start(), "PostgreSQL started again");
    let back = Instant::now();
    loop {
        if get("/readyz").await.status == 200 {
            break;
        }
        assert!(
            back.elapsed() < Duration::from_secs(5),
            "serving again within 5 s of the database returning"
        );
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    handle.stop(false).await;
}

/// A clinician login on the private cluster's database, made straight in it.
fn conn_user(conn: &mut carelink::db::DbConn) -> String {
    let new = carelink::people::model::NewStaff {
        username: "outage.user".into(),
        display_name: "outage.user".into(),
        role: carelink::auth::Role::Admin,
        organization_id: None,
        skills: vec![],
        password: crate::helpers::PASSWORD.into(),
        resident_id: None,
    };
    carelink::people::repo::insert(conn, &new, crate::helpers::password_hash())
        .expect("user created")
        .id
}
