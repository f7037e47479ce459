//! Unit tests of the JSON body extractor's checks (http::json).
use super::*;
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Body {
    name: String,
    count: i32,
    when: crate::time::Start,
    note: Option<String>,
}

fn fields(e: AppError) -> Vec<String> {
    e.errors.into_iter().map(|f| f.field).collect()
}

#[test]
fn every_missing_field_is_named_in_one_error() {
    let e = parse::<Body>(json!({})).unwrap_err();
    assert_eq!(e.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(e), ["name", "count", "when"]);
}

#[test]
fn wrong_types_and_bad_times_are_named_beside_missing_fields() {
    let e = parse::<Body>(json!({"count": "3", "when": "tomorrow", "note": 4})).unwrap_err();
    let mut got = fields(e);
    got.sort();
    assert_eq!(got, ["count", "name", "note", "when"]);
}

#[test]
fn an_array_is_not_an_object() {
    let e = parse::<Body>(json!(["x", 1, "2026-12-01", null])).unwrap_err();
    assert_eq!(fields(e), ["body"]);
}

#[test]
fn nul_characters_are_refused_wherever_they_are() {
    let e =
        parse::<Body>(json!({"name": "a\u{0}b", "count": 1, "when": "2026-12-01"})).unwrap_err();
    assert_eq!(fields(e), ["name"]);
}

#[test]
fn an_unknown_field_is_named() {
    let e = parse::<Body>(json!({"name": "a", "count": 1, "when": "2026-12-01", "colour": 1}))
        .unwrap_err();
    assert_eq!(fields(e), ["colour"]);
}

#[test]
fn a_good_body_reads() {
    let b = parse::<Body>(json!({"name": "a", "count": 1, "when": "2026-12-01"})).unwrap();
    assert_eq!(b.count, 1);
}

#[test]
fn a_whole_number_written_with_a_decimal_point_is_a_whole_number() {
    let b = parse::<Body>(json!({"name": "a", "count": 3.0, "when": "2026-12-01"})).unwrap();
    assert_eq!(b.count, 3);
    let e = parse::<Body>(json!({"name": "a", "count": 3.5, "when": "2026-12-01"})).unwrap_err();
    assert_eq!(fields(e), ["count"]);
}
