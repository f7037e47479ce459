//! The one error type, and its mapping to `application/problem+json` (RFC 9457) with stable codes.
use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use serde_json::{json, Value};
use std::fmt;

pub use crate::domain_error::{DomainError, FieldError};

/// Every failure a request can meet. Causes (SQL, panics of libraries) go to the log, never to the client.
#[derive(Debug)]
pub struct AppError {
    pub status: StatusCode,
    pub code: &'static str,
    pub detail: String,
    pub errors: Vec<FieldError>,
    /// Extra members of the problem object (e.g. alternative slots of a conflict).
    pub extra: Option<Box<Value>>,
    /// What went wrong inside, for the log only.
    cause: Option<Box<str>>,
}

/// The shape of every error body, for the OpenAPI document.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    pub code: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

pub type AppResult<T> = Result<T, AppError>;

/// A broken rule of a model, as its problem: 422 naming the fields, 409 with its code, or 403.
impl From<DomainError> for AppError {
    fn from(e: DomainError) -> AppError {
        match e {
            DomainError::Invalid(errors) => AppError::validation(errors),
            DomainError::Conflict { code, detail } => AppError::conflict(code, detail),
            DomainError::Forbidden(detail) => AppError::forbidden(detail),
        }
    }
}

impl AppError {
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> AppError {
        AppError {
            status,
            code,
            detail: detail.into(),
            errors: vec![],
            extra: None,
            cause: None,
        }
    }
    pub fn not_found() -> AppError {
        AppError::new(StatusCode::NOT_FOUND, "not_found", "No such object.")
    }
    /// 404 naming the kind of object (`"visit"`, `"resident"`): the caller may not see it, or it
    /// does not exist (the two are never told apart). The kind is also the member `object`.
    pub fn missing(kind: &'static str) -> AppError {
        AppError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("No such {kind}."),
        )
        .with_extra(json!({ "object": kind }))
    }
    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> AppError {
        AppError::new(StatusCode::BAD_REQUEST, code, detail)
    }
    /// One invalid field.
    pub fn invalid(field: &str, message: impl Into<String>) -> AppError {
        AppError::validation(vec![FieldError {
            field: field.into(),
            message: message.into(),
        }])
    }
    /// Ok when no field is bad, else one 422 naming every bad field.
    pub fn check_fields(errors: Vec<FieldError>) -> Result<(), AppError> {
        if errors.is_empty() {
            Ok(())
        } else {
            Err(AppError::validation(errors))
        }
    }
    pub fn validation(errors: Vec<FieldError>) -> AppError {
        let mut e = AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "The request has invalid fields.",
        );
        e.errors = errors;
        e
    }
    pub fn unauthorized(code: &'static str, detail: impl Into<String>) -> AppError {
        AppError::new(StatusCode::UNAUTHORIZED, code, detail)
    }
    pub fn forbidden(detail: impl Into<String>) -> AppError {
        AppError::new(StatusCode::FORBIDDEN, "forbidden", detail)
    }
    pub fn conflict(code: &'static str, detail: impl Into<String>) -> AppError {
        AppError::new(StatusCode::CONFLICT, code, detail)
    }
    /// 429: too many requests; the client may retry after `seconds`.
    pub fn rate_limited(detail: impl Into<String>, seconds: u64) -> AppError {
        AppError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", detail)
            .with_extra(json!({ "retry_after_seconds": seconds }))
    }
    pub fn version_mismatch() -> AppError {
        AppError::new(
            StatusCode::PRECONDITION_FAILED,
            "version_mismatch",
            "The object changed since you read it; read it again and retry.",
        )
    }
    pub fn unavailable(cause: impl fmt::Display) -> AppError {
        let mut e = AppError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "database_unavailable",
            "The database is unreachable; retry shortly.",
        );
        e.cause = Some(cause.to_string().into());
        e
    }
    pub fn internal(cause: impl fmt::Display) -> AppError {
        let mut e = AppError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "Something went wrong on our side.",
        );
        e.cause = Some(cause.to_string().into());
        e
    }
    pub fn with_extra(mut self, extra: Value) -> AppError {
        self.extra = Some(Box::new(extra));
        self
    }

    fn body(&self) -> Value {
        let mut body = json!({
            "type": format!("https://carelink.example/problems/{}", self.code),
            "title": self.status.canonical_reason().unwrap_or("Error"),
            "status": self.status.as_u16(),
            "detail": self.detail,
            "code": self.code,
        });
        if !self.errors.is_empty() {
            body["errors"] = json!(self.errors);
        }
        if let (Some(Value::Object(extra)), Some(obj)) =
            (self.extra.as_deref(), body.as_object_mut())
        {
            for (k, v) in extra {
                obj.entry(k.clone()).or_insert(v.clone());
            }
        }
        body
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.detail)
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        if let Some(cause) = &self.cause {
            if self.status.is_server_error() {
                tracing::error!(code = self.code, cause = %cause, "request failed");
            }
        }
        let mut resp = HttpResponse::build(self.status);
        resp.insert_header((header::CONTENT_TYPE, "application/problem+json"));
        if let Some(seconds) = self
            .extra
            .as_deref()
            .and_then(|e| e.get("retry_after_seconds"))
            .and_then(Value::as_u64)
        {
            resp.insert_header((header::RETRY_AFTER, seconds.to_string()));
        }
        if let Some(allow) = self
            .extra
            .as_deref()
            .and_then(|e| e.get("allow"))
            .and_then(Value::as_array)
        {
            let methods: Vec<&str> = allow.iter().filter_map(Value::as_str).collect();
            resp.insert_header((header::ALLOW, methods.join(", ")));
        }
        resp.body(self.body().to_string())
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> AppError {
        use diesel::result::{DatabaseErrorKind as K, Error as E};
        match &e {
            E::NotFound => AppError::not_found(),
            E::DatabaseError(K::UniqueViolation, _) => AppError::conflict(
                "already_exists",
                "An object with the same unique value exists.",
            ),
            E::DatabaseError(K::ForeignKeyViolation, _) => AppError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown_reference",
                "A referenced object does not exist.",
            ),
            E::DatabaseError(K::SerializationFailure, _) => {
                AppError::conflict("concurrent_update", "A concurrent change won; retry.")
            }
            // The PostgreSQL exclusion constraint behind the booking invariant (a backstop to the row lock).
            E::DatabaseError(_, info) if info.constraint_name() == Some("visits_no_overlap") => {
                AppError::conflict(
                    "visit_conflict",
                    "That time overlaps another visit of the clinician.",
                )
            }
            // SQLite's single writer kept busy past busy_timeout: a retry will do (the benchmark
            // and the race tests see none, but a client should be told to retry, not that we broke).
            E::DatabaseError(_, info) if info.message().contains("database is locked") => {
                let mut busy = AppError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "database_busy",
                    "The database is busy; retry shortly.",
                )
                .with_extra(json!({ "retry_after_seconds": 1 }));
                busy.cause = Some(e.to_string().into());
                busy
            }
            E::DatabaseError(K::ClosedConnection, _) => AppError::unavailable(&e),
            E::DatabaseError(_, info) if is_connection_loss(info.message()) => {
                AppError::unavailable(&e)
            }
            _ => AppError::internal(&e),
        }
    }
}

fn is_connection_loss(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("connection") || m.contains("terminating") || m.contains("shutting down")
}

impl From<r2d2::Error> for AppError {
    fn from(e: r2d2::Error) -> AppError {
        AppError::unavailable(e)
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> AppError {
        AppError::internal(e)
    }
}
