//! The family's side: logins given by the resident's clinic, the resident's own visits, one
//! rating per completed visit (raced), complaints routed to the unit they are about, and the unit
//! report counting both.
use carelink::auth::Role;
use chrono::{Duration, NaiveDate};
use serde_json::json;

use crate::db_test;
use crate::helpers::{Resp, TestApp};

const FAMILY_PASSWORD: &str = "Kunming-family-2026";

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
    neighbour: String,
}

/// WH-CL-01 with a scheduler and a nurse on shift tomorrow, and two residents of its community.
async fn clinic(app: &TestApp) -> Clinic {
    let sched = app
        .token_for("sched.f", Role::Scheduler, Some("WH-CL-01"))
        .await;
    let doc_id = app.create_user(
        "nurse.f",
        Role::Clinician,
        Some("WH-CL-01"),
        &["nursing", "general_practice"],
    );
    let d = today() + Duration::days(1);
    let r = app
        .post(
            "/api/v1/shifts",
            &sched,
            json!({"clinician_id": doc_id, "starts_at": at(d, "08:00"), "ends_at": at(d, "18:00")}),
        )
        .await;
    assert_eq!(r.status, 201, "{r:?}");
    Clinic {
        resident: app.resident_of(&sched, "WH-CL-01", "李秀兰").await,
        neighbour: app.resident_of(&sched, "WH-CL-01", "王建华").await,
        doc: app.access_token("nurse.f").await,
        sched,
        doc_id,
    }
}

/// A visit to `resident` tomorrow at `hm`, booked with the nurse.
async fn book(app: &TestApp, c: &Clinic, resident: &str, hm: &str) -> String {
    let d = today() + Duration::days(1);
    let r = app.post("/api/v1/visits", &c.sched, json!({"resident_id": resident, "service_type": "blood_pressure_check",
        "window_start": at(d, "08:00"), "window_end": at(d, "18:00"), "clinician_id": c.doc_id, "starts_at": at(d, hm)})).await;
    assert_eq!(r.status, 201, "{r:?}");
    r.id()
}

/// The nurse checks in and out of the visit at the resident's home.
async fn complete(app: &TestApp, c: &Clinic, visit: &str) {
    let v = app.get(&format!("/api/v1/visits/{visit}"), &c.sched).await;
    let resident = app
        .get(
            &format!(
                "/api/v1/residents/{}",
                v.body["resident_id"].as_str().unwrap()
            ),
            &c.sched,
        )
        .await;
    let home = resident.body["location"].clone();
    let r = app
        .post(
            &format!("/api/v1/visits/{visit}/check-in"),
            &c.doc,
            home.clone(),
        )
        .await;
    assert_eq!(r.status, 200, "{r:?}");
    let mut out = home;
    out["tasks"] = json!([{"task": "测量血压", "done": true}]);
    let r = app
        .post(&format!("/api/v1/visits/{visit}/check-out"), &c.doc, out)
        .await;
    assert_eq!(r.status, 200, "{r:?}");
}

/// The clinic gives the resident's family a login; returns its access token.
async fn family_login(app: &TestApp, c: &Clinic, resident: &str, username: &str) -> String {
    let r = app.post(&format!("/api/v1/residents/{resident}/accounts"), &c.sched,
        json!({"username": username, "display_name": "李秀兰（女儿）", "password": FAMILY_PASSWORD})).await;
    assert_eq!(r.status, 201, "{r:?}");
    assert_eq!(
        (r.body["role"].as_str(), r.body["resident_id"].as_str()),
        (Some("resident"), Some(resident)),
        "{r:?}"
    );
    app.access_token_with(username, FAMILY_PASSWORD).await
}

fn ids(r: &Resp, list: &str) -> Vec<String> {
    r.body[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect()
}

db_test! {
    async fn the_clinic_gives_a_family_login_that_sees_only_its_residents_visits(app) {
        let c = clinic(&app).await;
        let mine = book(&app, &c, &c.resident, "09:00").await;
        let theirs = book(&app, &c, &c.neighbour, "11:00").await;
        let family = family_login(&app, &c, &c.resident, "li.daughter").await;

        let me = app.get("/api/v1/me/visits", &family).await;
        assert_eq!(me.status, 200, "{me:?}");
        assert_eq!(ids(&me, "upcoming"), vec![mine.clone()]);
        assert_eq!(me.body["upcoming"][0]["clinician_name"], "nurse.f");
        assert_eq!(me.body["upcoming"][0]["status"], "scheduled");
        assert!(me.body["past"].as_array().unwrap().is_empty());
        assert_eq!(app.get(&format!("/api/v1/visits/{theirs}"), &family).await.status, 404);
        complete(&app, &c, &mine).await;
        let me = app.get("/api/v1/me/visits", &family).await;
        assert_eq!((ids(&me, "upcoming").len(), ids(&me, "past")), (0, vec![mine.clone()]));
        // Staff have no visits of their own.
        assert_eq!(app.get("/api/v1/me/visits", &c.sched).await.problem_code(), "forbidden");

        // Who may give a login: the clinics serving the resident; a clinic of another community
        // does not see the resident (404), a hospital desk may not (403); the username is unique.
        let other = app.token_for("sched.other", Role::Scheduler, Some("WH-CL-04")).await;
        let body = json!({"username": "li.son", "password": FAMILY_PASSWORD});
        let r = app.post(&format!("/api/v1/residents/{}/accounts", c.resident), &other, body.clone()).await;
        assert_eq!((r.status, r.problem_code()), (404, "not_found".to_string()), "{r:?}");
        let desk = app.token_for("desk.f", Role::Hospital, Some("WH-HO-01")).await;
        assert_eq!(app.post(&format!("/api/v1/residents/{}/accounts", c.resident), &desk, body.clone()).await.status, 403);
        let r = app.post(&format!("/api/v1/residents/{}/accounts", c.resident), &c.sched, json!({"username": "li.daughter", "password": FAMILY_PASSWORD})).await;
        assert_eq!((r.status, r.problem_code()), (409, "username_taken".to_string()), "{r:?}");
        for (bad, field) in [(json!({"username": "Li Son", "password": FAMILY_PASSWORD}), "username"), (json!({"username": "li.son", "password": "short"}), "password")] {
            let r = app.post(&format!("/api/v1/residents/{}/accounts", c.resident), &c.sched, bad).await;
            assert_eq!(r.status, 422, "{r:?}");
            assert_eq!(r.body["errors"][0]["field"], field, "{r:?}");
        }
        // Defaults to the resident's name; audited.
        let r = app.post(&format!("/api/v1/residents/{}/accounts", c.resident), &c.sched, body).await;
        assert_eq!((r.status, r.body["display_name"].as_str()), (201, Some("李秀兰")), "{r:?}");
        assert_eq!(app.count(&format!("audit_log WHERE entity = 'staff' AND action = 'create' AND entity_id = '{}'", r.id())), 1);
    }
}

db_test! {
    async fn a_completed_visit_takes_one_rating_from_its_own_family_and_the_clinic_reads_it(app) {
        let c = clinic(&app).await;
        let visit = book(&app, &c, &c.resident, "09:00").await;
        let family = family_login(&app, &c, &c.resident, "li.daughter").await;
        let stranger = family_login(&app, &c, &c.neighbour, "wang.son").await;
        let path = format!("/api/v1/visits/{visit}/feedback");

        let early = app.post(&path, &family, json!({"rating": 5})).await;
        assert_eq!((early.status, early.problem_code()), (409, "visit_not_completed".to_string()), "{early:?}");
        complete(&app, &c, &visit).await;
        for bad in [json!({"rating": 0}), json!({"rating": 6}), json!({"rating": "good"}), json!({"rating": 5, "comment": "好".repeat(1001)})] {
            let r = app.post(&path, &family, bad.clone()).await;
            assert_eq!(r.status, 422, "{bad}: {r:?}");
        }
        assert_eq!(app.post(&path, &stranger, json!({"rating": 1})).await.status, 404, "another resident's visit");
        assert_eq!(app.post(&path, &c.sched, json!({"rating": 5})).await.status, 403, "staff do not rate");
        assert_eq!(app.count("visit_feedback"), 0, "refused ratings change nothing");

        let r = app.post(&path, &family, json!({"rating": 4, "comment": " 护士很耐心 "})).await;
        assert_eq!(r.status, 201, "{r:?}");
        assert_eq!((r.body["rating"].as_i64(), r.body["comment"].as_str(), r.body["clinician_id"].as_str()), (Some(4), Some("护士很耐心"), Some(c.doc_id.as_str())));
        let again = app.post(&path, &family, json!({"rating": 1})).await;
        assert_eq!((again.status, again.problem_code()), (409, "feedback_exists".to_string()), "{again:?}");
        assert_eq!(app.get("/api/v1/me/visits", &family).await.body["past"][0]["rating"], 4);

        // The clinic reads it and hears of it; another clinic and the stranger see none.
        let list = app.get("/api/v1/feedback", &c.sched).await;
        assert_eq!(list.body["items"].as_array().unwrap().len(), 1, "{list:?}");
        assert_eq!(app.count("events WHERE kind = 'feedback.given'"), 1);
        let other = app.token_for("sched.other", Role::Scheduler, Some("WH-CL-02")).await;
        assert_eq!(app.get("/api/v1/feedback", &other).await.body["items"], json!([]));
        assert_eq!(app.get("/api/v1/feedback", &stranger).await.body["items"], json!([]));
        assert_eq!(app.count("audit_log WHERE entity = 'feedback'"), 1);
    }
}

db_test! {
    async fn two_ratings_of_one_visit_at_once_make_one(app) {
        let c = clinic(&app).await;
        let visit = book(&app, &c, &c.resident, "09:00").await;
        complete(&app, &c, &visit).await;
        let family = family_login(&app, &c, &c.resident, "li.daughter").await;
        let path = format!("/api/v1/visits/{visit}/feedback");
        let (a, b) = futures_util::future::join(app.post(&path, &family, json!({"rating": 5})), app.post(&path, &family, json!({"rating": 2}))).await;
        let mut statuses = [a.status, b.status];
        statuses.sort();
        assert_eq!(statuses, [201, 409], "{a:?} {b:?}");
        assert_eq!(app.count("visit_feedback"), 1);
    }
}

db_test! {
    async fn complaints_reach_the_unit_they_are_about_and_the_unit_report_counts_them_with_the_ratings(app) {
        let c = clinic(&app).await;
        let visit = book(&app, &c, &c.resident, "09:00").await;
        complete(&app, &c, &visit).await;
        let family = family_login(&app, &c, &c.resident, "li.daughter").await;
        let stranger = family_login(&app, &c, &c.neighbour, "wang.son").await;
        let clinic_id = app.org_id("WH-CL-01");

        let about_visit = app.post("/api/v1/complaints", &family, json!({"visit_id": visit, "text": "护士迟到了一个小时，也没有提前通知。"})).await;
        assert_eq!(about_visit.status, 201, "{about_visit:?}");
        assert_eq!(about_visit.body["organization_id"], clinic_id.as_str());
        let general = app.post("/api/v1/complaints", &stranger, json!({"text": "电话总是打不通。"})).await;
        assert_eq!((general.status, general.body["organization_id"].as_str()), (201, Some(clinic_id.as_str())), "the community's clinic: {general:?}");
        assert_eq!(app.post("/api/v1/complaints", &stranger, json!({"visit_id": visit, "text": "x"})).await.status, 404, "another's visit");
        assert_eq!(app.post("/api/v1/complaints", &family, json!({"text": "   "})).await.status, 422);
        assert_eq!(app.post("/api/v1/complaints", &c.sched, json!({"text": "x"})).await.status, 403);
        assert_eq!(app.count("complaints"), 2);
        assert_eq!(app.count("events WHERE kind = 'complaint.made' AND audience LIKE '%authority%'"), 2);

        // The clinic reads both; each family only its own; another clinic none (404 on one).
        assert_eq!(app.get("/api/v1/complaints", &c.sched).await.body["items"].as_array().unwrap().len(), 2);
        let own = app.get("/api/v1/complaints", &family).await;
        assert_eq!(own.body["items"].as_array().unwrap().len(), 1);
        let other = app.token_for("sched.other", Role::Scheduler, Some("WH-CL-02")).await;
        let id = about_visit.id();
        assert_eq!(app.get(&format!("/api/v1/complaints/{id}"), &c.sched).await.status, 200);
        assert_eq!(app.get(&format!("/api/v1/complaints/{id}"), &other).await.status, 404);
        assert_eq!(app.get(&format!("/api/v1/complaints/{id}"), &stranger).await.status, 404);
        assert_eq!(app.get("/api/v1/complaints", &other).await.body["items"], json!([]));

        // The unit report: one rating of 2 (not satisfied), two complaints, one completed visit.
        let r = app.post(&format!("/api/v1/visits/{visit}/feedback"), &family, json!({"rating": 2})).await;
        assert_eq!(r.status, 201, "{r:?}");
        let admin = app.admin().await;
        let (from, to) = (today() - Duration::days(1), today() + Duration::days(3));
        let report = app.get(&format!("/api/v1/reports/units?from={from}&to={to}"), &admin).await;
        assert_eq!(report.status, 200, "{report:?}");
        let unit = report.body["units"].as_array().unwrap().iter().find(|u| u["code"] == "WH-CL-01").unwrap().clone();
        assert_eq!(unit["figures"]["voice"], json!({"ratings": 1, "mean_rating": 2.0, "satisfied": 0, "complaints": 2}), "{unit}");
        let csv = app.client.get(app.url(&format!("/api/v1/reports/units?from={from}&to={to}&format=csv"))).bearer_auth(&admin).send().await.unwrap().text().await.unwrap();
        assert!(csv.lines().next().unwrap().ends_with(",ratings,mean_rating,ratings_satisfied,complaints"));
        assert!(csv.lines().any(|l| l.starts_with("\"WH-CL-01\",") && l.ends_with(",1,2,0,2")), "{csv}");
    }
}
