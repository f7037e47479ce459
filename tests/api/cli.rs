//! The command line, run as the real binary against the test's database.
use std::io::Write;
use std::process::{Command, Stdio};

use crate::db_test;
use crate::helpers::TestApp;

fn carelink(app: &TestApp, args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_carelink"))
        .args(args)
        .env("DATABASE_URL", &app.database_url)
        .env(
            "CARELINK_CONFIG_DIR",
            concat!(env!("CARGO_MANIFEST_DIR"), "/config"),
        )
        .env("CARELINK_LOG__LEVEL", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

db_test! {
    async fn user_add_creates_an_account_that_can_sign_in(app) {
        let (code, out, err) = carelink(&app, &["user", "add", "--username", "nurse.wang", "--role", "clinician",
            "--org", "WH-CL-01", "--skills", "nursing,wound_care", "--password-stdin"], "a-long-enough-password\n");
        assert_eq!(code, 0, "{out}{err}");
        assert!(out.contains("created nurse.wang"));
        let r = app.login("nurse.wang", "a-long-enough-password").await;
        assert_eq!(r.status, 200, "{r:?}");
        let me = app.get("/api/v1/me", r.body["access_token"].as_str().unwrap()).await;
        assert_eq!(me.body["skills"], serde_json::json!(["nursing", "wound_care"]));
        assert_eq!(me.body["organization_id"], app.org_id("WH-CL-01"));

        let (code, _, err) = carelink(&app, &["user", "add", "--username", "short.pw", "--role", "clinician",
            "--org", "WH-CL-01", "--password-stdin"], "short\n");
        assert_ne!(code, 0);
        assert!(err.contains("password"), "{err}");
        let (code, _, err) = carelink(&app, &["user", "add", "--username", "nobody", "--role", "clinician",
            "--org", "WH-XX-99", "--password-stdin"], "a-long-enough-password\n");
        assert_ne!(code, 0);
        assert!(err.contains("WH-XX-99"), "{err}");
    }
}

db_test! {
    async fn user_add_gives_a_resident_login_linked_to_the_resident(app) {
        let sched = app.token_for("sched.cli", carelink::auth::Role::Scheduler, Some("WH-CL-01")).await;
        let resident = app.resident_of(&sched, "WH-CL-01", "周桂芳").await;
        let (code, out, err) = carelink(&app, &["user", "add", "--username", "zhou.family", "--role", "resident",
            "--resident", &resident, "--password-stdin"], "a-long-enough-password\n");
        assert_eq!(code, 0, "{out}{err}");
        let token = app.access_token_with("zhou.family", "a-long-enough-password").await;
        let me = app.get("/api/v1/me", &token).await;
        assert_eq!((me.body["role"].as_str(), me.body["resident_id"].as_str()), (Some("resident"), Some(resident.as_str())));
        assert_eq!(app.get("/api/v1/me/visits", &token).await.status, 200);
        // A resident login names its resident, and only a known one.
        for args in [vec!["--username", "no.one"], vec!["--username", "ghost", "--resident", "no-such-resident"]] {
            let mut all = vec!["user", "add", "--role", "resident", "--password-stdin"];
            all.extend(args);
            let (code, _, err) = carelink(&app, &all, "a-long-enough-password\n");
            assert_ne!(code, 0);
            assert!(err.contains("resident_id"), "{err}");
        }
    }
}

db_test! {
    async fn migrate_and_seed_from_the_command_line_are_idempotent_and_demo_prints_logins(app) {
        let (code, out, err) = carelink(&app, &["migrate"], "");
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("applied 0 migration(s)"), "{out}");
        let (code, out, _) = carelink(&app, &["seed"], "");
        assert_eq!(code, 0);
        assert!(out.contains("seeded 0 organisation(s), 0 service type(s)"), "{out}");
        let (code, out, err) = carelink(&app, &["demo"], "");
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("sched01") && out.contains("resident01"), "{out}");
        let residents = app.count("residents");
        assert!(residents >= 12);
        let (code, _, _) = carelink(&app, &["demo"], "");
        assert_eq!(code, 0);
        assert_eq!(app.count("residents"), residents, "demo twice adds nothing");
        let token = app.access_token_with("sched01", "carelink-demo-2026").await;
        // The next seven days always hold five weekdays of full shifts, for each of three clinicians
        // (and a weekend morning on duty for two of them).
        let today = chrono::Utc::now().with_timezone(&chrono_tz::Asia::Shanghai).date_naive();
        let last = today + chrono::Duration::days(6);
        let shifts = app.get(&format!("/api/v1/shifts?from={today}&to={last}&limit=100"), &token).await;
        let long = shifts.body["items"].as_array().unwrap().iter().filter(|s| {
            let start = chrono::DateTime::parse_from_rfc3339(s["starts_at"].as_str().unwrap()).unwrap();
            let end = chrono::DateTime::parse_from_rfc3339(s["ends_at"].as_str().unwrap()).unwrap();
            end - start > chrono::Duration::hours(8)
        }).count();
        assert_eq!(long, 15, "{shifts:?}");
    }
}

db_test! {
    async fn a_wrong_setting_stops_start_up_and_names_the_setting(app) {
        let cases = [
            ("CARELINK_SERVER__LISTEN", "not-an-address", "server.listen"),
            ("CARELINK_DISTRICT__TIMEZONE", "Mars/Olympus", "district.timezone"),
            ("CARELINK_AUTH__LEEWAY_SECONDS", "60", "auth.leeway_seconds"),
            ("CARELINK_AUTH__REFRESH_REUSE_GRACE_SECONDS", "3600", "auth.refresh_reuse_grace_seconds"),
            ("CARELINK_AUTH__JWT_SECRET", "short", "auth.jwt_secret"),
            ("DATABASE_URL", "mysql://x", "database.url"),
        ];
        for (var, value, setting) in cases {
            let out = Command::new(env!("CARGO_BIN_EXE_carelink"))
                .arg("migrate")
                .env("DATABASE_URL", &app.database_url)
                .env(var, value)
                .output()
                .unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{var}: {err}");
            assert!(err.contains(setting), "{var}: {err}");
            assert!(!err.contains("test-secret"), "no secret in messages");
        }
        let out = Command::new(env!("CARGO_BIN_EXE_carelink")).arg("migrate")
            .env("DATABASE_URL", &app.database_url).env("CARELINK_ENV", "production").output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("auth.jwt_secret"));
    }
}
