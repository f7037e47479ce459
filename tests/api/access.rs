//! The access matrix: foreign organisations and residents get 404 on every id route; roles
//! without the right get 403 on writes; lists hold only what the caller may see.
use carelink::auth::Role;
use serde_json::json;

use crate::db_test;
use crate::helpers::{Resp, TestApp};

/// A clinic A (WH-CL-01) with a scheduler, a clinician with a shift, a resident of its community
/// and one of its contracted care home; and tokens of outsiders.
struct World {
    sched_a: String,
    resident_id: String,
    home_resident_id: String,
    clinician_id: String,
    shift_id: String,
    outsiders: Vec<(&'static str, String)>,
}

async fn world(app: &TestApp) -> World {
    let sched_a = app
        .token_for("sched.a", Role::Scheduler, Some("WH-CL-01"))
        .await;
    let clinician_id = app.create_user(
        "doc.a",
        Role::Clinician,
        Some("WH-CL-01"),
        &["general_practice"],
    );
    let resident_id = app.resident_of(&sched_a, "WH-CL-01", "周桂芳").await;
    let home_a = app
        .token_for("home.a", Role::CareHome, Some("WH-CH-01"))
        .await;
    let r = app
        .post(
            "/api/v1/residents",
            &home_a,
            json!({"name": "吴秀英", "sex": "female", "birth_date": "1939-01-02",
        "location": {"lat": 25.05, "lon": 102.71}}),
        )
        .await;
    assert_eq!(r.status, 201, "{r:?}");
    let home_resident_id = r.id();
    let shift = app
        .post(
            "/api/v1/shifts",
            &sched_a,
            json!({"clinician_id": clinician_id,
        "starts_at": "2026-12-01T08:30:00+08:00", "ends_at": "2026-12-01T17:00:00+08:00"}),
        )
        .await;
    assert_eq!(shift.status, 201, "{shift:?}");

    // An elder's own login belongs to another resident.
    let other_resident = app.resident_of(&sched_a, "WH-CL-01", "孙建国").await;
    let resident_login = {
        let new = carelink::people::model::NewStaff {
            username: "elder.b".into(),
            display_name: "孙建国".into(),
            role: Role::Resident,
            organization_id: None,
            skills: vec![],
            password: crate::helpers::PASSWORD.into(),
            resident_id: Some(other_resident),
        };
        carelink::people::repo::insert(&mut app.conn(), &new, crate::helpers::password_hash())
            .unwrap();
        app.access_token("elder.b").await
    };
    let outsiders = vec![
        (
            "scheduler of another clinic",
            app.token_for("sched.b", Role::Scheduler, Some("WH-CL-04"))
                .await,
        ),
        (
            "clinician of another clinic",
            app.token_for("doc.b", Role::Clinician, Some("WH-CL-04"))
                .await,
        ),
        (
            "care home of another clinic",
            app.token_for("home.b", Role::CareHome, Some("WH-CH-03"))
                .await,
        ),
        (
            "hospital desk",
            app.token_for("desk", Role::Hospital, Some("WH-HO-01"))
                .await,
        ),
        ("another resident", resident_login),
    ];
    World {
        sched_a,
        resident_id,
        home_resident_id,
        clinician_id,
        shift_id: shift.id(),
        outsiders,
    }
}

fn assert_hidden(r: &Resp, who: &str, what: &str) {
    assert_eq!(r.status, 404, "{who} on {what}: {r:?}");
    assert_eq!(r.problem_code(), "not_found");
}

db_test! {
    async fn outsiders_get_404_on_every_id_route(app) {
        let w = world(&app).await;
        let reads = [
            format!("/api/v1/residents/{}", w.resident_id),
            format!("/api/v1/residents/{}", w.home_resident_id),
            format!("/api/v1/staff/{}", w.clinician_id),
            format!("/api/v1/shifts/{}", w.shift_id),
        ];
        for (who, token) in &w.outsiders {
            for path in &reads {
                assert_hidden(&app.get(path, token).await, who, path);
            }
            let p = app.patch(&format!("/api/v1/residents/{}", w.resident_id), token, json!({"phone": "110"})).await;
            assert_hidden(&p, who, "PATCH resident");
            let s = app.patch(&format!("/api/v1/staff/{}", w.clinician_id), token, json!({"display_name": "x"})).await;
            assert_hidden(&s, who, "PATCH staff");
        }
        // The owners see them.
        for path in &reads {
            assert_eq!(app.get(path, &w.sched_a).await.status, 200, "{path}");
        }
        // Nothing changed.
        let r = app.get(&format!("/api/v1/residents/{}", w.resident_id), &w.sched_a).await;
        assert_eq!(r.body["version"], 1);
    }
}

db_test! {
    async fn lists_hold_only_what_the_caller_may_see(app) {
        let w = world(&app).await;
        let ids = |r: &Resp| -> Vec<String> {
            r.body["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_string()).collect()
        };
        let mine = ids(&app.get("/api/v1/residents", &w.sched_a).await);
        assert!(mine.contains(&w.resident_id) && mine.contains(&w.home_resident_id), "{mine:?}");
        for (who, token) in &w.outsiders {
            let seen = ids(&app.get("/api/v1/residents?limit=500", token).await);
            assert!(!seen.contains(&w.resident_id) && !seen.contains(&w.home_resident_id), "{who} saw {seen:?}");
            let shifts = ids(&app.get("/api/v1/shifts", token).await);
            assert!(!shifts.contains(&w.shift_id), "{who} saw the shift");
            let staff = ids(&app.get("/api/v1/staff", token).await);
            assert!(!staff.contains(&w.clinician_id), "{who} saw the clinician");
        }
    }
}

db_test! {
    async fn a_care_home_sees_its_own_residents_and_its_clinic_sees_them_too(app) {
        let w = world(&app).await;
        let home_a = app.access_token("home.a").await;
        let seen: Vec<_> = app.get("/api/v1/residents", &home_a).await.body["items"].as_array().unwrap()
            .iter().map(|i| i["id"].as_str().unwrap().to_string()).collect();
        assert_eq!(seen, vec![w.home_resident_id.clone()]);
        let r = app.get(&format!("/api/v1/residents/{}", w.home_resident_id), &w.sched_a).await;
        assert_eq!(r.body["care_home_id"], app.org_id("WH-CH-01"));
    }
}

db_test! {
    async fn a_resident_login_sees_only_its_own_record(app) {
        let w = world(&app).await;
        let (_, elder) = w.outsiders.iter().find(|(who, _)| *who == "another resident").unwrap();
        let items = app.get("/api/v1/residents", elder).await.body["items"].as_array().unwrap().clone();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0]["name"], "孙建国");
    }
}

db_test! {
    async fn roles_without_the_right_get_403_on_writes(app) {
        let w = world(&app).await;
        let clinician = app.access_token("doc.a").await;
        let desk = app.access_token("desk").await;
        let home = app.access_token("home.a").await;
        let community = app.org_id("WH-CM-01");
        let resident_body = json!({"name": "某人", "sex": "male", "birth_date": "1950-01-01",
            "location": {"lat": 25.05, "lon": 102.7}, "community_id": community});
        let org_body = json!({"code": "WH-CL-99", "name": "新站", "kind": "clinic", "community_id": community,
            "location": {"lat": 25.05, "lon": 102.7}});
        let staff_body = json!({"username": "new.doc", "display_name": "新医生", "role": "clinician",
            "organization_id": app.org_id("WH-CL-01"), "password": "long-enough-password"});
        let shift_body = json!({"clinician_id": w.clinician_id, "starts_at": "2026-12-02T08:00:00+08:00",
            "ends_at": "2026-12-02T12:00:00+08:00"});
        let cases = [
            ("scheduler creates an organisation", &w.sched_a, "/api/v1/organizations", org_body.clone()),
            ("clinician creates an organisation", &clinician, "/api/v1/organizations", org_body),
            ("clinician creates staff", &clinician, "/api/v1/staff", staff_body.clone()),
            ("care home creates staff", &home, "/api/v1/staff", staff_body),
            ("hospital registers a resident", &desk, "/api/v1/residents", resident_body),
            ("clinician creates a shift", &clinician, "/api/v1/shifts", shift_body.clone()),
            ("care home creates a shift", &home, "/api/v1/shifts", shift_body),
        ];
        let before = app.count("audit_log");
        for (what, token, path, body) in cases {
            let r = app.post(path, token, body).await;
            assert_eq!(r.status, 403, "{what}: {r:?}");
            assert_eq!(r.problem_code(), "forbidden");
        }
        assert_eq!(app.count("audit_log"), before, "a refused write changed something");
        // The audit trail is the authority's alone.
        assert_eq!(app.get("/api/v1/audit", &w.sched_a).await.status, 403);
    }
}

db_test! {
    async fn a_scheduler_cannot_register_a_resident_outside_their_clinics_area(app) {
        let sched = app.token_for("sched.a", Role::Scheduler, Some("WH-CL-01")).await;
        let r = app.post("/api/v1/residents", &sched, json!({"name": "外区居民", "sex": "male", "birth_date": "1950-01-01",
            "location": {"lat": 25.05, "lon": 102.7}, "community_id": app.org_id("WH-CM-02")})).await;
        assert_eq!(r.status, 403, "{r:?}");
        assert_eq!(app.count("residents"), 0);
    }
}
