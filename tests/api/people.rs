//! Staff, residents and shifts: who may register whom, masking, and the shift invariant.
use carelink::auth::Role;
use serde_json::json;

use crate::db_test;

db_test! {
    async fn a_resident_id_number_is_stored_but_only_ever_served_masked(app) {
        let sched = app.token_for("sched.a", Role::Scheduler, Some("WH-CL-01")).await;
        let r = app.post("/api/v1/residents", &sched, json!({"name": "孙建国", "sex": "male", "birth_date": "1949-12-31",
            "location": {"lat": 25.05, "lon": 102.7}, "community_id": app.org_id("WH-CM-01"),
            "id_number": "11010519491231002x"})).await;
        assert_eq!(r.status, 201, "{r:?}");
        assert_eq!(r.body["id_number"], "110105********002X");
        let read = app.get(&format!("/api/v1/residents/{}", r.id()), &sched).await;
        let list = app.get("/api/v1/residents", &sched).await;
        for body in [read.body.to_string(), list.body.to_string()] {
            assert!(!body.to_uppercase().contains("11010519491231002X"), "unmasked: {body}");
        }
        assert_eq!(app.count("residents WHERE id_number = '11010519491231002X'"), 1, "stored in full");
    }
}

db_test! {
    async fn a_care_home_registers_its_own_residents_only(app) {
        let home = app.token_for("home.a", Role::CareHome, Some("WH-CH-01")).await;
        let body = |home_id: Option<String>| json!({"name": "冯玉兰", "sex": "female", "birth_date": "1936-09-09",
            "location": {"lat": 25.05, "lon": 102.7}, "care_home_id": home_id});
        let own = app.post("/api/v1/residents", &home, body(None)).await;
        assert_eq!(own.status, 201, "{own:?}");
        assert_eq!(own.body["care_home_id"], app.org_id("WH-CH-01"));
        assert_eq!(own.body["community_id"], app.org_id("WH-CM-01"));
        let other = app.post("/api/v1/residents", &home, body(Some(app.org_id("WH-CH-03")))).await;
        assert_eq!(other.status, 403, "{other:?}");
        // The clinic the home signed with sees the resident; a clinic elsewhere does not.
        let clinic = app.token_for("sched.a", Role::Scheduler, Some("WH-CL-01")).await;
        let elsewhere = app.token_for("sched.b", Role::Scheduler, Some("WH-CL-04")).await;
        let path = format!("/api/v1/residents/{}", own.id());
        assert_eq!(app.get(&path, &clinic).await.status, 200);
        assert_eq!(app.get(&path, &elsewhere).await.status, 404);
    }
}

db_test! {
    async fn a_family_doctor_must_be_a_clinician_of_the_serving_clinic(app) {
        let sched = app.token_for("sched.a", Role::Scheduler, Some("WH-CL-01")).await;
        let own_doc = app.create_user("doc.a", Role::Clinician, Some("WH-CL-01"), &["general_practice"]);
        let other_doc = app.create_user("doc.b", Role::Clinician, Some("WH-CL-04"), &["general_practice"]);
        let body = |doc: &str| json!({"name": "何德明", "sex": "male", "birth_date": "1947-05-30",
            "location": {"lat": 25.05, "lon": 102.7}, "community_id": app.org_id("WH-CM-01"), "family_doctor_id": doc});
        let bad = app.post("/api/v1/residents", &sched, body(&other_doc)).await;
        assert_eq!(bad.status, 422, "{bad:?}");
        assert_eq!(bad.body["errors"][0]["field"], "family_doctor_id");
        let good = app.post("/api/v1/residents", &sched, body(&own_doc)).await;
        assert_eq!(good.status, 201, "{good:?}");
        assert_eq!(good.body["family_doctor_id"], own_doc);
    }
}

db_test! {
    async fn a_scheduler_creates_clinicians_for_their_own_clinic_only(app) {
        let sched = app.token_for("sched.a", Role::Scheduler, Some("WH-CL-01")).await;
        let body = |role: &str, org: Option<String>| json!({"username": "new.nurse", "display_name": "新护士", "role": role,
            "organization_id": org, "skills": ["nursing", "wound_care"], "password": "a-long-enough-password"});
        let elsewhere = app.post("/api/v1/staff", &sched, body("clinician", Some(app.org_id("WH-CL-04")))).await;
        assert_eq!(elsewhere.status, 403, "{elsewhere:?}");
        let scheduler = app.post("/api/v1/staff", &sched, body("scheduler", None)).await;
        assert_eq!(scheduler.status, 403, "{scheduler:?}");
        let ok = app.post("/api/v1/staff", &sched, body("clinician", None)).await;
        assert_eq!(ok.status, 201, "{ok:?}");
        assert_eq!(ok.body["organization_id"], app.org_id("WH-CL-01"));
        assert_eq!(ok.body["skills"], json!(["nursing", "wound_care"]));
        assert!(ok.body.get("password").is_none() && !ok.body.to_string().contains("a-long-enough-password"));
        assert_eq!(app.login("new.nurse", "a-long-enough-password").await.status, 200);
        let taken = app.post("/api/v1/staff", &sched, body("clinician", None)).await;
        assert_eq!(taken.status, 409);
        assert_eq!(taken.problem_code(), "username_taken");
    }
}

db_test! {
    async fn overlapping_shifts_of_one_clinician_are_refused(app) {
        let sched = app.token_for("sched.a", Role::Scheduler, Some("WH-CL-01")).await;
        let doc = app.create_user("doc.a", Role::Clinician, Some("WH-CL-01"), &["nursing"]);
        let shift = |from: &str, to: &str| json!({"clinician_id": doc, "starts_at": from, "ends_at": to});
        let morning = app.post("/api/v1/shifts", &sched, shift("2026-12-01T08:00:00+08:00", "2026-12-01T12:00:00+08:00")).await;
        assert_eq!(morning.status, 201, "{morning:?}");
        assert_eq!(morning.body["starts_at"], "2026-12-01T08:00:00+08:00");
        let overlap = app.post("/api/v1/shifts", &sched, shift("2026-12-01T11:00:00+08:00", "2026-12-01T14:00:00+08:00")).await;
        assert_eq!(overlap.status, 409);
        assert_eq!(overlap.problem_code(), "shift_overlap");
        let afternoon = app.post("/api/v1/shifts", &sched, shift("2026-12-01T12:00:00+08:00", "2026-12-01T17:00:00+08:00")).await;
        assert_eq!(afternoon.status, 201);
        let backwards = app.post("/api/v1/shifts", &sched, shift("2026-12-02T17:00:00+08:00", "2026-12-02T08:00:00+08:00")).await;
        assert_eq!(backwards.status, 422);
        let foreign = app.create_user("doc.b", Role::Clinician, Some("WH-CL-04"), &[]);
        let r = app.post("/api/v1/shifts", &sched, json!({"clinician_id": foreign,
            "starts_at": "2026-12-03T08:00:00+08:00", "ends_at": "2026-12-03T12:00:00+08:00"})).await;
        assert_eq!(r.status, 422, "{r:?}");
        let day = app.get(&format!("/api/v1/shifts?clinician_id={doc}&from=2026-12-01&to=2026-12-02"), &sched).await;
        assert_eq!(day.body["items"].as_array().unwrap().len(), 2);
    }
}

db_test! {
    async fn of_concurrent_overlapping_shifts_exactly_one_is_created(app) {
        let sched = app.token_for("sched.a", Role::Scheduler, Some("WH-CL-01")).await;
        let doc = app.create_user("doc.a", Role::Clinician, Some("WH-CL-01"), &["nursing"]);
        let tries = (0..10).map(|i| {
            let body = json!({"clinician_id": doc, "starts_at": format!("2026-12-01T08:{:02}:00+08:00", i),
                "ends_at": "2026-12-01T12:00:00+08:00"});
            app.post("/api/v1/shifts", &sched, body)
        });
        let answers = futures_util::future::join_all(tries).await;
        let created = answers.iter().filter(|r| r.status == 201).count();
        assert!(answers.iter().all(|r| r.status == 201 || r.status == 409), "{answers:?}");
        assert_eq!(created, 1, "{answers:?}");
        assert_eq!(app.count("shifts"), 1);
    }
}
