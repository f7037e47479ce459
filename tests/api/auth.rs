//! Login, refresh rotation and reuse detection, logout, lockout, and forged tokens.
use base64::Engine;
use carelink::auth::Role;
use diesel::connection::SimpleConnection;
use serde_json::{json, Value};

use crate::db_test;
use crate::helpers::{TestApp, PASSWORD};

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The claims inside a token the service issued.
fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT");
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .expect("base64"),
    )
    .expect("json")
}

fn sign(app: &TestApp, claims: &Value) -> String {
    let key =
        jsonwebtoken::EncodingKey::from_secret(app.settings.auth.jwt_secret.expose().as_bytes());
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        claims,
        &key,
    )
    .expect("sign")
}

async fn me_status(app: &TestApp, token: &str) -> u16 {
    app.get("/api/v1/me", token).await.status
}

db_test! {
    async fn signing_in_gives_a_token_pair_that_identifies_the_caller(app) {
        app.create_user("sched.a", Role::Scheduler, Some("WH-CL-01"), &[]);
        let r = app.login("sched.a", PASSWORD).await;
        assert_eq!(r.status, 200, "{r:?}");
        assert_eq!(r.body["token_type"], "Bearer");
        assert_eq!(r.body["expires_in"], 900);
        let claims = claims_of(r.body["access_token"].as_str().unwrap());
        for claim in ["iss", "aud", "sub", "iat", "nbf", "exp", "jti"] {
            assert!(!claims[claim].is_null(), "claim {claim} missing");
        }
        let me = app.get("/api/v1/me", r.body["access_token"].as_str().unwrap()).await;
        assert_eq!(me.status, 200);
        assert_eq!(me.body["username"], "sched.a");
        assert_eq!(me.body["role"], "scheduler");
        assert_eq!(me.body["organization_id"], app.org_id("WH-CL-01"));
    }
}

db_test! {
    async fn a_wrong_password_and_an_unknown_user_answer_the_same_401(app) {
        app.create_user("sched.a", Role::Scheduler, Some("WH-CL-01"), &[]);
        let wrong = app.login("sched.a", "not-the-password").await;
        let unknown = app.login("nobody", "not-the-password").await;
        assert_eq!((wrong.status, unknown.status), (401, 401));
        assert_eq!(wrong.problem_code(), "invalid_credentials");
        assert_eq!(unknown.problem_code(), "invalid_credentials");
    }
}

db_test! {
    async fn five_failed_logins_lock_the_account_even_against_the_right_password(app) {
        app.create_user("nurse.a", Role::Clinician, Some("WH-CL-01"), &["nursing"]);
        for _ in 0..5 {
            assert_eq!(app.login("nurse.a", "wrong-password-123").await.status, 401);
        }
        let locked = app.login("nurse.a", PASSWORD).await;
        assert_eq!(locked.status, 423, "{locked:?}");
        assert_eq!(locked.problem_code(), "account_locked");
    }
}

db_test! {
    async fn four_failed_logins_then_the_right_password_still_signs_in(app) {
        app.create_user("nurse.a", Role::Clinician, Some("WH-CL-01"), &["nursing"]);
        for _ in 0..4 {
            assert_eq!(app.login("nurse.a", "wrong-password-123").await.status, 401);
        }
        assert_eq!(app.login("nurse.a", PASSWORD).await.status, 200);
        // The count starts again after a success.
        for _ in 0..4 {
            assert_eq!(app.login("nurse.a", "wrong-password-123").await.status, 401);
        }
        assert_eq!(app.login("nurse.a", PASSWORD).await.status, 200);
    }
}

async fn refresh(app: &TestApp, token: &str) -> crate::helpers::Resp {
    app.send(
        app.client
            .post(app.url("/api/v1/auth/refresh"))
            .json(&json!({"refresh_token": token})),
    )
    .await
}

db_test! {
    async fn a_refresh_token_rotates_and_a_reused_one_revokes_the_whole_session(app) {
        app.create_user("sched.a", Role::Scheduler, Some("WH-CL-01"), &[]);
        let first = app.login("sched.a", PASSWORD).await;
        let r1 = first.body["refresh_token"].as_str().unwrap().to_string();
        let second = refresh(&app, &r1).await;
        assert_eq!(second.status, 200, "{second:?}");
        let r2 = second.body["refresh_token"].as_str().unwrap().to_string();
        let a2 = second.body["access_token"].as_str().unwrap().to_string();
        assert_ne!(r1, r2);
        assert_eq!(me_status(&app, &a2).await, 200);

        // Past the grace for a lost answer (30 s by default), presenting r1 again is reuse.
        app.conn()
            .batch_execute("UPDATE refresh_tokens SET used_at = '2026-01-05 08:00:00' WHERE used_at IS NOT NULL")
            .unwrap();
        let reuse = refresh(&app, &r1).await;
        assert_eq!(reuse.status, 401);
        assert_eq!(reuse.problem_code(), "refresh_token_reused");
        // The thief's replay killed the session: the live tokens stop working too.
        assert_eq!(refresh(&app, &r2).await.status, 401);
        assert_eq!(me_status(&app, &a2).await, 401);
        // Another session of the same user is untouched.
        assert_eq!(me_status(&app, &app.access_token("sched.a").await).await, 200);
    }
}

db_test! {
    async fn a_spent_refresh_token_presented_again_within_the_grace_rotates_again_and_keeps_the_session(app) {
        app.create_user("sched.a", Role::Scheduler, Some("WH-CL-01"), &[]);
        let r1 = app.login("sched.a", PASSWORD).await.body["refresh_token"].as_str().unwrap().to_string();
        let second = refresh(&app, &r1).await;
        assert_eq!(second.status, 200, "{second:?}");
        // The answer was lost (a reload mid-refresh, a dropped connection): the client retries with r1.
        let retry = refresh(&app, &r1).await;
        assert_eq!(retry.status, 200, "{retry:?}");
        let (r2, r3) = (second.body["refresh_token"].as_str().unwrap(), retry.body["refresh_token"].as_str().unwrap());
        assert_ne!(r2, r3);
        for pair in [&second, &retry] {
            assert_eq!(me_status(&app, pair.body["access_token"].as_str().unwrap()).await, 200);
        }
        // Each successor is single-use in its turn, and the session lives on.
        let next = refresh(&app, r3).await;
        assert_eq!(next.status, 200, "{next:?}");
        assert_eq!(me_status(&app, next.body["access_token"].as_str().unwrap()).await, 200);
    }
}

db_test! {
    async fn two_concurrent_refreshes_with_one_token_both_get_a_pair_and_without_grace_one_wins(app) {
        app.create_user("sched.a", Role::Scheduler, Some("WH-CL-01"), &[]);
        let r1 = app.login("sched.a", PASSWORD).await.body["refresh_token"].as_str().unwrap().to_string();
        let (a, b) = futures_util::future::join(refresh(&app, &r1), refresh(&app, &r1)).await;
        assert_eq!((a.status, b.status), (200, 200), "two tabs refreshing at once: {a:?} {b:?}");
        assert_ne!(a.body["refresh_token"], b.body["refresh_token"]);

        // With the grace off, spending is still one conditional update: exactly one rotates.
        let strict = crate::helpers::spawn_app_with(app.backend, |s| s.auth.refresh_reuse_grace_seconds = 0).await;
        strict.create_user("sched.a", Role::Scheduler, Some("WH-CL-01"), &[]);
        let r1 = strict.login("sched.a", PASSWORD).await.body["refresh_token"].as_str().unwrap().to_string();
        let (a, b) = futures_util::future::join(refresh(&strict, &r1), refresh(&strict, &r1)).await;
        let mut statuses = [a.status, b.status];
        statuses.sort();
        assert_eq!(statuses, [200, 401], "{a:?} {b:?}");
    }
}

db_test! {
    async fn logout_stops_the_access_and_refresh_tokens_at_once(app) {
        app.create_user("sched.a", Role::Scheduler, Some("WH-CL-01"), &[]);
        let pair = app.login("sched.a", PASSWORD).await;
        let access = pair.body["access_token"].as_str().unwrap();
        let out = app.send(app.client.post(app.url("/api/v1/auth/logout")).bearer_auth(access)).await;
        assert_eq!(out.status, 204);
        assert_eq!(me_status(&app, access).await, 401);
        assert_eq!(refresh(&app, pair.body["refresh_token"].as_str().unwrap()).await.status, 401);
    }
}

db_test! {
    async fn every_forged_or_stale_token_answers_401(app) {
        app.create_user("sched.a", Role::Scheduler, Some("WH-CL-01"), &[]);
        let real = app.access_token("sched.a").await;
        let good = claims_of(&real);
        let now = chrono::Utc::now().timestamp();
        // The forging works: the same claims re-signed with the key are accepted.
        assert_eq!(me_status(&app, &sign(&app, &good)).await, 200);

        let with = |k: &str, v: Value| { let mut c = good.clone(); c[k] = v; c };
        let without = |k: &str| { let mut c = good.clone(); c.as_object_mut().unwrap().remove(k); c };
        let mut forged: Vec<(&str, String)> = vec![
            ("expired beyond the leeway", sign(&app, &with("exp", json!(now - 30)))),
            ("not valid before a future time", sign(&app, &with("nbf", json!(now + 60)))),
            ("issued in the future", sign(&app, &with("iat", json!(now + 60)))),
            ("wrong audience", sign(&app, &with("aud", json!("someone-else")))),
            ("wrong issuer", sign(&app, &with("iss", json!("evil")))),
            ("no audience", sign(&app, &without("aud"))),
            ("no issuer", sign(&app, &without("iss"))),
            ("no expiry", sign(&app, &without("exp"))),
            ("no nbf", sign(&app, &without("nbf"))),
            ("no iat", sign(&app, &without("iat"))),
            ("no jti", sign(&app, &without("jti"))),
            ("no subject", sign(&app, &without("sub"))),
            ("another user's subject", sign(&app, &with("sub", json!(uuid::Uuid::now_v7().to_string())))),
        ];
        let parts: Vec<&str> = real.split('.').collect();
        let payload = |c: &Value| b64(c.to_string().as_bytes());
        forged.push(("alg none", format!("{}.{}.", b64(br#"{"alg":"none","typ":"JWT"}"#), parts[1])));
        forged.push(("RS256 header on an HMAC signature", format!("{}.{}.{}", b64(br#"{"alg":"RS256","typ":"JWT"}"#), parts[1], parts[2])));
        forged.push(("tampered payload", format!("{}.{}.{}", parts[0], payload(&with("sub", json!("x"))), parts[2])));
        forged.push(("tampered signature", format!("{}.{}.{}x", parts[0], parts[1], &parts[2][..parts[2].len() - 1])));
        forged.push(("signed with another key", {
            let key = jsonwebtoken::EncodingKey::from_secret(b"another-secret-of-sufficient-length-000");
            jsonwebtoken::encode(&jsonwebtoken::Header::default(), &good, &key).unwrap()
        }));
        forged.push(("garbage", "not.a.token".into()));
        for (what, token) in &forged {
            let r = app.get("/api/v1/me", token).await;
            assert_eq!(r.status, 401, "{what}: {r:?}");
            assert_eq!(r.problem_code(), "unauthorized", "{what}");
        }
        let none = app.send(app.client.get(app.url("/api/v1/me"))).await;
        assert_eq!(none.status, 401);
    }
}

db_test! {
    async fn a_token_within_the_five_second_leeway_still_works(app) {
        app.create_user("sched.a", Role::Scheduler, Some("WH-CL-01"), &[]);
        let mut c = claims_of(&app.access_token("sched.a").await);
        c["exp"] = json!(chrono::Utc::now().timestamp() - 2);
        assert_eq!(me_status(&app, &sign(&app, &c)).await, 200);
    }
}

db_test! {
    async fn the_token_of_a_disabled_or_deleted_user_answers_401(app) {
        let admin = app.admin().await;
        let nurse_id = app.create_user("nurse.a", Role::Clinician, Some("WH-CL-01"), &["nursing"]);
        let nurse = app.access_token("nurse.a").await;
        let off = app.patch(&format!("/api/v1/staff/{nurse_id}"), &admin, json!({"active": false})).await;
        assert_eq!(off.status, 200, "{off:?}");
        assert_eq!(me_status(&app, &nurse).await, 401);
        assert_eq!(app.login("nurse.a", PASSWORD).await.status, 401);

        let gone_id = app.create_user("gone", Role::Clinician, Some("WH-CL-01"), &[]);
        let gone = app.access_token("gone").await;
        {
            use diesel::prelude::*;
            use carelink::db::schema::{refresh_tokens, sessions, users};
            let mut conn = app.conn();
            let sids = sessions::table.filter(sessions::user_id.eq(&gone_id)).select(sessions::id);
            diesel::delete(refresh_tokens::table.filter(refresh_tokens::session_id.eq_any(sids))).execute(&mut **conn).unwrap();
            diesel::delete(sessions::table.filter(sessions::user_id.eq(&gone_id))).execute(&mut **conn).unwrap();
            diesel::delete(users::table.find(&gone_id)).execute(&mut **conn).unwrap();
        }
        assert_eq!(me_status(&app, &gone).await, 401);
    }
}

db_test! {
    async fn a_password_under_ten_characters_is_refused(app) {
        let admin = app.admin().await;
        let r = app.post("/api/v1/staff", &admin, json!({
            "username": "short.pw", "display_name": "短密码", "role": "clinician",
            "organization_id": app.org_id("WH-CL-01"), "password": "123456789"})).await;
        assert_eq!(r.status, 422, "{r:?}");
        assert_eq!(r.problem_code(), "validation_failed");
        assert_eq!(r.body["errors"][0]["field"], "password");
    }
}
