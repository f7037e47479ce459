//! The errors of the pure rules (the models): what a body or a state breaks, said without HTTP.
//! `error.rs` maps each to its problem+json in one place (`impl From<DomainError> for AppError`),
//! so a model imports this and never the HTTP error type (`.ci/imports.py` checks it).
use serde::Serialize;

/// One field and what is wrong with it.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// A rule a request breaks.
#[derive(Debug, Clone, PartialEq)]
pub enum DomainError {
    /// These fields break a rule (422 `validation_failed`).
    Invalid(Vec<FieldError>),
    /// The object's state does not allow it (409 with the code, e.g. `invalid_transition`).
    Conflict { code: &'static str, detail: String },
    /// The rule does not allow this caller (403 `forbidden`).
    Forbidden(String),
}

pub type RuleResult<T> = Result<T, DomainError>;

impl DomainError {
    /// One invalid field.
    pub fn invalid(field: &str, message: impl Into<String>) -> DomainError {
        DomainError::Invalid(vec![FieldError {
            field: field.into(),
            message: message.into(),
        }])
    }
    /// Ok when no field is bad, else one error naming every bad field.
    pub fn check(errors: Vec<FieldError>) -> RuleResult<()> {
        if errors.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Invalid(errors))
        }
    }
    pub fn conflict(code: &'static str, detail: impl Into<String>) -> DomainError {
        DomainError::Conflict {
            code,
            detail: detail.into(),
        }
    }
    pub fn forbidden(detail: impl Into<String>) -> DomainError {
        DomainError::Forbidden(detail.into())
    }
    /// The problem code it answers with.
    pub fn code(&self) -> &'static str {
        match self {
            DomainError::Invalid(_) => "validation_failed",
            DomainError::Conflict { code, .. } => code,
            DomainError::Forbidden(_) => "forbidden",
        }
    }
    /// The fields it names (none but for `Invalid`).
    pub fn fields(&self) -> &[FieldError] {
        match self {
            DomainError::Invalid(errors) => errors,
            _ => &[],
        }
    }
}
