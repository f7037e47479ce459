//! The JSON body extractor of every endpoint. Beyond actix's `web::Json` it:
//! - takes an empty body (with or without a content type) as `{}`, so an action without fields
//!   needs no body;
//! - names every bad field of the body in one 422, not only the first: missing required fields and
//!   values of the wrong type are found against the body's OpenAPI schema, the rest by serde with
//!   the path of the field (`tasks[1].reason`, not `body`);
//! - refuses a body that is not an object where the schema is one (serde would take an array for a
//!   struct), text with the NUL character (PostgreSQL cannot store it), and a declared charset other
//!   than UTF-8.
use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::http::{header, StatusCode};
use actix_web::mime;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::borrow::Cow;
use std::collections::HashMap;
use utoipa::openapi::schema::{KnownFormat, Schema, SchemaFormat, SchemaType, Type};
use utoipa::openapi::RefOr;

use crate::error::{AppError, FieldError};

/// A request body of type `T`, read as described in the module's comment.
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Json<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> FromRequest for Json<T>
where
    T: DeserializeOwned + utoipa::ToSchema + 'static,
{
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type = content_type_problem(req);
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let bytes = bytes
                .await
                .map_err(|e| match e.as_error::<PayloadError>() {
                    Some(PayloadError::Overflow) => too_large(),
                    _ => AppError::bad_request(
                        "malformed_body",
                        "The request body could not be read.",
                    ),
                })?;
            let text = std::str::from_utf8(&bytes)
                .map_err(|_| AppError::bad_request("malformed_json", "The body is not UTF-8."))?;
            let value: Value = if text.trim().is_empty() {
                Value::Object(Default::default())
            } else {
                if let Some(problem) = content_type {
                    return Err(problem);
                }
                serde_json::from_str(text).map_err(|e| {
                    AppError::bad_request(
                        "malformed_json",
                        format!("The body is not valid JSON: {e}"),
                    )
                })?
            };
            parse::<T>(value).map(Json)
        })
    }
}

fn too_large() -> AppError {
    AppError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        "The request body is larger than allowed.",
    )
}

/// A body must be sent as JSON in UTF-8 (a missing content type is taken only with an empty body).
fn content_type_problem(req: &HttpRequest) -> Option<AppError> {
    let unsupported = |detail: &str| {
        Some(AppError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            detail,
        ))
    };
    let Some(raw) = req.headers().get(header::CONTENT_TYPE) else {
        return unsupported("Send the body as application/json.");
    };
    let Ok(mime) = raw.to_str().unwrap_or("").parse::<mime::Mime>() else {
        return unsupported("Send the body as application/json.");
    };
    let json = mime.subtype() == mime::JSON || mime.suffix() == Some(mime::JSON);
    if mime.type_() != mime::APPLICATION || !json {
        return unsupported("Send the body as application/json.");
    }
    match mime.get_param(mime::CHARSET) {
        Some(cs) if !cs.as_str().eq_ignore_ascii_case("utf-8") => {
            unsupported("Send the body as application/json in UTF-8.")
        }
        _ => None,
    }
}

/// Reads a JSON value as a `T`, naming every bad field at once.
pub fn parse<T: DeserializeOwned + utoipa::ToSchema>(mut value: Value) -> Result<T, AppError> {
    whole_numbers(&mut value);
    let mut errors = Vec::new();
    nul_characters(&value, "", &mut errors);
    let mut named = Vec::new();
    T::schemas(&mut named);
    let components: HashMap<String, RefOr<Schema>> = named.into_iter().collect();
    let schema = T::schema();
    let is_object = matches!(resolve(&schema, &components), Some(Schema::Object(o))
        if o.schema_type == SchemaType::Type(Type::Object));
    if is_object && !value.is_object() {
        errors.push(field_error("body", "must be a JSON object"));
    } else {
        check(&schema, &value, "", &components, &mut errors, 0);
    }
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let field = e.path().to_string();
        let message = e.inner().to_string();
        let message = message
            .split(" at line ")
            .next()
            .unwrap_or(&message)
            .to_string();
        let field = match (field.as_str(), backticked(&message)) {
            // serde reports a missing or unknown field at its parent: name the field itself.
            (".", Some(name)) => name,
            (parent, Some(name)) if message.starts_with("missing field") => {
                format!("{parent}.{name}")
            }
            (".", None) => "body".into(),
            (path, _) => path.to_string(),
        };
        // A parser's own words ("premature end of input") say nothing to a client: say what the
        // field should look like, from its documented example.
        let message = if PARSER_WORDS.iter().any(|w| message.contains(w)) {
            match example_at(&T::schema(), &field, &components) {
                Some(example) => format!("is not in the expected form, e.g. {example}"),
                None => "is not in the expected form (see the field's description)".into(),
            }
        } else {
            message
        };
        AppError::validation(vec![FieldError { field, message }])
    })
}

type Components = HashMap<String, RefOr<Schema>>;

/// What chrono's parsers say, which serde passes on.
const PARSER_WORDS: [&str; 5] = [
    "premature end of input",
    "input contains invalid characters",
    "input is out of range",
    "trailing input",
    "input is not enough",
];

/// Numbers such as `3.0` are whole numbers to JSON Schema (`integer` admits them) but not to serde:
/// read them as integers, so that they are taken wherever an integer is.
fn whole_numbers(v: &mut Value) {
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
fn example_at(schema: &RefOr<Schema>, path: &str, components: &Components) -> Option<String> {
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

fn resolve<'a>(schema: &'a RefOr<Schema>, components: &'a Components) -> Option<&'a Schema> {
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

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// Checks `v` against its schema as far as the schema says (types, required members, enums,
/// date and time formats), adding an error per bad field; serde has the last word on the rest.
fn check(
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

fn field_error(field: &str, message: &str) -> FieldError {
    FieldError {
        field: field.into(),
        message: message.into(),
    }
}

/// The word serde puts in backticks in "missing field `name`" or "unknown field `name`".
fn backticked(message: &str) -> Option<String> {
    ["missing field `", "unknown field `"]
        .iter()
        .find_map(|p| message.strip_prefix(p))
        .and_then(|rest| rest.split('`').next())
        .map(str::to_string)
}

/// What is wrong with a value against its schema's JSON type, enum and format, if anything.
fn mismatch(schema: &utoipa::openapi::schema::Object, v: &Value) -> Option<Cow<'static, str>> {
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

const TIME_MESSAGE: &str = "must be an RFC 3339 time with offset (2026-12-01T09:30:00+08:00) or a date (2026-12-01), in the years 1900-2100";

fn not_a_time(v: &Value) -> Option<&'static str> {
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

#[cfg(test)]
#[path = "json_tests.rs"]
mod tests;
