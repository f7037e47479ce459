//! The bad-input matrix: every malformed request is a 4xx problem+json and changes nothing.
use carelink::auth::Role;
use serde_json::json;

use crate::db_test;
use crate::helpers::TestApp;

async fn raw_post(
    app: &TestApp,
    path: &str,
    token: &str,
    content_type: &str,
    body: Vec<u8>,
) -> crate::helpers::Resp {
    app.send(
        app.client
            .post(app.url(path))
            .bearer_auth(token)
            .header("content-type", content_type)
            .body(body),
    )
    .await
}

db_test! {
    async fn malformed_bodies_are_4xx_problems_and_change_nothing(app) {
        let sched = app.token_for("sched.a", Role::Scheduler, Some("WH-CL-01")).await;
        let community = app.org_id("WH-CM-01");
        let valid = json!({"name": "周桂芳", "sex": "female", "birth_date": "1941-03-12",
            "location": {"lat": 25.05, "lon": 102.7}, "community_id": community});
        let mut cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
            ("truncated JSON", b"{\"name\": ".to_vec(), 400, "malformed_json"),
            ("not JSON", b"hello".to_vec(), 400, "malformed_json"),
            // An empty body reads as {}: every required field is then named as missing.
            ("empty body", vec![], 422, "validation_failed"),
            ("an array", b"[]".to_vec(), 422, "validation_failed"),
        ];
        let variants = [
            ("wrong type", "name", json!(42)),
            ("unknown enum value", "sex", json!("unknown")),
            ("impossible date", "birth_date", json!("1941-02-30")),
            ("future birth date", "birth_date", json!("2999-01-01")),
            ("latitude off the earth", "location", json!({"lat": 123.0, "lon": 102.7})),
            ("location as a string", "location", json!("here")),
            ("bad id number", "id_number", json!("123")),
            ("unknown community", "community_id", json!(uuid::Uuid::now_v7().to_string())),
            ("community id that is no uuid", "community_id", json!("not-a-uuid")),
            ("unknown priority flag", "priority_flags", json!(["rich"])),
            ("empty name", "name", json!("")),
        ];
        let mut bodies = vec![];
        for (what, field, value) in variants {
            let mut b = valid.clone();
            b[field] = value;
            bodies.push((what, b));
        }
        let mut missing = valid.clone();
        missing.as_object_mut().unwrap().remove("birth_date");
        bodies.push(("missing field", missing));
        let mut unknown = valid.clone();
        unknown["shoe_size"] = json!(42);
        bodies.push(("unknown field", unknown));
        for (what, b) in &bodies {
            cases.push((what, b.to_string().into_bytes(), 422, "validation_failed"));
        }
        for (what, body, status, code) in cases {
            let r = raw_post(&app, "/api/v1/residents", &sched, "application/json", body).await;
            assert_eq!(r.status, status, "{what}: {r:?}");
            assert_eq!(r.problem_code(), code, "{what}");
        }
        let missing = raw_post(&app, "/api/v1/residents", &sched, "application/json", bodies[11].1.to_string().into_bytes()).await;
        assert_eq!(missing.body["errors"][0]["field"], "birth_date", "{missing:?}");
        let wrong_type = raw_post(&app, "/api/v1/residents", &sched, "text/plain", valid.to_string().into_bytes()).await;
        assert_eq!(wrong_type.status, 415);
        assert_eq!(wrong_type.problem_code(), "unsupported_media_type");
        assert_eq!(app.count("residents"), 0);
        // The valid body does go through: the cases above failed for their flaw alone.
        assert_eq!(app.post("/api/v1/residents", &sched, valid).await.status, 201);
    }
}

db_test! {
    async fn a_body_over_one_mebibyte_is_413(app) {
        let sched = app.token_for("sched.a", Role::Scheduler, Some("WH-CL-01")).await;
        let huge = json!({"name": "x".repeat(1_100_000)}).to_string().into_bytes();
        let r = raw_post(&app, "/api/v1/residents", &sched, "application/json", huge).await;
        assert_eq!(r.status, 413, "{r:?}");
        assert_eq!(r.problem_code(), "payload_too_large");
        assert_eq!(app.count("residents"), 0);
    }
}

db_test! {
    async fn bad_ids_cursors_and_query_values_are_4xx_problems(app) {
        let admin = app.admin().await;
        let cases = [
            ("/api/v1/residents/not-a-uuid", 404, "not_found"),
            ("/api/v1/residents/01a21ea5-7f96-727f-9f02-3eef85cfb55c", 404, "not_found"),
            ("/api/v1/organizations/'%20OR%201=1--", 404, "not_found"),
            ("/api/v1/staff/%00", 404, "not_found"),
            ("/api/v1/shifts/12345", 404, "not_found"),
            ("/api/v1/organizations?cursor=garbage", 400, "invalid_cursor"),
            ("/api/v1/organizations?cursor=aWQ6bm90LWEtdXVpZA", 400, "invalid_cursor"),
            ("/api/v1/organizations?limit=0", 422, "validation_failed"),
            ("/api/v1/organizations?limit=501", 422, "validation_failed"),
            ("/api/v1/organizations?limit=abc", 400, "invalid_query"),
            ("/api/v1/organizations?kind=planet", 400, "invalid_query"),
            ("/api/v1/shifts?from=yesterday", 422, "validation_failed"),
            ("/api/v1/audit?from=2026-13-01", 422, "validation_failed"),
            ("/api/v1/no-such-thing", 404, "not_found"),
        ];
        for (path, status, code) in cases {
            let r = app.get(path, &admin).await;
            assert_eq!(r.status, status, "{path}: {r:?}");
            assert_eq!(r.problem_code(), code, "{path}");
        }
    }
}

db_test! {
    async fn bad_headers_are_4xx_problems(app) {
        let admin = app.admin().await;
        let body = json!({"name": "新名字"});
        let org = app.org_id("WH-CL-01");
        let r = app.send(app.client.patch(app.url(&format!("/api/v1/organizations/{org}")))
            .bearer_auth(&admin).header("If-Match", "\"not-a-version\"").json(&body)).await;
        assert_eq!(r.status, 412, "{r:?}");
        let long_key = "k".repeat(300);
        let r = app.send(app.client.post(app.url("/api/v1/organizations")).bearer_auth(&admin)
            .header("Idempotency-Key", long_key).json(&body)).await;
        assert_eq!(r.status, 400, "{r:?}");
        assert_eq!(r.problem_code(), "invalid_idempotency_key");
        let r = app.send(app.client.get(app.url("/api/v1/me")).header("Authorization", "Basic YWRtaW46YWRtaW4=")).await;
        assert_eq!(r.status, 401);
    }
}
