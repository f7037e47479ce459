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
        // The HTTP layer drops white space around the value; a tab inside it is no visible ASCII.
        let key = value.to_str().ok().map(str::trim).unwrap_or("");
        if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| (b' '..=b'~').contains(&b)) {
            return ready(Err(AppError::bad_request(
                "invalid_idempotency_key",
                "Idempotency-Key must be 1 to 255 visible ASCII characters.",
            )));
        }
        ready(Ok(IdempotencyKey(Some(key.to_string()))))
    }
}

/// The optional `If-Match` header: the versions the client last saw (RFC 9110 13.1.1). The
/// comparison is strong: we issue strong tags (`"3"`), so a weak tag (`W/"3"`) never matches, and
/// a tag we never issued cannot match either. `*` matches any existing object.
#[derive(Debug, Clone)]
pub struct IfMatch(pub Option<Vec<i64>>);

impl FromRequest for IfMatch {
    type Error = AppError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let values: Vec<&str> = req
            .headers()
            .get_all(actix_web::http::header::IF_MATCH)
            .map(|v| v.to_str().unwrap_or(""))
            .collect();
        if values.is_empty() {
            return ready(Ok(IfMatch(None)));
        }
        let tags: Vec<&str> = values
            .iter()
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        if tags.contains(&"*") {
            return ready(Ok(IfMatch(None)));
        }
        let strong = tags
            .iter()
            .filter_map(|t| t.strip_prefix('"')?.strip_suffix('"')?.parse::<i64>().ok())
            .collect();
        ready(Ok(IfMatch(Some(strong))))
    }
}

impl IfMatch {
    /// 412 unless the object is still at a version the client sent.
    pub fn check(&self, current: i64) -> Result<(), AppError> {
        match &self.0 {
            Some(versions) if !versions.contains(&current) => Err(AppError::version_mismatch()),
            _ => Ok(()),
        }
    }
}

const TIME_EXPECTED: &str = "must be an RFC 3339 time with offset (2026-12-01T09:30:00+08:00) or a date (2026-12-01), in the years 1900-2100";

/// A day from a query, within the years the API takes (see `time::in_range`).
pub fn check_day(field: &str, day: chrono::NaiveDate) -> Result<chrono::NaiveDate, AppError> {
    if crate::time::in_range(day) {
        Ok(day)
    } else {
        Err(AppError::invalid(
            field,
            "must be a date in the years 1900-2100",
        ))
    }
}

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

/// The first query parameter whose name or value holds the NUL character (`%00`), which
/// PostgreSQL cannot store or compare: such a query is refused at the edge on both databases.
pub fn nul_in_query(query: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let has_nul = |s: &str| s.to_ascii_lowercase().contains("%00");
        (has_nul(name) || has_nul(value)).then(|| name.replace("%00", ""))
    })
}

/// Middleware: a query with a NUL character is a 422 naming the parameter, before any handler.
pub fn refuse_nul_in_query<S>(
    req: actix_web::dev::ServiceRequest,
    srv: &S,
) -> futures_util::future::Either<
    S::Future,
    Ready<Result<actix_web::dev::ServiceResponse, actix_web::Error>>,
>
where
    S: actix_web::dev::Service<
        actix_web::dev::ServiceRequest,
        Response = actix_web::dev::ServiceResponse,
        Error = actix_web::Error,
    >,
{
    match nul_in_query(req.query_string()) {
        None => futures_util::future::Either::Left(srv.call(req)),
        Some(name) => {
            let error = AppError::invalid(&name, "must not contain the NUL character (%00)");
            futures_util::future::Either::Right(ready(Ok(req.error_response(error))))
        }
    }
}
