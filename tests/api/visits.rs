//! Home visits: availability, conflict-free booking (also across instances), the lifecycle with
//! location checks, recurring plans, routes, the pool, and who may do what.
use carelink::auth::Role;
use chrono::{Datelike, Duration, NaiveDate};
use serde_json::{json, Value};

use crate::db_test;
use crate::helpers::{Resp, TestApp};

/// A working day a few days ahead, in the district's time zone.
fn day(offset: i64) -> NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
        + Duration::days(offset)
}

fn at(d: NaiveDate, hm: &str) -> String {
    format!("{d}T{hm}:00+08:00")
}

struct Clinic {
    sched: String,
    doc_id: String,
    nurse_id: String,
    resident: String,
    d: NaiveDate,
}

/// WH-CL-01 with a scheduler, a GP who also nurses, and a wound-care nurse, both on shift 08:00-17:00
/// on day `d`, and a resident near the clinic.
async fn clinic(app: &TestApp) -> Clinic {
    let sched = app
        .token_for("sched.a", Role::Scheduler, Some("WH-CL-01"))
        .await;
    let doc_id = app.create_user(
        "doc.a",
        Role::Clinician,
        Some("WH-CL-01"),
        &["general_practice", "nursing"],
    );
    let nurse_id = app.create_user(
        "nurse.a",
        Role::Clinician,
        Some("WH-CL-01"),
        &["nursing", "wound_care"],
    );
    let d = day(3);
    for c in [&doc_id, &nurse_id] {
        shift(app, &sched, c, d).await;
    }
    let resident = resident_at(app, &sched, "周桂芳", 25.058, 102.712, None).await;
    Clinic {
        sched,
        doc_id,
        nurse_id,
        resident,
        d,
    }
}

async fn shift(app: &TestApp, sched: &str, clinician: &str, d: NaiveDate) {
    let r = app.post("/api/v1/shifts", sched, json!({"clinician_id": clinician, "starts_at": at(d, "08:00"), "ends_at": at(d, "17:00")})).await;
    assert_eq!(r.status, 201, "{r:?}");
}

async fn resident_at(
    app: &TestApp,
    sched: &str,
    name: &str,
    lat: f64,
    lon: f64,
    doctor: Option<&str>,
) -> String {
    let r = app.post("/api/v1/residents", sched, json!({"name": name, "sex": "female", "birth_date": "1940-01-01",
        "location": {"lat": lat, "lon": lon}, "community_id": app.org_id("WH-CM-01"), "family_doctor_id": doctor,
        "priority_flags": []})).await;
    assert_eq!(r.status, 201, "{r:?}");
    r.id()
}

async fn book(
    app: &TestApp,
    token: &str,
    resident: &str,
    service: &str,
    clinician: &str,
    starts: &str,
    d: NaiveDate,
) -> Resp {
    app.post("/api/v1/visits", token, json!({"resident_id": resident, "service_type": service,
        "window_start": at(d, "08:00"), "window_end": at(d, "17:00"), "clinician_id": clinician, "starts_at": starts})).await
}

fn slots(r: &Resp) -> Vec<Value> {
    assert_eq!(r.status, 200, "{r:?}");
    r.body["items"].as_array().unwrap().clone()
}

fn utc(s: &Value) -> chrono::DateTime<chrono::Utc> {
    s.as_str().unwrap().parse().unwrap()
}

db_test! {
    async fn availability_offers_only_able_clinicians_within_shifts_leaving_travel_time(app) {
        let c = clinic(&app).await;
        let path = format!("/api/v1/availability?resident_id={}&service_type=wound_dressing&from={}&to={}",
            c.resident, c.d, c.d + Duration::days(1));
        let found = slots(&app.get(&path, &c.sched).await);
        assert!(!found.is_empty());
        let shift_start: chrono::DateTime<chrono::Utc> = at(c.d, "08:00").parse().unwrap();
        let shift_end: chrono::DateTime<chrono::Utc> = at(c.d, "17:00").parse().unwrap();
        for s in &found {
            assert_eq!(s["clinician_id"], c.nurse_id.as_str(), "only the wound-care nurse has the skill");
            let (start, end) = (utc(&s["starts_at"]), utc(&s["ends_at"]));
            assert_eq!((end - start).num_minutes(), 30);
            let before = s["travel_minutes_before"].as_i64().unwrap();
            assert!(before > 0, "the resident lives away from the clinic");
            assert!(start >= shift_start + Duration::minutes(before));
            assert!(end + Duration::minutes(s["travel_minutes_after"].as_i64().unwrap()) <= shift_end);
        }
        // A visit elsewhere at 10:00 pushes the neighbouring slots apart by the travel time.
        let far = resident_at(&app, &c.sched, "孙建国", 25.085, 102.712, None).await;
        let booked = book(&app, &c.sched, &far, "wound_dressing", &c.nurse_id, &at(c.d, "10:00"), c.d).await;
        assert_eq!(booked.status, 201, "{booked:?}");
        let again = slots(&app.get(&path, &c.sched).await);
        let (b_start, b_end): (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>) =
            (at(c.d, "10:00").parse().unwrap(), at(c.d, "10:30").parse().unwrap());
        for s in &again {
            let (start, end) = (utc(&s["starts_at"]), utc(&s["ends_at"]));
            assert!(end <= b_start - Duration::minutes(9) || start >= b_end + Duration::minutes(9),
                "slot {start}..{end} leaves no travel time around the 10:00 visit 3 km away");
        }
        // The family doctor ranks first even when another clinician is free.
        let with_doctor = resident_at(&app, &c.sched, "何德明", 25.058, 102.712, Some(&c.doc_id)).await;
        let path = format!("/api/v1/availability?resident_id={with_doctor}&service_type=basic_nursing&from={}&to={}",
            c.d, c.d + Duration::days(1));
        let ranked = slots(&app.get(&path, &c.sched).await);
        assert_eq!(ranked[0]["clinician_id"], c.doc_id.as_str());
        assert_eq!(ranked[0]["family_doctor"], true);
        assert!(ranked.iter().any(|s| s["clinician_id"] == c.nurse_id.as_str()), "the nurse is offered too");
        assert!(ranked.windows(2).all(|w| w[0]["score"].as_i64() >= w[1]["score"].as_i64()));
    }
}

db_test! {
    async fn a_taken_slot_answers_409_with_alternatives(app) {
        let c = clinic(&app).await;
        let first = book(&app, &c.sched, &c.resident, "basic_nursing", &c.nurse_id, &at(c.d, "09:00"), c.d).await;
        assert_eq!(first.status, 201, "{first:?}");
        assert_eq!(first.body["status"], "scheduled");
        assert_eq!(first.body["clinic_id"], app.org_id("WH-CL-01"));
        let other = resident_at(&app, &c.sched, "吴秀英", 25.06, 102.71, None).await;
        let clash = book(&app, &c.sched, &other, "basic_nursing", &c.nurse_id, &at(c.d, "09:30"), c.d).await;
        assert_eq!(clash.status, 409, "{clash:?}");
        assert_eq!(clash.problem_code(), "visit_conflict");
        let alternatives = clash.body["alternatives"].as_array().unwrap();
        assert!(!alternatives.is_empty());
        // An alternative can be booked as offered.
        let alt = &alternatives[0];
        let taken = book(&app, &c.sched, &other, "basic_nursing", alt["clinician_id"].as_str().unwrap(), alt["starts_at"].as_str().unwrap(), c.d).await;
        assert_eq!(taken.status, 201, "{taken:?}");
        // Without a slot, the best one is booked; with auto_assign false, the visit waits in the pool.
        let best = app.post("/api/v1/visits", &c.sched, json!({"resident_id": c.resident, "service_type": "health_check",
            "window_start": at(c.d, "13:00"), "window_end": at(c.d, "16:00")})).await;
        assert_eq!(best.status, 201, "{best:?}");
        assert_eq!(best.body["clinician_id"], c.doc_id.as_str(), "only the GP has general practice");
        let pooled = app.post("/api/v1/visits", &c.sched, json!({"resident_id": c.resident, "service_type": "health_check",
            "window_start": at(c.d, "13:00"), "window_end": at(c.d, "16:00"), "auto_assign": false})).await;
        assert_eq!((pooled.status, pooled.body["status"].as_str()), (201, Some("requested")));
        assert!(pooled.body["clinician_id"].is_null());
    }
}

/// clinician, start, end, home (lat, lon).
type LiveVisit = (
    String,
    Option<chrono::NaiveDateTime>,
    Option<chrono::NaiveDateTime>,
    f64,
    f64,
);

/// No two live visits of one clinician overlap or sit closer than the travel time between them.
fn assert_invariant(app: &TestApp) {
    use carelink::db::schema::{residents, visits};
    use diesel::prelude::*;
    let mut conn = app.conn();
    let rows: Vec<LiveVisit> = visits::table
        .inner_join(residents::table)
        .filter(visits::status.eq_any(["scheduled", "in_progress", "completed"]))
        .select((
            visits::clinician_id.assume_not_null(),
            visits::starts_at,
            visits::ends_at,
            residents::lat,
            residents::lon,
        ))
        .load(&mut **conn)
        .unwrap();
    let travel = carelink::planning::travel::GreatCircle::from_settings(&app.settings.travel);
    use carelink::planning::travel::TravelModel;
    for (i, a) in rows.iter().enumerate() {
        for b in rows.iter().skip(i + 1).filter(|b| b.0 == a.0) {
            let (first, second) = if a.1 <= b.1 { (a, b) } else { (b, a) };
            let gap = (second.1.unwrap() - first.2.unwrap()).num_minutes();
            let need = travel.minutes(
                carelink::network::model::Location {
                    lat: first.3,
                    lon: first.4,
                },
                carelink::network::model::Location {
                    lat: second.3,
                    lon: second.4,
                },
            );
            assert!(
                gap >= need,
                "visits {first:?} and {second:?} are {gap} min apart, travel needs {need}"
            );
        }
    }
}

db_test! {
    async fn of_fifty_concurrent_bookings_of_one_slot_across_two_instances_exactly_one_wins(app) {
        let c = clinic(&app).await;
        let other = app.second_instance().await;
        // Half want 10:00 for an elder 3 km north, half 10:50 for one 3 km south: either fits alone,
        // but not both (50 minutes of travel between them), and the two never overlap in time, so
        // only the booking transaction's lock, not the overlap constraint, can keep them apart.
        let north = resident_at(&app, &c.sched, "北边居民", 25.08, 102.71, None).await;
        let south = resident_at(&app, &c.sched, "南边居民", 25.026, 102.71, None).await;
        let d2 = c.d + Duration::days(1);
        for clinician in [&c.doc_id, &c.nurse_id] {
            shift(&app, &c.sched, clinician, d2).await;
        }
        // Four rounds (two clinicians, two days), fifty bookers each.
        for (clinician, d) in [(&c.nurse_id, c.d), (&c.doc_id, c.d), (&c.nurse_id, d2), (&c.doc_id, d2)] {
            let tries = (0..50).map(|i| {
                let base = if i % 4 < 2 { app.address.clone() } else { other.address.clone() };
                let (resident, starts) = if i % 2 == 0 { (&north, "10:00") } else { (&south, "10:50") };
                let body = json!({"resident_id": resident, "service_type": "basic_nursing",
                    "window_start": at(d, "08:00"), "window_end": at(d, "17:00"),
                    "clinician_id": clinician, "starts_at": at(d, starts)});
                let req = app.client.post(format!("{base}/api/v1/visits")).bearer_auth(&c.sched).json(&body);
                app.send(req)
            });
            let answers = futures_util::future::join_all(tries).await;
            let won = answers.iter().filter(|r| r.status == 201).count();
            for r in answers.iter().filter(|r| r.status != 201) {
                assert_eq!(r.status, 409, "{r:?}");
                assert_eq!(r.problem_code(), "visit_conflict");
            }
            assert_eq!(won, 1, "{:?}", answers.iter().map(|r| r.status).collect::<Vec<_>>());
        }
        assert_invariant(&app);
    }
}

db_test! {
    async fn concurrent_auto_bookings_never_break_the_invariant(app) {
        let c = clinic(&app).await;
        let tries = (0..16).map(|i| {
            app.post("/api/v1/visits", &c.sched, json!({"resident_id": c.resident, "service_type": "blood_pressure_check",
                "window_start": at(c.d, "08:00"), "window_end": at(c.d, "10:00"), "priority": if i % 3 == 0 { "urgent" } else { "routine" }}))
        });
        let answers = futures_util::future::join_all(tries).await;
        assert!(answers.iter().all(|r| r.status == 201 || (r.status == 409 && r.problem_code() == "no_slot_available")), "{answers:?}");
        assert!(answers.iter().filter(|r| r.status == 201).count() >= 8, "two clinicians, two hours, 15-minute visits");
        assert_invariant(&app);
    }
}

db_test! {
    async fn best_slot_bookings_racing_across_two_instances_fill_the_window_and_keep_travel_apart(app) {
        let c = clinic(&app).await;
        let other = app.second_instance().await;
        // Elders 3 km north and south (50 minutes apart by road) want the best slot between 10:00
        // and 11:30 of either clinician: each booking reads the days unlocked, then locks only the
        // clinician of its best slot, so the races are lost and retried under that lock alone.
        let north = resident_at(&app, &c.sched, "北边居民", 25.08, 102.71, None).await;
        let south = resident_at(&app, &c.sched, "南边居民", 25.026, 102.71, None).await;
        let tries = (0..24).map(|i| {
            let base = if i % 4 < 2 { app.address.clone() } else { other.address.clone() };
            let resident = if i % 2 == 0 { &north } else { &south };
            let body = json!({"resident_id": resident, "service_type": "basic_nursing",
                "window_start": at(c.d, "10:00"), "window_end": at(c.d, "11:30")});
            app.send(app.client.post(format!("{base}/api/v1/visits")).bearer_auth(&c.sched).json(&body))
        });
        let answers = futures_util::future::join_all(tries).await;
        let won = answers.iter().filter(|r| r.status == 201).count();
        for r in answers.iter().filter(|r| r.status != 201) {
            assert_eq!((r.status, r.problem_code().as_str()), (409, "no_slot_available"), "{r:?}");
        }
        assert!(won >= 2, "two clinicians each have room for at least one: {won} won");
        assert_invariant(&app);
        // A 409 said the window was full: it still is, for both elders.
        for resident in [&north, &south] {
            let left = app.get(&format!("/api/v1/availability?resident_id={resident}&service_type=basic_nursing&from={}&to={}",
                at(c.d, "10:00").replace('+', "%2B"), at(c.d, "11:30").replace('+', "%2B")), &c.sched).await;
            assert!(won == 24 || slots(&left).is_empty(), "{won} won, yet {:?} is free", slots(&left).first());
        }
    }
}

db_test! {
    async fn a_route_shows_the_days_visits_however_long_the_clinicians_history(app) {
        let c = clinic(&app).await;
        // 600 visits of earlier weeks, written before the day's: a route that read the
        // clinician's first 500 visits and filtered the day afterwards would come back empty.
        let start = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap().and_hms_opt(1, 0, 0).unwrap();
        let mut conn = app.conn();
        for i in 0..600 {
            let s = start + Duration::hours(i * 3);
            let row = crate::helpers::past_visit_row(app.org_id("WH-CL-01"), &c.resident, &c.nurse_id, s, "completed");
            carelink::visits::repo::insert(&mut conn, &row).unwrap();
        }
        drop(conn);
        assert_eq!(book(&app, &c.sched, &c.resident, "basic_nursing", &c.nurse_id, &at(c.d, "09:00"), c.d).await.status, 201);
        assert_eq!(book(&app, &c.sched, &c.resident, "basic_nursing", &c.nurse_id, &at(c.d, "14:00"), c.d).await.status, 201);
        let route = app.get(&format!("/api/v1/clinicians/{}/route?date={}", c.nurse_id, c.d), &c.sched).await;
        assert_eq!(route.status, 200, "{route:?}");
        let stops = route.body["stops"].as_array().unwrap();
        assert_eq!(stops.len(), 2, "{stops:?}");
        assert!(stops[0]["starts_at"].as_str().unwrap() < stops[1]["starts_at"].as_str().unwrap());
    }
}

async fn act(app: &TestApp, token: &str, id: &str, action: &str, body: Value) -> Resp {
    app.post(&format!("/api/v1/visits/{id}/{action}"), token, body)
        .await
}

db_test! {
    async fn the_visit_lifecycle_allows_only_its_transitions(app) {
        let c = clinic(&app).await;
        let nurse = app.access_token("nurse.a").await;
        let doc = app.access_token("doc.a").await;
        let pooled = app.post("/api/v1/visits", &c.sched, json!({"resident_id": c.resident, "service_type": "basic_nursing",
            "window_start": at(c.d, "08:00"), "window_end": at(c.d, "17:00"), "auto_assign": false})).await;
        let id = pooled.id();
        let home = json!({"lat": 25.058, "lon": 102.712});
        for (action, body) in [("check-in", home.clone()), ("check-out", home.clone()), ("missed", json!({"reason": "not_home"})),
                               ("reschedule", json!({"starts_at": at(c.d, "09:00"), "clinician_id": c.nurse_id}))] {
            let r = act(&app, &c.sched, &id, action, body).await;
            assert!(r.status == 409 || r.status == 403, "{action} on a requested visit: {r:?}");
        }
        // Nobody's own visit yet: the nurse may not touch it.
        assert_eq!(act(&app, &nurse, &id, "check-in", home.clone()).await.status, 403);
        let scheduled = act(&app, &c.sched, &id, "schedule", json!({"clinician_id": c.nurse_id, "starts_at": at(c.d, "09:00")})).await;
        assert_eq!((scheduled.status, scheduled.body["status"].as_str()), (200, Some("scheduled")), "{scheduled:?}");
        let early = act(&app, &nurse, &id, "check-out", home.clone()).await;
        assert_eq!((early.status, early.problem_code()), (409, "invalid_transition".to_string()), "no check-out before check-in");
        let again = act(&app, &c.sched, &id, "schedule", json!({"clinician_id": c.nurse_id, "starts_at": at(c.d, "10:00")})).await;
        assert_eq!((again.status, again.problem_code()), (409, "invalid_transition".to_string()));
        let moved = act(&app, &c.sched, &id, "reschedule", json!({"starts_at": at(c.d, "11:00")})).await;
        assert_eq!(moved.status, 200, "{moved:?}");
        assert_eq!(utc(&moved.body["starts_at"]), at(c.d, "11:00").parse::<chrono::DateTime<chrono::Utc>>().unwrap());
        // Only the visit's own clinician checks in, and a scheduler never does.
        assert_eq!(act(&app, &doc, &id, "check-in", home.clone()).await.status, 403);
        assert_eq!(act(&app, &c.sched, &id, "check-in", home.clone()).await.status, 403);
        // Documentation comes at check-out: the check-in body has no such fields (the document shows none).
        let documented = act(&app, &nurse, &id, "check-in", json!({"lat": 25.0582, "lon": 102.7121,
            "tasks": [{"task": "换药", "done": true}]})).await;
        assert_eq!((documented.status, documented.body["errors"][0]["field"].as_str()), (422, Some("tasks")), "{documented:?}");
        let inside = act(&app, &nurse, &id, "check-in", json!({"lat": 25.0582, "lon": 102.7121})).await;
        assert_eq!((inside.status, inside.body["status"].as_str()), (200, Some("in_progress")), "{inside:?}");
        assert_eq!(inside.body["location_exception"], false);
        assert!(inside.body["check_in_distance_m"].as_f64().unwrap() < 50.0);
        let bad_doc = act(&app, &nurse, &id, "check-out", json!({"lat": 25.058, "lon": 102.712, "tasks": [{"task": "换药", "done": false}]})).await;
        assert_eq!(bad_doc.status, 422, "a task not done needs a reason");
        // Vital signs are typed and range-checked (API.md): a slip is a 422 naming each reading.
        let slip = act(&app, &nurse, &id, "check-out", json!({"lat": 25.058, "lon": 102.712,
            "vital_signs": {"systolic_mmhg": 1380, "diastolic_mmhg": 86, "weight_kg": 58500}})).await;
        assert_eq!(slip.status, 422, "{slip:?}");
        let fields: Vec<&str> = slip.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["vital_signs.systolic_mmhg", "vital_signs.weight_kg"]);
        let unknown = act(&app, &nurse, &id, "check-out", json!({"lat": 25.058, "lon": 102.712, "vital_signs": {"pulse": 72}})).await;
        assert_eq!(unknown.status, 422, "{unknown:?}");
        let done = act(&app, &nurse, &id, "check-out", json!({"lat": 25.058, "lon": 102.712,
            "tasks": [{"task": "测血压", "done": true}, {"task": "换药", "done": false, "reason": "伤口已愈合"}],
            "vital_signs": {"systolic_mmhg": 138, "diastolic_mmhg": 86, "heart_rate_bpm": 72}, "notes": "一切正常"})).await;
        assert_eq!((done.status, done.body["status"].as_str()), (200, Some("completed")), "{done:?}");
        assert_eq!(done.body["documentation"]["vital_signs"]["systolic_mmhg"], 138.0);
        assert_eq!(done.body["documentation"]["tasks"][1]["reason"], "伤口已愈合");
        for (action, body) in [("cancel", json!({"reason": "x"})), ("missed", json!({"reason": "refused"})), ("check-in", home.clone())] {
            let r = act(&app, &c.sched, &id, action, body).await;
            assert!(r.status == 409 || r.status == 403, "{action} on a completed visit: {r:?}");
        }
        // Missed and cancelled.
        let other = book(&app, &c.sched, &c.resident, "basic_nursing", &c.nurse_id, &at(c.d, "14:00"), c.d).await.id();
        let missed = act(&app, &nurse, &other, "missed", json!({"reason": "hospitalised", "comment": "住院了"})).await;
        assert_eq!((missed.status, missed.body["status"].as_str()), (200, Some("missed")), "{missed:?}");
        assert_eq!(act(&app, &c.sched, &other, "cancel", json!({"reason": "x"})).await.status, 409);
        let third = book(&app, &c.sched, &c.resident, "basic_nursing", &c.nurse_id, &at(c.d, "15:00"), c.d).await.id();
        let cancelled = act(&app, &c.sched, &third, "cancel", json!({"reason": "家属要求改期"})).await;
        assert_eq!(cancelled.body["status"], "cancelled");
        assert_eq!(cancelled.body["cancelled_by"], app.get("/api/v1/me", &c.sched).await.body["id"]);
        // The cancelled visit frees its time.
        assert_eq!(book(&app, &c.sched, &c.resident, "basic_nursing", &c.nurse_id, &at(c.d, "15:00"), c.d).await.status, 201);
        // Every change is audited.
        let admin = app.admin().await;
        let trail = app.get(&format!("/api/v1/audit?entity=visit&entity_id={id}"), &admin).await;
        let actions: Vec<_> = trail.body["items"].as_array().unwrap().iter().map(|a| a["action"].as_str().unwrap().to_string()).collect();
        assert_eq!(actions, ["check_out", "check_in", "reschedule", "schedule", "create"]);
    }
}

db_test! {
    async fn a_check_in_far_from_home_flags_a_location_exception(app) {
        let c = clinic(&app).await;
        let nurse = app.access_token("nurse.a").await;
        let id = book(&app, &c.sched, &c.resident, "basic_nursing", &c.nurse_id, &at(c.d, "09:00"), c.d).await.id();
        let far = act(&app, &nurse, &id, "check-in", json!({"lat": 25.07, "lon": 102.712})).await;
        assert_eq!(far.status, 200, "{far:?}");
        assert_eq!(far.body["location_exception"], true);
        assert!(far.body["check_in_distance_m"].as_f64().unwrap() > 1000.0);
        let review = app.get("/api/v1/visits?location_exception=true", &c.sched).await;
        let ids: Vec<_> = review.body["items"].as_array().unwrap().iter().map(|v| v["id"].as_str().unwrap().to_string()).collect();
        assert_eq!(ids, vec![id]);
    }
}

db_test! {
    async fn a_foreign_organisation_sees_nothing_of_a_clinics_visits(app) {
        let c = clinic(&app).await;
        let id = book(&app, &c.sched, &c.resident, "basic_nursing", &c.nurse_id, &at(c.d, "09:00"), c.d).await.id();
        let outsiders = [
            app.token_for("sched.b", Role::Scheduler, Some("WH-CL-04")).await,
            app.token_for("doc.b", Role::Clinician, Some("WH-CL-04")).await,
            app.token_for("home.b", Role::CareHome, Some("WH-CH-03")).await,
            app.token_for("desk", Role::Hospital, Some("WH-HO-01")).await,
        ];
        for token in &outsiders {
            assert_eq!(app.get(&format!("/api/v1/visits/{id}"), token).await.status, 404);
            assert_eq!(act(&app, token, &id, "cancel", json!({"reason": "x"})).await.status, 404);
            let list = app.get("/api/v1/visits", token).await;
            assert!(list.body["items"].as_array().unwrap().is_empty(), "{list:?}");
            let path = format!("/api/v1/availability?resident_id={}&service_type=basic_nursing&from={}&to={}", c.resident, c.d, c.d + Duration::days(1));
            assert_eq!(app.get(&path, token).await.status, 404);
            assert_eq!(app.get(&format!("/api/v1/clinicians/{}/route?date={}", c.nurse_id, c.d), token).await.status, 404);
        }
        let foreign_sched = &outsiders[0];
        let r = app.post("/api/v1/visits", foreign_sched, json!({"resident_id": c.resident, "service_type": "basic_nursing",
            "window_start": at(c.d, "08:00"), "window_end": at(c.d, "17:00")})).await;
        assert_eq!(r.status, 404, "{r:?}");
        assert_eq!(app.count("visits"), 1);
    }
}

db_test! {
    async fn a_recurring_plan_books_its_visits_and_each_can_change_alone(app) {
        let c = clinic(&app).await;
        let d2 = c.d + Duration::days(1);
        shift(&app, &c.sched, &c.nurse_id, d2).await;
        let weekdays = vec![c.d.weekday().number_from_monday(), d2.weekday().number_from_monday()];
        let plan = app.post("/api/v1/visit-plans", &c.sched, json!({"resident_id": c.resident, "service_type": "wound_dressing",
            "weekdays": weekdays, "window": {"from": "09:00", "to": "11:00"}, "starts_on": c.d, "count": 4})).await;
        assert_eq!(plan.status, 201, "{plan:?}");
        let visits = plan.body["visits"].as_array().unwrap().clone();
        assert_eq!(visits.len(), 4);
        let statuses: Vec<_> = visits.iter().map(|v| v["status"].as_str().unwrap()).collect();
        // The nurse has shifts on the first two days only: the next week's two wait in the pool, with the reason.
        assert_eq!(statuses, ["scheduled", "scheduled", "requested", "requested"]);
        assert_eq!(visits[2]["unplaced_reason"], "no free slot in the window");
        assert!(visits.iter().all(|v| v["plan_id"] == plan.body["id"]));
        let (first, second) = (visits[0]["id"].as_str().unwrap(), visits[1]["id"].as_str().unwrap());
        let moved = act(&app, &c.sched, first, "reschedule", json!({"starts_at": at(c.d, "10:15")})).await;
        assert_eq!(moved.status, 200, "{moved:?}");
        assert_eq!(act(&app, &c.sched, second, "cancel", json!({"reason": "复诊"})).await.status, 200);
        let again = app.get(&format!("/api/v1/visit-plans/{}", plan.id()), &c.sched).await;
        let statuses: Vec<_> = again.body["visits"].as_array().unwrap().iter().map(|v| v["status"].as_str().unwrap().to_string()).collect();
        assert_eq!(statuses, ["scheduled", "cancelled", "requested", "requested"]);
        // Ending the plan from the third day cancels the later visits only.
        let ended = app.post(&format!("/api/v1/visit-plans/{}/end", plan.id()), &c.sched, json!({"from": c.d + Duration::days(2)})).await;
        assert_eq!(ended.status, 200, "{ended:?}");
        assert_eq!(ended.body["status"], "ended");
        let statuses: Vec<_> = ended.body["visits"].as_array().unwrap().iter().map(|v| v["status"].as_str().unwrap().to_string()).collect();
        assert_eq!(statuses, ["scheduled", "cancelled", "cancelled", "cancelled"]);
        let moved_again = app.get(&format!("/api/v1/visits/{first}"), &c.sched).await;
        assert_eq!(utc(&moved_again.body["starts_at"]), at(c.d, "10:15").parse::<chrono::DateTime<chrono::Utc>>().unwrap());
        let twice = app.post(&format!("/api/v1/visit-plans/{}/end", plan.id()), &c.sched, json!({})).await;
        assert_eq!(twice.status, 409);
    }
}

db_test! {
    async fn a_clinicians_route_runs_from_the_clinic_through_the_day_and_back(app) {
        let c = clinic(&app).await;
        let far = resident_at(&app, &c.sched, "孙建国", 25.075, 102.712, None).await;
        assert_eq!(book(&app, &c.sched, &far, "basic_nursing", &c.nurse_id, &at(c.d, "13:00"), c.d).await.status, 201);
        assert_eq!(book(&app, &c.sched, &c.resident, "basic_nursing", &c.nurse_id, &at(c.d, "09:00"), c.d).await.status, 201);
        let nurse = app.access_token("nurse.a").await;
        let route = app.get(&format!("/api/v1/clinicians/{}/route?date={}", c.nurse_id, c.d), &nurse).await;
        assert_eq!(route.status, 200, "{route:?}");
        let stops = route.body["stops"].as_array().unwrap();
        assert_eq!(stops.len(), 2);
        assert_eq!(stops[0]["resident_id"], c.resident.as_str());
        assert!(stops[0]["starts_at"].as_str().unwrap().ends_with("+08:00"));
        assert!(stops.iter().all(|s| s["travel_minutes"].as_i64().unwrap() > 0));
        let total: i64 = stops.iter().map(|s| s["travel_minutes"].as_i64().unwrap()).sum::<i64>()
            + route.body["return_travel_minutes"].as_i64().unwrap();
        assert_eq!(route.body["total_travel_minutes"].as_i64().unwrap(), total);
        assert!(route.body["back_at_clinic"].is_string());
        let other_day = app.get(&format!("/api/v1/clinicians/{}/route?date={}", c.nurse_id, c.d + Duration::days(1)), &nurse).await;
        assert!(other_day.body["stops"].as_array().unwrap().is_empty());
    }
}

db_test! {
    async fn the_pool_puts_urgent_visits_and_priority_residents_first(app) {
        let c = clinic(&app).await;
        let flagged = app.resident_of(&c.sched, "WH-CL-01", "独居老人").await; // living alone
        let ask = |resident: String, priority: &'static str, from: &'static str| {
            app.post("/api/v1/visits", &c.sched, json!({"resident_id": resident, "service_type": "basic_nursing",
                "window_start": at(c.d, from), "window_end": at(c.d, "17:00"), "priority": priority, "auto_assign": false}))
        };
        let routine = ask(c.resident.clone(), "routine", "08:00").await.id();
        let priority_resident = ask(flagged.clone(), "routine", "09:00").await.id();
        let urgent = ask(c.resident.clone(), "urgent", "10:00").await.id();
        let pool = app.get("/api/v1/visits/pool", &c.sched).await;
        let order: Vec<_> = pool.body["items"].as_array().unwrap().iter().map(|v| v["id"].as_str().unwrap().to_string()).collect();
        assert_eq!(order, [urgent, priority_resident, routine]);
    }
}

db_test! {
    async fn care_homes_and_residents_ask_for_visits_into_the_pool(app) {
        let c = clinic(&app).await;
        let home = app.token_for("home.a", Role::CareHome, Some("WH-CH-01")).await;
        let r = app.post("/api/v1/residents", &home, json!({"name": "冯玉兰", "sex": "female", "birth_date": "1936-09-09",
            "location": {"lat": 25.054, "lon": 102.711}})).await;
        let asked = app.post("/api/v1/visits", &home, json!({"resident_id": r.id(), "service_type": "pressure_ulcer_care",
            "window_start": at(c.d, "08:00"), "window_end": at(c.d, "17:00")})).await;
        assert_eq!(asked.status, 201, "{asked:?}");
        assert_eq!(asked.body["status"], "requested");
        assert_eq!(asked.body["clinic_id"], app.org_id("WH-CL-01"), "the clinic the home signed with");
        // The elder asks and cancels their own; another elder's visit is not theirs to see.
        let elder = {
            let new = carelink::people::model::NewStaff { username: "elder".into(), display_name: "周桂芳".into(),
                role: Role::Resident, organization_id: None, skills: vec![], password: crate::helpers::PASSWORD.into(),
                resident_id: Some(c.resident.clone()) };
            carelink::people::repo::insert(&mut app.conn(), &new, crate::helpers::password_hash()).unwrap();
            app.access_token("elder").await
        };
        let mine = app.post("/api/v1/visits", &elder, json!({"resident_id": c.resident, "service_type": "blood_pressure_check",
            "window_start": at(c.d, "08:00"), "window_end": at(c.d, "17:00"), "clinician_id": c.nurse_id, "starts_at": at(c.d, "09:00")})).await;
        assert_eq!((mine.status, mine.body["status"].as_str()), (201, Some("requested")), "an elder asks; the clinic books");
        assert_eq!(app.get(&format!("/api/v1/visits/{}", asked.id()), &elder).await.status, 404);
        let cancelled = act(&app, &elder, &mine.id(), "cancel", json!({"reason": "不需要了"})).await;
        assert_eq!(cancelled.body["status"], "cancelled");
        let desk = app.token_for("desk", Role::Hospital, Some("WH-HO-01")).await;
        let refused = app.post("/api/v1/visits", &desk, json!({"resident_id": c.resident, "service_type": "blood_pressure_check",
            "window_start": at(c.d, "08:00"), "window_end": at(c.d, "17:00")})).await;
        assert_eq!(refused.status, 403);
    }
}

db_test! {
    async fn bad_visit_requests_are_problems_and_write_nothing(app) {
        let c = clinic(&app).await;
        let base = json!({"resident_id": c.resident, "service_type": "basic_nursing",
            "window_start": at(c.d, "08:00"), "window_end": at(c.d, "17:00")});
        let with = |k: &str, v: Value| { let mut b = base.clone(); b[k] = v; b };
        let yesterday = day(-1);
        let cases = [
            ("window ends before it starts", with("window_end", json!(at(c.d, "07:00"))), 422),
            ("window in the past", json!({"resident_id": c.resident, "service_type": "basic_nursing",
                "window_start": at(yesterday, "08:00"), "window_end": at(yesterday, "17:00")}), 422),
            ("window of a month", with("window_end", json!(at(c.d + Duration::days(30), "17:00"))), 422),
            ("unknown service type", with("service_type", json!("massage")), 422),
            ("unknown priority", with("priority", json!("whenever")), 422),
            ("time without offset", with("window_start", json!("2026-12-01T08:00:00")), 422),
            ("starts_at without clinician", with("starts_at", json!(at(c.d, "09:00"))), 422),
            ("clinician without the skill", { let mut b = with("service_type", json!("wound_dressing")); b["clinician_id"] = json!(c.doc_id); b["starts_at"] = json!(at(c.d, "09:00")); b }, 422),
            ("no such resident", with("resident_id", json!(uuid::Uuid::now_v7().to_string())), 404),
        ];
        for (what, body, status) in cases {
            let r = app.post("/api/v1/visits", &c.sched, body).await;
            assert_eq!(r.status, status, "{what}: {r:?}");
            r.problem_code();
        }
        assert_eq!(app.count("visits"), 0);
        let id = book(&app, &c.sched, &c.resident, "basic_nursing", &c.nurse_id, &at(c.d, "09:00"), c.d).await.id();
        let nurse = app.access_token("nurse.a").await;
        for pos in [json!({"lat": 95.0, "lon": 102.7}), json!({"lat": 25.0, "lon": 190.0}), json!({"lat": "north"})] {
            let r = act(&app, &nurse, &id, "check-in", pos).await;
            assert_eq!(r.status, 422, "{r:?}");
        }
        assert_eq!(act(&app, &c.sched, &id, "cancel", json!({"reason": ""})).await.status, 422);
        assert_eq!(act(&app, &c.sched, &id, "missed", json!({"reason": "bored"})).await.status, 422);
        let still = app.get(&format!("/api/v1/visits/{id}"), &c.sched).await;
        assert_eq!((still.body["status"].as_str(), still.body["version"].as_i64()), (Some("scheduled"), Some(1)));
        let plan = app.post("/api/v1/visit-plans", &c.sched, json!({"resident_id": c.resident, "service_type": "basic_nursing",
            "weekdays": [0], "window": {"from": "11:00", "to": "09:00"}, "starts_on": c.d})).await;
        assert_eq!(plan.status, 422);
        assert_eq!(app.count("visit_plans"), 0);
    }
}

db_test! {
    async fn moving_a_visit_offers_slots_over_its_own_time_and_reschedule_takes_one(app) {
        let c = clinic(&app).await;
        let booked = book(&app, &c.sched, &c.resident, "wound_dressing", &c.nurse_id, &at(c.d, "10:00"), c.d).await;
        assert_eq!(booked.status, 201, "{booked:?}");
        let (own_start, own_end) = (utc(&booked.body["starts_at"]), utc(&booked.body["ends_at"]));
        let path = format!("/api/v1/availability?resident_id={}&service_type=wound_dressing&from={}&to={}",
            c.resident, urlencoding(&at(c.d, "09:30")), urlencoding(&at(c.d, "11:00")));
        let overlaps = |s: &Value| utc(&s["starts_at"]) < own_end && utc(&s["ends_at"]) > own_start;
        // Its own visit blocks the nurse's 10:00-10:30 for anyone else...
        assert!(!slots(&app.get(&path, &c.sched).await).iter().any(overlaps));
        // ...but not for the visit being moved.
        let moving = slots(&app.get(&format!("{path}&visit_id={}", booked.id()), &c.sched).await);
        let later = moving.iter().find(|s| overlaps(s) && utc(&s["starts_at"]) > own_start)
            .expect("a slot a little later, over the visit's own time");
        let moved = app.post(&format!("/api/v1/visits/{}/reschedule", booked.id()), &c.sched,
            json!({"clinician_id": later["clinician_id"], "starts_at": later["starts_at"]})).await;
        assert_eq!(moved.status, 200, "{moved:?}");
        assert_eq!(utc(&moved.body["starts_at"]), utc(&later["starts_at"]));

        // Another resident's visit, or one the caller cannot see, is no key to availability.
        let other = resident_at(&app, &c.sched, "吴秀英", 25.06, 102.71, None).await;
        let wrong = app.get(&format!("/api/v1/availability?resident_id={other}&service_type=wound_dressing&from={}&to={}&visit_id={}",
            c.d, c.d + Duration::days(1), booked.id()), &c.sched).await;
        assert_eq!((wrong.status, wrong.body["errors"][0]["field"].as_str()), (422, Some("visit_id")), "{wrong:?}");
        // A foreign clinic asking about its own resident with this clinic's visit: 404.
        let foreign = app.token_for("sched.b", Role::Scheduler, Some("WH-CL-04")).await;
        let their_resident = app.resident_of(&foreign, "WH-CL-04", "赵大爷").await;
        let own_path = format!("/api/v1/availability?resident_id={their_resident}&service_type=basic_nursing&from={}&to={}",
            c.d, c.d + Duration::days(1));
        assert_eq!(app.get(&own_path, &foreign).await.status, 200);
        let theirs = app.get(&format!("{own_path}&visit_id={}", booked.id()), &foreign).await;
        assert_eq!(theirs.status, 404, "{theirs:?}");
        let unknown = app.get(&format!("{path}&visit_id={}", uuid::Uuid::new_v4()), &c.sched).await;
        assert_eq!(unknown.status, 404, "{unknown:?}");
    }
}

fn urlencoding(s: &str) -> String {
    s.replace('+', "%2B").replace(':', "%3A")
}
