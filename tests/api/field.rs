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

/// Moves a booked visit so that it started `started` minutes ago and ends `ends` minutes from now
/// (negative: ended that long ago), its window with it: a visit of today whatever the hour.
fn move_visit(app: &TestApp, id: &str, started: i64, ends: i64) {
    use carelink::db::schema::visits;
    use diesel::prelude::*;
    let now = carelink::db::now();
    let (start, end) = (
        now - Duration::minutes(started),
        now + Duration::minutes(ends),
    );
    let mut conn = app.conn();
    let n = diesel::update(visits::table.find(id))
        .set((
            visits::starts_at.eq(start),
            visits::ends_at.eq(end),
            visits::window_start.eq(start - Duration::minutes(30)),
            visits::window_end.eq(end + Duration::minutes(30)),
        ))
        .execute(&mut **conn)
        .unwrap();
    assert_eq!(n, 1);
}

fn device_time(minutes_from_now: i64) -> String {
    (chrono::Utc::now() + Duration::minutes(minutes_from_now))
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

fn seconds_between(a: &serde_json::Value, b: &str) -> i64 {
    let a: chrono::DateTime<chrono::FixedOffset> = a.as_str().expect("a time").parse().unwrap();
    let b: chrono::DateTime<chrono::FixedOffset> = b.parse().unwrap();
    (a - b).num_seconds()
}

db_test! {
    async fn an_offline_check_in_and_check_out_keep_the_device_time_beside_the_server_time(app) {
        let d = day(&app).await;
        let check_in = format!("/api/v1/visits/{}/check-in", d.visit);
        let check_out = format!("/api/v1/visits/{}/check-out", d.visit);
        let with_time = |body: &serde_json::Value, minutes: i64| {
            let mut b = body.clone();
            b["recorded_at"] = json!(device_time(minutes));
            b
        };
        // The visit is tomorrow: a device time of today is before its day.
        let r = app.post(&check_in, &d.nurse, with_time(&d.home, 0)).await;
        assert_eq!((r.status, r.problem_code()), (422, "validation_failed".to_string()), "{r:?}");
        assert_eq!(r.body["errors"][0]["field"], "recorded_at");

        move_visit(&app, &d.visit, 60, -10);
        let r = app.post(&check_in, &d.nurse, with_time(&d.home, 60)).await;
        assert_eq!(r.status, 422, "an hour ahead of the server's clock is in the future: {r:?}");
        let mut bad = d.home.clone();
        bad["recorded_at"] = json!("yesterday");
        assert_eq!(app.post(&check_in, &d.nurse, bad).await.status, 422, "not a time");
        assert_eq!(app.get(&format!("/api/v1/visits/{}", d.visit), &d.sched).await.body["status"], "scheduled", "refused ones change nothing");

        let device_in = device_time(-50);
        let mut body = d.home.clone();
        body["recorded_at"] = json!(device_in);
        let r = app.post(&check_in, &d.nurse, body).await;
        assert_eq!(r.status, 200, "{r:?}");
        assert_eq!(seconds_between(&r.body["check_in_recorded_at"], &device_in), 0, "the device's time is kept");
        assert!(seconds_between(&r.body["check_in_at"], &device_in) >= 50 * 60 - 5, "the server's own time beside it: {r:?}");

        let mut out = with_time(&d.home, -55);
        out["tasks"] = json!([{"task": "测量血压", "done": true}]);
        let r = app.post(&check_out, &d.nurse, out.clone()).await;
        assert_eq!((r.status, r.body["errors"][0]["message"].as_str()), (422, Some("must not be before the check-in's recorded_at")), "{r:?}");

        let device_out = device_time(-20);
        out["recorded_at"] = json!(device_out);
        let send = || app.send(app.client.post(app.url(&check_out)).bearer_auth(&d.nurse)
            .header("Idempotency-Key", "field-out-1").json(&out));
        let first = send().await;
        assert_eq!(first.status, 200, "{first:?}");
        assert_eq!(seconds_between(&first.body["check_out_recorded_at"], &device_out), 0);
        let again = send().await;
        assert_eq!((again.status, &again.body["version"]), (200, &first.body["version"]), "a queued retry replays the answer");
        assert_eq!(app.count(&format!("audit_log WHERE action = 'check_out' AND entity_id = '{}'", d.visit)), 1, "checked out once");
    }
}

db_test! {
    async fn a_visit_still_under_way_well_past_its_end_raises_the_alarm_once(app) {
        let d = day(&app).await;
        move_visit(&app, &d.visit, 60, 10);
        let r = app.post(&format!("/api/v1/visits/{}/check-in", d.visit), &d.nurse, d.home.clone()).await;
        assert_eq!(r.status, 200, "{r:?}");
        let version = r.body["version"].as_i64();
        let scan = || {
            let mut conn = app.conn();
            carelink::db::write_tx(&mut conn, |c| carelink::field::flow::overrun_alarms(c, 30)).unwrap()
        };
        assert_eq!(scan(), 0, "not yet past its end");
        move_visit(&app, &d.visit, 90, -20);
        assert_eq!(scan(), 0, "20 minutes past its end is within the grace");
        move_visit(&app, &d.visit, 120, -45);
        assert_eq!(scan(), 1, "45 minutes past its end");
        assert_eq!(scan(), 0, "once");
        let sent = format!("events WHERE kind = 'visit.overrunning' AND entity_id = '{}' AND audience LIKE '%{}%' AND payload LIKE '%\"urgent\":true%'", d.visit, app.org_id("WH-CL-01"));
        assert_eq!(app.count(&sent), 1);
        assert_eq!(app.count(&format!("audit_log WHERE action = 'overrun' AND entity_id = '{}'", d.visit)), 1);
        let v = app.get(&format!("/api/v1/visits/{}", d.visit), &d.sched).await;
        assert_eq!(app.count(&format!("visit_alarms WHERE visit_id = '{}' AND kind = 'overrun'", d.visit)), 1);
        assert_eq!(v.body["version"].as_i64(), version, "the alarm is not a change of the visit");
        let mut out = d.home.clone();
        out["tasks"] = json!([{"task": "测量血压", "done": true}]);
        let r = app.send(app.client.post(app.url(&format!("/api/v1/visits/{}/check-out", d.visit))).bearer_auth(&d.nurse)
            .header("If-Match", format!("\"{}\"", version.unwrap())).json(&out)).await;
        assert_eq!(r.status, 200, "the clinician's check-out with the version read before the alarm: {r:?}");

        // A visit done in time never raises it.
        move_visit(&app, &d.visit, 300, -200);
        assert_eq!(scan(), 0, "completed visits are not under way");
    }
}
