//! The request bodies of the referral's actions (triage, appointment, arrival, completion with
//! the return sheet, cancellation) and their rules.
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::form::{Diagnosis, FollowUp};
use super::machine::Priority;
use crate::domain_error::{DomainError, FieldError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    OutsideScope,
    NoCapacity,
    IncompleteInformation,
    ManageAtGrassroots,
    Other,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectBody {
    pub reason_code: RejectReason,
    /// Required (not blank) with the reason code `other`.
    pub comment: Option<String>,
}

impl RejectBody {
    pub fn validate(&self) -> Result<(), DomainError> {
        let blank = self.comment.as_deref().is_none_or(|c| c.trim().is_empty());
        if self.reason_code == RejectReason::Other && blank {
            return Err(DomainError::invalid(
                "comment",
                "is required with the reason code other",
            ));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdviceBody {
    /// What the sender should do first: 1 to 4000 characters (not blank).
    #[schema(min_length = 1, max_length = 4000)]
    pub advice: String,
}

impl AdviceBody {
    pub fn validate(&self) -> Result<(), DomainError> {
        if self.advice.trim().is_empty() || self.advice.chars().count() > 4000 {
            return Err(DomainError::invalid(
                "advice",
                "must be 1 to 4000 characters",
            ));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptBody {
    pub comment: Option<String>,
    pub receiving_doctor: Option<String>,
    /// For a down-referral asking for a home sickbed: the clinician responsible for it (default:
    /// the resident's family doctor if of the accepting clinic, else the accepting clinician).
    pub responsible_clinician_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ReferralScheduleBody)]
pub struct ScheduleBody {
    /// RFC 3339 with offset, or a plain date; not more than an hour in the past.
    pub appointment_at: crate::time::Start,
    /// Not blank.
    #[schema(min_length = 1)]
    pub department: String,
    /// Where to come: not blank.
    #[schema(min_length = 1)]
    pub location: String,
}

impl ScheduleBody {
    /// An appointment needs a department and a place, and not more than an hour in the past.
    pub fn validate(&self, now: NaiveDateTime) -> Result<(), DomainError> {
        if self.department.trim().is_empty() || self.location.trim().is_empty() {
            return Err(DomainError::invalid(
                "department",
                "department and location are required",
            ));
        }
        if self.appointment_at.naive_utc() < now - chrono::Duration::hours(1) {
            return Err(DomainError::invalid("appointment_at", "is in the past"));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ReferralCancelBody)]
pub struct CancelBody {
    /// Why: 1 to 500 characters (not blank).
    #[schema(min_length = 1, max_length = 500)]
    pub reason: String,
}

impl CancelBody {
    pub fn validate(&self) -> Result<(), DomainError> {
        if self.reason.trim().is_empty() || self.reason.chars().count() > 500 {
            return Err(DomainError::invalid(
                "reason",
                "must be 1 to 500 characters",
            ));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmptyBody {
    pub comment: Option<String>,
}

/// The down-referral a completion may start in the same call.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartDown {
    /// Defaults to the organisation that referred the patient up.
    pub to_organization_id: Option<String>,
    /// At most 100 characters.
    #[schema(max_length = 100)]
    pub department: Option<String>,
    #[serde(default)]
    pub priority: Priority,
    pub follow_up: Option<FollowUp>,
}

/// The return sheet (回转单) recorded when an up-referral is completed.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompleteBody {
    pub diagnosis: Diagnosis,
    pub inpatient_record_number: Option<String>,
    pub main_test_results: Option<String>,
    /// 1 to 4000 characters (not blank).
    #[schema(min_length = 1, max_length = 4000)]
    pub treatment_given: String,
    /// Next treatment and rehabilitation advice: 1 to 4000 characters (not blank).
    #[schema(min_length = 1, max_length = 4000)]
    pub recommendations: String,
    pub down_referral: Option<StartDown>,
}

impl CompleteBody {
    pub fn validate(&self) -> Result<(), DomainError> {
        let mut errors = vec![];
        self.diagnosis.check("diagnosis", &mut errors);
        for (field, v) in [
            ("treatment_given", &self.treatment_given),
            ("recommendations", &self.recommendations),
        ] {
            let n = v.trim().chars().count();
            if n == 0 || n > 4000 {
                errors.push(FieldError {
                    field: field.into(),
                    message: "must be 1 to 4000 characters".into(),
                });
            }
        }
        if let Some(f) = self
            .down_referral
            .as_ref()
            .and_then(|d| d.follow_up.as_ref())
        {
            f.check(&mut errors);
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Invalid(errors))
        }
    }
}
