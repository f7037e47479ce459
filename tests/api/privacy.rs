//! Privacy and sessions across instances: reads of residents are audited, the national ID number
//! never leaves unmasked (not in answers, not in logs), logout on one instance holds on another.
use carelink::auth::Role;
use serde_json::json;

use crate::db_test;

db_test! {
    async fn every_read_of_a_residents_record_is_audited(app) {
        let sched = app.token_for("sched.a", Role::Scheduler, Some("WH-CL-01")).await;
        let doc = app.token_for("doc.a", Role::Clinician, Some("WH-CL-01")).await;
        let id = app.resident_of(&sched, "WH-CL-01", "周桂芳").await;
        assert_eq!(app.get(&format!("/api/v1/residents/{id}"), &doc).await.status, 200);
        assert_eq!(app.get("/api/v1/residents", &sched).await.status, 200);
        let admin = app.admin().await;
        let trail = app.get(&format!("/api/v1/audit?entity=resident&entity_id={id}"), &admin).await;
        let reads: Vec<_> = trail.body["items"].as_array().unwrap().iter().filter(|a| a["action"] == "read").collect();
        assert_eq!(reads.len(), 2, "{trail:?}");
        let doc_id = app.get("/api/v1/me", &doc).await.body["id"].clone();
        let sched_id = app.get("/api/v1/me", &sched).await.body["id"].clone();
        assert_eq!((reads[0]["actor_id"].clone(), reads[1]["actor_id"].clone()), (sched_id, doc_id));
        // A read that finds nothing (a foreign resident) leaves no trace of the resident.
        let foreign = app.token_for("sched.b", Role::Scheduler, Some("WH-CL-04")).await;
        assert_eq!(app.get(&format!("/api/v1/residents/{id}"), &foreign).await.status, 404);
        let again = app.get(&format!("/api/v1/audit?entity=resident&entity_id={id}"), &admin).await;
        assert_eq!(again.body["items"].as_array().unwrap().iter().filter(|a| a["action"] == "read").count(), 2);
    }
}

db_test! {
    async fn the_national_id_number_never_appears_unmasked_in_answers_or_logs(app) {
        let other = app.second_instance().await;
        let sched = app.token_for("sched.a", Role::Scheduler, Some("WH-CL-01")).await;
        let number = "11010519491231002X";
        let via = |path: &str| format!("{}{path}", other.address);
        let created = app.send(app.client.post(via("/api/v1/residents")).bearer_auth(&sched).json(&json!({
            "name": "孙建国", "sex": "male", "birth_date": "1949-12-31", "location": {"lat": 25.05, "lon": 102.7},
            "community_id": app.org_id("WH-CM-01"), "id_number": number}))).await;
        assert_eq!(created.status, 201);
        let id = created.id();
        let mut bodies = vec![created.body.to_string()];
        for path in [format!("/api/v1/residents/{id}"), "/api/v1/residents".to_string()] {
            bodies.push(app.send(app.client.get(via(&path)).bearer_auth(&sched)).await.body.to_string());
        }
        let bad = app.send(app.client.patch(via(&format!("/api/v1/residents/{id}"))).bearer_auth(&sched)
            .json(&json!({"id_number": "11010519491231002Y"}))).await;
        assert_eq!(bad.status, 422);
        bodies.push(bad.body.to_string());
        let referral = app.send(app.client.post(via("/api/v1/referrals")).bearer_auth(&sched).json(&json!({
            "resident_id": id, "direction": "up", "to_organization_id": app.org_id("WH-HO-01"), "priority": "urgent",
            "reason": "胸闷", "diagnosis": {"text": "冠心病?"}, "clinical_summary": {"past_history": "无", "treatment_so_far": "无"}}))).await;
        assert_eq!(referral.status, 201);
        assert_eq!(referral.body["patient"]["id_number"], "110105********002X");
        bodies.push(referral.body.to_string());
        let admin = app.admin().await;
        bodies.push(app.get(&format!("/api/v1/audit?entity_id={id}"), &admin).await.body.to_string());
        for b in &bodies {
            assert!(!b.contains(number) && !b.contains("11010519491231002Y"), "unmasked in {b}");
        }
        let log = std::fs::read_to_string(&other.log).unwrap();
        assert!(log.lines().count() >= 5, "the instance logged its requests: {log}");
        assert!(!log.contains(number) && !log.contains("1101051949"), "the log holds the number");
    }
}

db_test! {
    async fn logout_on_one_instance_stops_the_token_on_another(app) {
        let other = app.second_instance().await;
        let sched = app.token_for("sched.a", Role::Scheduler, Some("WH-CL-01")).await;
        let on_other = |path: &str| app.client.get(format!("{}{path}", other.address)).bearer_auth(&sched);
        assert_eq!(app.send(on_other("/api/v1/me")).await.status, 200);
        let out = app.send(app.client.post(app.url("/api/v1/auth/logout")).bearer_auth(&sched)).await;
        assert_eq!(out.status, 204);
        assert_eq!(app.send(on_other("/api/v1/me")).await.status, 401);
    }
}
