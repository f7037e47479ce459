//! The pilot network and the service catalogue, and the operations endpoints.
use carelink::auth::Role;
use serde_json::json;

use crate::db_test;

db_test! {
    async fn a_fresh_database_holds_the_districts_pilot_network(app) {
        let token = app.token_for("sched.a", Role::Scheduler, Some("WH-CL-01")).await;
        let count = |kind: &'static str| {
            let app = &app;
            let token = token.clone();
            async move {
                let r = app.get(&format!("/api/v1/organizations?kind={kind}&limit=500"), &token).await;
                r.body["items"].as_array().unwrap().clone()
            }
        };
        assert_eq!(count("authority").await.len(), 1);
        assert_eq!(count("community").await.len(), 10);
        let clinics = count("clinic").await;
        assert_eq!(clinics.len(), 22);
        let homes = count("care_home").await;
        assert_eq!(homes.len(), 20);
        let hospitals = count("hospital").await;
        assert!(hospitals.len() >= 2);
        let names: Vec<_> = hospitals.iter().map(|h| h["name"].as_str().unwrap()).collect();
        assert!(names.iter().any(|n| n.contains("人民医院")) && names.iter().any(|n| n.contains("中医")), "{names:?}");
        for home in &homes {
            let clinic = clinics.iter().find(|c| c["id"] == home["contracted_clinic_id"]).expect("signed with a clinic");
            assert_eq!(clinic["community_id"], home["community_id"], "a care home signs with a clinic of its community");
        }
        for org in clinics.iter().chain(&homes).chain(&hospitals) {
            let (lat, lon) = (org["location"]["lat"].as_f64().unwrap(), org["location"]["lon"].as_f64().unwrap());
            assert!((24.9..25.3).contains(&lat) && (102.5..102.9).contains(&lon), "{org}");
            assert!(org["code"].as_str().unwrap().starts_with("WH-"));
            assert!(org["pilot"].as_bool().unwrap());
        }
        let catalogue = app.get("/api/v1/service-types", &token).await.body["items"].as_array().unwrap().clone();
        for category in ["prevention", "health_care", "treatment", "rehabilitation", "nursing"] {
            assert!(catalogue.iter().any(|s| s["category"] == category), "no {category} service");
        }
        assert!(catalogue.iter().all(|s| s["duration_minutes"].as_i64().unwrap() > 0 && s["required_skill"].is_string()));
    }
}

db_test! {
    async fn seeding_again_adds_nothing(app) {
        let before = app.count("organizations");
        let again = carelink::cli::seed(&mut app.conn()).expect("seed");
        assert_eq!((again.organizations, again.service_types), (0, 0));
        assert_eq!(app.count("organizations"), before);
    }
}

db_test! {
    async fn the_authority_adds_and_changes_an_organisation(app) {
        let admin = app.admin().await;
        let body = json!({"code": "WH-CL-23", "name": "五华区新建社区卫生服务站", "kind": "clinic",
            "community_id": app.org_id("WH-CM-03"), "address": "昆明市五华区人民中路1号",
            "location": {"lat": 25.04, "lon": 102.70}, "pilot": true});
        let created = app.post("/api/v1/organizations", &admin, body.clone()).await;
        assert_eq!(created.status, 201, "{created:?}");
        assert_eq!(created.body["kind"], "clinic");
        let dup = app.post("/api/v1/organizations", &admin, body).await;
        assert_eq!(dup.status, 409);
        assert_eq!(dup.problem_code(), "code_taken");
        let changed = app.patch(&format!("/api/v1/organizations/{}", created.id()), &admin, json!({"active": false})).await;
        assert_eq!(changed.status, 200);
        assert_eq!((changed.body["active"].as_bool(), changed.body["version"].as_i64()), (Some(false), Some(2)));
        let home_with_hospital = app.post("/api/v1/organizations", &admin, json!({"code": "WH-CH-21", "name": "新养老院",
            "kind": "care_home", "community_id": app.org_id("WH-CM-03"), "contracted_clinic_id": app.org_id("WH-HO-01"),
            "location": {"lat": 25.04, "lon": 102.70}})).await;
        assert_eq!(home_with_hospital.status, 422, "{home_with_hospital:?}");
        assert_eq!(home_with_hospital.body["errors"][0]["field"], "contracted_clinic_id");
    }
}

db_test! {
    async fn health_readiness_metrics_and_docs_answer(app) {
        assert_eq!(app.send(app.client.get(app.url("/healthz"))).await.status, 200);
        let ready = app.send(app.client.get(app.url("/readyz"))).await;
        assert_eq!((ready.status, ready.body["status"].as_str()), (200, Some("ready")));
        let spec = app.send(app.client.get(app.url("/api/v1/openapi.json"))).await;
        assert_eq!(spec.status, 200);
        for path in ["/api/v1/auth/token", "/api/v1/organizations/{id}", "/api/v1/residents", "/api/v1/staff/{id}", "/api/v1/shifts"] {
            assert!(spec.body["paths"][path].is_object(), "{path} not documented");
        }
        // Types of one name in two modules (a visit's and a referral's status) keep a schema each:
        // one used to overwrite the other, and the visit schema listed the referral's states.
        let schemas = &spec.body["components"]["schemas"];
        let states = |name: &str| schemas[name]["enum"].as_array().unwrap_or_else(|| panic!("{name}")).clone();
        assert!(states("VisitStatus").contains(&json!("requested")));
        assert!(states("ReferralStatus").contains(&json!("submitted")));
        assert!(states("ReferralPriority").contains(&json!("green_channel")));
        assert!(!states("VisitPriority").contains(&json!("green_channel")));
        assert_eq!(schemas["Visit"]["properties"]["status"]["$ref"], "#/components/schemas/VisitStatus");
        let docs = app.client.get(app.url("/docs/")).send().await.unwrap();
        assert_eq!(docs.status(), 200);
        assert!(docs.text().await.unwrap().contains("swagger"), "the docs page is served from the binary");
        let metrics = app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
        assert!(metrics.contains("carelink_http_requests_total"), "{metrics}");
        assert!(metrics.contains("carelink_db_pool_connections"));
        assert!(metrics.contains("carelink_http_request_duration_seconds_bucket"));
    }
}

db_test! {
    async fn readiness_is_503_while_the_database_is_unreachable(app) {
        let mut settings = crate::helpers::test_settings(match app.backend {
            crate::helpers::Backend::Sqlite => "sqlite:///dev/null/no-such-dir/carelink.db",
            crate::helpers::Backend::Postgres => "postgres://nobody@127.0.0.1:1/none",
        });
        settings.database.pool_timeout_seconds = 1;
        let pool = carelink::db::pool(&settings.database.url, 2, std::time::Duration::from_secs(1)).unwrap();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/readyz", listener.local_addr().unwrap());
        let server = carelink::app::serve(carelink::app::AppState::new(settings, pool), listener).unwrap();
        let handle = server.handle();
        actix_web::rt::spawn(server);
        let started = std::time::Instant::now();
        let r = crate::helpers::to_resp(reqwest::get(&url).await.unwrap()).await;
        assert_eq!(r.status, 503, "{r:?}");
        assert_eq!(r.problem_code(), "database_unavailable");
        assert!(started.elapsed() < std::time::Duration::from_secs(10), "answered within the pool timeout");
        handle.stop(false).await;
    }
}
