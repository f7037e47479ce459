//! The demo data: what a newcomer finds in the first minute, and what `GET /api/v1/demo` tells.
use serde_json::{json, Value};

use crate::db_test;
use crate::helpers::TestApp;

const DEMO_PASSWORD: &str = "carelink-demo-2026";

fn run_demo(app: &TestApp) -> carelink::demo::Added {
    carelink::demo::run(&mut app.conn(), &app.settings)
        .expect("the demo runs")
        .1
}

async fn demo_token(app: &TestApp, username: &str) -> String {
    app.access_token_with(username, DEMO_PASSWORD).await
}

fn items(r: &crate::helpers::Resp) -> Vec<Value> {
    r.body["items"].as_array().cloned().unwrap_or_default()
}

const TABLES: [&str; 9] = [
    "users",
    "residents",
    "shifts",
    "visits",
    "referrals",
    "referral_history",
    "audit_log",
    "events",
    "visit_plans",
];

db_test! {
    async fn running_the_demo_twice_adds_nothing_the_second_time(app) {
        let first = run_demo(&app);
        assert!(first.visits >= 20 && first.referrals >= 10, "{first:?}");
        let before: Vec<i64> = TABLES.iter().map(|t| app.count(t)).collect();
        let second = run_demo(&app);
        assert_eq!((second.visits, second.referrals), (0, 0));
        let after: Vec<i64> = TABLES.iter().map(|t| app.count(t)).collect();
        assert_eq!(before, after, "counts of {TABLES:?}");
    }
}

db_test! {
    async fn home01_sees_its_care_homes_residents_and_refers_one_up(app) {
        run_demo(&app);
        let token = demo_token(&app, "home01").await;
        let residents = items(&app.get("/api/v1/residents", &token).await);
        let home = app.org_id("WH-CH-01");
        assert_eq!(residents.len(), 3, "{residents:?}");
        assert!(residents.iter().all(|r| r["care_home_id"] == json!(home)));
        let sent = app.post("/api/v1/referrals", &token, json!({
            "resident_id": residents[1]["id"], "direction": "up", "to_organization_id": app.org_id("WH-HO-02"),
            "priority": "routine", "reason": "跌倒后髋部疼痛", "diagnosis": {"text": "髋部骨折？"},
            "clinical_summary": {"past_history": "骨质疏松", "treatment_so_far": "制动"}})).await;
        assert_eq!(sent.status, 201, "{sent:?}");
        // The care home's signed clinic watches it.
        let sched = demo_token(&app, "sched01").await;
        let watching = items(&app.get("/api/v1/referrals?box=watching", &sched).await);
        assert!(watching.iter().any(|r| r["id"] == sent.body["id"]));
        assert!(watching.len() >= 2, "the demo's own care-home referral too");
    }
}

db_test! {
    async fn the_demo_holds_every_visit_and_referral_state(app) {
        run_demo(&app);
        let admin = demo_token(&app, "admin").await;
        for status in ["requested", "scheduled", "in_progress", "completed", "cancelled", "missed"] {
            let found = items(&app.get(&format!("/api/v1/visits?status={status}"), &admin).await);
            assert!(!found.is_empty(), "no {status} visit");
        }
        let completed = items(&app.get("/api/v1/visits?status=completed", &admin).await);
        assert!(completed.iter().all(|v| v["check_in_at"].is_string() && v["check_out_at"].is_string()));
        assert!(completed.iter().any(|v| v["location_exception"] == json!(true)), "a location exception");
        for status in ["submitted", "accepted", "rejected", "returned", "cancelled", "scheduled", "arrived", "completed", "no_show"] {
            let found = items(&app.get(&format!("/api/v1/referrals?status={status}"), &admin).await);
            assert!(!found.is_empty(), "no {status} referral");
        }
        assert!(!items(&app.get("/api/v1/referrals?overdue=true", &admin).await).is_empty(), "an overdue referral");
        let all = items(&app.get("/api/v1/referrals?limit=100", &admin).await);
        let up = all.iter().find(|r| r["status"] == "completed").expect("a completed referral");
        assert!(all.iter().any(|r| r["direction"] == "down" && r["parent_referral_id"] == up["id"]), "its down-referral");
        // Inboxes: the hospital desk has referrals to answer, the clinic the down-referral.
        let desk = demo_token(&app, "desk-ho01").await;
        assert!(items(&app.get("/api/v1/referrals?box=inbox&status=submitted", &desk).await).len() >= 2);
        let sched = demo_token(&app, "sched01").await;
        let inbox = items(&app.get("/api/v1/referrals?box=inbox", &sched).await);
        assert!(inbox.iter().any(|r| r["direction"] == "down") && inbox.iter().any(|r| r["status"] == "returned"));
        // The pool and the unit report have something to show.
        assert!(items(&app.get("/api/v1/visits/pool", &sched).await).len() >= 3);
        let from = (chrono::Utc::now() - chrono::Duration::days(10)).format("%Y-%m-%d");
        let to = (chrono::Utc::now() + chrono::Duration::days(1)).format("%Y-%m-%d");
        let report = app.get(&format!("/api/v1/reports/units?from={from}&to={to}"), &admin).await;
        assert_eq!(report.status, 200, "{report:?}");
        let clinic = app.org_id("WH-CL-01");
        let units = report.body["units"].as_array().cloned().unwrap_or_default();
        let row = units.iter().find(|u| u["organization_id"] == json!(clinic)).expect("WH-CL-01 in the report");
        assert!(row["figures"]["visits"]["done"].as_u64().unwrap_or(0) >= 5, "{row}");
        assert!(row["score"].is_number(), "{row}");
    }
}

db_test! {
    async fn availability_ranks_a_demo_residents_family_doctor_first(app) {
        run_demo(&app);
        let sched = demo_token(&app, "sched01").await;
        let residents = items(&app.get("/api/v1/residents?limit=100", &sched).await);
        let signed = residents.iter().find(|r| r["family_doctor_id"].is_string()).expect("a signed resident");
        let doctor = signed["family_doctor_id"].clone();
        let day = carelink::demo::visit_steps::workday(chrono::Utc::now().date_naive(), 2).format("%Y-%m-%d");
        let slots = app.get(&format!("/api/v1/availability?resident_id={}&service_type=chronic_disease_follow_up&from={day}&to={day}",
            signed["id"].as_str().unwrap()), &sched).await;
        assert_eq!(slots.status, 200, "{slots:?}");
        let first = &items(&slots)[0];
        assert_eq!(first["clinician_id"], doctor);
        assert_eq!(first["family_doctor"], json!(true));
    }
}

db_test! {
    async fn the_demo_endpoint_names_the_logins_only_on_a_demo_database(app) {
        // Accounts named like the demo's, with other passwords, are not demo data.
        app.admin().await;
        let none = app.send(app.client.get(app.url("/api/v1/demo"))).await;
        assert_eq!(none.status, 200, "{none:?}");
        assert_eq!(none.body, json!({"demo": false, "password": null, "logins": []}));
        run_demo(&app);
        let some = app.send(app.client.get(app.url("/api/v1/demo"))).await;
        assert_eq!(some.body["demo"], json!(true));
        assert_eq!(some.body["password"], json!(DEMO_PASSWORD));
        let names: Vec<&str> = some.body["logins"].as_array().unwrap().iter().map(|l| l["username"].as_str().unwrap()).collect();
        assert!(names.contains(&"sched01") && names.contains(&"home01") && names.contains(&"desk-ho01"), "{names:?}");
        assert!(!names.contains(&"admin"), "the test's own admin keeps its password: {names:?}");
        let sched = some.body["logins"].as_array().unwrap().iter().find(|l| l["username"] == "sched01").unwrap().clone();
        assert_eq!(sched["display_name"], "张调度");
        assert_eq!(sched["organization_code"], "WH-CL-01");
        // A login whose password changed drops out.
        let hash = carelink::auth::password::hash("another-password-123").unwrap();
        use diesel::connection::SimpleConnection;
        app.conn().batch_execute(&format!("UPDATE users SET password_hash = '{hash}' WHERE username = 'home01'")).unwrap();
        let after = app.send(app.client.get(app.url("/api/v1/demo"))).await;
        assert!(!after.body.to_string().contains("home01"), "{:?}", after.body);
    }
}

db_test! {
    async fn in_production_the_demo_is_refused_and_the_endpoint_tells_nothing(app) {
        run_demo(&app);
        let mut prod = app.settings.clone();
        prod.env = "production".into();
        let refused = carelink::demo::run(&mut app.conn(), &prod);
        assert_eq!(refused.err().map(|e| e.code), Some("demo_off_in_production"));
        let info = carelink::demo::handlers::info(&mut app.conn(), &prod).unwrap();
        assert!(!info.demo && info.password.is_none() && info.logins.is_empty());
    }
}

db_test! {
    async fn a_user_of_another_organisation_cannot_see_the_demo_records(app) {
        run_demo(&app);
        let admin = demo_token(&app, "admin").await;
        let first_clinic = app.org_id("WH-CL-01");
        let visit = items(&app.get(&format!("/api/v1/visits?clinic_id={first_clinic}&status=completed"), &admin).await)[0].clone();
        let referral = items(&app.get("/api/v1/referrals?status=arrived", &admin).await)[0].clone();
        assert_eq!(referral["from_organization_id"], json!(first_clinic));
        let sched02 = demo_token(&app, "sched02").await;
        let desk02 = demo_token(&app, "desk-ho02").await;
        let home = demo_token(&app, "home01").await;
        let family = demo_token(&app, "resident01").await;
        let visit_path = format!("/api/v1/visits/{}", visit["id"].as_str().unwrap());
        let referral_path = format!("/api/v1/referrals/{}", referral["id"].as_str().unwrap());
        let resident_path = format!("/api/v1/residents/{}", visit["resident_id"].as_str().unwrap());
        for (who, token, path) in [
            ("sched02", &sched02, &visit_path),
            ("sched02", &sched02, &referral_path),
            ("desk-ho02", &desk02, &referral_path),
            ("home01", &home, &referral_path),
            ("sched02", &sched02, &resident_path),
        ] {
            let r = app.get(path, token).await;
            assert_eq!(r.status, 404, "{who} {path}: {r:?}");
            assert_eq!(r.problem_code(), "not_found");
        }
        // The family sees their own elder's visits, and no one else's.
        let own = items(&app.get("/api/v1/visits", &family).await);
        let own_resident = own.first().map(|v| v["resident_id"].clone());
        assert!(own.iter().all(|v| Some(v["resident_id"].clone()) == own_resident));
        if visit["resident_id"] != own_resident.unwrap_or_default() {
            assert_eq!(app.get(&visit_path, &family).await.status, 404);
        }
    }
}

db_test! {
    async fn a_referral_names_its_sender_and_each_step_by_display_name(app) {
        run_demo(&app);
        let sched = demo_token(&app, "sched01").await;
        let list = items(&app.get("/api/v1/referrals?box=outbox&status=arrived", &sched).await);
        let r = app.get(&format!("/api/v1/referrals/{}", list[0]["id"].as_str().unwrap()), &sched).await;
        assert_eq!(r.body["sender"]["doctor"], "王医生", "{:?}", r.body["sender"]);
        assert_eq!(r.body["sender"]["user_display_name"], "王医生");
        let names: Vec<&str> = r.body["history"].as_array().unwrap().iter()
            .map(|h| h["actor_display_name"].as_str().unwrap_or("")).collect();
        assert_eq!(names, ["王医生", "人民医院转诊台", "人民医院转诊台", "人民医院转诊台"]);
    }
}

db_test! {
    async fn an_older_demo_database_gets_its_family_doctors_and_nothing_twice(app) {
        use diesel::connection::SimpleConnection;
        run_demo(&app);
        let signed = "SELECT 1 FROM residents WHERE family_doctor_id IS NOT NULL";
        let before = app.count(&format!("({signed}) s"));
        assert!(before >= 10, "{before} signed residents");
        app.conn().batch_execute("UPDATE residents SET family_doctor_id = NULL").unwrap();
        run_demo(&app);
        assert_eq!(app.count(&format!("({signed}) s")), before);
        let audit = app.count("audit_log");
        run_demo(&app);
        assert_eq!(app.count("audit_log"), audit, "the third run changes nothing");
    }
}
