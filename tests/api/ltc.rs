//! Long-term care: a disability assessment grades a resident (a newer one supersedes it), the
//! grade entitles them to covered visits each month, and booking past that is refused unless
//! self-paid, also when bookings race for the last unit.
use carelink::auth::Role;
use carelink::ltc::model::Standard;
use chrono::{Duration, NaiveDate};
use serde_json::{json, Value};
use std::collections::BTreeMap;

use crate::db_test;
use crate::helpers::TestApp;

/// A full form: daily living at `adl` of each item's points (0 the least, 1 the most), cognition
/// and perception intact or not.
fn form(adl_max: bool, minds_intact: bool) -> BTreeMap<String, i32> {
    let s = Standard::embedded().unwrap();
    let mut scores = BTreeMap::new();
    for ind in s.indicators() {
        let best = if ind.code == "adl" {
            adl_max
        } else {
            minds_intact
        };
        for item in &ind.items {
            let points = item.points();
            let v = if best {
                *points.iter().max().unwrap()
            } else {
                *points.iter().min().unwrap()
            };
            scores.insert(item.code.clone(), v);
        }
    }
    scores
}

fn grade_of(scores: &BTreeMap<String, i32>) -> i64 {
    i64::from(Standard::embedded().unwrap().score(scores).unwrap().grade)
}

fn days_ago(n: i64) -> String {
    (chrono::Utc::now() - Duration::days(n)).to_rfc3339()
}

fn next_weekday() -> NaiveDate {
    let mut d = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
        + Duration::days(1);
    while chrono::Datelike::weekday(&d).number_from_monday() > 5 {
        d += Duration::days(1);
    }
    d
}

fn at(d: NaiveDate, hm: &str) -> String {
    format!("{d}T{hm}:00+08:00")
}

struct Setup {
    sched: String,
    resident: String,
    rehab: Vec<String>,
    day: NaiveDate,
}

/// WH-CL-01 with `n` rehabilitation therapists on shift the next weekday, and a resident assessed
/// 60 days ago at grade 3 (daily living severely impaired, the mind intact), which covers two
/// rehabilitation visits a month.
async fn setup(app: &TestApp, n: usize) -> Setup {
    let sched = app
        .token_for("sched.ltc", Role::Scheduler, Some("WH-CL-01"))
        .await;
    let day = next_weekday();
    let mut rehab = vec![];
    for i in 0..n {
        let id = app.create_user(
            &format!("rehab.ltc{i}"),
            Role::Clinician,
            Some("WH-CL-01"),
            &["rehabilitation"],
        );
        let r = app.post("/api/v1/shifts", &sched, json!({"clinician_id": id, "starts_at": at(day, "08:00"), "ends_at": at(day, "18:00")})).await;
        assert_eq!(r.status, 201, "{r:?}");
        rehab.push(id);
    }
    let resident = app.resident_of(&sched, "WH-CL-01", "李淑珍").await;
    let scores = form(false, true);
    assert_eq!(
        grade_of(&scores),
        3,
        "the form this test needs grades 3 under the shipped standard"
    );
    let r = app
        .post(
            "/api/v1/assessments",
            &sched,
            json!({"resident_id": resident, "kind": "ltc_disability",
        "scores": scores, "assessed_at": days_ago(60)}),
        )
        .await;
    assert_eq!(r.status, 201, "{r:?}");
    Setup {
        sched,
        resident,
        rehab,
        day,
    }
}

fn rehab_visit(s: &Setup, clinician: usize, hm: &str) -> Value {
    json!({"resident_id": s.resident, "service_type": "rehabilitation_training",
        "window_start": at(s.day, "08:00"), "window_end": at(s.day, "18:00"),
        "clinician_id": s.rehab[clinician], "starts_at": at(s.day, hm)})
}

db_test! {
    async fn an_assessment_grades_the_resident_and_a_newer_one_supersedes_it(app) {
        let sched = app.token_for("sched.as", Role::Scheduler, Some("WH-CL-01")).await;
        let resident = app.resident_of(&sched, "WH-CL-01", "赵淑珍").await;
        let before = app.count("ltc_assessments");
        let mut missing = form(true, true);
        let gone = missing.keys().next().unwrap().clone();
        missing.remove(&gone);
        let mut bad = form(true, true);
        bad.insert("walking".into(), 7);
        bad.insert("flying".into(), 1);
        for (body, fields) in [
            (json!({"resident_id": resident, "kind": "ltc_disability", "scores": missing}), vec![format!("scores.{gone}")]),
            (json!({"resident_id": resident, "kind": "ltc_disability", "scores": bad}), vec!["scores.flying".to_string(), "scores.walking".to_string()]),
            (json!({"resident_id": resident, "kind": "barthel", "scores": form(true, true)}), vec!["kind".to_string()]),
            (json!({"resident_id": resident, "kind": "ltc_disability", "scores": form(true, true), "assessed_at": (chrono::Utc::now() + Duration::days(2)).to_rfc3339()}), vec!["assessed_at".to_string()]),
        ] {
            let r = app.post("/api/v1/assessments", &sched, body).await;
            assert_eq!((r.status, r.problem_code()), (422, "validation_failed".to_string()), "{r:?}");
            let mut named: Vec<String> = r.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_string()).collect();
            named.sort();
            assert_eq!(named, fields);
        }
        assert_eq!(app.count("ltc_assessments"), before, "refused forms write nothing");

        let first = app.post("/api/v1/assessments", &sched, json!({"resident_id": resident, "kind": "ltc_disability",
            "scores": form(true, true), "assessed_at": days_ago(100)})).await;
        assert_eq!(first.status, 201, "{first:?}");
        assert_eq!(first.body["grade"].as_i64(), Some(grade_of(&form(true, true))));
        assert_eq!(first.body["grade"], 0, "able in everything: basically normal");
        assert_eq!(first.body["status"], "current");
        assert_eq!(first.body["result"]["indicators"].as_array().map(Vec::len), Some(3));
        let second = app.post("/api/v1/assessments", &sched, json!({"resident_id": resident, "kind": "ltc_disability",
            "scores": form(false, false)})).await;
        assert_eq!(second.status, 201);
        assert_eq!(second.body["grade"].as_i64(), Some(grade_of(&form(false, false))));
        assert_eq!(second.body["grade"], 5, "unable in everything: severe disability level III");
        let list = app.get(&format!("/api/v1/residents/{resident}/assessments"), &sched).await;
        let seen: Vec<(&str, &str)> = list.body.as_array().unwrap().iter().map(|a| (a["id"].as_str().unwrap(), a["status"].as_str().unwrap())).collect();
        assert_eq!(seen, vec![(second.id().as_str(), "current"), (first.id().as_str(), "superseded")]);
        assert_eq!(app.count(&format!("audit_log WHERE entity = 'ltc_assessment' AND entity_id = '{}'", second.id())), 1);

        // Who may: a care home may not assess; another community's clinic and a hospital see nothing.
        let home = app.token_for("home.as", Role::CareHome, Some("WH-CH-01")).await;
        assert_eq!(app.post("/api/v1/assessments", &home, json!({"resident_id": resident, "kind": "ltc_disability", "scores": form(true, true)})).await.status, 403);
        let other = app.token_for("sched.as4", Role::Scheduler, Some("WH-CL-04")).await;
        assert_eq!(app.post("/api/v1/assessments", &other, json!({"resident_id": resident, "kind": "ltc_disability", "scores": form(true, true)})).await.status, 404);
        assert_eq!(app.get(&format!("/api/v1/residents/{resident}/assessments"), &other).await.status, 404);
        assert_eq!(app.get(&format!("/api/v1/residents/{resident}/entitlements"), &other).await.status, 404);
        let desk = app.token_for("desk.as", Role::Hospital, Some("WH-HO-01")).await;
        assert_eq!(app.get(&format!("/api/v1/residents/{resident}/assessments"), &desk).await.status, 404);
    }
}

db_test! {
    async fn booking_past_the_months_entitlement_is_refused_unless_the_resident_pays(app) {
        let s = setup(&app, 1).await;
        let month = s.day.format("%Y-%m").to_string();
        let path = format!("/api/v1/residents/{}/entitlements?month={month}", s.resident);
        let e = app.get(&path, &s.sched).await;
        assert_eq!(e.status, 200, "{e:?}");
        assert_eq!(e.body["grade"], 3);
        let rehab = |e: &Value| e["lines"].as_array().unwrap().iter().find(|l| l["category"] == "rehabilitation").cloned().unwrap();
        assert_eq!((rehab(&e.body)["granted"].as_i64(), rehab(&e.body)["used"].as_i64()), (Some(2), Some(0)));

        for hm in ["08:30", "10:00"] {
            let r = app.post("/api/v1/visits", &s.sched, rehab_visit(&s, 0, hm)).await;
            assert_eq!(r.status, 201, "{r:?}");
        }
        let before = app.count("visits");
        let third = app.post("/api/v1/visits", &s.sched, rehab_visit(&s, 0, "13:00")).await;
        assert_eq!((third.status, third.problem_code()), (409, "entitlement_exceeded".to_string()), "{third:?}");
        assert_eq!((third.body["granted"].as_i64(), third.body["used"].as_i64()), (Some(2), Some(2)));
        assert_eq!(app.count("visits"), before, "nothing written");
        let mut paid = rehab_visit(&s, 0, "13:00");
        paid["self_paid"] = json!(true);
        let r = app.post("/api/v1/visits", &s.sched, paid).await;
        assert_eq!((r.status, r.body["self_paid"].as_bool()), (201, Some(true)), "{r:?}");
        let e = app.get(&path, &s.sched).await;
        assert_eq!((rehab(&e.body)["used"].as_i64(), rehab(&e.body)["remaining"].as_i64()), (Some(2), Some(0)), "self-paid does not count");

        // Moving a covered visit within the month does not count it twice; a visit not covered
        // (prevention) is never checked.
        let list = app.get(&format!("/api/v1/visits?resident_id={}&status=scheduled", s.resident), &s.sched).await;
        let covered = list.body["items"].as_array().unwrap().iter().find(|v| v["self_paid"] == false).unwrap()["id"].as_str().unwrap().to_string();
        let r = app.post(&format!("/api/v1/visits/{covered}/reschedule"), &s.sched, json!({"starts_at": at(s.day, "15:30")})).await;
        assert_eq!(r.status, 200, "{r:?}");
        assert_eq!(app.get(&format!("/api/v1/residents/{}/entitlements?month=13-2026", s.resident), &s.sched).await.status, 422);
    }
}

db_test! {
    async fn of_bookings_racing_for_the_last_unit_exactly_one_wins(app) {
        let s = setup(&app, 5).await;
        let first = app.post("/api/v1/visits", &s.sched, rehab_visit(&s, 0, "08:30")).await;
        assert_eq!(first.status, 201, "{first:?}");
        // One unit left; four therapists, each free at 13:00, are booked for it at once.
        let tries = (1..5).map(|i| app.post("/api/v1/visits", &s.sched, rehab_visit(&s, i, "13:00")));
        let answers = futures_util::future::join_all(tries).await;
        let won = answers.iter().filter(|r| r.status == 201).count();
        for r in answers.iter().filter(|r| r.status != 201) {
            assert_eq!((r.status, r.problem_code().as_str()), (409, "entitlement_exceeded"), "{r:?}");
        }
        assert_eq!(won, 1, "{:?}", answers.iter().map(|r| r.status).collect::<Vec<_>>());
        let e = app.get(&format!("/api/v1/residents/{}/entitlements?month={}", s.resident, s.day.format("%Y-%m")), &s.sched).await;
        let line = e.body["lines"].as_array().unwrap().iter().find(|l| l["category"] == "rehabilitation").cloned().unwrap();
        assert_eq!((line["used"].as_i64(), line["remaining"].as_i64()), (Some(2), Some(0)));
    }
}

db_test! {
    async fn a_months_claim_lists_the_covered_visits_done_and_holds_back_the_far_ones(app) {
        let s = setup(&app, 1).await;
        let therapist = app.access_token("rehab.ltc0").await;
        let home = app.get(&format!("/api/v1/residents/{}", s.resident), &s.sched).await.body["location"].clone();
        let far = json!({"lat": home["lat"].as_f64().unwrap() + 0.05, "lon": home["lon"]});
        let mut paid = rehab_visit(&s, 0, "14:00");
        paid["self_paid"] = json!(true);
        let mut ids = vec![];
        for body in [rehab_visit(&s, 0, "08:30"), rehab_visit(&s, 0, "10:00"), paid] {
            let r = app.post("/api/v1/visits", &s.sched, body).await;
            assert_eq!(r.status, 201, "{r:?}");
            ids.push(r.id());
        }
        for (i, id) in ids.iter().enumerate() {
            let at = if i == 1 { far.clone() } else { home.clone() };
            assert_eq!(app.post(&format!("/api/v1/visits/{id}/check-in"), &therapist, at.clone()).await.status, 200);
            let mut out = at;
            out["tasks"] = json!([{"task": "康复训练", "done": true}]);
            assert_eq!(app.post(&format!("/api/v1/visits/{id}/check-out"), &therapist, out).await.status, 200);
        }
        let month = s.day.format("%Y-%m").to_string();
        let c = app.get(&format!("/api/v1/claims?month={month}"), &s.sched).await;
        assert_eq!(c.status, 200, "{c:?}");
        let lines = c.body["lines"].as_array().unwrap();
        let seen: Vec<(&str, bool)> = lines.iter().map(|l| (l["visit_id"].as_str().unwrap(), l["review"].as_bool().unwrap())).collect();
        assert_eq!(seen, vec![(ids[0].as_str(), false), (ids[1].as_str(), true)], "the self-paid visit is not claimed; the far one is held for review");
        assert_eq!((lines[0]["grade"].as_i64(), lines[0]["resident_name"].as_str(), lines[0]["category"].as_str()), (Some(3), Some("李淑珍"), Some("rehabilitation")));
        assert!(lines[0]["clinician_name"].is_string());
        assert_eq!((c.body["totals"]["claimed_visits"].as_i64(), c.body["totals"]["for_review"].as_i64()), (Some(1), Some(1)));

        let csv = app.send(app.client.get(app.url(&format!("/api/v1/claims?month={month}&format=csv"))).bearer_auth(&s.sched)).await;
        assert_eq!(csv.status, 200);
        assert!(csv.content_type().starts_with("text/csv"), "{csv:?}");
        let admin = app.admin().await;
        let all = app.get(&format!("/api/v1/claims?month={month}&organization_id={}", app.org_id("WH-CL-01")), &admin).await;
        assert_eq!(all.body["lines"].as_array().map(Vec::len), Some(2));

        let other = app.token_for("sched.cl4", Role::Scheduler, Some("WH-CL-04")).await;
        let r = app.get(&format!("/api/v1/claims?month={month}&organization_id={}", app.org_id("WH-CL-01")), &other).await;
        assert_eq!(r.status, 404, "another clinic's claim");
        assert_eq!(app.get(&format!("/api/v1/claims?month={month}"), &other).await.body["lines"].as_array().map(Vec::len), Some(0));
        assert_eq!(app.get(&format!("/api/v1/claims?month={month}"), &therapist).await.status, 403);
        assert_eq!(app.get("/api/v1/claims?month=2026-13", &s.sched).await.status, 422);
    }
}
