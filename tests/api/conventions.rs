//! API conventions: idempotent retries, versions with ETag/If-Match, audit records, pagination,
//! request ids.
use carelink::auth::Role;
use serde_json::{json, Value};

use crate::db_test;
use crate::helpers::{Resp, TestApp};

fn resident_body(app: &TestApp, name: &str) -> Value {
    json!({"name": name, "sex": "male", "birth_date": "1944-04-04", "location": {"lat": 25.05, "lon": 102.7},
           "community_id": app.org_id("WH-CM-01"), "id_number": "11010519491231002X"})
}

async fn post_with_key(app: &TestApp, token: &str, key: &str, body: &Value) -> Resp {
    app.send(
        app.client
            .post(app.url("/api/v1/residents"))
            .bearer_auth(token)
            .header("Idempotency-Key", key)
            .json(body),
    )
    .await
}

db_test! {
    async fn an_idempotent_retry_replays_the_first_answer_and_creates_one_row(app) {
        let sched = app.token_for("sched.a", Role::Scheduler, Some("WH-CL-01")).await;
        let body = resident_body(&app, "孙建国");
        let first = post_with_key(&app, &sched, "key-1", &body).await;
        let again = post_with_key(&app, &sched, "key-1", &body).await;
        assert_eq!(first.status, 201, "{first:?}");
        assert_eq!((again.status, &again.body), (first.status, &first.body));
        assert_eq!(app.count("residents"), 1);
        assert_eq!(app.count("audit_log WHERE entity = 'resident'"), 1);
        // Without a key, the same body is a second resident.
        assert_eq!(app.post("/api/v1/residents", &sched, body).await.status, 201);
        assert_eq!(app.count("residents"), 2);
    }
}

db_test! {
    async fn reusing_a_key_with_another_body_is_422_and_changes_nothing(app) {
        let sched = app.token_for("sched.a", Role::Scheduler, Some("WH-CL-01")).await;
        assert_eq!(post_with_key(&app, &sched, "key-1", &resident_body(&app, "孙建国")).await.status, 201);
        let r = post_with_key(&app, &sched, "key-1", &resident_body(&app, "吴秀英")).await;
        assert_eq!(r.status, 422, "{r:?}");
        assert_eq!(r.problem_code(), "idempotency_key_reused");
        assert_eq!(app.count("residents"), 1);
    }
}

db_test! {
    async fn keys_belong_to_one_user(app) {
        let a = app.token_for("sched.a", Role::Scheduler, Some("WH-CL-01")).await;
        let b = app.token_for("sched.b", Role::Scheduler, Some("WH-CL-01")).await;
        assert_eq!(post_with_key(&app, &a, "shared", &resident_body(&app, "甲")).await.status, 201);
        assert_eq!(post_with_key(&app, &b, "shared", &resident_body(&app, "乙")).await.status, 201);
        assert_eq!(app.count("residents"), 2);
    }
}

db_test! {
    async fn concurrent_retries_with_one_key_create_one_row(app) {
        let sched = app.token_for("sched.a", Role::Scheduler, Some("WH-CL-01")).await;
        let body = resident_body(&app, "孙建国");
        let tries = (0..8).map(|_| post_with_key(&app, &sched, "race", &body));
        let answers = futures_util::future::join_all(tries).await;
        let ids: std::collections::HashSet<_> = answers.iter().map(|r| { assert_eq!(r.status, 201, "{r:?}"); r.id() }).collect();
        assert_eq!(ids.len(), 1);
        assert_eq!(app.count("residents"), 1);
    }
}

db_test! {
    async fn a_stale_if_match_is_412_and_a_current_one_goes_through(app) {
        let sched = app.token_for("sched.a", Role::Scheduler, Some("WH-CL-01")).await;
        let created = app.post("/api/v1/residents", &sched, resident_body(&app, "孙建国")).await;
        assert_eq!(created.header("etag").as_deref(), Some("\"1\""));
        let path = format!("/api/v1/residents/{}", created.id());
        let patch = |tag: &'static str, phone: &'static str| {
            app.client.patch(app.url(&path)).bearer_auth(&sched).header("If-Match", tag).json(&json!({"phone": phone}))
        };
        let ok = app.send(patch("\"1\"", "13800000001")).await;
        assert_eq!(ok.status, 200, "{ok:?}");
        assert_eq!(ok.body["version"], 2);
        assert_eq!(ok.header("etag").as_deref(), Some("\"2\""));
        let stale = app.send(patch("\"1\"", "13800000002")).await;
        assert_eq!(stale.status, 412);
        assert_eq!(stale.problem_code(), "version_mismatch");
        let now = app.get(&path, &sched).await;
        assert_eq!((now.body["phone"].as_str(), now.body["version"].as_i64()), (Some("13800000001"), Some(2)));
    }
}

db_test! {
    async fn every_change_leaves_one_audit_record_with_before_after_and_request_id(app) {
        let admin = app.admin().await;
        let sched = app.token_for("sched.a", Role::Scheduler, Some("WH-CL-01")).await;
        let created = app.post("/api/v1/residents", &sched, resident_body(&app, "孙建国")).await;
        let id = created.id();
        let changed = app.patch(&format!("/api/v1/residents/{id}"), &sched, json!({"address": "翠湖南路1号"})).await;
        assert_eq!(changed.status, 200);
        let trail = app.get(&format!("/api/v1/audit?entity=resident&entity_id={id}"), &admin).await;
        let items = trail.body["items"].as_array().expect("items").clone();
        assert_eq!(items.len(), 2, "{trail:?}");
        let (update, create) = (&items[0], &items[1]);
        assert_eq!((create["action"].as_str(), update["action"].as_str()), (Some("create"), Some("update")));
        assert!(create["before"].is_null());
        assert_eq!(create["after"]["name"], "孙建国");
        assert_eq!(update["before"]["address"], "");
        assert_eq!(update["after"]["address"], "翠湖南路1号");
        let me = app.get("/api/v1/me", &sched).await;
        assert_eq!(update["actor_id"], me.body["id"]);
        assert_eq!(update["request_id"].as_str(), changed.header("x-request-id").as_deref());
        assert_eq!(create["request_id"].as_str(), created.header("x-request-id").as_deref());
        // The trail holds the ID number masked, like every answer.
        assert!(!trail.body.to_string().contains("11010519491231002X"));
    }
}

db_test! {
    async fn the_audit_log_cannot_be_changed_or_deleted(app) {
        use diesel::connection::SimpleConnection;
        assert!(app.count("audit_log") > 0, "the seed is audited");
        let mut conn = app.conn();
        assert!(conn.batch_execute("UPDATE audit_log SET action = 'forged'").is_err());
        assert!(conn.batch_execute("DELETE FROM audit_log").is_err());
        drop(conn);
        assert_eq!(app.count("audit_log WHERE action = 'forged'"), 0);
    }
}

db_test! {
    async fn paging_through_a_list_visits_every_item_once(app) {
        let admin = app.admin().await;
        let total = app.count("organizations");
        let mut seen = std::collections::HashSet::new();
        let mut path = "/api/v1/organizations?limit=7".to_string();
        let mut pages = 0;
        loop {
            let r = app.get(&path, &admin).await;
            assert_eq!(r.status, 200, "{r:?}");
            let items = r.body["items"].as_array().unwrap();
            assert!(items.len() <= 7);
            for i in items {
                assert!(seen.insert(i["id"].as_str().unwrap().to_string()), "seen twice");
            }
            pages += 1;
            match r.body["next_cursor"].as_str() {
                Some(c) => path = format!("/api/v1/organizations?limit=7&cursor={c}"),
                None => break,
            }
        }
        assert_eq!(seen.len() as i64, total);
        assert_eq!(pages, (total + 6) / 7);
    }
}

db_test! {
    async fn every_answer_carries_a_request_id(app) {
        let ok = app.send(app.client.get(app.url("/healthz"))).await;
        let err = app.send(app.client.get(app.url("/api/v1/me"))).await;
        let mine = app.send(app.client.get(app.url("/healthz")).header("X-Request-Id", "trace-123")).await;
        assert!(ok.header("x-request-id").is_some_and(|v| v.len() >= 16));
        assert!(err.header("x-request-id").is_some());
        assert_eq!(mine.header("x-request-id").as_deref(), Some("trace-123"));
    }
}
