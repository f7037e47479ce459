//! kill -9 under write load: every acknowledged write survives, and retrying the unanswered ones
//! with their Idempotency-Keys creates no duplicate.
use carelink::auth::Role;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

use crate::db_test;
use crate::helpers::TestApp;

#[derive(Debug, Clone)]
struct Write {
    key: String,
    path: &'static str,
    body: Value,
}

/// What a client learnt: acknowledged writes (key -> id) and those whose outcome it never saw.
#[derive(Default)]
struct Ledger {
    acked: Vec<(String, String)>,
    unknown: Vec<Write>,
}

async fn send(app: &TestApp, base: &str, token: &str, w: &Write) -> Result<Option<String>, ()> {
    let req = app
        .client
        .post(format!("{base}{}", w.path))
        .bearer_auth(token)
        .header("Idempotency-Key", &w.key)
        .json(&w.body);
    match req.timeout(std::time::Duration::from_secs(10)).send().await {
        Ok(r) if r.status().is_success() => {
            let v: Value = r.json().await.map_err(|_| ())?;
            Ok(v["id"].as_str().map(str::to_string))
        }
        Ok(r) if r.status().is_server_error() => Err(()),
        Ok(_) => Ok(None), // a definite refusal (e.g. no slot left): nothing was written
        Err(_) => Err(()),
    }
}

db_test! {
    async fn acknowledged_writes_survive_a_kill_9_and_retries_make_no_duplicates(app) {
        let sched = app.token_for("sched.a", Role::Scheduler, Some("WH-CL-01")).await;
        let day = chrono::Utc::now().with_timezone(&chrono_tz::Asia::Shanghai).date_naive() + chrono::Duration::days(2);
        for i in 0..3 {
            let nurse = app.create_user(&format!("nurse.{i}"), Role::Clinician, Some("WH-CL-01"), &["nursing"]);
            let r = app.post("/api/v1/shifts", &sched, json!({"clinician_id": nurse,
                "starts_at": format!("{day}T08:00:00+08:00"), "ends_at": format!("{day}T17:00:00+08:00")})).await;
            assert_eq!(r.status, 201);
        }
        let resident = app.resident_of(&sched, "WH-CL-01", "周桂芳").await;
        let writes: Vec<Write> = (0..160)
            .map(|i| if i % 2 == 0 {
                Write { key: format!("visit-{i}"), path: "/api/v1/visits", body: json!({"resident_id": resident,
                    "service_type": "blood_pressure_check", "window_start": format!("{day}T08:00:00+08:00"),
                    "window_end": format!("{day}T17:00:00+08:00"), "notes": format!("#{i}")})}
            } else {
                Write { key: format!("referral-{i}"), path: "/api/v1/referrals", body: json!({"resident_id": resident,
                    "direction": "up", "to_organization_id": app.org_id("WH-HO-01"), "priority": "routine",
                    "reason": format!("复查 #{i}"), "diagnosis": {"text": "高血压"},
                    "clinical_summary": {"past_history": "无", "treatment_so_far": "无"}})}
            })
            .collect();
        let ledger = Arc::new(Mutex::new(Ledger::default()));
        let instance = app.second_instance().await;
        let base = instance.address.clone();
        let load = async {
            let chunks: Vec<Vec<Write>> = writes.chunks(20).map(|c| c.to_vec()).collect();
            futures_util::future::join_all(chunks.into_iter().map(|chunk| {
                let (ledger, base, sched) = (ledger.clone(), base.clone(), sched.clone());
                let app = &app;
                async move {
                    for w in chunk {
                        match send(app, &base, &sched, &w).await {
                            Ok(Some(id)) => ledger.lock().unwrap().acked.push((w.key.clone(), id)),
                            Ok(None) => {}
                            Err(()) => ledger.lock().unwrap().unknown.push(w.clone()),
                        }
                    }
                }
            }))
            .await
        };
        // Kill once some writes were acknowledged, whatever the machine's speed.
        let killer = async {
            while ledger.lock().unwrap().acked.len() < 30 {
                actix_web::rt::time::sleep(std::time::Duration::from_millis(5)).await;
            }
            drop(instance); // SIGKILL
        };
        futures_util::future::join(load, killer).await;
        let Ledger { acked, unknown } = std::mem::take(&mut *ledger.lock().unwrap());
        assert!(!acked.is_empty() && !unknown.is_empty(), "the kill landed mid-run: {} acked, {} unknown", acked.len(), unknown.len());

        // Restart and retry what was never answered, with the same keys.
        let restarted = app.second_instance().await;
        let mut all: std::collections::HashMap<String, String> = acked.iter().cloned().collect();
        for w in &unknown {
            if let Ok(Some(id)) = send(&app, &restarted.address, &sched, w).await {
                assert!(all.insert(w.key.clone(), id).is_none());
            }
        }
        // Every acknowledged write is there; nothing was written twice.
        for (key, id) in &acked {
            let path = if key.starts_with("visit") { "visits" } else { "referrals" };
            assert_eq!(app.get(&format!("/api/v1/{path}/{id}"), &sched).await.status, 200, "{key} lost");
        }
        let visits = all.keys().filter(|k| k.starts_with("visit")).count() as i64;
        let referrals = all.keys().filter(|k| k.starts_with("referral")).count() as i64;
        assert_eq!(app.count("visits"), visits, "one visit per answered key");
        assert_eq!(app.count("referrals"), referrals, "one referral per answered key");
        assert_eq!(app.count("idempotency_keys"), visits + referrals);
    }
}
