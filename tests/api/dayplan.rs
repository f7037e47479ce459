//! Day planning: a run for a clinic's day, its proposal, applying it through the booking code,
//! a visit booked by hand meanwhile, who may see runs, and bad requests.
use carelink::auth::Role;
use chrono::Duration;
use diesel::connection::SimpleConnection;
use serde_json::{json, Value};

use crate::db_test;
use crate::helpers::{Resp, TestApp};

struct Day {
    sched: String,
    nurses: Vec<String>,
    requested: Vec<String>,
    kept: String,
    no_skill: String,
    date: chrono::NaiveDate,
}

async fn day(app: &TestApp) -> Day {
    let sched = app
        .token_for("sched.a", Role::Scheduler, Some("WH-CL-01"))
        .await;
    let date = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
        + Duration::days(3);
    let mut nurses = vec![];
    for i in 0..2 {
        let id = app.create_user(
            &format!("nurse.{i}"),
            Role::Clinician,
            Some("WH-CL-01"),
            &["nursing"],
        );
        let r = app.post("/api/v1/shifts", &sched, json!({"clinician_id": id,
            "starts_at": format!("{date}T08:00:00+08:00"), "ends_at": format!("{date}T12:00:00+08:00")})).await;
        assert_eq!(r.status, 201);
        nurses.push(id);
    }
    let ask = |resident: String, service: &'static str| {
        app.post("/api/v1/visits", &sched, json!({"resident_id": resident, "service_type": service,
            "window_start": format!("{date}T08:00:00+08:00"), "window_end": format!("{date}T12:00:00+08:00"), "auto_assign": false}))
    };
    let mut requested = vec![];
    for i in 0..4 {
        let r = app
            .resident_of(&sched, "WH-CL-01", &format!("居民{i}"))
            .await;
        requested.push(ask(r, "blood_pressure_check").await.id());
    }
    let r = app.resident_of(&sched, "WH-CL-01", "伤口老人").await;
    let no_skill = ask(r, "wound_dressing").await.id();
    let r = app.resident_of(&sched, "WH-CL-01", "已约老人").await;
    let kept = app.post("/api/v1/visits", &sched, json!({"resident_id": r, "service_type": "blood_pressure_check",
        "window_start": format!("{date}T08:00:00+08:00"), "window_end": format!("{date}T12:00:00+08:00"),
        "clinician_id": nurses[0], "starts_at": format!("{date}T10:00:00+08:00")})).await;
    assert_eq!(kept.status, 201, "{kept:?}");
    Day {
        sched,
        nurses,
        requested,
        kept: kept.id(),
        no_skill,
        date,
    }
}

/// Starts a run with a minute's limit and waits for the background search to finish: a small day
/// stops as soon as the search stops improving.
async fn run(app: &TestApp, d: &Day) -> Resp {
    let started = app
        .post(
            "/api/v1/planning/runs",
            &d.sched,
            json!({"clinic_id": app.org_id("WH-CL-01"),
        "date": d.date, "time_limit_seconds": 60}),
        )
        .await;
    assert_eq!(started.status, 202, "{started:?}");
    assert_eq!(started.body["status"], "running");
    finished(app, d, &started.id()).await
}

/// Waits for a run's background search to finish and answers the run.
async fn finished(app: &TestApp, d: &Day, id: &str) -> Resp {
    let path = format!("/api/v1/planning/runs/{id}");
    for _ in 0..300 {
        let r = app.get(&path, &d.sched).await;
        if r.body["status"] != "running" {
            return r;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the run did not finish");
}

fn stops(r: &Resp) -> Vec<Value> {
    r.body["proposal"]["routes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["stops"].as_array().unwrap().clone())
        .collect()
}

db_test! {
    async fn a_run_proposes_the_clinics_day_and_apply_books_it(app) {
        let d = day(&app).await;
        let done = run(&app, &d).await;
        assert_eq!(done.body["status"], "completed", "{done:?}");
        let at = |field: &str| done.body[field].as_str().unwrap().parse::<chrono::DateTime<chrono::Utc>>().unwrap();
        assert!(at("updated_at") - at("created_at") < Duration::seconds(30), "a small day stops early: {done:?}");
        let proposal = &done.body["proposal"];
        let placed: Vec<String> = stops(&done).iter().map(|s| s["visit_id"].as_str().unwrap().to_string()).collect();
        for id in d.requested.iter().chain([&d.kept]) {
            assert!(placed.contains(id), "{id} placed: {proposal}");
        }
        assert_eq!(proposal["unplaced"], json!([{"visit_id": d.no_skill, "reason": "no_skill"}]));
        let kept = stops(&done).into_iter().find(|s| s["visit_id"] == d.kept.as_str()).unwrap();
        assert_eq!(kept["pinned"], true);
        assert_eq!(kept["starts_at"].as_str().unwrap().parse::<chrono::DateTime<chrono::Utc>>().unwrap(),
            format!("{}T10:00:00+08:00", d.date).parse::<chrono::DateTime<chrono::Utc>>().unwrap(), "a scheduled visit stays");
        assert!(proposal["total_travel_minutes"].as_i64().unwrap() > 0);
        assert_eq!(proposal["placed"], 5);

        let applied = app.post(&format!("/api/v1/planning/runs/{}/apply", done.id()), &d.sched, json!({})).await;
        assert_eq!(applied.status, 200, "{applied:?}");
        assert_eq!(applied.body["status"], "applied");
        assert_eq!(applied.body["outcome"]["applied"].as_array().unwrap().len(), 4, "{applied:?}");
        for id in &d.requested {
            let v = app.get(&format!("/api/v1/visits/{id}"), &d.sched).await;
            assert_eq!(v.body["status"], "scheduled");
            assert!(d.nurses.contains(&v.body["clinician_id"].as_str().unwrap().to_string()));
        }
        let again = app.post(&format!("/api/v1/planning/runs/{}/apply", done.id()), &d.sched, json!({})).await;
        assert_eq!((again.status, again.problem_code()), (409, "invalid_transition".to_string()));
    }
}

db_test! {
    async fn a_visit_booked_by_hand_after_the_run_is_reported_not_overwritten(app) {
        let d = day(&app).await;
        let done = run(&app, &d).await;
        assert!(stops(&done).iter().any(|s| s["visit_id"] == d.requested[0].as_str()), "proposed by the run");
        let by_hand = app.post(&format!("/api/v1/visits/{}/schedule", d.requested[0]), &d.sched,
            json!({"clinician_id": d.nurses[1], "starts_at": format!("{}T11:30:00+08:00", d.date)})).await;
        assert_eq!(by_hand.status, 200, "{by_hand:?}");
        let applied = app.post(&format!("/api/v1/planning/runs/{}/apply", done.id()), &d.sched, json!({})).await;
        assert_eq!(applied.status, 200, "{applied:?}");
        assert_eq!(applied.body["outcome"]["changed"], json!([d.requested[0]]));
        let v = app.get(&format!("/api/v1/visits/{}", d.requested[0]), &d.sched).await;
        assert_eq!(v.body["starts_at"].as_str().unwrap().parse::<chrono::DateTime<chrono::Utc>>().unwrap(),
            format!("{}T11:30:00+08:00", d.date).parse::<chrono::DateTime<chrono::Utc>>().unwrap(), "kept as booked by hand");
        // Nothing double-booked: no clinician has two visits at once.
        let all = app.get(&format!("/api/v1/visits?date={}&status=scheduled", d.date), &d.sched).await;
        let items = all.body["items"].as_array().unwrap();
        for (i, a) in items.iter().enumerate() {
            for b in items.iter().skip(i + 1).filter(|b| b["clinician_id"] == a["clinician_id"]) {
                let (a0, a1, b0, b1) = (&a["starts_at"], &a["ends_at"], &b["starts_at"], &b["ends_at"]);
                let t = |v: &Value| v.as_str().unwrap().parse::<chrono::DateTime<chrono::Utc>>().unwrap();
                assert!(t(a1) <= t(b0) || t(b1) <= t(a0), "overlap: {a} {b}");
            }
        }
    }
}

db_test! {
    async fn runs_belong_to_their_clinic_and_bad_requests_are_problems(app) {
        let d = day(&app).await;
        let done = run(&app, &d).await;
        let foreign = app.token_for("sched.b", Role::Scheduler, Some("WH-CL-04")).await;
        assert_eq!(app.get(&format!("/api/v1/planning/runs/{}", done.id()), &foreign).await.status, 404);
        assert_eq!(app.post(&format!("/api/v1/planning/runs/{}/apply", done.id()), &foreign, json!({})).await.status, 404);
        let theirs = app.post("/api/v1/planning/runs", &foreign, json!({"clinic_id": app.org_id("WH-CL-01"), "date": d.date})).await;
        assert_eq!(theirs.status, 404);
        let admin = app.admin().await;
        assert_eq!(app.get(&format!("/api/v1/planning/runs/{}", done.id()), &admin).await.status, 200);
        let clinic = app.org_id("WH-CL-01");
        for (body, field) in [
            (json!({"clinic_id": clinic, "date": d.date + Duration::days(1)}), "date"),
            (json!({"clinic_id": clinic, "date": d.date, "time_limit_seconds": 0}), "time_limit_seconds"),
            (json!({"clinic_id": clinic, "date": d.date, "time_limit_seconds": 3600}), "time_limit_seconds"),
        ] {
            let r = app.post("/api/v1/planning/runs", &d.sched, body).await;
            assert_eq!((r.status, r.body["errors"][0]["field"].as_str()), (422, Some(field)), "{r:?}");
        }
        let r = app.post("/api/v1/planning/runs", &d.sched, json!({"clinic_id": clinic, "date": "tomorrow"})).await;
        assert_eq!(r.status, 422);
        assert_eq!(app.count("planning_runs"), 1);
    }
}

db_test! {
    async fn a_run_whose_instance_stopped_mid_search_reads_as_failed_not_running_for_ever(app) {
        let d = day(&app).await;
        let done = run(&app, &d).await;
        // What a run looks like when the process solving it was killed: still `running`, long ago.
        app.conn().batch_execute(&format!(
            "UPDATE planning_runs SET status = 'running', proposal = NULL, created_at = '2026-01-05 08:00:00' WHERE id = '{}'",
            done.id()
        )).unwrap();
        let r = app.get(&format!("/api/v1/planning/runs/{}", done.id()), &d.sched).await;
        assert_eq!(r.body["status"], "failed", "{r:?}");
        assert!(r.body["error"].as_str().unwrap().starts_with("interrupted"), "{r:?}");
        let apply = app.post(&format!("/api/v1/planning/runs/{}/apply", done.id()), &d.sched, json!({})).await;
        assert_eq!(apply.status, 409, "{apply:?}");
        // A run still in its time limit stays running.
        let now = chrono::Utc::now().naive_utc().format("%Y-%m-%d %H:%M:%S");
        app.conn().batch_execute(&format!(
            "UPDATE planning_runs SET status = 'running', error = NULL, created_at = '{now}' WHERE id = '{}'",
            done.id()
        )).unwrap();
        let r = app.get(&format!("/api/v1/planning/runs/{}", done.id()), &d.sched).await;
        assert_eq!(r.body["status"], "running", "{r:?}");
    }
}

db_test! {
    async fn of_concurrent_runs_for_one_clinic_exactly_one_starts_and_the_rest_name_it(app) {
        // Every search takes its whole limit here, so the first run is surely still going.
        let app = crate::helpers::spawn_app_with(app.backend, |s| s.planning.stall_offspring = 0).await;
        let d = day(&app).await;
        let body = json!({"clinic_id": app.org_id("WH-CL-01"), "date": d.date, "time_limit_seconds": 3});
        let answers = futures_util::future::join_all(
            (0..6).map(|_| app.post("/api/v1/planning/runs", &d.sched, body.clone())),
        ).await;
        let started: Vec<&Resp> = answers.iter().filter(|r| r.status == 202).collect();
        assert_eq!(started.len(), 1, "{answers:?}");
        let winner = started[0].id();
        for r in answers.iter().filter(|r| r.status != 202) {
            assert_eq!((r.status, r.problem_code()), (409, "run_in_progress".to_string()), "{r:?}");
            assert_eq!(r.body["run_id"], winner.as_str());
        }
        assert_eq!(app.count("planning_runs"), 1);
        // The database itself holds one running run per clinic, whatever the code above it does.
        let second = app.conn().batch_execute(&format!(
            "INSERT INTO planning_runs (id, clinic_id, day, status, time_limit_seconds, seed, requested_by, visit_versions, version, created_at, updated_at)
             SELECT 'a-second-run', clinic_id, day, 'running', 1, 1, requested_by, '{{}}', 1, created_at, updated_at FROM planning_runs WHERE id = '{winner}'"));
        assert!(second.is_err(), "a second running run of the clinic was stored");
        // Once it has finished, the clinic can plan again.
        assert_eq!(finished(&app, &d, &winner).await.body["status"], "completed");
        let again = app.post("/api/v1/planning/runs", &d.sched,
            json!({"clinic_id": app.org_id("WH-CL-01"), "date": d.date, "time_limit_seconds": 1})).await;
        assert_eq!(again.status, 202, "{again:?}");
    }
}
