//! Two-way referral: the full loop with follow-up visits, who may do what, deadlines and
//! escalation (also with two scanners at once), idempotent submission, bad input, response times.
use carelink::auth::Role;
use chrono::Duration;
use serde_json::{json, Value};

use crate::db_test;
use crate::helpers::{Resp, TestApp};

struct Net {
    clinic: String,
    home: String,
    hospital: String,
    other_hospital: String,
    foreign_clinic: String,
    resident: String,
}

async fn net(app: &TestApp) -> Net {
    let clinic = app
        .token_for("sched.a", Role::Scheduler, Some("WH-CL-01"))
        .await;
    let resident = app.resident_of(&clinic, "WH-CL-01", "周桂芳").await;
    Net {
        home: app
            .token_for("home.a", Role::CareHome, Some("WH-CH-01"))
            .await,
        hospital: app
            .token_for("desk.a", Role::Hospital, Some("WH-HO-01"))
            .await,
        other_hospital: app
            .token_for("desk.b", Role::Hospital, Some("WH-HO-02"))
            .await,
        foreign_clinic: app
            .token_for("sched.b", Role::Scheduler, Some("WH-CL-04"))
            .await,
        clinic,
        resident,
    }
}

fn up(app: &TestApp, resident: &str, priority: &str) -> Value {
    json!({"resident_id": resident, "direction": "up", "to_organization_id": app.org_id("WH-HO-01"),
        "department": "神经内科", "priority": priority, "reason": "突发右侧肢体无力2小时",
        "diagnosis": {"code": "I63.9", "text": "脑梗死?"},
        "clinical_summary": {"past_history": "高血压10年", "treatment_so_far": "阿司匹林", "allergies": "无"},
        "sending_doctor": {"name": "王医生", "phone": "0871-1234567"}})
}

async fn step(app: &TestApp, token: &str, id: &str, action: &str, body: Value) -> Resp {
    app.post(&format!("/api/v1/referrals/{id}/{action}"), token, body)
        .await
}

fn ids(r: &Resp) -> Vec<String> {
    r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect()
}

db_test! {
    async fn the_full_loop_runs_up_and_back_down_to_follow_up_visits_at_home(app) {
        let n = net(&app).await;
        // A nurse with shifts, so the follow-up can book.
        let nurse = app.create_user("nurse.a", Role::Clinician, Some("WH-CL-01"), &["nursing", "rehabilitation"]);
        let today = chrono::Utc::now().with_timezone(&chrono_tz::Asia::Shanghai).date_naive();
        for d in 1..=15 {
            let day = today + Duration::days(d);
            let r = app.post("/api/v1/shifts", &n.clinic, json!({"clinician_id": nurse,
                "starts_at": format!("{day}T08:00:00+08:00"), "ends_at": format!("{day}T17:00:00+08:00")})).await;
            assert_eq!(r.status, 201);
        }
        let sent = app.post("/api/v1/referrals", &n.clinic, up(&app, &n.resident, "green_channel")).await;
        assert_eq!(sent.status, 201, "{sent:?}");
        let id = sent.id();
        assert_eq!(sent.body["patient"]["name"], "周桂芳");
        assert!(sent.body["patient"]["age"].as_u64().unwrap() >= 84);
        assert_eq!(sent.body["sender"]["doctor"], "王医生");
        assert_eq!(sent.body["history"][0]["action"], "submit");
        let inbox = app.get("/api/v1/referrals?box=inbox", &n.hospital).await;
        assert_eq!(ids(&inbox), vec![id.clone()]);
        // The receiving desk may read the patient's record now.
        assert_eq!(app.get(&format!("/api/v1/residents/{}", n.resident), &n.hospital).await.status, 200);

        assert_eq!(step(&app, &n.hospital, &id, "accept", json!({"receiving_doctor": "李主任"})).await.status, 200);
        let appt = (chrono::Utc::now() + Duration::days(1)).to_rfc3339();
        let scheduled = step(&app, &n.hospital, &id, "schedule", json!({"appointment_at": appt, "department": "神经内科", "location": "门诊3楼"})).await;
        assert_eq!(scheduled.body["status"], "scheduled", "{scheduled:?}");
        assert_eq!(step(&app, &n.hospital, &id, "arrive", json!({})).await.status, 200);
        // The sender sees the arrival at once.
        let seen = app.get(&format!("/api/v1/referrals/{id}"), &n.clinic).await;
        assert_eq!(seen.body["status"], "arrived");
        let done = step(&app, &n.hospital, &id, "complete", json!({
            "diagnosis": {"code": "I63.9", "text": "脑梗死"}, "inpatient_record_number": "ZY2026-0001",
            "main_test_results": "头颅CT: 左侧基底节区梗死", "treatment_given": "溶栓、抗血小板",
            "recommendations": "康复训练，每周两次上门护理",
            "down_referral": {"follow_up": {"service_type": "basic_nursing", "visits_per_week": 2, "weeks": 2}}})).await;
        assert_eq!(done.status, 200, "{done:?}");
        assert_eq!(done.body["status"], "completed");
        assert_eq!(done.body["return_sheet"]["inpatient_record_number"], "ZY2026-0001");
        let history: Vec<_> = done.body["history"].as_array().unwrap().iter().map(|h| h["action"].as_str().unwrap()).collect();
        assert_eq!(history, ["submit", "accept", "schedule", "arrive", "complete"]);

        let clinic_inbox = app.get("/api/v1/referrals?box=inbox", &n.clinic).await;
        let down = &clinic_inbox.body["items"][0];
        assert_eq!((down["direction"].as_str(), down["parent_referral_id"].as_str()), (Some("down"), Some(id.as_str())));
        let down_id = down["id"].as_str().unwrap().to_string();
        let accepted = step(&app, &n.clinic, &down_id, "accept", json!({})).await;
        assert_eq!(accepted.status, 200, "{accepted:?}");
        let plan_id = accepted.body["follow_up_plan_id"].as_str().expect("a follow-up plan").to_string();
        let plan = app.get(&format!("/api/v1/visit-plans/{plan_id}"), &n.clinic).await;
        let visits = plan.body["visits"].as_array().unwrap();
        assert_eq!(visits.len(), 4);
        assert!(visits.iter().all(|v| v["referral_id"] == down_id.as_str() && v["service_type"] == "basic_nursing"));
        assert!(visits.iter().all(|v| v["status"] == "scheduled"), "the nurse has shifts: {visits:?}");
        assert_eq!(plan.body["referral_id"], down_id.as_str());
    }
}

db_test! {
    async fn only_the_receiver_triages_only_the_sender_cancels_and_outsiders_see_nothing(app) {
        let n = net(&app).await;
        let id = app.post("/api/v1/referrals", &n.clinic, up(&app, &n.resident, "urgent")).await.id();
        let path = format!("/api/v1/referrals/{id}");
        for token in [&n.other_hospital, &n.foreign_clinic, &n.home] {
            assert_eq!(app.get(&path, token).await.status, 404);
            assert_eq!(step(&app, token, &id, "accept", json!({})).await.status, 404);
            assert_eq!(step(&app, token, &id, "cancel", json!({"reason": "x"})).await.status, 404);
            assert!(ids(&app.get("/api/v1/referrals", token).await).is_empty());
        }
        let admin = app.admin().await;
        assert_eq!(app.get(&path, &admin).await.status, 200);
        assert_eq!(step(&app, &admin, &id, "accept", json!({})).await.status, 403);
        let sender_accepts = step(&app, &n.clinic, &id, "accept", json!({})).await;
        assert_eq!((sender_accepts.status, sender_accepts.problem_code()), (403, "forbidden".to_string()));
        assert_eq!(step(&app, &n.hospital, &id, "cancel", json!({"reason": "x"})).await.status, 403);
        for (action, body) in [("schedule", json!({"appointment_at": (chrono::Utc::now() + Duration::days(1)).to_rfc3339(), "department": "x", "location": "y"})),
                               ("arrive", json!({})), ("complete", json!({"diagnosis": {"text": "x"}, "treatment_given": "x", "recommendations": "y"})),
                               ("no-show", json!({}))] {
            let r = step(&app, &n.hospital, &id, action, body).await;
            assert_eq!((r.status, r.problem_code()), (409, "invalid_transition".to_string()), "{action} on submitted");
        }
        assert_eq!(step(&app, &n.hospital, &id, "accept", json!({})).await.status, 200);
        let late_cancel = step(&app, &n.clinic, &id, "cancel", json!({"reason": "x"})).await;
        assert_eq!(late_cancel.status, 409, "{late_cancel:?}");
        assert_eq!(step(&app, &n.hospital, &id, "arrive", json!({})).await.status, 409);
        let appt = (chrono::Utc::now() + Duration::days(1)).to_rfc3339();
        assert_eq!(step(&app, &n.hospital, &id, "schedule", json!({"appointment_at": appt, "department": "x", "location": "y"})).await.status, 200);
        // Either side records a no-show; nothing follows it.
        let no_show = step(&app, &n.clinic, &id, "no-show", json!({"comment": "家属未送诊"})).await;
        assert_eq!(no_show.body["status"], "no_show", "{no_show:?}");
        assert_eq!(step(&app, &n.hospital, &id, "arrive", json!({})).await.status, 409);
        // Another referral is cancelled by its sender.
        let other = app.post("/api/v1/referrals", &n.clinic, up(&app, &n.resident, "routine")).await.id();
        let cancelled = step(&app, &n.clinic, &other, "cancel", json!({"reason": "病情好转"})).await;
        assert_eq!(cancelled.body["status"], "cancelled");
        // The elder sees their own referrals but acts on none.
        let elder = {
            let new = carelink::people::model::NewStaff { username: "elder".into(), display_name: "周桂芳".into(),
                role: Role::Resident, organization_id: None, skills: vec![], password: crate::helpers::PASSWORD.into(),
                resident_id: Some(n.resident.clone()) };
            carelink::people::repo::insert(&mut app.conn(), &new, crate::helpers::password_hash()).unwrap();
            app.access_token("elder").await
        };
        assert_eq!(ids(&app.get("/api/v1/referrals", &elder).await).len(), 2);
        assert_eq!(step(&app, &elder, &other, "cancel", json!({"reason": "x"})).await.status, 403);
    }
}

db_test! {
    async fn a_rejection_needs_a_reason_code_and_a_return_goes_back_to_the_senders_inbox(app) {
        let n = net(&app).await;
        let id = app.post("/api/v1/referrals", &n.clinic, up(&app, &n.resident, "routine")).await.id();
        let none = step(&app, &n.hospital, &id, "reject", json!({})).await;
        assert_eq!(none.status, 422, "{none:?}");
        let other = step(&app, &n.hospital, &id, "reject", json!({"reason_code": "other"})).await;
        assert_eq!((other.status, other.body["errors"][0]["field"].as_str()), (422, Some("comment")));
        let unknown = step(&app, &n.hospital, &id, "reject", json!({"reason_code": "bored"})).await;
        assert_eq!(unknown.status, 422);
        assert_eq!(app.get(&format!("/api/v1/referrals/{id}"), &n.clinic).await.body["status"], "submitted");
        let returned = step(&app, &n.hospital, &id, "return", json!({"advice": "请先完善头颅CT再转诊"})).await;
        assert_eq!(returned.body["status"], "returned", "{returned:?}");
        assert_eq!(returned.body["triage"]["advice"], "请先完善头颅CT再转诊");
        assert_eq!(ids(&app.get("/api/v1/referrals?box=inbox", &n.clinic).await), vec![id.clone()]);
        let second = app.post("/api/v1/referrals", &n.clinic, up(&app, &n.resident, "routine")).await.id();
        let rejected = step(&app, &n.hospital, &second, "reject", json!({"reason_code": "manage_at_grassroots"})).await;
        assert_eq!((rejected.body["status"].as_str(), rejected.body["triage"]["reason_code"].as_str()), (Some("rejected"), Some("manage_at_grassroots")));
    }
}

db_test! {
    async fn a_care_homes_referral_goes_to_the_hospital_and_its_signed_clinic_follows_it(app) {
        let n = net(&app).await;
        let r = app.post("/api/v1/residents", &n.home, json!({"name": "冯玉兰", "sex": "female", "birth_date": "1936-09-09",
            "location": {"lat": 25.054, "lon": 102.711}})).await;
        let id = app.post("/api/v1/referrals", &n.home, up(&app, &r.id(), "urgent")).await.id();
        assert_eq!(ids(&app.get("/api/v1/referrals?box=inbox", &n.hospital).await), vec![id.clone()]);
        assert_eq!(ids(&app.get("/api/v1/referrals?box=watching", &n.clinic).await), vec![id.clone()]);
        assert_eq!(app.get(&format!("/api/v1/referrals/{id}"), &n.foreign_clinic).await.status, 404);
        // The clinic follows but does not act.
        assert_eq!(step(&app, &n.clinic, &id, "cancel", json!({"reason": "x"})).await.status, 403);
    }
}

db_test! {
    async fn the_same_idempotency_key_submits_one_referral(app) {
        let n = net(&app).await;
        let body = up(&app, &n.resident, "urgent");
        let send = || app.send(app.client.post(app.url("/api/v1/referrals")).bearer_auth(&n.clinic).header("Idempotency-Key", "ref-1").json(&body));
        let (a, b) = (send().await, send().await);
        assert_eq!((a.status, b.status), (201, 201));
        assert_eq!(a.body, b.body);
        assert_eq!(app.count("referrals"), 1);
    }
}

db_test! {
    async fn bad_referrals_are_problems_and_write_nothing(app) {
        let n = net(&app).await;
        let base = up(&app, &n.resident, "urgent");
        let with = |path: &[&str], v: Value| {
            let mut b = base.clone();
            let mut at = &mut b;
            for p in &path[..path.len() - 1] { at = &mut at[*p]; }
            at[path[path.len() - 1]] = v;
            b
        };
        let drop = |path: &[&str]| {
            let mut b = base.clone();
            let mut at = &mut b;
            for p in &path[..path.len() - 1] { at = &mut at[*p]; }
            at.as_object_mut().unwrap().remove(path[path.len() - 1]);
            b
        };
        let cases = [
            ("unknown organisation", with(&["to_organization_id"], json!(uuid::Uuid::now_v7().to_string())), 422),
            ("up to a clinic", with(&["to_organization_id"], json!(app.org_id("WH-CL-04"))), 422),
            ("down from a clinic", {
                let mut b = with(&["direction"], json!("down"));
                b["clinical_summary"] = json!({"treatment_given": "x", "rehabilitation_advice": "y"});
                b
            }, 403),
            ("no past history", drop(&["clinical_summary", "past_history"]), 422),
            ("no treatment so far", with(&["clinical_summary", "treatment_so_far"], json!("  ")), 422),
            ("no impression", with(&["diagnosis", "text"], json!("")), 422),
            ("bad ICD-10 code", with(&["diagnosis", "code"], json!("stroke")), 422),
            ("no reason", drop(&["reason"]), 422),
            ("unknown priority", with(&["priority"], json!("vip")), 422),
            ("unknown direction", with(&["direction"], json!("sideways")), 422),
            ("follow-up on an up-referral", with(&["follow_up"], json!({"service_type": "basic_nursing", "visits_per_week": 2, "weeks": 2})), 422),
            ("someone else's resident", with(&["resident_id"], json!(uuid::Uuid::now_v7().to_string())), 404),
        ];
        for (what, body, status) in cases {
            let r = app.post("/api/v1/referrals", &n.clinic, body).await;
            assert_eq!(r.status, status, "{what}: {r:?}");
            r.problem_code();
        }
        // A hospital cannot refer up, and refers down only residents it has seen.
        let down = json!({"resident_id": n.resident, "direction": "down", "to_organization_id": app.org_id("WH-CL-01"),
            "priority": "routine", "reason": "出院", "diagnosis": {"text": "肺炎"},
            "clinical_summary": {"treatment_given": "抗感染", "rehabilitation_advice": "休息"}});
        assert_eq!(app.post("/api/v1/referrals", &n.hospital, down).await.status, 404);
        assert_eq!(app.count("referrals"), 0);
        assert_eq!(app.count("referral_history"), 0);
    }
}

/// Runs one deadline scan at `minutes` after now, on its own connection.
fn scan_at(app: &TestApp, minutes: i64) -> usize {
    let mut conn = app.conn();
    carelink::referrals::deadlines::scan(
        &mut conn,
        &app.settings.referrals,
        carelink::db::now() + Duration::minutes(minutes),
    )
    .unwrap()
}

fn escalations(app: &TestApp, id: &str) -> usize {
    app.count(&format!(
        "referral_history WHERE referral_id = '{id}' AND action = 'escalate'"
    )) as usize
}

db_test! {
    async fn an_unanswered_green_channel_referral_becomes_overdue_and_escalates_once_per_level(app) {
        let n = net(&app).await;
        let green = app.post("/api/v1/referrals", &n.clinic, up(&app, &n.resident, "green_channel")).await.id();
        let routine = app.post("/api/v1/referrals", &n.clinic, up(&app, &n.resident, "routine")).await.id();
        let answered = app.post("/api/v1/referrals", &n.clinic, up(&app, &n.resident, "green_channel")).await.id();
        assert_eq!(step(&app, &n.hospital, &answered, "accept", json!({})).await.status, 200);
        assert_eq!(scan_at(&app, 29), 0);
        assert_eq!(scan_at(&app, 31), 1, "the green channel's 30 minutes have passed");
        assert_eq!(scan_at(&app, 31), 0, "once per level");
        let r = app.get(&format!("/api/v1/referrals/{green}"), &n.hospital).await;
        assert_eq!((r.body["overdue"].as_bool(), r.body["escalation_level"].as_i64()), (Some(true), Some(1)));
        let events = carelink::events::of_entity(&mut app.conn(), "referral", &green).unwrap();
        let passed: Vec<_> = events.iter().filter(|e| e.kind == "referral.deadline_passed").collect();
        assert_eq!(passed.len(), 1);
        assert!(passed[0].audience.contains(&app.org_id("WH-HO-01")) && passed[0].audience.contains("authority"));
        // Overdue first in the inbox.
        let inbox = app.get("/api/v1/referrals?box=inbox&status=submitted", &n.hospital).await;
        assert_eq!(ids(&inbox), vec![green.clone(), routine.clone()]);
        assert_eq!(ids(&app.get("/api/v1/referrals?overdue=true", &n.hospital).await), vec![green.clone()]);
        assert_eq!(scan_at(&app, 61), 1, "the second level at twice the deadline");
        assert_eq!(scan_at(&app, 24 * 60 + 1), 1, "the routine referral after a day");
        assert_eq!(scan_at(&app, 3 * 24 * 60), 1, "and its second level; nothing beyond two levels");
        assert_eq!((escalations(&app, &green), escalations(&app, &routine), escalations(&app, &answered)), (2, 2, 0));
        let admin = app.admin().await;
        let trail = app.get(&format!("/api/v1/audit?entity=referral&entity_id={green}"), &admin).await;
        assert_eq!(trail.body["items"].as_array().unwrap().iter().filter(|a| a["action"] == "escalate").count(), 2);
    }
}

db_test! {
    async fn two_scanners_at_once_escalate_each_referral_once_per_level(app) {
        let n = net(&app).await;
        let mut sent = vec![];
        for _ in 0..6 {
            sent.push(app.post("/api/v1/referrals", &n.clinic, up(&app, &n.resident, "green_channel")).await.id());
        }
        for minutes in [31, 61] {
            let barrier = std::sync::Arc::new(std::sync::Barrier::new(2));
            let handles: Vec<_> = (0..2).map(|_| {
                let (pool, cfg, barrier) = (app.pool.clone(), app.settings.referrals.clone(), barrier.clone());
                std::thread::spawn(move || {
                    let mut conn = pool.get().unwrap();
                    barrier.wait();
                    carelink::referrals::deadlines::scan(&mut conn, &cfg, carelink::db::now() + Duration::minutes(minutes)).unwrap()
                })
            }).collect();
            let made: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
            assert_eq!(made, 6, "each referral escalated once at {minutes} minutes");
        }
        for id in &sent {
            assert_eq!(escalations(&app, id), 2);
        }
    }
}

db_test! {
    async fn response_times_are_published_to_clinics_and_care_homes(app) {
        let n = net(&app).await;
        for _ in 0..3 {
            let id = app.post("/api/v1/referrals", &n.clinic, up(&app, &n.resident, "urgent")).await.id();
            assert_eq!(step(&app, &n.hospital, &id, "accept", json!({})).await.status, 200);
        }
        let r = app.get("/api/v1/referrals/response-times", &n.home).await;
        assert_eq!(r.status, 200, "{r:?}");
        let items = r.body["items"].as_array().unwrap();
        let row = items.iter().find(|i| i["hospital_code"] == "WH-HO-01" && i["priority"] == "urgent").unwrap();
        assert_eq!(row["answered"], 3);
        assert!(row["median_minutes"].as_f64().unwrap() >= 0.0 && row["p90_minutes"].as_f64().unwrap() < 5.0);
        let none = items.iter().find(|i| i["hospital_code"] == "WH-HO-02" && i["priority"] == "urgent").unwrap();
        assert_eq!((none["answered"].as_u64(), none["median_minutes"].is_null()), (Some(0), true));
        let elder_resident = app.resident_of(&n.clinic, "WH-CL-01", "孙建国").await;
        let new = carelink::people::model::NewStaff { username: "elder".into(), display_name: "孙建国".into(),
            role: Role::Resident, organization_id: None, skills: vec![], password: crate::helpers::PASSWORD.into(),
            resident_id: Some(elder_resident) };
        carelink::people::repo::insert(&mut app.conn(), &new, crate::helpers::password_hash()).unwrap();
        let elder = app.access_token("elder").await;
        assert_eq!(app.get("/api/v1/referrals/response-times", &elder).await.status, 403);
    }
}
