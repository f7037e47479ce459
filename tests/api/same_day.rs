//! Same-day changes and week plans: shifts' breaks, repairing a day that has begun (an absent
//! clinician, an urgent visit), applying a repair after someone changed the day, and a week plan.
use carelink::auth::Role;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde_json::{json, Value};

use crate::db_test;
use crate::helpers::{Resp, TestApp};

fn at(d: NaiveDate, hm: &str) -> String {
    format!("{d}T{hm}:00+08:00")
}

fn t(v: &Value) -> DateTime<Utc> {
    v.as_str()
        .unwrap_or_else(|| panic!("a time: {v}"))
        .parse()
        .unwrap()
}

fn tomorrow() -> NaiveDate {
    Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
        + Duration::days(1)
}

/// A clinic's nurses, each with a shift on each of `days` from `from` to `to`, no breaks.
async fn nurses(
    app: &TestApp,
    sched: &str,
    n: usize,
    days: &[NaiveDate],
    hours: (&str, &str),
) -> Vec<String> {
    let mut out = vec![];
    for i in 0..n {
        let id = app.create_user(
            &format!("nurse.{i}"),
            Role::Clinician,
            Some("WH-CL-01"),
            &["nursing"],
        );
        for d in days {
            let r = app
                .post(
                    "/api/v1/shifts",
                    sched,
                    json!({"clinician_id": id,
                "starts_at": at(*d, hours.0), "ends_at": at(*d, hours.1), "breaks": []}),
                )
                .await;
            assert_eq!(r.status, 201, "{r:?}");
        }
        out.push(id);
    }
    out
}

/// A visit booked at `hm` with `clinician`, movable within 08:00-17:00 of the day.
async fn booked(
    app: &TestApp,
    sched: &str,
    d: NaiveDate,
    name: &str,
    clinician: &str,
    hm: &str,
) -> String {
    let resident = app.resident_of(sched, "WH-CL-01", name).await;
    let r = app.post("/api/v1/visits", sched, json!({"resident_id": resident, "service_type": "blood_pressure_check",
        "window_start": at(d, "08:00"), "window_end": at(d, "17:00"), "clinician_id": clinician, "starts_at": at(d, hm)})).await;
    assert_eq!(r.status, 201, "{r:?}");
    r.id()
}

async fn finished(app: &TestApp, token: &str, started: &Resp) -> Resp {
    assert_eq!(started.status, 202, "{started:?}");
    let path = format!("/api/v1/planning/runs/{}", started.id());
    for _ in 0..300 {
        let r = app.get(&path, token).await;
        if r.body["status"] != "running" {
            assert_eq!(r.body["status"], "completed", "{r:?}");
            return r;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the run did not finish");
}

fn stops_of(run: &Resp) -> Vec<String> {
    run.body["proposal"]["routes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| {
            r["stops"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["visit_id"].as_str().unwrap().to_string())
        })
        .collect()
}

fn change_of<'a>(run: &'a Resp, visit: &str) -> Option<&'a Value> {
    run.body["proposal"]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["visit_id"] == visit)
}

/// No clinician has two visits of the day at once.
async fn no_overlaps(app: &TestApp, token: &str, d: NaiveDate) {
    let all = app
        .get(
            &format!("/api/v1/visits?date={d}&status=scheduled&limit=500"),
            token,
        )
        .await;
    let items = all.body["items"].as_array().unwrap();
    for (i, a) in items.iter().enumerate() {
        for b in items
            .iter()
            .skip(i + 1)
            .filter(|b| b["clinician_id"] == a["clinician_id"])
        {
            assert!(
                t(&a["ends_at"]) <= t(&b["starts_at"]) || t(&b["ends_at"]) <= t(&a["starts_at"]),
                "overlap: {a} {b}"
            );
        }
    }
}

db_test! {
    async fn a_shifts_lunch_break_holds_no_visit_and_no_plan_goes_into_it(app) {
        let app = crate::helpers::spawn_app_with(app.backend, |s| s.shifts.lunch_break = "12:00-13:30".into()).await;
        let sched = app.token_for("sched.a", Role::Scheduler, Some("WH-CL-01")).await;
        let d = tomorrow();
        let nurse = app.create_user("nurse.lunch", Role::Clinician, Some("WH-CL-01"), &["nursing"]);
        let r = app.post("/api/v1/shifts", &sched, json!({"clinician_id": nurse, "starts_at": at(d, "08:00"), "ends_at": at(d, "17:00")})).await;
        assert_eq!(r.status, 201, "{r:?}");
        assert_eq!(r.body["breaks"].as_array().unwrap().len(), 1, "the district's lunch break: {r:?}");
        assert_eq!(t(&r.body["breaks"][0]["starts_at"]), t(&json!(at(d, "12:00"))));
        assert_eq!(t(&r.body["breaks"][0]["ends_at"]), t(&json!(at(d, "13:30"))));
        // A shift that does not span the lunch break gets none; bad breaks are all named at once.
        let other = app.create_user("nurse.other", Role::Clinician, Some("WH-CL-01"), &["nursing"]);
        let morning = app.post("/api/v1/shifts", &sched, json!({"clinician_id": other, "starts_at": at(d, "08:00"), "ends_at": at(d, "12:30")})).await;
        assert_eq!(morning.body["breaks"], json!([]), "{morning:?}");
        let shifts_before = app.count("shifts");
        let bad = app.post("/api/v1/shifts", &sched, json!({"clinician_id": other, "starts_at": at(d + Duration::days(1), "08:00"),
            "ends_at": at(d + Duration::days(1), "17:00"), "breaks": [
                {"starts_at": at(d + Duration::days(1), "07:00"), "ends_at": at(d + Duration::days(1), "09:00")},
                {"starts_at": at(d + Duration::days(1), "12:00"), "ends_at": at(d + Duration::days(1), "11:00")}]})).await;
        assert_eq!(bad.status, 422, "{bad:?}");
        let fields: Vec<&str> = bad.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["breaks[0]", "breaks[1].ends_at"]);
        assert_eq!(app.count("shifts"), shifts_before, "nothing stored");
        // Booking into the break is a conflict; the slots offered keep out of it, travel included.
        let resident = app.resident_of(&sched, "WH-CL-01", "午休老人").await;
        let into = app.post("/api/v1/visits", &sched, json!({"resident_id": resident, "service_type": "blood_pressure_check",
            "clinician_id": nurse, "starts_at": at(d, "12:30")})).await;
        assert_eq!((into.status, into.problem_code()), (409, "visit_conflict".to_string()), "{into:?}");
        let slots = app.get(&format!("/api/v1/availability?resident_id={resident}&service_type=blood_pressure_check&from={}&to={}&clinician_id={nurse}",
            urlencoding(&at(d, "11:00")), urlencoding(&at(d, "15:00"))), &sched).await;
        assert_eq!(slots.status, 200, "{slots:?}");
        let (noon, back) = (t(&json!(at(d, "12:00"))), t(&json!(at(d, "13:30"))));
        let offered = slots.body["items"].as_array().unwrap();
        assert!(!offered.is_empty());
        for s in offered {
            let before = Duration::minutes(s["travel_minutes_before"].as_i64().unwrap());
            assert!(t(&s["ends_at"]) <= noon || t(&s["starts_at"]) - before >= back, "in the break: {s}");
        }
        // A day plan keeps its routes out of the break too.
        for i in 0..6 {
            let r = app.resident_of(&sched, "WH-CL-01", &format!("午间{i}")).await;
            let ask = app.post("/api/v1/visits", &sched, json!({"resident_id": r, "service_type": "blood_pressure_check",
                "window_start": at(d, "11:00"), "window_end": at(d, "15:00"), "auto_assign": false})).await;
            assert_eq!(ask.status, 201, "{ask:?}");
        }
        let run = finished(&app, &sched, &app.post("/api/v1/planning/runs", &sched,
            json!({"clinic_id": app.org_id("WH-CL-01"), "date": d, "time_limit_seconds": 10})).await).await;
        let routes = run.body["proposal"]["routes"].as_array().unwrap();
        assert!(routes.len() >= 2, "a route before the break and one after: {run:?}");
        for route in routes {
            for s in route["stops"].as_array().unwrap() {
                let before = Duration::minutes(s["travel_minutes"].as_i64().unwrap());
                assert!(t(&s["ends_at"]) <= noon || t(&s["starts_at"]) - before >= back, "in the break: {s}");
            }
        }
    }
}

fn urlencoding(s: &str) -> String {
    s.replace('+', "%2B").replace(':', "%3A")
}

db_test! {
    async fn an_absent_clinicians_later_visits_move_to_another_and_the_rest_of_the_day_stays(app) {
        let sched = app.token_for("sched.a", Role::Scheduler, Some("WH-CL-01")).await;
        let d = tomorrow();
        let n = nurses(&app, &sched, 2, &[d], ("08:00", "17:00")).await;
        let early = booked(&app, &sched, d, "早上", &n[0], "09:00").await;
        let late = [booked(&app, &sched, d, "上午", &n[0], "11:00").await, booked(&app, &sched, d, "下午", &n[0], "14:00").await];
        let other = booked(&app, &sched, d, "别的", &n[1], "09:00").await;
        let clinic = app.org_id("WH-CL-01");
        let body = json!({"clinic_id": clinic, "mode": "repair", "reason": "clinician_absent", "clinician_id": n[0], "from": at(d, "10:00")});
        // Another clinic's scheduler may not repair this one.
        let foreign = app.token_for("sched.b", Role::Scheduler, Some("WH-CL-04")).await;
        assert_eq!(app.post("/api/v1/planning/runs", &foreign, body.clone()).await.status, 404);
        let run = finished(&app, &sched, &app.post("/api/v1/planning/runs", &sched, body).await).await;
        assert_eq!(run.body["mode"], "repair");
        assert_eq!(run.body["repair"]["reason"], "clinician_absent");
        assert_eq!(app.get(&format!("/api/v1/planning/runs/{}", run.id()), &foreign).await.status, 404);
        let repair = &run.body["proposal"]["repair"];
        assert_eq!(repair["stage"], 1, "only the absent clinician's visits moved: {run:?}");
        assert_eq!((repair["reassigned"].as_u64(), repair["unplaced"].as_u64()), (Some(2), Some(0)), "{run:?}");
        for v in &late {
            let c = change_of(&run, v).unwrap_or_else(|| panic!("{v} changes: {run:?}"));
            assert_eq!(c["change"], "reassigned");
            assert_eq!(c["before"]["clinician_id"], n[0].as_str());
            assert_eq!(c["after"]["clinician_id"], n[1].as_str());
        }
        assert!(change_of(&run, &early).is_none() && change_of(&run, &other).is_none(), "the rest stays: {run:?}");
        let applied = app.post(&format!("/api/v1/planning/runs/{}/apply", run.id()), &sched, json!({})).await;
        assert_eq!(applied.status, 200, "{applied:?}");
        assert_eq!(applied.body["outcome"]["applied"].as_array().unwrap().len(), 2, "{applied:?}");
        for v in &late {
            let now = app.get(&format!("/api/v1/visits/{v}"), &sched).await;
            assert_eq!((now.body["status"].as_str(), now.body["clinician_id"].as_str()), (Some("scheduled"), Some(n[1].as_str())));
            assert_eq!(app.count(&format!("events WHERE entity_id = '{v}' AND kind = 'visit.reschedule'")), 1);
            assert_eq!(app.count(&format!("audit_log WHERE entity_id = '{v}' AND action = 'reschedule'")), 1);
        }
        let kept = app.get(&format!("/api/v1/visits/{early}"), &sched).await;
        assert_eq!(kept.body["clinician_id"], n[0].as_str());
        assert_eq!(app.count(&format!("events WHERE entity_id = '{}' AND kind = 'planning_run.applied'", run.id())), 1);
        // The absence is recorded: the clinician's shift that day now ends at 10:00, audited.
        let shifts = app.get(&format!("/api/v1/shifts?clinician_id={}&from={d}&to={d}", n[0]), &sched).await;
        let items = shifts.body["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{shifts:?}");
        assert_eq!(t(&items[0]["ends_at"]), t(&json!(at(d, "10:00"))));
        assert_eq!(app.count(&format!("audit_log WHERE entity = 'shift' AND entity_id = '{}' AND action = 'update'", items[0]["id"].as_str().unwrap())), 1);
        // A clinician absent all day has no shift left: a plan of the day leaves their booked
        // visits alone instead of refusing the day.
        let all_day = finished(&app, &sched, &app.post("/api/v1/planning/runs", &sched, json!({"clinic_id": clinic,
            "mode": "repair", "reason": "clinician_absent", "clinician_id": n[0], "from": at(d, "08:00")})).await).await;
        let applied = app.post(&format!("/api/v1/planning/runs/{}/apply", all_day.id()), &sched, json!({})).await;
        assert_eq!(applied.status, 200, "{applied:?}");
        let none = app.get(&format!("/api/v1/shifts?clinician_id={}&from={d}&to={d}", n[0]), &sched).await;
        assert_eq!(none.body["items"], json!([]), "{none:?}");
        let plan = finished(&app, &sched, &app.post("/api/v1/planning/runs", &sched, json!({"clinic_id": clinic, "date": d})).await).await;
        let routes = plan.body["proposal"]["routes"].as_array().unwrap();
        assert!(routes.iter().all(|r| r["clinician_id"] == n[1].as_str()), "{plan:?}");
        assert!(stops_of(&plan).contains(&early), "moved to the other nurse by the second repair: {plan:?}");
        no_overlaps(&app, &sched, d).await;
    }
}

db_test! {
    async fn a_repair_applied_after_someone_changed_the_day_reports_it_and_never_double_books(app) {
        let sched = app.token_for("sched.a", Role::Scheduler, Some("WH-CL-01")).await;
        let d = tomorrow();
        let n = nurses(&app, &sched, 2, &[d], ("08:00", "17:00")).await;
        let late = [booked(&app, &sched, d, "上午", &n[0], "11:00").await, booked(&app, &sched, d, "下午", &n[0], "14:00").await];
        let run = finished(&app, &sched, &app.post("/api/v1/planning/runs", &sched, json!({"clinic_id": app.org_id("WH-CL-01"),
            "mode": "repair", "reason": "clinician_absent", "clinician_id": n[0], "from": at(d, "10:00")})).await).await;
        let target = |v: &str| change_of(&run, v).unwrap()["after"].clone();
        // Meanwhile: the first visit is moved by hand, and a new visit takes the second's new slot.
        let by_hand = app.post(&format!("/api/v1/visits/{}/reschedule", late[0]), &sched,
            json!({"clinician_id": n[0], "starts_at": at(d, "09:00")})).await;
        assert_eq!(by_hand.status, 200, "{by_hand:?}");
        let slot = target(&late[1]);
        let resident = app.resident_of(&sched, "WH-CL-01", "插队").await;
        let taken = app.post("/api/v1/visits", &sched, json!({"resident_id": resident, "service_type": "blood_pressure_check",
            "clinician_id": slot["clinician_id"], "starts_at": slot["starts_at"]})).await;
        assert_eq!(taken.status, 201, "{taken:?}");
        let applied = app.post(&format!("/api/v1/planning/runs/{}/apply", run.id()), &sched, json!({})).await;
        assert_eq!(applied.status, 200, "{applied:?}");
        assert_eq!(applied.body["outcome"]["changed"], json!([late[0]]), "{applied:?}");
        assert_eq!(applied.body["outcome"]["conflicts"], json!([late[1]]), "{applied:?}");
        let first = app.get(&format!("/api/v1/visits/{}", late[0]), &sched).await;
        assert_eq!(t(&first.body["starts_at"]), t(&json!(at(d, "09:00"))), "kept as moved by hand");
        no_overlaps(&app, &sched, d).await;
        // Applied once: a second apply is refused.
        let again = app.post(&format!("/api/v1/planning/runs/{}/apply", run.id()), &sched, json!({})).await;
        assert_eq!(again.status, 409);
    }
}

db_test! {
    async fn an_urgent_visit_is_fitted_in_moving_a_booked_one_when_it_must(app) {
        let sched = app.token_for("sched.a", Role::Scheduler, Some("WH-CL-01")).await;
        let d = tomorrow();
        let n = nurses(&app, &sched, 1, &[d], ("08:00", "12:00")).await;
        let ten = booked(&app, &sched, d, "十点", &n[0], "10:00").await;
        let resident = app.resident_of(&sched, "WH-CL-01", "急诊").await;
        let urgent = app.post("/api/v1/visits", &sched, json!({"resident_id": resident, "service_type": "blood_pressure_check",
            "priority": "urgent", "window_start": at(d, "10:00"), "window_end": at(d, "10:15"), "auto_assign": false})).await;
        assert_eq!(urgent.status, 201, "{urgent:?}");
        let run = finished(&app, &sched, &app.post("/api/v1/planning/runs", &sched, json!({"clinic_id": app.org_id("WH-CL-01"),
            "mode": "repair", "reason": "urgent_visit", "visit_id": urgent.id(), "from": at(d, "09:00")})).await).await;
        assert_eq!(change_of(&run, &urgent.id()).unwrap_or_else(|| panic!("{run:?}"))["change"], "added", "{run:?}");
        assert_eq!(change_of(&run, &ten).unwrap()["change"], "moved", "{run:?}");
        let applied = app.post(&format!("/api/v1/planning/runs/{}/apply", run.id()), &sched, json!({})).await;
        assert_eq!(applied.body["outcome"]["applied"].as_array().unwrap().len(), 2, "{applied:?}");
        let v = app.get(&format!("/api/v1/visits/{}", urgent.id()), &sched).await;
        assert_eq!(v.body["status"], "scheduled");
        no_overlaps(&app, &sched, d).await;
    }
}

db_test! {
    async fn bad_repairs_and_week_runs_are_refused_naming_each_field_and_change_nothing(app) {
        let sched = app.token_for("sched.a", Role::Scheduler, Some("WH-CL-01")).await;
        let d = tomorrow();
        let n = nurses(&app, &sched, 1, &[d], ("08:00", "17:00")).await;
        let ten = booked(&app, &sched, d, "十点", &n[0], "10:00").await;
        let clinic = app.org_id("WH-CL-01");
        for (body, fields) in [
            (json!({"clinic_id": clinic, "mode": "repair"}), vec!["reason"]),
            (json!({"clinic_id": clinic, "mode": "repair", "reason": "clinician_absent"}), vec!["clinician_id"]),
            (json!({"clinic_id": clinic, "mode": "repair", "reason": "urgent_visit", "week_of": d}), vec!["week_of", "visit_id"]),
            (json!({"clinic_id": clinic, "date": d, "week_of": d}), vec!["week_of"]),
            (json!({"clinic_id": clinic, "date": d, "reason": "overrun"}), vec!["reason"]),
            // A booked visit is no urgent visit to fit in, nor one under way.
            (json!({"clinic_id": clinic, "mode": "repair", "reason": "urgent_visit", "visit_id": ten, "from": at(d, "09:00")}), vec!["visit_id"]),
            (json!({"clinic_id": clinic, "mode": "repair", "reason": "overrun", "visit_id": ten, "from": at(d, "09:00")}), vec!["visit_id"]),
            (json!({"clinic_id": clinic, "mode": "repair", "reason": "clinician_absent", "clinician_id": ten, "from": at(d, "09:00")}), vec!["clinician_id"]),
            (json!({"clinic_id": clinic, "week_of": d + Duration::days(60)}), vec!["week_of"]),
        ] {
            let r = app.post("/api/v1/planning/runs", &sched, body.clone()).await;
            assert_eq!(r.status, 422, "{body}: {r:?}");
            let got: Vec<&str> = r.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
            assert_eq!(got, fields, "{body}: {r:?}");
        }
        assert_eq!(app.count("planning_runs"), 0);
    }
}

db_test! {
    async fn a_week_plan_gives_visits_whose_windows_span_days_a_day_inside_the_shifts(app) {
        let sched = app.token_for("sched.a", Role::Scheduler, Some("WH-CL-01")).await;
        let today = Utc::now().with_timezone(&chrono_tz::Asia::Shanghai).date_naive();
        let monday = today + Duration::days(7 - today.weekday().num_days_from_monday() as i64);
        let days: Vec<NaiveDate> = (0..3).map(|i| monday + Duration::days(i)).collect();
        let _nurses = nurses(&app, &sched, 2, &days, ("08:00", "09:00")).await;
        let mut asked = vec![];
        for i in 0..10 {
            let r = app.resident_of(&sched, "WH-CL-01", &format!("周{i}")).await;
            let v = app.post("/api/v1/visits", &sched, json!({"resident_id": r, "service_type": "blood_pressure_check",
                "window_start": at(days[0], "08:00"), "window_end": at(days[2], "09:00"), "auto_assign": false})).await;
            assert_eq!(v.status, 201, "{v:?}");
            asked.push(v.id());
        }
        let run = finished(&app, &sched, &app.post("/api/v1/planning/runs", &sched,
            json!({"clinic_id": app.org_id("WH-CL-01"), "week_of": days[1], "time_limit_seconds": 10})).await).await;
        assert_eq!((run.body["mode"].as_str(), run.body["week_of"].as_str()), (Some("week"), Some(monday.to_string().as_str())));
        let proposal = &run.body["proposal"];
        assert_eq!(proposal["placed"], 10, "{run:?}");
        let mut dates = std::collections::BTreeSet::new();
        for route in proposal["routes"].as_array().unwrap() {
            let day: NaiveDate = route["date"].as_str().unwrap().parse().unwrap();
            assert!(days.contains(&day), "{route}");
            dates.insert(day);
            // The load spreads: 150 minutes of visits over six hours of shifts, with the 30 % margin
            // a shift of an hour takes at most 32.5 minutes of them, so two visits.
            assert!(route["stops"].as_array().unwrap().len() <= 2, "{route}");
            for s in route["stops"].as_array().unwrap() {
                assert!(t(&s["starts_at"]) >= t(&json!(at(day, "08:00"))) && t(&s["ends_at"]) <= t(&json!(at(day, "09:00"))), "outside the shift: {s}");
            }
        }
        assert_eq!(dates.len(), 3, "spread over the three days: {dates:?}");
        let applied = app.post(&format!("/api/v1/planning/runs/{}/apply", run.id()), &sched, json!({})).await;
        assert_eq!(applied.body["outcome"]["applied"].as_array().unwrap().len(), 10, "{applied:?}");
        for d in days {
            no_overlaps(&app, &sched, d).await;
        }
        // Another clinic sees none of it.
        let foreign = app.token_for("sched.b", Role::Scheduler, Some("WH-CL-04")).await;
        assert_eq!(app.get(&format!("/api/v1/planning/runs/{}", run.id()), &foreign).await.status, 404);
    }
}
