//! Extractors and extractor error handlers: every malformed input becomes a problem+json 4xx.
use actix_web::dev::Payload;
use actix_web::error::{PathError, QueryPayloadError};
use actix_web::{web, FromRequest, HttpRequest};
use std::future::{ready, Ready};

use crate::error::AppError;

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, _req| {
        let message = match &err {
            QueryPayloadError::Deserialize(e) => e.to_string(),
            other => other.to_string(),
        };
        AppError::bad_request(
            "invalid_query",
            format!("The query string is invalid: {message}"),
        )
        .into()
    })
}

pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|_err: PathError, _req| AppError::not_found().into())
}

/// The optional `Idempotency-Key` header of a POST.
#[derive(Debug, Clone)]
pub struct IdempotencyKey(pub Option<String>);

impl FromRequest for IdempotencyKey {
    type Error = AppError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let Some(value) = req.headers().get("Idempotency-Key") else {
            return ready(Ok(IdempotencyKey(None)));
        };
        let key = value.to_str().ok().map(str::trim).unwrap_or("");
        if key.is_empty() || key.len() > 255 {
            return ready(Err(AppError::bad_request(
                "invalid_idempotency_key",
                "Idempotency-Key must be 1 to 255 visible ASCII characters.",
            )));
        }
        ready(Ok(IdempotencyKey(Some(key.to_string()))))
    }
}

/// The optional `If-Match` header: the version the client last saw.
#[derive(Debug, Clone, Copy)]
pub struct IfMatch(pub Option<i64>);

impl FromRequest for IfMatch {
    type Error = AppError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let Some(value) = req.headers().get(actix_web::http::header::IF_MATCH) else {
            return ready(Ok(IfMatch(None)));
        };
        let raw = value.to_str().unwrap_or("").trim();
        if raw == "*" {
            return ready(Ok(IfMatch(None)));
        }
        let unquoted = raw.trim_start_matches("W/").trim_matches('"');
        // A tag we never issued can never match: the object is not at that version.
        ready(match unquoted.parse::<i64>() {
            Ok(v) => Ok(IfMatch(Some(v))),
            Err(_) => Err(AppError::version_mismatch()),
        })
    }
}

impl IfMatch {
    /// 412 unless the object is still at the version the client sent.
    pub fn check(self, current: i64) -> Result<(), AppError> {
        match self.0 {
            Some(v) if v != current => Err(AppError::version_mismatch()),
            _ => Ok(()),
        }
    }
}

const TIME_EXPECTED: &str =
    "must be an RFC 3339 time with offset (2026-12-01T09:30:00+08:00) or a date (2026-12-01)";

/// Parses a start: an RFC 3339 time with offset, or a plain date meaning the start of that day in
/// the district's time zone, into stored form (UTC).
pub fn parse_time(
    field: &str,
    s: &str,
    tz: chrono_tz::Tz,
) -> Result<chrono::NaiveDateTime, AppError> {
    crate::time::parse_start(s, tz)
        .map(|t| t.naive_utc())
        .ok_or_else(|| AppError::invalid(field, TIME_EXPECTED))
}

/// Parses the end of a period: an RFC 3339 time, or a plain date meaning the whole of that day
/// (so the end is the start of the next day in the district's time zone).
pub fn parse_end(
    field: &str,
    s: &str,
    tz: chrono_tz::Tz,
) -> Result<chrono::NaiveDateTime, AppError> {
    crate::time::parse_end(s, tz)
        .map(|t| t.naive_utc())
        .ok_or_else(|| AppError::invalid(field, TIME_EXPECTED))
}

/// Parses a path id; anything that is not a UUID cannot name an object, so it is not found.
pub fn parse_id(raw: &str, kind: &'static str) -> Result<String, AppError> {
    uuid::Uuid::parse_str(raw)
        .map(|u| u.to_string())
        .map_err(|_| AppError::missing(kind))
}
