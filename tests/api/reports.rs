//! The unit report on a small hand-made history with known answers.
use carelink::auth::Role;
use chrono::{Duration, NaiveDateTime};
use serde_json::{json, Value};

use crate::db_test;
use crate::helpers::TestApp;

fn t(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
}

/// A visit as history left it.
struct Past<'a> {
    clinic: &'a str,
    resident: &'a str,
    clinician: &'a str,
    starts: &'a str,
    status: &'a str,
    /// Minutes after the start the clinician checked in.
    check_in_after: Option<i64>,
    missed: Option<&'a str>,
    exception: bool,
}

fn visit(app: &TestApp, p: Past) {
    let s = t(p.starts);
    let row = carelink::visits::repo::NewVisitRow {
        location_exception: p.exception,
        ..crate::helpers::past_visit_row(app.org_id(p.clinic), p.resident, p.clinician, s, p.status)
    };
    let v = carelink::visits::repo::insert(&mut app.conn(), &row).unwrap();
    use carelink::db::schema::visits;
    use diesel::prelude::*;
    diesel::update(visits::table.find(&v.id))
        .set((
            visits::check_in_at.eq(p.check_in_after.map(|m| s + Duration::minutes(m))),
            visits::missed_reason.eq(p.missed),
        ))
        .execute(&mut **app.conn())
        .unwrap();
}

/// A referral from `from` to `to` submitted at `at`, answered `answered_after` minutes later.
async fn referral(
    app: &TestApp,
    sender: &str,
    resident: &str,
    priority: &str,
    at: &str,
    answered_after: Option<i64>,
) {
    let r = app.post("/api/v1/referrals", sender, json!({"resident_id": resident, "direction": "up",
        "to_organization_id": app.org_id("WH-HO-01"), "priority": priority, "reason": "复查",
        "diagnosis": {"text": "高血压"}, "clinical_summary": {"past_history": "无", "treatment_so_far": "无"}})).await;
    assert_eq!(r.status, 201, "{r:?}");
    let created = t(at);
    let minutes = if priority == "urgent" { 120 } else { 1440 };
    use carelink::db::schema::referrals;
    use diesel::prelude::*;
    diesel::update(referrals::table.find(r.id()))
        .set((
            referrals::created_at.eq(created),
            referrals::deadline_at.eq(created + Duration::minutes(minutes)),
            referrals::responded_at.eq(answered_after.map(|m| created + Duration::minutes(m))),
            referrals::status.eq(if answered_after.is_some() {
                "accepted"
            } else {
                "submitted"
            }),
        ))
        .execute(&mut **app.conn())
        .unwrap();
}

fn unit<'a>(report: &'a Value, code: &str) -> &'a Value {
    report["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["code"] == code)
        .unwrap()
}

db_test! {
    async fn the_unit_report_scores_and_ranks_a_known_history(app) {
        let admin = app.admin().await;
        let sched = app.token_for("sched.a", Role::Scheduler, Some("WH-CL-01")).await;
        let sched_b = app.token_for("sched.b", Role::Scheduler, Some("WH-CL-04")).await;
        let doc = app.create_user("doc.a", Role::Clinician, Some("WH-CL-01"), &["nursing"]);
        let doc_b = app.create_user("doc.b", Role::Clinician, Some("WH-CL-04"), &["nursing"]);
        let mk = |name: &'static str, community: &'static str, doctor: Option<String>| {
            let (app, token) = (&app, if community == "WH-CM-01" { sched.clone() } else { sched_b.clone() });
            async move {
                let r = app.post("/api/v1/residents", &token, json!({"name": name, "sex": "female", "birth_date": "1940-01-01",
                    "location": {"lat": 25.05, "lon": 102.7}, "community_id": app.org_id(community), "family_doctor_id": doctor})).await;
                assert_eq!(r.status, 201, "{r:?}");
                r.id()
            }
        };
        let served = mk("甲", "WH-CM-01", Some(doc.clone())).await;
        let unserved = mk("乙", "WH-CM-01", Some(doc.clone())).await;
        let other = mk("丙", "WH-CM-02", None).await;
        // Clinic A: 4 visits in the week: on time, late (and far from home), missed, never done.
        visit(&app, Past { clinic: "WH-CL-01", resident: &served, clinician: &doc, starts: "2026-11-02 01:00", status: "completed", check_in_after: Some(5), missed: None, exception: false });
        visit(&app, Past { clinic: "WH-CL-01", resident: &served, clinician: &doc, starts: "2026-11-03 01:00", status: "completed", check_in_after: Some(30), missed: None, exception: true });
        visit(&app, Past { clinic: "WH-CL-01", resident: &unserved, clinician: &doc, starts: "2026-11-04 01:00", status: "missed", check_in_after: None, missed: Some("not_home: 邻居说去女儿家了"), exception: false });
        visit(&app, Past { clinic: "WH-CL-01", resident: &served, clinician: &doc, starts: "2026-11-05 01:00", status: "scheduled", check_in_after: None, missed: None, exception: false });
        // Outside the week: not counted.
        visit(&app, Past { clinic: "WH-CL-01", resident: &unserved, clinician: &doc, starts: "2026-11-20 01:00", status: "completed", check_in_after: Some(0), missed: None, exception: false });
        // Clinic B: one visit, on time.
        visit(&app, Past { clinic: "WH-CL-04", resident: &other, clinician: &doc_b, starts: "2026-11-02 02:00", status: "completed", check_in_after: Some(0), missed: None, exception: false });
        // Hospital: two referrals from A, one answered in 10 minutes, one after its day.
        referral(&app, &sched, &served, "urgent", "2026-11-02 02:00", Some(10)).await;
        referral(&app, &sched, &served, "routine", "2026-11-03 02:00", Some(2000)).await;

        let r = app.get("/api/v1/reports/units?from=2026-11-02&to=2026-11-09", &admin).await;
        assert_eq!(r.status, 200, "{r:?}");
        let a = unit(&r.body, "WH-CL-01");
        assert_eq!(a["figures"]["visits"], json!({"planned": 4, "done": 2, "done_on_time": 1, "missed": 1,
            "missed_by_reason": {"not_home": 1}, "location_exceptions": 1}));
        assert_eq!(a["figures"]["contracts"], json!({"signed": 2, "unserved": 1}));
        assert_eq!(a["figures"]["referrals"]["sent"], 2);
        assert_eq!(a["score"], 50.0, "mean of 2/4 done, 1/2 on time, 1/2 contracts served");
        let b = unit(&r.body, "WH-CL-04");
        assert_eq!(b["score"], 100.0);
        let h = unit(&r.body, "WH-HO-01");
        assert_eq!((h["figures"]["referrals"]["received"].as_u64(), h["figures"]["referrals"]["answered_in_time"].as_u64()), (Some(2), Some(1)));
        assert_eq!(h["figures"]["referrals"]["response"]["urgent"]["median_minutes"], 10.0);
        assert_eq!(h["figures"]["referrals"]["response"]["routine"]["p90_minutes"], 2000.0);
        assert_eq!(h["score"], 50.0);
        assert_eq!(b["rank"], 1);
        assert_eq!(r.body["red_list"], json!([b["organization_id"]]));
        let black = r.body["black_list"].as_array().unwrap();
        assert_eq!(black.len(), 1);
        assert!(black[0] == a["organization_id"] || black[0] == h["organization_id"]);
        assert!(unit(&r.body, "WH-CH-05")["score"].is_null(), "no data, no score");

        // A unit sees the ranking and only its own figures.
        let mine = app.get("/api/v1/reports/units?from=2026-11-02&to=2026-11-09", &sched).await;
        assert_eq!(unit(&mine.body, "WH-CL-01")["figures"]["visits"]["planned"], 4);
        assert!(unit(&mine.body, "WH-CL-04")["figures"].is_null());
        assert_eq!(unit(&mine.body, "WH-CL-04")["score"], 100.0);

        let csv = app.client.get(app.url("/api/v1/reports/units?from=2026-11-02&to=2026-11-09&format=csv")).bearer_auth(&admin).send().await.unwrap();
        assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        let text = csv.text().await.unwrap();
        let line = text.lines().find(|l| l.starts_with("\"WH-CL-01\"")).expect("a row per unit");
        assert!(line.contains(",clinic,50,") && line.contains(",4,2,1,1,1,2,0,0,0,2,1"), "{line}");
        assert_eq!(text.lines().count(), 1 + 22 + 20 + 3);
    }
}

db_test! {
    async fn a_report_needs_a_real_period_and_is_not_for_residents(app) {
        let admin = app.admin().await;
        for q in ["from=2026-11-09&to=2026-11-02", "from=yesterday&to=2026-11-02", "from=2020-01-01&to=2026-01-01"] {
            let r = app.get(&format!("/api/v1/reports/units?{q}"), &admin).await;
            assert_eq!(r.status, 422, "{q}: {r:?}");
        }
        assert_eq!(app.get("/api/v1/reports/units", &admin).await.status, 400);
    }
}
