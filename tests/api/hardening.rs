//! Hardening, second round: what an independent tester found, each on both databases. NUL
//! characters, sessions after a password change, login lockout abuse and trusted proxies, dates far
//! outside any real range, arrays for objects, wrong methods, weak If-Match tags, wrong charsets
//! and text without a length limit.
use carelink::auth::Role;
use serde_json::{json, Value};

use crate::db_test;
use crate::helpers::{spawn_app_with, Resp, TestApp, PASSWORD};

async fn login_from(app: &TestApp, username: &str, password: &str, address: &str) -> Resp {
    app.send(
        app.client
            .post(app.url("/api/v1/auth/token"))
            .header("x-forwarded-for", address)
            .json(&json!({"username": username, "password": password})),
    )
    .await
}

fn fields(r: &Resp) -> Vec<String> {
    r.body["errors"]
        .as_array()
        .map(|e| {
            e.iter()
                .map(|f| f["field"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

db_test! {
    async fn a_nul_character_anywhere_is_a_422_naming_the_field_and_changes_nothing(app) {
        let sched = app.token_for("sched.a", Role::Scheduler, Some("WH-CL-01")).await;
        let login = app.send(app.client.post(app.url("/api/v1/auth/token"))
            .json(&json!({"username": "sched.a\u{0}", "password": PASSWORD}))).await;
        assert_eq!((login.status, fields(&login)), (422, vec!["username".to_string()]), "{login:?}");
        let resident = app.post("/api/v1/residents", &sched, json!({"name": "周\u{0}桂芳", "sex": "female",
            "birth_date": "1941-03-12", "location": {"lat": 25.05, "lon": 102.7},
            "community_id": app.org_id("WH-CM-01")})).await;
        assert_eq!((resident.status, fields(&resident)), (422, vec!["name".to_string()]), "{resident:?}");
        assert_eq!(app.count("residents"), 0);
        for query in ["/api/v1/organizations?code=%00", "/api/v1/residents?community_id=a%00b", "/api/v1/visits?status=%00"] {
            let r = app.get(query, &sched).await;
            assert_eq!(r.status, 422, "{query}: {r:?}");
            assert_eq!(r.problem_code(), "validation_failed");
        }
    }
}

db_test! {
    async fn a_password_change_ends_every_other_session_of_that_user(app) {
        let admin = app.admin().await;
        let nurse_id = app.create_user("nurse.a", Role::Clinician, Some("WH-CL-01"), &["nursing"]);
        let old = app.login("nurse.a", PASSWORD).await;
        let (access, refresh) = (old.body["access_token"].as_str().unwrap().to_string(),
            old.body["refresh_token"].as_str().unwrap().to_string());
        assert_eq!(app.get("/api/v1/me", &access).await.status, 200);
        let reset = app.patch(&format!("/api/v1/staff/{nurse_id}"), &admin, json!({"password": "a-brand-new-password"})).await;
        assert_eq!(reset.status, 200, "{reset:?}");
        assert_eq!(app.get("/api/v1/me", &access).await.status, 401);
        let reused = app.send(app.client.post(app.url("/api/v1/auth/refresh")).json(&json!({"refresh_token": refresh}))).await;
        assert_eq!(reused.status, 401, "{reused:?}");
        assert_eq!(app.login("nurse.a", "a-brand-new-password").await.status, 200);
        // The admin's own change keeps the admin's session (the one that made it) alive.
        let me = app.get("/api/v1/me", &admin).await;
        let own = app.patch(&format!("/api/v1/staff/{}", me.body["id"].as_str().unwrap()), &admin,
            json!({"password": "another-new-password"})).await;
        assert_eq!(own.status, 200, "{own:?}");
        assert_eq!(app.get("/api/v1/me", &admin).await.status, 200);
    }
}

db_test! {
    async fn a_stranger_locks_an_account_only_for_their_own_address(app) {
        let _ = &app;
        let app = spawn_app_with(app.backend, |s| s.server.trusted_proxies = vec!["127.0.0.1".into()]).await;
        app.create_user("nurse.a", Role::Clinician, Some("WH-CL-01"), &["nursing"]);
        for _ in 0..5 {
            assert_eq!(login_from(&app, "nurse.a", "wrong-password-123", "203.0.113.7").await.status, 401);
        }
        let stranger = login_from(&app, "nurse.a", PASSWORD, "203.0.113.7").await;
        assert_eq!((stranger.status, stranger.problem_code()), (423, "account_locked".to_string()));
        // The rightful user, at the clinic, is not locked out.
        assert_eq!(login_from(&app, "nurse.a", PASSWORD, "198.51.100.20").await.status, 200);
        // The proxy's own hops are skipped: the right-most untrusted address is the client.
        let via_chain = login_from(&app, "nurse.a", PASSWORD, "203.0.113.7, 127.0.0.1").await;
        assert_eq!(via_chain.status, 423);
    }
}

db_test! {
    async fn x_forwarded_for_from_an_untrusted_peer_is_ignored(app) {
        app.create_user("nurse.a", Role::Clinician, Some("WH-CL-01"), &["nursing"]);
        for i in 0..5 {
            let forged = format!("198.51.100.{i}");
            assert_eq!(login_from(&app, "nurse.a", "wrong-password-123", &forged).await.status, 401);
        }
        // All five came from 127.0.0.1, whatever they claimed: that pair is locked.
        assert_eq!(login_from(&app, "nurse.a", PASSWORD, "198.51.100.99").await.status, 423);
    }
}

db_test! {
    async fn an_account_guessed_at_from_many_addresses_is_slowed_but_its_owner_gets_in(app) {
        let _ = &app;
        let app = spawn_app_with(app.backend, |s| {
            s.server.trusted_proxies = vec!["127.0.0.0/8".into()];
            s.auth.slow_logins_after = 3;
            s.auth.max_login_delay_seconds = 1;
        }).await;
        app.create_user("nurse.a", Role::Clinician, Some("WH-CL-01"), &["nursing"]);
        for i in 0..12 {
            let r = login_from(&app, "nurse.a", "wrong-password-123", &format!("203.0.113.{i}")).await;
            assert_eq!(r.status, 401, "attempt {i}: {r:?}");
        }
        assert_eq!(login_from(&app, "nurse.a", PASSWORD, "198.51.100.20").await.status, 200);
    }
}

db_test! {
    async fn dates_outside_the_years_1900_to_2100_are_refused_where_they_are_parsed(app) {
        let sched = app.token_for("sched.a", Role::Scheduler, Some("WH-CL-01")).await;
        let doc = app.create_user("doc.a", Role::Clinician, Some("WH-CL-01"), &["nursing"]);
        let resident = app.resident_of(&sched, "WH-CL-01", "周桂芳").await;
        let plan = app.post("/api/v1/visit-plans", &sched, json!({"resident_id": resident, "service_type": "basic_nursing",
            "weekdays": [1], "window": {"from": "09:00", "to": "11:00"}, "starts_on": "+10000-01-01", "count": 2})).await;
        assert_eq!((plan.status, fields(&plan)), (422, vec!["starts_on".to_string()]), "{plan:?}");
        for (from, to) in [("0000-01-01T08:00:00+08:00", "0000-01-01T12:00:00+08:00"),
            ("9999-12-31T08:00:00+08:00", "9999-12-31T12:00:00+08:00")] {
            let shift = app.post("/api/v1/shifts", &sched, json!({"clinician_id": doc, "starts_at": from, "ends_at": to})).await;
            assert_eq!(shift.status, 422, "{from}: {shift:?}");
        }
        let born = app.post("/api/v1/residents", &sched, json!({"name": "甲", "sex": "female", "birth_date": "1800-01-01",
            "location": {"lat": 25.05, "lon": 102.7}, "community_id": app.org_id("WH-CM-01")})).await;
        assert_eq!((born.status, fields(&born)), (422, vec!["birth_date".to_string()]));
        for query in ["/api/v1/visits?date=0001-01-01", "/api/v1/clinicians/{doc}/route?date=9999-12-31",
            "/api/v1/reports/units?from=0001-01-01&to=2026-12-01"] {
            let r = app.get(&query.replace("{doc}", &doc), &sched).await;
            assert_eq!(r.status, 422, "{query}: {r:?}");
        }
        // chrono's own last day: refused as a query it cannot read, never a panic on day + 1.
        let last = app.get("/api/v1/visits?date=%2B262142-12-31", &sched).await;
        assert_eq!(last.status / 100, 4, "{last:?}");
        assert_eq!(app.count("visit_plans") + app.count("shifts"), 0);
    }
}

async fn submitted_referral(app: &TestApp) -> (String, String) {
    let clinic = app
        .token_for("sched.a", Role::Scheduler, Some("WH-CL-01"))
        .await;
    let hospital = app
        .token_for("desk.a", Role::Hospital, Some("WH-HO-01"))
        .await;
    let resident = app.resident_of(&clinic, "WH-CL-01", "周桂芳").await;
    let sent = app.post("/api/v1/referrals", &clinic, json!({"resident_id": resident, "direction": "up",
        "to_organization_id": app.org_id("WH-HO-01"), "priority": "routine", "reason": "复查",
        "diagnosis": {"text": "高血压"}, "clinical_summary": {"past_history": "高血压10年", "treatment_so_far": "氨氯地平"}})).await;
    assert_eq!(sent.status, 201, "{sent:?}");
    (sent.id(), hospital)
}

db_test! {
    async fn a_json_array_is_not_taken_where_an_object_is_expected(app) {
        let (id, hospital) = submitted_referral(&app).await;
        for (action, body) in [("accept", json!([null, null])), ("reject", json!(["other", "text"]))] {
            let r = app.post(&format!("/api/v1/referrals/{id}/{action}"), &hospital, body).await;
            assert_eq!((r.status, fields(&r)), (422, vec!["body".to_string()]), "{action}: {r:?}");
        }
        let still = app.get(&format!("/api/v1/referrals/{id}"), &hospital).await;
        assert_eq!(still.body["status"], "submitted");
    }
}

db_test! {
    async fn a_wrong_method_on_a_known_path_is_405_with_allow(app) {
        let sched = app.token_for("sched.a", Role::Scheduler, Some("WH-CL-01")).await;
        for (method, path, allow) in [("TRACE", "/healthz", "GET"), ("DELETE", "/api/v1/visits", "GET, POST"),
            ("PUT", &*format!("/api/v1/visits/{}", uuid::Uuid::now_v7()), "GET"),
            ("GET", "/api/v1/referrals/x/accept", "POST")] {
            let r = app.send(app.client.request(method.parse().unwrap(), app.url(path)).bearer_auth(&sched)).await;
            assert_eq!(r.status, 405, "{method} {path}: {r:?}");
            assert_eq!(r.header("allow").as_deref(), Some(allow), "{method} {path}");
            assert_eq!(r.problem_code(), "method_not_allowed");
        }
        assert_eq!(app.get("/api/v1/no-such-thing", &sched).await.status, 404);
    }
}

db_test! {
    async fn if_match_compares_strongly_so_a_weak_tag_never_matches(app) {
        let admin = app.admin().await;
        let id = app.create_user("nurse.a", Role::Clinician, Some("WH-CL-01"), &["nursing"]);
        let path = format!("/api/v1/staff/{id}");
        let with = |tag: &'static str| app.client.patch(app.url(&path)).bearer_auth(&admin).header("if-match", tag)
            .json(&json!({"display_name": "护士甲"}));
        let weak = app.send(with("W/\"1\"")).await;
        assert_eq!((weak.status, weak.problem_code()), (412, "version_mismatch".to_string()));
        assert_eq!(app.send(with("\"7\", \"1\"")).await.status, 200);
    }
}

db_test! {
    async fn a_body_in_another_charset_and_text_past_its_limit_are_refused(app) {
        let sched = app.token_for("sched.a", Role::Scheduler, Some("WH-CL-01")).await;
        let resident = app.resident_of(&sched, "WH-CL-01", "周桂芳").await;
        let day = chrono::Utc::now().date_naive() + chrono::Duration::days(2);
        let visit = |notes: String| json!({"resident_id": resident, "service_type": "basic_nursing",
            "window_start": day.to_string(), "window_end": day.to_string(), "auto_assign": false, "notes": notes});
        let utf16 = app.send(app.client.post(app.url("/api/v1/visits")).bearer_auth(&sched)
            .header("content-type", "application/json; charset=utf-16").body(visit("x".into()).to_string())).await;
        assert_eq!((utf16.status, utf16.problem_code()), (415, "unsupported_media_type".to_string()));
        // Just under the 1 MiB body limit, so the field's own limit is what refuses it.
        let long = app.post("/api/v1/visits", &sched, visit("x".repeat(1_000_000))).await;
        assert_eq!((long.status, fields(&long)), (422, vec!["notes".to_string()]), "{:?}", long.body["errors"]);
        let any_text: Value = json!({"name": "名".repeat(10_001), "sex": "female", "birth_date": "1941-03-12",
            "location": {"lat": 25.05, "lon": 102.7}, "community_id": app.org_id("WH-CM-01")});
        assert_eq!(app.post("/api/v1/residents", &sched, any_text).await.status, 422);
        assert_eq!(app.count("visits"), 0);
        assert_eq!(app.post("/api/v1/visits", &sched, visit("长".repeat(2000))).await.status, 201);
    }
}
