//! The request and answer shapes a newcomer meets first (API.md, Conventions): one time format in
//! every answer, a plain date wherever a time is taken, the window optional for an exact slot,
//! every bad field in one 422, a 404 that names its kind, and no body needed for an action
//! without fields.
use carelink::auth::Role;
use chrono::{Duration, NaiveDate};
use serde_json::{json, Value};

use crate::db_test;
use crate::helpers::TestApp;

fn day(offset: i64) -> NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
        + Duration::days(offset)
}

struct Setup {
    sched: String,
    doc: String,
    resident: String,
    d: NaiveDate,
}

async fn setup(app: &TestApp) -> Setup {
    let sched = app
        .token_for("sched.a", Role::Scheduler, Some("WH-CL-01"))
        .await;
    let doc = app.create_user(
        "doc.a",
        Role::Clinician,
        Some("WH-CL-01"),
        &["general_practice", "nursing"],
    );
    let d = day(3);
    let r = app
        .post(
            "/api/v1/shifts",
            &sched,
            json!({"clinician_id": doc,
            "starts_at": format!("{d}T08:00:00+08:00"), "ends_at": format!("{d}T17:00:00+08:00")}),
        )
        .await;
    assert_eq!(r.status, 201, "{r:?}");
    let resident = app.resident_of(&sched, "WH-CL-01", "周桂芳").await;
    Setup {
        sched,
        doc,
        resident,
        d,
    }
}

/// Every string in `v` that reads as a time, with its path.
fn times(v: &Value, path: &str, out: &mut Vec<(String, String)>) {
    match v {
        Value::String(s) if chrono::DateTime::parse_from_rfc3339(s).is_ok() => {
            out.push((path.to_string(), s.clone()))
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                times(item, &format!("{path}[{i}]"), out);
            }
        }
        Value::Object(fields) => {
            for (k, item) in fields {
                times(item, &format!("{path}.{k}"), out);
            }
        }
        _ => {}
    }
}

/// Asserts every time in `v` has the district's offset and whole seconds; returns how many.
fn all_district_time(v: &Value) -> usize {
    let mut found = vec![];
    times(v, "", &mut found);
    for (path, t) in &found {
        let ok = t.len() == 25 && t.ends_with("+08:00") && t.as_bytes()[19] == b'+';
        assert!(ok, "{path}: {t} is not YYYY-MM-DDTHH:MM:SS+08:00");
    }
    found.len()
}

db_test! {
    async fn availability_visits_and_routes_answer_in_the_districts_offset_to_whole_seconds(app) {
        let s = setup(&app).await;
        let slots = app.get(&format!("/api/v1/availability?resident_id={}&service_type=basic_nursing&from={}&to={}",
            s.resident, s.d, s.d), &s.sched).await;
        assert_eq!(slots.status, 200, "{slots:?}");
        assert!(all_district_time(&slots.body) > 0, "{slots:?}");
        let slot = &slots.body["items"][0];
        let booked = app.post("/api/v1/visits", &s.sched, json!({"resident_id": s.resident, "service_type": "basic_nursing",
            "clinician_id": slot["clinician_id"], "starts_at": slot["starts_at"]})).await;
        assert_eq!(booked.status, 201, "{booked:?}");
        assert!(all_district_time(&booked.body) >= 6);
        let listed = app.get(&format!("/api/v1/visits?date={}", s.d), &s.sched).await;
        assert!(all_district_time(&listed.body) >= 6);
        let route = app.get(&format!("/api/v1/clinicians/{}/route?date={}", s.doc, s.d), &s.sched).await;
        assert_eq!(route.status, 200, "{route:?}");
        assert!(all_district_time(&route.body) >= 3);
        let shifts = app.get("/api/v1/shifts", &s.sched).await;
        assert!(all_district_time(&shifts.body) >= 2);
    }
}

db_test! {
    async fn a_visit_window_may_be_given_as_plain_dates_meaning_whole_days(app) {
        let s = setup(&app).await;
        let r = app.post("/api/v1/visits", &s.sched, json!({"resident_id": s.resident, "service_type": "basic_nursing",
            "window_start": s.d.to_string(), "window_end": s.d.to_string(), "auto_assign": false})).await;
        assert_eq!(r.status, 201, "{r:?}");
        assert_eq!(r.body["window_start"], format!("{}T00:00:00+08:00", s.d));
        assert_eq!(r.body["window_end"], format!("{}T00:00:00+08:00", s.d + Duration::days(1)));
        let bad = app.post("/api/v1/visits", &s.sched, json!({"resident_id": s.resident, "service_type": "basic_nursing",
            "window_start": "01/12/2026", "window_end": s.d.to_string()})).await;
        assert_eq!(bad.status, 422);
        assert_eq!(bad.body["errors"][0]["field"], "window_start", "{bad:?}");
    }
}

db_test! {
    async fn booking_an_exact_slot_needs_no_window_and_the_window_is_the_slot(app) {
        let s = setup(&app).await;
        let starts = format!("{}T09:00:00+08:00", s.d);
        let r = app.post("/api/v1/visits", &s.sched, json!({"resident_id": s.resident, "service_type": "basic_nursing",
            "clinician_id": s.doc, "starts_at": starts})).await;
        assert_eq!(r.status, 201, "{r:?}");
        assert_eq!(r.body["starts_at"], starts);
        assert_eq!(r.body["window_start"], starts);
        assert_eq!(r.body["window_end"], r.body["ends_at"]);
        // Without a slot, the window is still required: both halves are named.
        let before = app.count("visits");
        let none = app.post("/api/v1/visits", &s.sched, json!({"resident_id": s.resident, "service_type": "basic_nursing"})).await;
        assert_eq!(none.status, 422, "{none:?}");
        let fields: Vec<&str> = none.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["window_start", "window_end"]);
        assert_eq!(app.count("visits"), before);
    }
}

db_test! {
    async fn a_validation_error_names_every_bad_field_at_once(app) {
        let s = setup(&app).await;
        let r = app.post("/api/v1/residents", &s.sched, json!({"sex": 3, "birth_date": "yesterday",
            "location": "here", "community_id": app.org_id("WH-CM-01")})).await;
        assert_eq!(r.status, 422, "{r:?}");
        let mut fields: Vec<&str> = r.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        fields.sort();
        assert_eq!(fields, ["birth_date", "location", "name", "sex"], "{r:?}");
        let visit = app.post("/api/v1/visits", &s.sched, json!({"resident_id": 5, "service_type": true,
            "window_start": "nope", "window_end": s.d.to_string()})).await;
        assert_eq!(visit.status, 422);
        let mut fields: Vec<&str> = visit.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        fields.sort();
        assert_eq!(fields, ["resident_id", "service_type", "window_start"], "{visit:?}");
        // A nested field is named by its path, not as `body`.
        let nested = app.post("/api/v1/residents", &s.sched, json!({"name": "甲", "sex": "female", "birth_date": "1941-03-12",
            "location": {"lat": "north", "lon": 102.7}, "community_id": app.org_id("WH-CM-01")})).await;
        assert_eq!(nested.status, 422);
        assert_eq!(nested.body["errors"][0]["field"], "location.lat", "{nested:?}");
        assert_eq!(app.count("residents"), 1);
    }
}

db_test! {
    async fn a_404_names_the_kind_of_object_that_was_not_found(app) {
        let s = setup(&app).await;
        let nobody = uuid::Uuid::now_v7();
        for (path, kind) in [("visits", "visit"), ("residents", "resident"), ("referrals", "referral"),
            ("visit-plans", "visit plan"), ("planning/runs", "planning run"), ("shifts", "shift")] {
            for id in [nobody.to_string(), "not-an-id".to_string()] {
                let r = app.get(&format!("/api/v1/{path}/{id}"), &s.sched).await;
                assert_eq!(r.status, 404, "{path}: {r:?}");
                assert_eq!(r.problem_code(), "not_found");
                assert_eq!(r.body["object"], kind, "{path}");
                assert_eq!(r.body["detail"], format!("No such {kind}."));
            }
        }
        let clinician = app.get(&format!("/api/v1/clinicians/{nobody}/route?date={}", s.d), &s.sched).await;
        assert_eq!(clinician.body["object"], "clinician");
    }
}

db_test! {
    async fn an_action_without_fields_needs_no_body(app) {
        let clinic = app.token_for("sched.a", Role::Scheduler, Some("WH-CL-01")).await;
        let hospital = app.token_for("desk.a", Role::Hospital, Some("WH-HO-01")).await;
        let resident = app.resident_of(&clinic, "WH-CL-01", "周桂芳").await;
        let sent = app.post("/api/v1/referrals", &clinic, json!({"resident_id": resident, "direction": "up",
            "to_organization_id": app.org_id("WH-HO-01"), "priority": "routine", "reason": "复查",
            "diagnosis": {"text": "高血压"}, "clinical_summary": {"past_history": "高血压10年", "treatment_so_far": "氨氯地平"}})).await;
        assert_eq!(sent.status, 201, "{sent:?}");
        // No body and no content type at all.
        let r = app.send(app.client.post(app.url(&format!("/api/v1/referrals/{}/accept", sent.id())))
            .bearer_auth(&hospital)).await;
        assert_eq!(r.status, 200, "{r:?}");
        assert_eq!(r.body["status"], "accepted");
        // A wrong transition says so in plain words.
        let again = app.send(app.client.post(app.url(&format!("/api/v1/referrals/{}/accept", sent.id())))
            .bearer_auth(&hospital)).await;
        assert_eq!(again.status, 409);
        assert_eq!(again.body["detail"], "A referral in the state accepted cannot take the action accept.");
        // A body that is not JSON is still refused as such.
        let text = app.send(app.client.post(app.url(&format!("/api/v1/referrals/{}/schedule", sent.id())))
            .bearer_auth(&hospital).header("content-type", "text/plain").body("tomorrow")).await;
        assert_eq!(text.status, 415);
    }
}

db_test! {
    async fn a_patch_that_changes_nothing_keeps_the_version_and_writes_no_audit(app) {
        let s = setup(&app).await;
        let before = app.get(&format!("/api/v1/residents/{}", s.resident), &s.sched).await;
        let audits = app.count("audit_log");
        for body in [None, Some(json!({}))] {
            let mut req = app.client.patch(app.url(&format!("/api/v1/residents/{}", s.resident))).bearer_auth(&s.sched);
            if let Some(b) = body {
                req = req.json(&b);
            }
            let r = app.send(req).await;
            assert_eq!(r.status, 200, "{r:?}");
            assert_eq!(r.body["version"], before.body["version"]);
        }
        assert_eq!(app.count("audit_log"), audits);
        let changed = app.patch(&format!("/api/v1/residents/{}", s.resident), &s.sched, json!({"phone": "13800000000"})).await;
        assert_eq!(changed.body["version"], before.body["version"].as_i64().unwrap() + 1);
    }
}

db_test! {
    async fn whole_numbers_may_carry_a_decimal_point_and_a_bad_time_of_day_says_what_it_should_look_like(app) {
        let s = setup(&app).await;
        let plan = |from: &str, count: Value| json!({"resident_id": s.resident, "service_type": "basic_nursing",
            "weekdays": [1.0, 3], "window": {"from": from, "to": "11:00"}, "starts_on": (s.d + Duration::days(7)).to_string(),
            "count": count});
        let bad = app.post("/api/v1/visit-plans", &s.sched, plan("9h", json!(2))).await;
        assert_eq!(bad.status, 422, "{bad:?}");
        assert_eq!(bad.body["errors"][0]["field"], "window.from");
        assert_eq!(bad.body["errors"][0]["message"], "must be a time of day, HH:MM (09:00)");
        let ok = app.post("/api/v1/visit-plans", &s.sched, plan("09:00", json!(2.0))).await;
        assert_eq!(ok.status, 201, "{ok:?}");
    }
}
