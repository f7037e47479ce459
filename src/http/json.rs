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
use std::collections::HashMap;
use utoipa::openapi::schema::{Schema, SchemaType, Type};
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

#[path = "json_schema.rs"]
mod schema;
use schema::*;

#[cfg(test)]
#[path = "json_tests.rs"]
mod tests;
