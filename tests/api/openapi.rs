//! The OpenAPI document (and so Swagger UI at /docs/) reads as documentation: every operation says
//! what it does and who may call it, every request body has an example, every error status names
//! the problem codes it answers, and the limits the server enforces are in the schemas.
use serde_json::Value;

use crate::db_test;

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

async fn spec(app: &crate::helpers::TestApp) -> Value {
    let spec = app
        .send(app.client.get(app.url("/api/v1/openapi.json")))
        .await;
    assert_eq!(spec.status, 200, "{spec:?}");
    spec.body
}

/// Every operation of the document as ("METHOD /path", operation).
fn operations(spec: &Value) -> Vec<(String, &Value)> {
    let paths = spec["paths"].as_object().expect("the document has paths");
    let mut out = vec![];
    for (path, item) in paths {
        for method in METHODS {
            if let Some(op) = item.get(method) {
                out.push((format!("{} {path}", method.to_uppercase()), op));
            }
        }
    }
    out
}

/// Follows a `$ref` to a component schema (one level, which is how utoipa writes them).
fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => {
            let name = r.rsplit('/').next().unwrap_or_default();
            &spec["components"]["schemas"][name]
        }
        None => schema,
    }
}

fn non_empty(v: &Value) -> bool {
    v.as_str().is_some_and(|s| !s.trim().is_empty())
}

/// Whether a response description names a problem code the way the document does it: a
/// backticked snake_case word followed by ':' or ',' ("`visit_conflict`: the slot is ...").
fn names_a_code(description: &str) -> bool {
    let parts: Vec<&str> = description.split('`').collect();
    // Backticked words are the odd-numbered parts; what follows is the next part.
    (1..parts.len().saturating_sub(1)).step_by(2).any(|i| {
        let word = parts[i];
        let snake = word.starts_with(|c: char| c.is_ascii_lowercase())
            && word
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        snake && parts[i + 1].starts_with([':', ','])
    })
}

#[test]
fn a_code_is_a_backticked_word_before_its_explanation() {
    assert!(names_a_code("`visit_conflict`: the slot is no longer free"));
    assert!(names_a_code(
        "Malformed: `malformed_json`, `invalid_query` (the query)"
    ));
    assert!(!names_a_code("The `ETag` you read"));
    assert!(!names_a_code("Invalid fields"));
    assert!(!names_a_code(""));
}

db_test! {
    async fn every_operation_has_a_summary_and_a_description(app) {
        let spec = spec(&app).await;
        let ops = operations(&spec);
        assert!(ops.len() >= 50, "only {} operations documented", ops.len());
        let mut missing = vec![];
        for (name, op) in &ops {
            if !non_empty(&op["summary"]) {
                missing.push(format!("{name}: no summary (the first line of the handler's doc comment)"));
            } else if op["summary"].as_str().unwrap_or_default().contains('\n') {
                missing.push(format!("{name}: the summary runs over one line"));
            }
            if !non_empty(&op["description"]) {
                missing.push(format!("{name}: no description (the doc comment's paragraphs after the first line)"));
            }
        }
        assert!(missing.is_empty(), "undocumented operations:\n{}", missing.join("\n"));
        let info = spec["info"]["description"].as_str().unwrap_or_default();
        for word in ["/api/v1/auth/token", "Bearer", "problem+json", "limit", "cursor", "Idempotency-Key", "If-Match", "+08:00"] {
            assert!(info.contains(word), "the info description does not mention {word}");
        }
    }
}

db_test! {
    async fn every_request_body_has_an_example(app) {
        let spec = spec(&app).await;
        let mut missing = vec![];
        let mut bodies = 0;
        for (name, op) in operations(&spec) {
            let Some(content) = op["requestBody"]["content"].as_object() else { continue };
            bodies += 1;
            let has_example = content.values().any(|media| {
                media.get("example").is_some()
                    || media.get("examples").is_some()
                    || resolve(&spec, &media["schema"]).get("example").is_some()
            });
            if !has_example {
                missing.push(name);
            }
        }
        assert!(bodies > 0, "no operation documents a request body");
        assert!(missing.is_empty(), "request bodies without an example:\n{}", missing.join("\n"));
    }
}

db_test! {
    async fn every_error_status_names_its_problem_codes(app) {
        let spec = spec(&app).await;
        let mut missing = vec![];
        for (name, op) in operations(&spec) {
            let responses = op["responses"].as_object().expect("every operation has responses");
            for (status, response) in responses {
                if !(status.starts_with('4') || status.starts_with('5')) {
                    continue;
                }
                let description = response["description"].as_str().unwrap_or_default();
                if !names_a_code(description) {
                    missing.push(format!("{name} {status}: {description:?}"));
                }
                if response["content"].is_object() && response["content"]["application/problem+json"].is_null() {
                    missing.push(format!("{name} {status}: not served as application/problem+json"));
                }
            }
        }
        assert!(missing.is_empty(), "error responses that name no `code`:\n{}", missing.join("\n"));
    }
}

db_test! {
    async fn the_document_carries_the_limits_the_server_enforces(app) {
        let spec = spec(&app).await;
        // Paging: every list that takes `limit` says 1 to 500, default 50, and the cursor's shape.
        let mut lists = 0;
        for (name, op) in operations(&spec) {
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            for p in &params {
                match p["name"].as_str() {
                    Some("limit") => {
                        lists += 1;
                        let s = &p["schema"];
                        assert_eq!((s["minimum"].as_f64(), s["maximum"].as_f64(), s["default"].as_i64()),
                            (Some(1.0), Some(500.0), Some(50)), "{name}: limit");
                    }
                    Some("cursor") => assert!(p["schema"]["pattern"].is_string(), "{name}: the cursor has no pattern"),
                    _ => {}
                }
            }
        }
        assert!(lists >= 7, "only {lists} lists document `limit`");
        let schemas = &spec["components"]["schemas"];
        let field = |schema: &str, path: &str| -> Value {
            path.split('.').fold(schemas[schema].clone(), |v, f| v["properties"][f].clone())
        };
        let range = |v: Value| (v["minimum"].as_f64(), v["maximum"].as_f64());
        assert_eq!(range(field("Location", "lat")), (Some(-90.0), Some(90.0)));
        assert_eq!(range(field("Location", "lon")), (Some(-180.0), Some(180.0)));
        assert_eq!(range(field("PositionBody", "lat")), (Some(-90.0), Some(90.0)));
        assert_eq!(range(field("NewRun", "time_limit_seconds")), (Some(1.0), Some(60.0)));
        assert_eq!(range(field("FollowUp", "visits_per_week")), (Some(1.0), Some(7.0)));
        assert_eq!(range(field("NewPlan", "count")), (Some(1.0), Some(100.0)));
        let length = |v: Value| (v["minLength"].as_u64(), v["maxLength"].as_u64());
        assert_eq!(length(field("NewOrganization", "name")), (Some(1), Some(200)));
        assert_eq!(length(field("NewResident", "name")), (Some(1), Some(200)));
        assert_eq!(length(field("VisitCancelBody", "reason")), (Some(1), Some(500)));
        assert_eq!(length(field("NewReferral", "reason")), (Some(1), Some(4000)));
        assert_eq!(length(field("Diagnosis", "text")), (Some(1), Some(500)));
        assert_eq!(field("PositionBody", "notes")["maxLength"].as_u64(), Some(4000));
        for (schema, f) in [("NewOrganization", "code"), ("NewStaff", "username"), ("NewResident", "id_number"), ("Diagnosis", "code")] {
            assert!(field(schema, f)["pattern"].is_string(), "{schema}.{f} has no pattern");
        }
        // Enums stay enums.
        assert!(schemas["VisitStatus"]["enum"].is_array());
        assert!(schemas["MissedReason"]["enum"].is_array());
        assert!(schemas["RejectReason"]["enum"].is_array());
    }
}
