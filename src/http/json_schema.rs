//! The checks of http::json against a body's OpenAPI schema: types, required members, enums,
//! lengths, date and time formats, NUL characters; and the words of a parse error.
use serde_json::Value;
use std::borrow::Cow;
use std::collections::HashMap;
use utoipa::openapi::schema::{KnownFormat, Schema, SchemaFormat, SchemaType, Type};
use utoipa::openapi::RefOr;

use crate::error::FieldError;

pub(super) type Components = HashMap<String, RefOr<Schema>>;

/// What chrono's parsers say, which serde passes on.
pub(super) const PARSER_WORDS: [&str; 5] = [
    "premature end of input",
    "input contains invalid characters",
    "input is out of range",
    "trailing input",
    "input is not enough",
];

/// Numbers such as `3.0` are whole numbers to JSON Schema (`integer` admits them) but not to serde:
/// read them as integers, so that they are taken wherever an integer is.
pub(super) fn whole_numbers(v: &mut Value) {
    match v {
        Value::Number(n) if !n.is_i64() && !n.is_u64() => {
            if let Some(f) = n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15) {
                *v = Value::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_numbers),
        Value::Object(fields) => fields.values_mut().for_each(whole_numbers),
        _ => {}
    }
}

/// The documented example of the field at `path` (`window.from`, `tasks[1].reason`), if any.
pub(super) fn example_at(
    schema: &RefOr<Schema>,
    path: &str,
    components: &Components,
) -> Option<String> {
    let mut here = resolve(schema, components)?;
    for key in path.split('.').filter(|k| !k.is_empty()) {
        let key = key.split('[').next().unwrap_or(key);
        let Schema::Object(o) = here else { return None };
        here = resolve(o.properties.get(key)?, components)?;
        if let Schema::Array(a) = here {
            if let utoipa::openapi::schema::ArrayItems::RefOrSchema(item) = &a.items {
                here = resolve(item, components)?;
            }
        }
    }
    match here {
        Schema::Object(o) => o
            .example
            .as_ref()
            .or(o.examples.first())
            .map(Value::to_string),
        _ => None,
    }
}

pub(super) fn resolve<'a>(
    schema: &'a RefOr<Schema>,
    components: &'a Components,
) -> Option<&'a Schema> {
    match schema {
        RefOr::T(s) => Some(s),
        RefOr::Ref(r) => {
            let name = r.ref_location.rsplit('/').next()?;
            match components.get(name)? {
                RefOr::T(s) => Some(s),
                RefOr::Ref(_) => None,
            }
        }
    }
}

pub(super) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// Checks `v` against its schema as far as the schema says (types, required members, enums,
/// date and time formats), adding an error per bad field; serde has the last word on the rest.
pub(super) fn check(
    schema: &RefOr<Schema>,
    v: &Value,
    path: &str,
    components: &Components,
    errors: &mut Vec<FieldError>,
    depth: usize,
) {
    let name = if path.is_empty() { "body" } else { path };
    if let RefOr::Ref(r) = schema {
        if crate::time::REQUEST_TIME_SCHEMAS
            .iter()
            .any(|n| r.ref_location.ends_with(&format!("/{n}")))
        {
            if let Some(message) = not_a_time(v) {
                errors.push(field_error(name, message));
            }
            return;
        }
    }
    let Some(resolved) = resolve(schema, components) else {
        return;
    };
    if depth > 8 {
        return;
    }
    match resolved {
        Schema::OneOf(one) => {
            // `Option<T>` of a named type: null, or a T.
            let is_null = |s: &RefOr<Schema>| matches!(s, RefOr::T(Schema::Object(o)) if o.schema_type == SchemaType::Type(Type::Null));
            if v.is_null() && one.items.iter().any(is_null) {
                return;
            }
            let others: Vec<_> = one.items.iter().filter(|s| !is_null(s)).collect();
            if let [only] = others.as_slice() {
                check(only, v, path, components, errors, depth + 1);
            }
        }
        Schema::Object(o) => {
            if let Some(message) = mismatch(o, v) {
                errors.push(field_error(name, &message));
                return;
            }
            if let (Value::Object(fields), SchemaType::Type(Type::Object)) = (v, &o.schema_type) {
                for required in &o.required {
                    if fields.get(required).is_none_or(Value::is_null) {
                        errors.push(field_error(&join(path, required), "is required"));
                    }
                }
                for (key, item) in fields {
                    if let Some(p) = o.properties.get(key) {
                        check(p, item, &join(path, key), components, errors, depth + 1);
                    }
                }
            }
        }
        Schema::Array(a) => match (v, &a.items) {
            (Value::Array(items), utoipa::openapi::schema::ArrayItems::RefOrSchema(item)) => {
                for (i, x) in items.iter().enumerate() {
                    check(
                        item,
                        x,
                        &format!("{name}[{i}]"),
                        components,
                        errors,
                        depth + 1,
                    );
                }
            }
            (Value::Array(_), _) => {}
            (Value::Null, _)
                if a.schema_type == SchemaType::Array(vec![Type::Array, Type::Null]) => {}
            _ => errors.push(field_error(name, "must be a list")),
        },
        _ => {}
    }
}

pub(super) fn field_error(field: &str, message: &str) -> FieldError {
    FieldError {
        field: field.into(),
        message: message.into(),
    }
}

/// The word serde puts in backticks in "missing field `name`" or "unknown field `name`".
pub(super) fn backticked(message: &str) -> Option<String> {
    ["missing field `", "unknown field `"]
        .iter()
        .find_map(|p| message.strip_prefix(p))
        .and_then(|rest| rest.split('`').next())
        .map(str::to_string)
}

/// What is wrong with a value against its schema's JSON type, enum and format, if anything.
pub(super) fn mismatch(
    schema: &utoipa::openapi::schema::Object,
    v: &Value,
) -> Option<Cow<'static, str>> {
    let allowed: Vec<&Type> = match &schema.schema_type {
        SchemaType::Type(t) => vec![t],
        SchemaType::Array(ts) => ts.iter().collect(),
        SchemaType::AnyValue => return None,
    };
    let fits = |t: &Type| match (t, v) {
        (Type::Null, Value::Null) => true,
        (Type::String, Value::String(_)) => true,
        (Type::Boolean, Value::Bool(_)) => true,
        (Type::Integer, Value::Number(n)) => n.is_i64() || n.is_u64(),
        (Type::Number, Value::Number(_)) => true,
        (Type::Array, Value::Array(_)) => true,
        (Type::Object, Value::Object(_)) => true,
        _ => false,
    };
    if !allowed.iter().any(|t| fits(t)) {
        return Some(Cow::Borrowed(
            match allowed.iter().find(|t| **t != &Type::Null) {
                Some(Type::String) => "must be a string",
                Some(Type::Boolean) => "must be true or false",
                Some(Type::Integer) => "must be a whole number",
                Some(Type::Number) => "must be a number",
                Some(Type::Array) => "must be a list",
                Some(Type::Object) => "must be an object",
                _ => "has the wrong type",
            },
        ));
    }
    if let (Some(values), false) = (&schema.enum_values, v.is_null()) {
        if !values.contains(v) {
            return Some("is not one of the allowed values".into());
        }
    }
    let Value::String(text) = v else { return None };
    let chars = text.chars().count();
    if chars > schema.max_length.unwrap_or(MAX_TEXT_CHARS) {
        let max = schema.max_length.unwrap_or(MAX_TEXT_CHARS);
        return Some(format!("is longer than {max} characters").into());
    }
    if schema.min_length.is_some_and(|min| chars < min)
        || (schema.min_length.is_some() && text.trim().is_empty())
    {
        return Some("must not be empty".into());
    }
    match &schema.format {
        Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)) => not_a_time(v).map(Cow::Borrowed),
        Some(SchemaFormat::KnownFormat(KnownFormat::Date))
            if !chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .is_ok_and(crate::time::in_range) =>
        {
            Some("must be a date (2026-12-01) in the years 1900-2100".into())
        }
        _ => None,
    }
}

/// The longest text any field takes where its schema sets no `maxLength` of its own.
pub const MAX_TEXT_CHARS: usize = 10_000;

pub(super) const TIME_MESSAGE: &str = "must be an RFC 3339 time with offset (2026-12-01T09:30:00+08:00) or a date (2026-12-01), in the years 1900-2100";

pub(super) fn not_a_time(v: &Value) -> Option<&'static str> {
    match v {
        Value::Null => None,
        Value::String(s) if crate::time::parse_start(s, crate::time::district_zone()).is_some() => {
            None
        }
        _ => Some(TIME_MESSAGE),
    }
}

/// Every string (and key) holding the NUL character, by its path: PostgreSQL cannot store it, so
/// it is refused on both databases alike.
pub fn nul_characters(v: &Value, path: &str, errors: &mut Vec<FieldError>) {
    let at = |key: &str| {
        if path.is_empty() {
            key.to_string()
        } else {
            format!("{path}.{key}")
        }
    };
    match v {
        Value::String(s) if s.contains('\0') => errors.push(FieldError {
            field: if path.is_empty() {
                "body".into()
            } else {
                path.into()
            },
            message: "must not contain the NUL character (\\u0000)".into(),
        }),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                nul_characters(
                    item,
                    &format!("{}[{i}]", if path.is_empty() { "body" } else { path }),
                    errors,
                );
            }
        }
        Value::Object(fields) => {
            for (k, item) in fields {
                if k.contains('\0') {
                    errors.push(field_error(
                        "body",
                        "must not contain the NUL character (\\u0000)",
                    ));
                } else {
                    nul_characters(item, &at(k), errors);
                }
            }
        }
        _ => {}
    }
}
