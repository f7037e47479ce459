//! Abuse: login throttling per address, a per-user booking quota, oversized headers, huge query
//! strings and slow clients answer 4xx (never 5xx) and the service keeps serving.
use carelink::auth::Role;
use serde_json::json;
use std::io::{Read, Write};

use crate::db_test;
use crate::helpers::spawn_app_with;

db_test! {
    async fn one_address_guessing_across_accounts_is_throttled(app) {
        let _ = &app;
        let app = spawn_app_with(app.backend, |s| s.auth.max_failed_logins_per_address = 6).await;
        app.create_user("real.user", Role::Scheduler, Some("WH-CL-01"), &[]);
        for i in 0..6 {
            assert_eq!(app.login(&format!("guess{i}"), "wrong-password-0").await.status, 401);
        }
        let blocked = app.login("real.user", crate::helpers::PASSWORD).await;
        assert_eq!(blocked.status, 429, "{blocked:?}");
        assert_eq!(blocked.problem_code(), "rate_limited");
        assert_eq!(blocked.header("retry-after").as_deref(), Some("60"));
    }
}

db_test! {
    async fn a_runaway_client_hits_the_per_user_booking_quota(app) {
        let _ = &app;
        let app = spawn_app_with(app.backend, |s| s.visits.max_bookings_per_user_per_minute = 3).await;
        let sched = app.token_for("sched.a", Role::Scheduler, Some("WH-CL-01")).await;
        let resident = app.resident_of(&sched, "WH-CL-01", "周桂芳").await;
        let day = chrono::Utc::now().date_naive() + chrono::Duration::days(2);
        let ask = || app.post("/api/v1/visits", &sched, json!({"resident_id": resident, "service_type": "basic_nursing",
            "window_start": format!("{day}T08:00:00+08:00"), "window_end": format!("{day}T17:00:00+08:00"), "auto_assign": false}));
        for _ in 0..3 {
            assert_eq!(ask().await.status, 201);
        }
        let r = ask().await;
        assert_eq!((r.status, r.problem_code()), (429, "rate_limited".to_string()));
        assert_eq!(app.count("visits"), 3);
        // Others are not held back by one user's quota.
        let other = app.token_for("sched.b", Role::Scheduler, Some("WH-CL-01")).await;
        let r = app.post("/api/v1/visits", &other, json!({"resident_id": resident, "service_type": "basic_nursing",
            "window_start": format!("{day}T08:00:00+08:00"), "window_end": format!("{day}T17:00:00+08:00"), "auto_assign": false})).await;
        assert_eq!(r.status, 201);
    }
}

db_test! {
    async fn oversized_headers_huge_queries_and_slow_clients_get_4xx_and_the_service_keeps_serving(app) {
        let sched = app.token_for("sched.a", Role::Scheduler, Some("WH-CL-01")).await;
        let big = "x".repeat(200_000);
        let client = || reqwest::Client::new();
        let r = client().get(app.url("/api/v1/me")).bearer_auth(&sched).header("X-Padding", big).send().await;
        if let Ok(r) = r {
            assert!(r.status().is_client_error(), "oversized header: {}", r.status());
        }
        let ids: Vec<String> = (0..10_000).map(|_| format!("community_id={}", uuid::Uuid::now_v7())).collect();
        let r = client().get(app.url(&format!("/api/v1/residents?{}", ids.join("&")))).bearer_auth(&sched).send().await;
        if let Ok(r) = r {
            assert!(r.status().as_u16() < 500, "10,000 ids: {}", r.status());
        }
        // A client that sends half a request and stalls is cut off.
        let addr = app.address.trim_start_matches("http://").to_string();
        let mut slow = std::net::TcpStream::connect(&addr).unwrap();
        slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").unwrap();
        slow.set_read_timeout(Some(std::time::Duration::from_secs(15))).unwrap();
        let mut buf = vec![0u8; 512];
        // The server must answer 408 or close within the timeout; a read that times out means it
        // kept the stalled connection open, which is the failure this guards against.
        let n = slow
            .read(&mut buf)
            .unwrap_or_else(|e| panic!("a stalled request was not cut off within 15 s: {e}"));
        let head = String::from_utf8_lossy(&buf[..n]).to_string();
        assert!(n == 0 || head.starts_with("HTTP/1.1 408"), "a stalled request: {head}");
        // Still serving (on a fresh connection: the server rightly closed the abusive ones).
        let fresh = reqwest::Client::new().get(app.url("/api/v1/me")).bearer_auth(&sched).send().await.unwrap();
        assert_eq!(fresh.status(), 200);
    }
}
