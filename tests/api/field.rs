//! The field: the clinician booked on a visit tells the clinic and the resident they are running
//! late, or asks for help with their position; nobody else may, and neither changes the visit.
use carelink::auth::Role;
use chrono::{Duration, NaiveDate};
use serde_json::json;

use crate::db_test;
use crate::helpers::TestApp;

fn tomorrow() -> NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
        + Duration::days(1)
}

fn at(hm: &str) -> String {
    format!("{}T{hm}:00+08:00", tomorrow())
}

struct Day {
    sched: String,
    nurse: String,
    colleague: String,
    visit: String,
    resident: String,
    home: serde_json::Value,
}

/// WH-CL-01: a nurse booked on a visit tomorrow at 09:00, and a colleague of the same clinic.
async fn day(app: &TestApp) -> Day {
    let sched = app
        .token_for("sched.fd", Role::Scheduler, Some("WH-CL-01"))
        .await;
    let nurse_id = app.create_user("nurse.fd", Role::Clinician, Some("WH-CL-01"), &["nursing"]);
    app.create_user(
        "colleague.fd",
        Role::Clinician,
        Some("WH-CL-01"),
        &["nursing"],
    );
    let r = app
        .post(
            "/api/v1/shifts",
            &sched,
            json!({"clinician_id": nurse_id, "starts_at": at("08:00"), "ends_at": at("18:00")}),
        )
        .await;
    assert_eq!(r.status, 201, "{r:?}");
    let resident = app.resident_of(&sched, "WH-CL-01", "赵淑珍").await;
    let r = app.post("/api/v1/visits", &sched, json!({"resident_id": resident, "service_type": "blood_pressure_check",
        "window_start": at("08:00"), "window_end": at("18:00"), "clinician_id": nurse_id, "starts_at": at("09:00")})).await;
    assert_eq!(r.status, 201, "{r:?}");
    let home = app
        .get(&format!("/api/v1/residents/{resident}"), &sched)
        .await
        .body["location"]
        .clone();
    Day {
        visit: r.id(),
        nurse: app.access_token("nurse.fd").await,
        colleague: app.access_token("colleague.fd").await,
        sched,
        resident,
        home,
    }
}

db_test! {
    async fn the_booked_clinician_says_running_late_and_the_clinic_and_the_resident_hear_it(app) {
        let d = day(&app).await;
        let path = format!("/api/v1/visits/{}/running-late", d.visit);
        for bad in [json!({"minutes": 3}), json!({"minutes": 241}), json!({"minutes": 20, "reason": "x".repeat(201)})] {
            assert_eq!(app.post(&path, &d.nurse, bad.clone()).await.status, 422, "{bad}");
        }
        assert_eq!(app.post(&path, &d.colleague, json!({"minutes": 20})).await.status, 403, "not the booked clinician");
        assert_eq!(app.post(&path, &d.sched, json!({"minutes": 20})).await.status, 403, "the scheduler reschedules instead");
        let other = app.token_for("nurse.other", Role::Clinician, Some("WH-CL-04")).await;
        assert_eq!(app.post(&path, &other, json!({"minutes": 20})).await.status, 404, "another community's clinic");
        assert_eq!(app.count("events WHERE kind = 'visit.running_late'"), 0, "refused ones tell nobody");

        let r = app.post(&path, &d.nurse, json!({"minutes": 20, "reason": " 上一户时间延长 "})).await;
        assert_eq!(r.status, 200, "{r:?}");
        let booked: chrono::DateTime<chrono::FixedOffset> = at("09:00").parse().unwrap();
        let expected: chrono::DateTime<chrono::FixedOffset> = r.body["expected_at"].as_str().unwrap().parse().unwrap();
        assert_eq!(expected - booked, Duration::minutes(20));
        assert_eq!(r.body["text"], "上一户时间延长");
        let audience = format!("events WHERE kind = 'visit.running_late' AND audience LIKE '%{}%' AND audience LIKE '%resident:{}%'", app.org_id("WH-CL-01"), d.resident);
        assert_eq!(app.count(&audience), 1);
        assert_eq!(app.count(&format!("audit_log WHERE action = 'running_late' AND entity_id = '{}'", d.visit)), 1);
        let v = app.get(&format!("/api/v1/visits/{}", d.visit), &d.sched).await;
        assert_eq!((v.body["status"].as_str(), v.body["version"].as_i64()), (Some("scheduled"), Some(1)), "the visit is unchanged");

        let r = app.post(&format!("/api/v1/visits/{}/check-in", d.visit), &d.nurse, d.home.clone()).await;
        assert_eq!(r.status, 200, "{r:?}");
        let late = app.post(&path, &d.nurse, json!({"minutes": 20})).await;
        assert_eq!((late.status, late.problem_code()), (409, "invalid_state".to_string()), "checked in: not late any more");
    }
}

db_test! {
    async fn help_reaches_the_clinic_and_the_authority_at_once_with_the_position(app) {
        let d = day(&app).await;
        let r = app.post(&format!("/api/v1/visits/{}/check-in", d.visit), &d.nurse, d.home.clone()).await;
        assert_eq!(r.status, 200, "{r:?}");
        let path = format!("/api/v1/visits/{}/help", d.visit);
        assert_eq!(app.post(&path, &d.nurse, json!({"lat": 95.0, "lon": 102.7})).await.status, 422);
        assert_eq!(app.post(&path, &d.colleague, json!({"lat": 25.05, "lon": 102.7})).await.status, 403);
        let r = app.post(&path, &d.nurse, json!({"lat": 25.0583, "lon": 102.7121, "note": "家属情绪激动"})).await;
        assert_eq!(r.status, 200, "{r:?}");
        assert_eq!((r.body["kind"].as_str(), r.body["lat"].as_f64()), (Some("help"), Some(25.0583)));
        let sent = format!("events WHERE kind = 'clinician.help' AND audience LIKE '%authority%' AND audience LIKE '%{}%' AND payload LIKE '%25.0583%' AND payload LIKE '%\"urgent\":true%'", app.org_id("WH-CL-01"));
        assert_eq!(app.count(&sent), 1);
        assert_eq!(app.count(&format!("audit_log WHERE action = 'help' AND entity_id = '{}'", d.visit)), 1);
        let mut out = d.home.clone();
        out["tasks"] = json!([{"task": "测量血压", "done": true}]);
        assert_eq!(app.post(&format!("/api/v1/visits/{}/check-out", d.visit), &d.nurse, out).await.status, 200);
        let after = app.post(&path, &d.nurse, json!({"lat": 25.05, "lon": 102.7})).await;
        assert_eq!((after.status, after.problem_code()), (409, "invalid_state".to_string()));
    }
}
