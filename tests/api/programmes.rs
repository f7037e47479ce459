//! Care programmes: packages, contracts (one active per resident, raced), obligations made by the
//! engine (twice or concurrently: once), waiving, scoping, and the whole path from signing to a
//! draft up-referral in the hospital's inbox.
use carelink::auth::Role;
use chrono::{Duration, NaiveDate};
use serde_json::{json, Value};

use crate::db_test;
use crate::helpers::{Resp, TestApp};

fn today() -> NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
}

fn at(d: NaiveDate, hm: &str) -> String {
    format!("{d}T{hm}:00+08:00")
}

struct Clinic {
    sched: String,
    doc: String,
    doc_id: String,
    resident: String,
}

/// WH-CL-01 with a scheduler and a GP on shift for the next five days, and a hypertensive
/// 76-year-old at home in its community.
async fn clinic(app: &TestApp) -> Clinic {
    let sched = app
        .token_for("sched.p", Role::Scheduler, Some("WH-CL-01"))
        .await;
    let doc_id = app.create_user(
        "doc.p",
        Role::Clinician,
        Some("WH-CL-01"),
        &["general_practice", "nursing"],
    );
    for k in 0..6 {
        let d = today() + Duration::days(k);
        let r = app.post("/api/v1/shifts", &sched, json!({"clinician_id": doc_id, "starts_at": at(d, "08:00"), "ends_at": at(d, "18:00")})).await;
        assert_eq!(r.status, 201, "{r:?}");
    }
    let r = app.post("/api/v1/residents", &sched, json!({"name": "李秀兰", "sex": "female", "birth_date": "1950-03-01",
        "location": {"lat": 25.058, "lon": 102.712}, "community_id": app.org_id("WH-CM-01"), "conditions": ["高血压"],
        "priority_flags": []})).await;
    assert_eq!(r.status, 201, "{r:?}");
    Clinic {
        sched,
        doc: app.access_token("doc.p").await,
        doc_id,
        resident: r.id(),
    }
}

async fn sign(app: &TestApp, c: &Clinic, packages: Value, starts_on: NaiveDate) -> Resp {
    app.post(
        "/api/v1/contracts",
        &c.sched,
        json!({"resident_id": c.resident, "package_codes": packages,
        "family_doctor_id": c.doc_id, "starts_on": starts_on}),
    )
    .await
}

async fn obligations(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let r = app
        .get(&format!("/api/v1/obligations?limit=500&{query}"), token)
        .await;
    assert_eq!(r.status, 200, "{r:?}");
    r.body["items"].as_array().unwrap().clone()
}

fn of_rule<'a>(list: &'a [Value], rule: &str) -> Vec<&'a Value> {
    list.iter().filter(|o| o["rule"] == rule).collect()
}

db_test! {
    async fn the_four_packages_are_seeded_and_only_admin_changes_one(app) {
        let c = clinic(&app).await;
        let list = app.get("/api/v1/service-packages", &c.sched).await;
        assert_eq!(list.status, 200, "{list:?}");
        let codes: Vec<&str> = list.body.as_array().unwrap().iter().map(|p| p["code"].as_str().unwrap()).collect();
        assert_eq!(codes, ["basic", "diabetes", "hypertension", "rehabilitation"]);
        assert_eq!(app.patch("/api/v1/service-packages/hypertension", &c.sched, json!({"price_yuan": 1})).await.status, 403);
        let admin = app.admin().await;
        let bad = app.patch("/api/v1/service-packages/hypertension", &admin, json!({"price_yuan": -1,
            "items": [{"service_type": "no_such_service", "per_year": 60}]})).await;
        assert_eq!(bad.status, 422, "{bad:?}");
        let fields: Vec<&str> = bad.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["price_yuan", "items[0].service_type", "items[0].per_year"]);
        let rounded = app.patch("/api/v1/service-packages/rehabilitation", &admin, json!({"price_yuan": 360.004})).await;
        assert_eq!(rounded.body["price_yuan"].as_f64(), Some(360.0), "kept to the fen: {rounded:?}");
        let ok = app.patch("/api/v1/service-packages/hypertension", &admin, json!({"price_yuan": 130})).await;
        assert_eq!((ok.status, ok.body["price_yuan"].as_f64(), ok.body["version"].as_i64()), (200, Some(130.0), Some(2)), "{ok:?}");
        assert_eq!(app.patch("/api/v1/service-packages/nothing", &admin, json!({"price_yuan": 1})).await.status, 404);
    }
}

db_test! {
    async fn a_contract_is_signed_once_sets_the_family_doctor_and_ends_by_termination(app) {
        let c = clinic(&app).await;
        let r = sign(&app, &c, json!(["basic", "hypertension"]), today()).await;
        assert_eq!(r.status, 201, "{r:?}");
        assert_eq!(r.body["status"], "active");
        assert_eq!(r.body["ends_on"], json!((today() + chrono::Months::new(12) - Duration::days(1)).to_string()));
        assert_eq!(r.body["price_yuan"].as_f64(), Some(120.0));
        let id = r.id();
        let resident = app.get(&format!("/api/v1/residents/{}", c.resident), &c.sched).await;
        assert_eq!(resident.body["family_doctor_id"], json!(c.doc_id));
        let twice = sign(&app, &c, json!(["basic"]), today()).await;
        assert_eq!((twice.status, twice.problem_code()), (409, "contract_exists".to_string()), "{twice:?}");
        // what it owes: the rules' check and follow-up, and the package's monthly blood pressure checks
        let owed = obligations(&app, &c.sched, &format!("resident_id={}", c.resident)).await;
        assert_eq!(of_rule(&owed, "elderly_annual_check").len(), 1, "{owed:?}");
        assert!(!of_rule(&owed, "chronic_quarterly_follow_up").is_empty());
        let monthly: Vec<&Value> = of_rule(&owed, "package:hypertension").into_iter().filter(|o| o["service_type"] == "blood_pressure_check").collect();
        assert_eq!(monthly.len(), 12, "{monthly:?}");
        assert!(monthly.iter().all(|o| o["source"] == "contract" && o["source_id"] == json!(id)));
        // terminating waives what the contract still owes, and its requested visits are cancelled
        let blank = app.post(&format!("/api/v1/contracts/{id}/terminate"), &c.sched, json!({"reason": "  "})).await;
        assert_eq!(blank.status, 422);
        let ended = app.post(&format!("/api/v1/contracts/{id}/terminate"), &c.sched, json!({"reason": "搬离本社区"})).await;
        assert_eq!((ended.status, ended.body["status"].as_str()), (200, Some("terminated")), "{ended:?}");
        let after = obligations(&app, &c.sched, &format!("resident_id={}", c.resident)).await;
        for o in of_rule(&after, "package:hypertension") {
            assert_eq!(o["status"], "waived", "{o:?}");
            if let Some(v) = o["visit_id"].as_str() {
                let visit = app.get(&format!("/api/v1/visits/{v}"), &c.sched).await;
                assert_eq!(visit.body["status"], "cancelled", "{visit:?}");
            }
        }
        let again = app.post(&format!("/api/v1/contracts/{id}/terminate"), &c.sched, json!({"reason": "再次"})).await;
        assert_eq!((again.status, again.problem_code()), (409, "invalid_transition".to_string()));
        let renew = app.post(&format!("/api/v1/contracts/{id}/renew"), &c.sched, json!({})).await;
        assert_eq!(renew.status, 409, "a terminated contract is not renewed: {renew:?}");
        assert_eq!(sign(&app, &c, json!(["basic"]), today()).await.status, 201, "a new contract after the end");
    }
}

db_test! {
    async fn an_active_contract_renews_for_a_year_more(app) {
        let c = clinic(&app).await;
        let r = sign(&app, &c, json!(["basic"]), today()).await;
        let old_end: NaiveDate = r.body["ends_on"].as_str().unwrap().parse().unwrap();
        let renewed = app.post(&format!("/api/v1/contracts/{}/renew", r.id()), &c.sched, json!({})).await;
        assert_eq!(renewed.status, 200, "{renewed:?}");
        assert_eq!(renewed.body["renewals"], 1);
        let end: NaiveDate = renewed.body["ends_on"].as_str().unwrap().parse().unwrap();
        assert!(end > old_end + Duration::days(360), "{end}");
    }
}

db_test! {
    async fn two_clinics_signing_at_once_make_one_active_contract(app) {
        let c = clinic(&app).await;
        let body = json!({"resident_id": c.resident, "package_codes": ["basic"], "family_doctor_id": c.doc_id, "starts_on": today()});
        let (a, b) = futures_util::future::join(app.post("/api/v1/contracts", &c.sched, body.clone()), app.post("/api/v1/contracts", &c.sched, body.clone())).await;
        let mut statuses = [a.status, b.status];
        statuses.sort();
        assert_eq!(statuses, [201, 409], "{a:?} {b:?}");
        assert_eq!(app.count("contracts"), 1);
    }
}

db_test! {
    async fn bad_contracts_are_refused_and_change_nothing(app) {
        let c = clinic(&app).await;
        let before = (app.count("contracts"), app.count("obligations"), app.count("audit_log"));
        let cases = [
            (json!(["gold"]), today(), "package_codes[0]"),
            (json!(["diabetes"]), today(), "package_codes[0]"),
            (json!(["basic"]), NaiveDate::from_ymd_opt(1949, 1, 1).unwrap(), "starts_on"),
        ];
        for (packages, starts, field) in cases {
            let r = sign(&app, &c, packages, starts).await;
            assert_eq!(r.status, 422, "{r:?}");
            assert!(r.body["errors"].as_array().unwrap().iter().any(|e| e["field"] == field), "{field}: {r:?}");
        }
        let other_doc = app.create_user("doc.other", Role::Clinician, Some("WH-CL-02"), &["general_practice"]);
        let r = app.post("/api/v1/contracts", &c.sched, json!({"resident_id": c.resident, "package_codes": ["basic"],
            "family_doctor_id": other_doc, "starts_on": today()})).await;
        assert_eq!(r.status, 422, "{r:?}");
        assert_eq!((app.count("contracts"), app.count("obligations"), app.count("audit_log")), before);
    }
}

db_test! {
    async fn another_clinic_a_care_home_and_another_resident_see_none_of_it(app) {
        let c = clinic(&app).await;
        let contract = sign(&app, &c, json!(["basic"]), today()).await.id();
        let owed = obligations(&app, &c.sched, &format!("resident_id={}", c.resident)).await;
        let obligation = owed[0]["id"].as_str().unwrap().to_string();
        let other = app.token_for("sched.q", Role::Scheduler, Some("WH-CL-04")).await;
        let home = app.token_for("home.q", Role::CareHome, Some("WH-CH-01")).await;
        let desk = app.token_for("desk.q", Role::Hospital, Some("WH-HO-01")).await;
        for token in [&other, &home, &desk] {
            assert_eq!(app.get(&format!("/api/v1/contracts/{contract}"), token).await.status, 404);
            let g = app.get(&format!("/api/v1/obligations/{obligation}"), token).await;
            assert_eq!((g.status, g.body["object"].as_str()), (404, Some("obligation")), "{g:?}");
            assert!(obligations(&app, token, "").await.is_empty());
            let w = app.post(&format!("/api/v1/obligations/{obligation}/waive"), token, json!({"reason": "declined"})).await;
            assert_eq!(w.status, 404, "{w:?}");
            let t = app.post(&format!("/api/v1/contracts/{contract}/terminate"), token, json!({"reason": "x"})).await;
            assert_eq!(t.status, 404, "{t:?}");
            let list = app.get("/api/v1/contracts", token).await;
            assert_eq!(list.body["items"], json!([]));
        }
        // the resident's own login sees their contract, and only theirs
        let own = app.create_user("li.xl", Role::Resident, None, &[]);
        diesel::RunQueryDsl::execute(
            diesel::sql_query(format!("UPDATE users SET resident_id = '{}' WHERE id = '{own}'", c.resident)),
            &mut *app.conn() as &mut carelink::db::DbConn,
        ).unwrap();
        let me = app.access_token("li.xl").await;
        assert_eq!(app.get(&format!("/api/v1/contracts/{contract}"), &me).await.status, 200);
        assert_eq!(obligations(&app, &me, "").await.len(), owed.len());
        let stranger = app.post("/api/v1/residents", &c.sched, json!({"name": "王", "sex": "male", "birth_date": "1950-01-01",
            "location": {"lat": 25.05, "lon": 102.7}, "community_id": app.org_id("WH-CM-01")})).await.id();
        let theirs = obligations(&app, &c.sched, &format!("resident_id={stranger}")).await;
        assert!(!theirs.is_empty(), "a 76-year-old is owed the annual check");
        let theirs = theirs[0]["id"].as_str().unwrap();
        assert_eq!(app.get(&format!("/api/v1/obligations/{theirs}"), &me).await.status, 404);
    }
}

db_test! {
    async fn waiving_needs_a_reason_cancels_the_visit_and_happens_once(app) {
        let c = clinic(&app).await;
        sign(&app, &c, json!(["basic"]), today()).await;
        let owed = obligations(&app, &c.sched, &format!("resident_id={}&status=due", c.resident)).await;
        let check = of_rule(&owed, "elderly_annual_check")[0].clone();
        let visit = check["visit_id"].as_str().expect("a visit requested for what is due").to_string();
        let pool = app.get("/api/v1/visits/pool", &c.sched).await;
        assert!(pool.body["items"].as_array().unwrap().iter().any(|v| v["id"] == json!(visit)), "{pool:?}");
        let path = format!("/api/v1/obligations/{}/waive", check["id"].as_str().unwrap());
        for body in [json!({"reason": "other"}), json!({"reason": "bored"}), json!({"reason": "other", "comment": " "})] {
            assert_eq!(app.post(&path, &c.sched, body).await.status, 422);
        }
        let r = app.post(&path, &c.sched, json!({"reason": "hospitalised", "comment": "住院"})).await;
        assert_eq!((r.status, r.body["status"].as_str(), r.body["reason"].as_str()), (200, Some("waived"), Some("hospitalised")), "{r:?}");
        let v = app.get(&format!("/api/v1/visits/{visit}"), &c.sched).await;
        assert_eq!(v.body["status"], "cancelled");
        let twice = app.post(&path, &c.sched, json!({"reason": "declined"})).await;
        assert_eq!((twice.status, twice.problem_code()), (409, "invalid_transition".to_string()));
    }
}

db_test! {
    async fn running_the_engine_twice_or_at_once_makes_each_obligation_once(app) {
        let c = clinic(&app).await;
        sign(&app, &c, json!(["basic", "hypertension"]), today()).await;
        let admin = app.admin().await;
        let made = (app.count("obligations"), app.count("visits"));
        let (a, b) = futures_util::future::join(app.post("/api/v1/programmes/run", &admin, json!({})), app.post("/api/v1/programmes/run", &admin, json!({}))).await;
        assert_eq!((a.status, b.status), (200, 200), "{a:?} {b:?}");
        let again = app.post("/api/v1/programmes/run", &admin, json!({})).await;
        assert_eq!(again.body["made"], 0, "{again:?}");
        assert_eq!(again.body["requested"], 0, "{again:?}");
        assert_eq!((app.count("obligations"), app.count("visits")), made);
        assert_eq!(app.post("/api/v1/programmes/run", &c.sched, json!({})).await.status, 403);
    }
}

db_test! {
    async fn two_runs_at_once_request_each_owed_visit_once_with_one_audit_record_and_one_event(app) {
        let c = clinic(&app).await;
        sign(&app, &c, json!(["basic", "hypertension"]), today()).await;
        // The scheduler cancels the owed visits: the obligations are open again, with no live visit.
        let owed: Vec<String> = app.get(&format!("/api/v1/visits?resident_id={}&status=requested", c.resident), &c.sched).await.body["items"]
            .as_array().unwrap().iter().map(|v| v["id"].as_str().unwrap().to_string()).collect();
        assert!(!owed.is_empty());
        for v in &owed {
            let r = app.post(&format!("/api/v1/visits/{v}/cancel"), &c.sched, json!({"reason": "改期"})).await;
            assert_eq!(r.status, 200, "{r:?}");
        }
        let admin = app.admin().await;
        let (a, b) = futures_util::future::join(app.post("/api/v1/programmes/run", &admin, json!({})), app.post("/api/v1/programmes/run", &admin, json!({}))).await;
        assert_eq!((a.status, b.status), (200, 200), "{a:?} {b:?}");
        let requested = a.body["requested"].as_u64().unwrap() + b.body["requested"].as_u64().unwrap();
        assert_eq!(requested, owed.len() as u64, "{a:?} {b:?}");
        let live = "visits WHERE status = 'requested'";
        assert_eq!(app.count(live), owed.len() as i64);
        assert_eq!(app.count("obligations WHERE visit_id IN (SELECT id FROM visits WHERE status = 'requested')"), owed.len() as i64);
        let fresh = "(SELECT id FROM visits WHERE status = 'requested')";
        assert_eq!(app.count(&format!("audit_log WHERE entity = 'visit' AND action = 'create' AND entity_id IN {fresh}")), owed.len() as i64);
        assert_eq!(app.count(&format!("events WHERE kind = 'visit.requested' AND entity_id IN {fresh}")), owed.len() as i64);
        let seen = app.get(&format!("/api/v1/visits?resident_id={}&status=requested", c.resident), &c.sched).await;
        assert_eq!(seen.body["items"].as_array().unwrap().len(), owed.len());
    }
}

db_test! {
    async fn two_runs_making_the_same_obligations_at_once_make_each_once(app) {
        let c = clinic(&app).await;
        sign(&app, &c, json!(["basic", "hypertension"]), today()).await;
        let made = app.count("obligations");
        assert!(made > 0);
        // As if the engine had never run: the obligations are gone, so both runs make them again
        // and race on the database's uniqueness (on PostgreSQL the loser's COPY falls back).
        diesel::RunQueryDsl::execute(diesel::sql_query("DELETE FROM obligations"), &mut *app.conn() as &mut carelink::db::DbConn).unwrap();
        let admin = app.admin().await;
        let (a, b) = futures_util::future::join(app.post("/api/v1/programmes/run", &admin, json!({})), app.post("/api/v1/programmes/run", &admin, json!({}))).await;
        assert_eq!((a.status, b.status), (200, 200), "{a:?} {b:?}");
        assert_eq!(a.body["made"].as_i64().unwrap() + b.body["made"].as_i64().unwrap(), made, "{a:?} {b:?}");
        assert_eq!(app.count("obligations"), made);
        let audited = "audit_log WHERE entity = 'obligation' AND action = 'create' AND entity_id IN (SELECT id FROM obligations)";
        assert_eq!(app.count(audited), made);
    }
}

db_test! {
    async fn what_was_owed_before_today_and_not_met_is_overdue_and_announced_once(app) {
        let c = clinic(&app).await;
        // a contract signed 200 days ago: the follow-ups of past quarters went unmet
        let r = sign(&app, &c, json!(["basic"]), today() - Duration::days(200)).await;
        assert_eq!(r.status, 201, "{r:?}");
        let overdue = obligations(&app, &c.sched, &format!("resident_id={}&status=overdue", c.resident)).await;
        assert!(!overdue.is_empty());
        assert!(overdue.iter().all(|o| o["latest"].as_str().unwrap() < today().to_string().as_str()));
        let admin = app.admin().await;
        let run = app.post("/api/v1/programmes/run", &admin, json!({})).await;
        assert_eq!(run.body["overdue"].as_u64(), Some(overdue.len() as u64), "{run:?}");
        let again = app.post("/api/v1/programmes/run", &admin, json!({})).await;
        assert_eq!(again.body["overdue"], 0);
        assert_eq!(app.count("events WHERE kind = 'obligation.overdue'"), overdue.len() as i64);
        let before = obligations(&app, &c.sched, &format!("resident_id={}&due_before={}", c.resident, today())).await;
        assert!(before.len() >= overdue.len());
    }
}

/// Schedules an owed visit on the day after its window opens at `hm`, checks in and out with
/// these vital signs; returns the completed visit.
async fn make_follow_up(app: &TestApp, c: &Clinic, visit: &str, hm: &str, vitals: Value) -> Resp {
    let v = app.get(&format!("/api/v1/visits/{visit}"), &c.sched).await;
    let opens: chrono::DateTime<chrono::FixedOffset> =
        v.body["window_start"].as_str().unwrap().parse().unwrap();
    let d = opens.date_naive() + Duration::days(1);
    let s = app
        .post(
            &format!("/api/v1/visits/{visit}/schedule"),
            &c.sched,
            json!({"clinician_id": c.doc_id, "starts_at": at(d, hm)}),
        )
        .await;
    assert_eq!(s.status, 200, "{s:?}");
    document(app, c, visit, vitals).await
}

/// The family doctor checks in at the resident's home and out with these vital signs.
async fn document(app: &TestApp, c: &Clinic, visit: &str, vitals: Value) -> Resp {
    let home = json!({"lat": 25.058, "lon": 102.712});
    assert_eq!(
        app.post(&format!("/api/v1/visits/{visit}/check-in"), &c.doc, home)
            .await
            .status,
        200
    );
    let out = app
        .post(
            &format!("/api/v1/visits/{visit}/check-out"),
            &c.doc,
            json!({"lat": 25.058, "lon": 102.712,
        "tasks": [{"task": "测血压", "done": true}], "vital_signs": vitals}),
        )
        .await;
    assert_eq!(
        (out.status, out.body["status"].as_str()),
        (200, Some("completed")),
        "{out:?}"
    );
    out
}

/// Plans the clinic's day `d` with the optimiser and applies the proposal.
async fn plan_and_apply(app: &TestApp, c: &Clinic, d: NaiveDate) -> Resp {
    let started = app
        .post(
            "/api/v1/planning/runs",
            &c.sched,
            json!({"clinic_id": app.org_id("WH-CL-01"), "date": d, "time_limit_seconds": 20}),
        )
        .await;
    assert_eq!(started.status, 202, "{started:?}");
    let path = format!("/api/v1/planning/runs/{}", started.id());
    for _ in 0..300 {
        let r = app.get(&path, &c.sched).await;
        if r.body["status"] != "running" {
            assert_eq!(r.body["status"], "completed", "{r:?}");
            let applied = app
                .post(&format!("{path}/apply"), &c.sched, json!({}))
                .await;
            assert_eq!(applied.status, 200, "{applied:?}");
            return applied;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the run did not finish");
}

db_test! {
    async fn from_signing_to_a_draft_referral_in_the_hospitals_inbox(app) {
        let c = clinic(&app).await;
        assert_eq!(sign(&app, &c, json!(["basic"]), today()).await.status, 201);
        // the quarter's follow-up is owed and its visit waits in the pool
        let owed = obligations(&app, &c.sched, &format!("resident_id={}", c.resident)).await;
        let quarter = of_rule(&owed, "chronic_quarterly_follow_up").into_iter().find(|o| o["status"] == "due").expect("a follow-up due now").clone();
        let first = quarter["visit_id"].as_str().expect("its visit requested").to_string();
        let pool = app.get("/api/v1/visits/pool", &c.sched).await;
        assert!(pool.body["items"].as_array().unwrap().iter().any(|v| v["id"] == json!(first)));
        // the day planner books it (its window spans days: tomorrow is one of them) ...
        let window_end: chrono::DateTime<chrono::FixedOffset> = app.get(&format!("/api/v1/visits/{first}"), &c.sched).await
            .body["window_end"].as_str().unwrap().parse().unwrap();
        let d = (today() + Duration::days(1)).min(window_end.date_naive());
        plan_and_apply(&app, &c, d).await;
        let booked = app.get(&format!("/api/v1/visits/{first}"), &c.sched).await;
        assert_eq!((booked.body["status"].as_str(), booked.body["clinician_id"].as_str()), (Some("scheduled"), Some(c.doc_id.as_str())), "{booked:?}");
        // ... and out of control at the door: a re-check within 14 days is owed, with its visit
        document(&app, &c, &first, json!({"systolic_mmhg": 152, "diastolic_mmhg": 96})).await;
        let met = app.get(&format!("/api/v1/obligations/{}", quarter["id"].as_str().unwrap()), &c.sched).await;
        assert_eq!((met.body["status"].as_str(), met.body["on_time"].as_bool()), (Some("met"), Some(true)), "{met:?}");
        let owed = obligations(&app, &c.sched, &format!("resident_id={}", c.resident)).await;
        let recheck = of_rule(&owed, "uncontrolled_recheck");
        assert_eq!(recheck.len(), 1, "{owed:?}");
        assert_eq!(recheck[0]["source_id"], json!(first));
        assert_eq!(recheck[0]["latest"], json!((today() + Duration::days(14)).to_string()));
        let second = recheck[0]["visit_id"].as_str().expect("the re-check's visit requested").to_string();
        assert!(app.get(&format!("/api/v1/referral-drafts?resident_id={}", c.resident), &c.sched).await.body["items"] == json!([]));
        // out of control again: a draft up-referral, not yet in any inbox
        make_follow_up(&app, &c, &second, "14:00", json!({"systolic_mmhg": 150, "diastolic_mmhg": 94})).await;
        let drafts = app.get(&format!("/api/v1/referral-drafts?resident_id={}&status=draft", c.resident), &c.sched).await;
        let items = drafts.body["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{drafts:?}");
        let draft = &items[0];
        assert_eq!(draft["follow_up_visit_ids"], json!([first, second]));
        assert_eq!(draft["form"]["direction"], "up");
        let owed = obligations(&app, &c.sched, &format!("resident_id={}", c.resident)).await;
        assert_eq!(of_rule(&owed, "uncontrolled_twice_referral").len(), 1, "and a follow-up within 14 days");
        let desk = app.token_for("desk.p", Role::Hospital, Some("WH-HO-01")).await;
        let inbox = app.get("/api/v1/referrals?box=inbox", &desk).await;
        assert_eq!(inbox.body["items"], json!([]), "a draft is in no inbox");
        let draft_id = draft["id"].as_str().unwrap();
        assert_eq!(app.post(&format!("/api/v1/referral-drafts/{draft_id}/send"), &desk, json!({})).await.status, 404);
        let sent = app.post(&format!("/api/v1/referral-drafts/{draft_id}/send"), &c.sched, json!({})).await;
        assert_eq!((sent.status, sent.body["status"].as_str()), (200, Some("sent")), "{sent:?}");
        let referral = sent.body["referral_id"].as_str().unwrap();
        let inbox = app.get("/api/v1/referrals?box=inbox", &desk).await;
        let ids: Vec<&str> = inbox.body["items"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert_eq!(ids, [referral], "{inbox:?}");
        let twice = app.post(&format!("/api/v1/referral-drafts/{draft_id}/send"), &c.sched, json!({})).await;
        assert_eq!((twice.status, twice.problem_code()), (409, "invalid_transition".to_string()));
        let discard = app.post(&format!("/api/v1/referral-drafts/{draft_id}/discard"), &c.sched, json!({})).await;
        assert_eq!(discard.status, 409);
    }
}

db_test! {
    async fn the_programme_report_counts_what_was_owed_met_and_overdue_and_the_unit_score_takes_it_in(app) {
        let c = clinic(&app).await;
        assert_eq!(sign(&app, &c, json!(["basic"]), today() - Duration::days(200)).await.status, 201);
        // one follow-up done today, in control
        let owed = obligations(&app, &c.sched, &format!("resident_id={}&status=due", c.resident)).await;
        let quarter = of_rule(&owed, "chronic_quarterly_follow_up")[0].clone();
        make_follow_up(&app, &c, quarter["visit_id"].as_str().unwrap(), "10:00", json!({"systolic_mmhg": 128, "diastolic_mmhg": 80})).await;
        let overdue = obligations(&app, &c.sched, "status=overdue").await.len() as u64;
        assert!(overdue > 0);
        let period = format!("from={}&to={}", today() - Duration::days(300), today() + Duration::days(60));
        let admin = app.admin().await;
        let r = app.get(&format!("/api/v1/reports/programmes?{period}"), &admin).await;
        assert_eq!(r.status, 200, "{r:?}");
        let clinics = r.body["clinics"].as_array().unwrap();
        assert_eq!(clinics.len(), 22, "every pilot clinic");
        let mine = clinics.iter().find(|x| x["code"] == "WH-CL-01").unwrap();
        let f = &mine["figures"];
        assert_eq!(f["contracts_active"], 1, "{f:?}");
        assert_eq!(f["overdue"].as_u64(), Some(overdue), "{f:?}");
        assert_eq!(f["met_on_time"], 1, "{f:?}");
        assert_eq!(f["hypertension"], json!({"judged": 1, "in_control": 1, "rate": 1.0}));
        assert_eq!(f["on_time_rate"].as_f64(), Some(((1.0 / (1.0 + overdue as f64)) * 1000.0_f64).round() / 1000.0));
        // clinic staff see their own clinic only; care homes and residents none of it
        let own = app.get(&format!("/api/v1/reports/programmes?{period}"), &c.sched).await;
        assert_eq!(own.body["clinics"].as_array().unwrap().len(), 1);
        let home = app.token_for("home.r", Role::CareHome, Some("WH-CH-01")).await;
        assert_eq!(app.get(&format!("/api/v1/reports/programmes?{period}"), &home).await.status, 403);
        let bad = app.get("/api/v1/reports/programmes?from=2026-12-01&to=2026-11-01", &admin).await;
        assert_eq!(bad.status, 422);
        // the unit report carries the same figures, and the score takes the on-time rate in
        let units = app.get(&format!("/api/v1/reports/units?{period}"), &admin).await;
        let unit = units.body["units"].as_array().unwrap().iter().find(|u| u["code"] == "WH-CL-01").unwrap().clone();
        assert_eq!(unit["figures"]["programme"]["overdue"].as_u64(), Some(overdue), "{unit:?}");
        assert!(unit["score"].as_f64().unwrap() < 100.0, "overdue obligations lower the score: {unit:?}");
    }
}

db_test! {
    async fn a_contract_past_its_end_expires_in_the_pass_and_can_be_renewed(app) {
        let c = clinic(&app).await;
        let r = app.post("/api/v1/contracts", &c.sched, json!({"resident_id": c.resident, "package_codes": ["basic", "hypertension"],
            "family_doctor_id": c.doc_id, "starts_on": today() - Duration::days(300), "ends_on": today() - Duration::days(1)})).await;
        assert_eq!(r.status, 201, "{r:?}");
        let admin = app.admin().await;
        let pass = app.post("/api/v1/programmes/run", &admin, json!({})).await;
        assert_eq!(pass.body["expired"], 1, "{pass:?}");
        let c1 = app.get(&format!("/api/v1/contracts/{}", r.id()), &c.sched).await;
        assert_eq!(c1.body["status"], "expired");
        assert_eq!(app.post("/api/v1/programmes/run", &admin, json!({})).await.body["expired"], 0, "once");
        assert_eq!(app.count("events WHERE kind = 'contract.expire'"), 1);
        let renewed = app.post(&format!("/api/v1/contracts/{}/renew", r.id()), &c.sched, json!({})).await;
        assert_eq!((renewed.status, renewed.body["status"].as_str()), (200, Some("active")), "{renewed:?}");
        let end: NaiveDate = renewed.body["ends_on"].as_str().unwrap().parse().unwrap();
        assert!(end > today() + Duration::days(300));
    }
}

db_test! {
    async fn editing_a_residents_conditions_changes_what_they_are_owed(app) {
        let c = clinic(&app).await;
        let r = app.post("/api/v1/residents", &c.sched, json!({"name": "赵", "sex": "male", "birth_date": "1970-06-01",
            "location": {"lat": 25.05, "lon": 102.7}, "community_id": app.org_id("WH-CM-01")})).await;
        let id = r.id();
        assert!(obligations(&app, &c.sched, &format!("resident_id={id}")).await.is_empty(), "56, no chronic condition: nothing owed");
        let p = app.patch(&format!("/api/v1/residents/{id}"), &c.sched, json!({"conditions": ["2型糖尿病"]})).await;
        assert_eq!(p.status, 200, "{p:?}");
        let owed = obligations(&app, &c.sched, &format!("resident_id={id}")).await;
        assert!(!owed.is_empty() && owed.iter().all(|o| o["rule"] == "chronic_quarterly_follow_up"), "{owed:?}");
        assert!(owed.iter().all(|o| o["visit_id"].is_null()), "no contract: owed, but no visit requested");
    }
}
