//! Home sickbeds (家庭病床): opened by a hospital's down-referral or by hand, their rounds and
//! nursing owed week by week as visits, one open per resident (also when two open at once),
//! extended with a reason, closed with an outcome that cancels only the visits not yet begun.
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

struct Net {
    clinic: String,
    hospital: String,
    foreign_clinic: String,
    gp: String,
    resident: String,
}

async fn net(app: &TestApp, name: &str) -> Net {
    let clinic = app
        .token_for("sched.sb", Role::Scheduler, Some("WH-CL-01"))
        .await;
    let resident = app.resident_of(&clinic, "WH-CL-01", name).await;
    Net {
        hospital: app
            .token_for("desk.sb", Role::Hospital, Some("WH-HO-01"))
            .await,
        foreign_clinic: app
            .token_for("sched.sb4", Role::Scheduler, Some("WH-CL-04"))
            .await,
        gp: app.create_user(
            "gp.sb",
            Role::Clinician,
            Some("WH-CL-01"),
            &["general_practice", "nursing"],
        ),
        clinic,
        resident,
    }
}

fn opening(n: &Net, until: NaiveDate) -> Value {
    json!({"kind": "home_sickbed", "resident_id": n.resident,
        "diagnosis": {"code": "L89.2", "text": "骶尾部压疮 III 期"},
        "responsible_clinician_id": n.gp,
        "plan": {"rounds_per_week": 1, "nursing": [{"service_type": "pressure_ulcer_care", "per_week": 2}], "until": until},
        "admission": {"adl_score": 35, "risks": ["falls", "pressure_ulcer"]}})
}

fn care(e: &Resp) -> Vec<Value> {
    e.body["care"].as_array().expect("care").clone()
}

fn visits_of(e: &Resp) -> Vec<String> {
    care(e)
        .iter()
        .filter_map(|o| o["visit_id"].as_str().map(str::to_string))
        .collect()
}

fn set_visit_status(app: &TestApp, id: &str, status: &str) {
    diesel::RunQueryDsl::execute(
        diesel::sql_query(format!(
            "UPDATE visits SET status = '{status}' WHERE id = '{id}'"
        )),
        &mut *app.conn() as &mut carelink::db::DbConn,
    )
    .unwrap();
}

db_test! {
    async fn a_down_referral_asking_for_a_sickbed_opens_it_on_acceptance_and_closing_cancels_only_visits_not_begun(app) {
        let n = net(&app, "周桂芳").await;
        // The clinic sent the resident up; the hospital sends them home into a sickbed.
        let up = app.post("/api/v1/referrals", &n.clinic, json!({"resident_id": n.resident, "direction": "up",
            "to_organization_id": app.org_id("WH-HO-01"), "department": "神经内科", "priority": "urgent",
            "reason": "突发右侧肢体无力2小时", "diagnosis": {"code": "I63.9", "text": "脑梗死?"},
            "clinical_summary": {"past_history": "高血压10年", "treatment_so_far": "阿司匹林"}})).await;
        assert_eq!(up.status, 201, "{up:?}");
        let down = app.post("/api/v1/referrals", &n.hospital, json!({"resident_id": n.resident, "direction": "down",
            "to_organization_id": app.org_id("WH-CL-01"), "priority": "routine", "reason": "脑梗死恢复期，出院回家",
            "diagnosis": {"code": "I63.9", "text": "脑梗死恢复期"},
            "clinical_summary": {"treatment_given": "溶栓、抗血小板", "rehabilitation_advice": "压疮换药，每周两次"},
            "follow_up": {"service_type": "pressure_ulcer_care", "visits_per_week": 2, "weeks": 2, "home_sickbed": true}})).await;
        assert_eq!(down.status, 201, "{down:?}");
        let down_id = down.id();
        let accepted = app.post(&format!("/api/v1/referrals/{down_id}/accept"), &n.clinic,
            json!({"responsible_clinician_id": n.gp})).await;
        assert_eq!(accepted.status, 200, "{accepted:?}");
        assert!(accepted.body["follow_up_plan_id"].is_null(), "a sickbed, not a plan of visits: {accepted:?}");
        let episode_id = accepted.body["follow_up_episode_id"].as_str().expect("a sickbed").to_string();
        let path = format!("/api/v1/episodes/{episode_id}");
        let e = app.get(&path, &n.clinic).await;
        assert_eq!(e.status, 200, "{e:?}");
        assert_eq!((e.body["status"].as_str(), e.body["referral_id"].as_str()), (Some("open"), Some(down_id.as_str())));
        assert_eq!(e.body["responsible_clinician_id"], n.gp.as_str());
        assert_eq!(e.body["diagnosis"]["code"], "I63.9");
        assert_eq!(e.body["until"], (today() + Duration::days(14)).to_string());
        assert_eq!(e.body["plan"]["rounds_per_week"], 1);
        assert_eq!(e.body["plan"]["nursing"], json!([{"service_type": "pressure_ulcer_care", "per_week": 2}]));
        // 15 days: rounds once in each of three weeks (the third is one day long), nursing twice
        // in the first two and once in the third.
        let c = care(&e);
        let count = |s: &str| c.iter().filter(|o| o["service_type"] == s).count();
        assert_eq!((count("home_sickbed_round"), count("pressure_ulcer_care")), (3, 5), "{c:?}");
        assert!(c.iter().all(|o| o["source"] == "episode" && o["source_id"] == episode_id.as_str()));
        let visits = visits_of(&e);
        assert_eq!(visits.len(), 8, "every window opens within the horizon: a visit each");
        let v = app.get(&format!("/api/v1/visits/{}", visits[0]), &n.clinic).await;
        assert_eq!((v.body["status"].as_str(), v.body["resident_id"].as_str()), (Some("requested"), Some(n.resident.as_str())));
        let listed = app.get(&format!("/api/v1/episodes?resident_id={}&status=open", n.resident), &n.clinic).await;
        assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
        assert!(listed.body["items"][0].get("care").is_none(), "lists leave the care out");

        // A second sickbed while this one is open is refused.
        let again = app.post("/api/v1/episodes", &n.clinic, opening(&n, today() + Duration::days(30))).await;
        assert_eq!((again.status, again.problem_code().as_str()), (409, "sickbed_open"), "{again:?}");

        // Another clinic sees and changes nothing of it.
        assert_eq!(app.get(&path, &n.foreign_clinic).await.status, 404);
        let listed = app.get("/api/v1/episodes", &n.foreign_clinic).await;
        assert_eq!(listed.body["items"].as_array().unwrap().len(), 0);
        let foreign_close = app.post(&format!("{path}/close"), &n.foreign_clinic, json!({"outcome": "other", "summary": "x"})).await;
        assert_eq!(foreign_close.status, 404);

        // One visit is under way when the sickbed closes: it stays; the others not begun are cancelled.
        set_visit_status(&app, &visits[0], "in_progress");
        let bad = app.post(&format!("{path}/close"), &n.clinic, json!({"outcome": "recovered", "summary": " "})).await;
        assert_eq!((bad.status, bad.problem_code().as_str()), (422, "validation_failed"));
        let closed = app.post(&format!("{path}/close"), &n.clinic,
            json!({"outcome": "recovered", "summary": "创面愈合，转社区随访"})).await;
        assert_eq!(closed.status, 200, "{closed:?}");
        assert_eq!((closed.body["status"].as_str(), closed.body["outcome"].as_str()), (Some("closed"), Some("recovered")));
        assert_eq!(closed.body["closed_on"], today().to_string());
        let under_way = app.get(&format!("/api/v1/visits/{}", visits[0]), &n.clinic).await;
        assert_eq!(under_way.body["status"], "in_progress");
        for id in &visits[1..] {
            let v = app.get(&format!("/api/v1/visits/{id}"), &n.clinic).await;
            assert_eq!(v.body["status"], "cancelled", "{v:?}");
            assert!(v.body["cancel_reason"].as_str().unwrap().contains("home sickbed closed"), "{v:?}");
        }
        let waived = care(&closed).iter().filter(|o| o["status"] == "waived").count();
        assert_eq!(waived, 7, "all but the one under way: {:?}", care(&closed));
        assert_eq!(closed.body["progress"]["waived"], 7);
        let twice = app.post(&format!("{path}/close"), &n.clinic, json!({"outcome": "other", "summary": "again"})).await;
        assert_eq!((twice.status, twice.problem_code().as_str()), (409, "invalid_transition"));
        // Closed, the resident may have a new one.
        let reopened = app.post("/api/v1/episodes", &n.clinic, opening(&n, today() + Duration::days(20))).await;
        assert_eq!(reopened.status, 201, "{reopened:?}");
        assert_eq!(app.count("audit_log WHERE entity = 'episode'"), 3);
        assert_eq!(app.count(&format!("events WHERE entity_id = '{episode_id}' AND kind IN ('episode.opened', 'episode.closed')")), 2);
    }
}

db_test! {
    async fn opening_by_hand_checks_every_field_and_of_two_racing_openings_one_wins(app) {
        let n = net(&app, "赵淑珍").await;
        let other_gp = app.create_user("gp.sb4", Role::Clinician, Some("WH-CL-04"), &["general_practice"]);
        let cases: Vec<(&str, Value)> = vec![
            ("until past episodes.max_days", json!({"plan": {"rounds_per_week": 1, "until": today() + Duration::days(91)}})),
            ("until in the past", json!({"plan": {"rounds_per_week": 1, "until": today() - Duration::days(1)}})),
            ("a plan owing nothing", json!({"plan": {"rounds_per_week": 0, "nursing": [], "until": today() + Duration::days(9)}})),
            ("an unknown service type", json!({"plan": {"rounds_per_week": 1, "nursing": [{"service_type": "haircut", "per_week": 1}], "until": today() + Duration::days(9)}})),
            ("an ADL score off the Barthel steps", json!({"admission": {"adl_score": 42}})),
            ("a clinician of another clinic", json!({"responsible_clinician_id": other_gp})),
            ("a bad ICD-10 code", json!({"diagnosis": {"code": "pressure sore", "text": "压疮"}})),
        ];
        for (what, patch) in cases {
            let mut body = opening(&n, today() + Duration::days(30));
            for (k, v) in patch.as_object().unwrap() {
                body[k] = v.clone();
            }
            let r = app.post("/api/v1/episodes", &n.clinic, body).await;
            assert_eq!((r.status, r.problem_code().as_str()), (422, "validation_failed"), "{what}: {r:?}");
        }
        assert_eq!(app.count("episodes"), 0, "a refused opening changes nothing");
        assert_eq!(app.post("/api/v1/episodes", &n.foreign_clinic, opening(&n, today() + Duration::days(30))).await.status, 404);

        let tries = (0..4).map(|_| app.post("/api/v1/episodes", &n.clinic, opening(&n, today() + Duration::days(30))));
        let answers = futures_util::future::join_all(tries).await;
        let won: Vec<&Resp> = answers.iter().filter(|r| r.status == 201).collect();
        for r in answers.iter().filter(|r| r.status != 201) {
            assert_eq!((r.status, r.problem_code().as_str()), (409, "sickbed_open"), "{r:?}");
        }
        assert_eq!(won.len(), 1, "{:?}", answers.iter().map(|r| r.status).collect::<Vec<_>>());
        let e = won[0];
        assert_eq!(e.body["admission"]["dependency"], "severe");
        let path = format!("/api/v1/episodes/{}", e.id());
        let before = care(e).len();

        // Past the longest run only with a reason, and at most max_days further.
        let too_far = app.post(&format!("{path}/extend"), &n.clinic, json!({"until": today() + Duration::days(121), "reason": "未愈"})).await;
        assert_eq!(too_far.status, 422, "{too_far:?}");
        let no_reason = app.post(&format!("{path}/extend"), &n.clinic, json!({"until": today() + Duration::days(60), "reason": ""})).await;
        assert_eq!(no_reason.status, 422);
        let extended = app.post(&format!("{path}/extend"), &n.clinic, json!({"until": today() + Duration::days(60), "reason": "压疮未愈合"})).await;
        assert_eq!(extended.status, 200, "{extended:?}");
        assert_eq!(extended.body["until"], (today() + Duration::days(60)).to_string());
        assert_eq!(extended.body["extensions"][0]["reason"], "压疮未愈合");
        assert!(care(&extended).len() > before, "the rounds and nursing run on to the new day");
        let stale = app.send(app.client.post(app.url(&format!("{path}/extend"))).bearer_auth(&n.clinic)
            .header("If-Match", "\"1\"").json(&json!({"until": today() + Duration::days(70), "reason": "x"}))).await;
        assert_eq!(stale.status, 412, "{stale:?}");
    }
}
