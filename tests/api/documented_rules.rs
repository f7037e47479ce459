//! The rules the fuzzing's data checks compare (tests/fuzz/run.sh, ST201 and ST202): each rule of
//! the server is in the OpenAPI document, and where the server was looser than the document says,
//! the server now keeps to it.
use carelink::auth::Role;
use carelink::openapi::{IDEMPOTENCY_KEY, NON_BLANK};
use chrono::{Duration, Utc};
use serde_json::{json, Value};

use crate::db_test;
use crate::helpers::{Resp, TestApp};

/// Each bad field of a 422 as (field, message).
fn errors(r: &Resp) -> Vec<(String, String)> {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    r.body["errors"]
        .as_array()
        .map(|e| {
            e.iter()
                .map(|f| (text(&f["field"]), text(&f["message"])))
                .collect()
        })
        .unwrap_or_default()
}

fn error(field: &str, message: &str) -> Vec<(String, String)> {
    vec![(field.to_string(), message.to_string())]
}

/// Every string schema with a `minLength` (and so refused when blank) under `v`, by its path.
fn texts_with_min_length<'a>(v: &'a Value, path: String, out: &mut Vec<(String, &'a Value)>) {
    match v {
        Value::Object(o) => {
            let string = o.get("type").is_some_and(|t| {
                t == "string" || t.as_array().is_some_and(|a| a.contains(&json!("string")))
            });
            if string
                && o.get("minLength")
                    .and_then(Value::as_u64)
                    .is_some_and(|n| n > 0)
            {
                out.push((path.clone(), v));
            }
            for (k, x) in o {
                texts_with_min_length(x, format!("{path}.{k}"), out);
            }
        }
        Value::Array(items) => items
            .iter()
            .for_each(|x| texts_with_min_length(x, path.clone(), out)),
        _ => {}
    }
}

db_test! {
    async fn the_document_states_the_rules_of_query_times_list_items_blank_text_and_keys(app) {
        let spec = app.send(app.client.get(app.url("/api/v1/openapi.json"))).await.body;
        let schemas = &spec["components"]["schemas"];
        for path in ["/api/v1/audit", "/api/v1/availability", "/api/v1/shifts", "/api/v1/reports/units"] {
            let params = spec["paths"][path]["get"]["parameters"].as_array().unwrap();
            for (name, schema) in [("from", "TimeStart"), ("to", "TimeEnd")] {
                let p = params.iter().find(|p| p["name"] == name).unwrap();
                assert_eq!(p["schema"]["$ref"], format!("#/components/schemas/{schema}"), "{path} {name}");
            }
        }
        for time in ["TimeStart", "TimeEnd"] {
            let forms = schemas[time]["oneOf"].as_array().unwrap();
            let formats: Vec<_> = forms.iter().map(|f| f["format"].as_str().unwrap()).collect();
            assert_eq!(formats, ["date-time", "date"], "{time}: an RFC 3339 time or a plain date");
            for form in forms {
                assert_eq!(form["pattern"], "^(19[0-9]{2}|20[0-9]{2}|2100)-", "{time}");
            }
        }
        let items = |schema: &str, field: &str| schemas[schema]["properties"][field]["items"]["$ref"].clone();
        for schema in ["NewStaff", "StaffChanges"] {
            assert_eq!(items(schema, "skills"), "#/components/schemas/SkillName");
        }
        for schema in ["NewResident", "ResidentChanges"] {
            assert_eq!(items(schema, "conditions"), "#/components/schemas/ConditionText");
        }
        assert_eq!(items("NewPlan", "weekdays"), "#/components/schemas/IsoWeekday");
        assert_eq!(schemas["SkillName"]["pattern"], "^[a-z_]{2,40}$");
        assert_eq!((&schemas["ConditionText"]["minLength"], &schemas["ConditionText"]["maxLength"]), (&json!(1), &json!(200)));
        assert_eq!((&schemas["IsoWeekday"]["minimum"], &schemas["IsoWeekday"]["maximum"]), (&json!(1), &json!(7)));
        assert_eq!(schemas["TimeWindow"]["properties"]["from"]["pattern"], "^([01][0-9]|2[0-3]):[0-5][0-9]$");
        assert_eq!(schemas["NewReferral"]["properties"]["clinical_summary"]["$ref"], "#/components/schemas/ClinicalSummary");
        for member in ["past_history", "treatment_so_far", "treatment_given", "rehabilitation_advice"] {
            assert_eq!(schemas["ClinicalSummary"]["properties"][member]["type"], "string", "{member}");
        }
        let check_in = &spec["paths"]["/api/v1/visits/{id}/check-in"]["post"]["requestBody"]["content"]["application/json"]["schema"];
        assert_eq!(check_in["$ref"], "#/components/schemas/CheckInBody", "documentation is given at check-out only");
        assert!(schemas["CheckInBody"]["properties"]["tasks"].is_null());
        let mut texts = vec![];
        texts_with_min_length(schemas, "components".into(), &mut texts);
        assert!(texts.len() >= 10, "{texts:?}");
        for (path, text) in texts {
            assert!(text["pattern"].is_string(), "{path} is refused when blank, but its schema has no pattern");
        }
        assert!(schemas["Task"]["properties"]["task"]["pattern"] == NON_BLANK);
        let mut keys = 0;
        for item in spec["paths"].as_object().unwrap().values() {
            for p in item["post"]["parameters"].as_array().into_iter().flatten() {
                if p["name"] == "Idempotency-Key" {
                    keys += 1;
                    assert_eq!(p["schema"]["pattern"], IDEMPOTENCY_KEY);
                    assert!(p["schema"]["maxLength"].is_null(), "white space after the key would count");
                }
            }
        }
        assert!(keys >= 10, "only {keys} operations take an Idempotency-Key");
    }
}

async fn resident_body(app: &TestApp) -> Value {
    let community = carelink::network::repo::find_by_code(&mut app.conn(), "WH-CL-01")
        .expect("query")
        .expect("clinic")
        .community_id
        .expect("community");
    json!({"name": "周桂芳", "sex": "female", "birth_date": "1942-05-06", "location": {"lat": 25.05, "lon": 102.70},
        "community_id": community})
}

db_test! {
    async fn an_idempotency_key_is_visible_ascii_and_spaces_and_white_space_after_it_is_not_part_of_it(app) {
        let sched = app.token_for("sched.a", Role::Scheduler, Some("WH-CL-01")).await;
        let body = resident_body(&app).await;
        let post = |key: String| app.client.post(app.url("/api/v1/residents")).bearer_auth(&sched)
            .header("Idempotency-Key", key).json(&body);
        let r = app.send(post("visit\t1".into())).await;
        assert_eq!((r.status, r.problem_code()), (400, "invalid_idempotency_key".to_string()), "{r:?}");
        assert_eq!(app.count("residents"), 0);
        // 255 characters and white space after them: HTTP drops the white space, the key is taken.
        let key = format!("{}  \t ", "k".repeat(255));
        let first = app.send(post(key.clone())).await;
        assert_eq!(first.status, 201, "{first:?}");
        let again = app.send(post("k".repeat(255))).await;
        assert_eq!((again.status, again.id()), (201, first.id()), "the same key replays the first answer");
        assert_eq!(app.count("residents"), 1);
    }
}

db_test! {
    async fn a_blank_condition_or_clinical_summary_member_is_refused_and_the_direction_names_the_required_ones(app) {
        let sched = app.token_for("sched.a", Role::Scheduler, Some("WH-CL-01")).await;
        let mut body = resident_body(&app).await;
        body["conditions"] = json!(["高血压", " \u{3000}"]);
        let r = app.post("/api/v1/residents", &sched, body.clone()).await;
        assert_eq!((r.status, errors(&r)), (422, error("conditions[1]", "must not be empty")), "{r:?}");
        body["conditions"] = json!(["高血压"]);
        let resident = app.post("/api/v1/residents", &sched, body).await;
        assert_eq!(resident.status, 201, "{resident:?}");
        let r = app.patch(&format!("/api/v1/residents/{}", resident.id()), &sched, json!({"conditions": [""]})).await;
        assert_eq!((r.status, errors(&r)), (422, error("conditions[0]", "must not be empty")), "{r:?}");

        let referral = |summary: Value| json!({"resident_id": resident.id(), "direction": "up",
            "to_organization_id": app.org_id("WH-HO-01"), "reason": "复查", "diagnosis": {"text": "高血压"},
            "clinical_summary": summary});
        let cases = [
            (json!({"past_history": "无", "treatment_so_far": "无", "treatment_given": 5}),
                error("clinical_summary.treatment_given", "must be a string")),
            (json!({"past_history": "无", "treatment_so_far": "\t"}),
                error("clinical_summary.treatment_so_far", "must not be empty")),
            (json!({"past_history": "无", "rehabilitation_advice": "多休息"}),
                error("clinical_summary.treatment_so_far", "is required for an up-referral")),
        ];
        for (summary, expected) in cases {
            let r = app.post("/api/v1/referrals", &sched, referral(summary.clone())).await;
            assert_eq!((r.status, errors(&r)), (422, expected), "{summary}: {r:?}");
        }
        assert_eq!(app.count("referrals"), 0);
        let r = app.post("/api/v1/referrals", &sched, referral(json!({"past_history": "无", "treatment_so_far": "无", "allergies": 0}))).await;
        assert_eq!(r.status, 201, "other members are the sender's own: {r:?}");
    }
}

db_test! {
    async fn a_plan_window_is_two_digit_hours_and_minutes(app) {
        let sched = app.token_for("sched.a", Role::Scheduler, Some("WH-CL-01")).await;
        let resident = app.resident_of(&sched, "WH-CL-01", "周桂芳").await;
        let starts_on = (Utc::now() + Duration::days(7)).date_naive();
        let plan = |from: &str| json!({"resident_id": resident, "service_type": "basic_nursing", "weekdays": [1, 4],
            "window": {"from": from, "to": "11:00"}, "starts_on": starts_on, "count": 2});
        for from in ["9:00", "09:00:00", " 09:00", "09 : 00", "24:00"] {
            let r = app.post("/api/v1/visit-plans", &sched, plan(from)).await;
            assert_eq!((r.status, errors(&r)), (422, error("window.from", "must be a time of day, HH:MM (09:00)")), "{from:?}: {r:?}");
        }
        assert_eq!(app.count("visit_plans"), 0);
        let r = app.post("/api/v1/visit-plans", &sched, plan("09:00")).await;
        assert_eq!(r.status, 201, "{r:?}");
    }
}

db_test! {
    async fn an_admin_standing_in_no_organisation_is_a_422_naming_the_field(app) {
        let admin = app.admin().await;
        let staff = |org: &str| json!({"username": "admin.b", "display_name": "区卫健局", "role": "admin",
            "organization_id": org, "password": "a-long-enough-password"});
        for org in [" ", "01938a6e-0000-7000-8000-000000000000"] {
            let r = app.post("/api/v1/staff", &admin, staff(org)).await;
            assert_eq!((r.status, errors(&r)), (422, error("organization_id", "must be the id of an organisation")), "{org:?}: {r:?}");
        }
        let r = app.post("/api/v1/staff", &admin, staff(&app.org_id("WH-AUTH"))).await;
        assert_eq!(r.status, 201, "{r:?}");
    }
}
