//! Care programmes as the API speaks them: packages, contracts, obligations and draft referrals,
//! with their field rules and state machines. Pure: no diesel, no actix.
pub mod engine;
pub mod packages;
pub mod person;
pub mod report;
pub mod rules;
#[cfg(test)]
mod tests;

use chrono::{Duration, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::domain_error::{DomainError, FieldError};
use crate::time::Time;
pub use engine::Source;

/// A contract's state: `active -> expired | terminated`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ContractStatus {
    Active,
    Expired,
    Terminated,
}

impl ContractStatus {
    pub const ALL: [ContractStatus; 3] = [
        ContractStatus::Active,
        ContractStatus::Expired,
        ContractStatus::Terminated,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            ContractStatus::Active => "active",
            ContractStatus::Expired => "expired",
            ContractStatus::Terminated => "terminated",
        }
    }
    pub fn parse(s: &str) -> Option<ContractStatus> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// A family-doctor contract (签约) as the API serves it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Contract {
    pub id: String,
    pub resident_id: String,
    /// The clinic that holds the contract (the resident's clinic).
    pub clinic_id: String,
    pub family_doctor_id: String,
    #[schema(example = json!(["basic", "hypertension"]))]
    pub package_codes: Vec<String>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub status: ContractStatus,
    /// Why it was terminated.
    pub ended_reason: Option<String>,
    /// How many times it was renewed.
    pub renewals: i32,
    /// The yearly price of its packages when signed, in yuan.
    pub price_yuan: f64,
    pub version: i64,
    pub created_at: Time,
}

/// Signing a contract.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewContract {
    /// A resident the caller may see, of the caller's clinic's area.
    pub resident_id: String,
    /// 1 to 4 package codes (`GET /service-packages`); a code named twice counts once.
    #[schema(min_items = 1, max_items = 4, example = json!(["basic", "hypertension"]))]
    pub package_codes: Vec<String>,
    /// A clinician of the clinic; becomes the resident's family doctor.
    pub family_doctor_id: String,
    /// Not before the resident's birth; at most a year back or ahead of today.
    pub starts_on: NaiveDate,
    /// Default: a year after `starts_on` (the day before). At most 5 years.
    pub ends_on: Option<NaiveDate>,
}

impl NewContract {
    /// Field rules that need no database. Returns the contract's end.
    pub fn check(&self, today: NaiveDate) -> Result<NaiveDate, DomainError> {
        let mut errors = vec![];
        let mut codes = self.package_codes.clone();
        codes.sort();
        codes.dedup();
        if codes.is_empty() || codes.len() > 4 {
            errors.push(FieldError {
                field: "package_codes".into(),
                message: "must be 1 to 4 package codes".into(),
            });
        }
        if (self.starts_on - today).num_days().abs() > 366 {
            errors.push(FieldError {
                field: "starts_on".into(),
                message: "must be within a year of today".into(),
            });
        }
        let ends_on = self.ends_on.unwrap_or_else(|| year_after(self.starts_on));
        if ends_on <= self.starts_on || ends_on > self.starts_on + Duration::days(5 * 366) {
            errors.push(FieldError {
                field: "ends_on".into(),
                message: "must be after starts_on and at most 5 years later".into(),
            });
        }
        if errors.is_empty() {
            Ok(ends_on)
        } else {
            Err(DomainError::Invalid(errors))
        }
    }
}

/// The last day of a year's term from `start`.
pub fn year_after(start: NaiveDate) -> NaiveDate {
    start
        .checked_add_months(Months::new(12))
        .map(|d| d - Duration::days(1))
        .unwrap_or(start)
}

/// Ending a contract early.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TerminateBody {
    /// 1 to 500 characters (not blank).
    #[schema(min_length = 1, max_length = 500, example = "搬离本社区")]
    pub reason: String,
}

/// Renewing a contract for another term (an expired one becomes active again).
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenewBody {
    /// The new end: after the current one, at most 5 years later. Default: a year more.
    pub ends_on: Option<NaiveDate>,
}

/// Where an obligation stands: `upcoming` (its window has not opened), `due`, `overdue` (its
/// window closed unmet), `met`, `waived`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ObligationStatus {
    Upcoming,
    Due,
    Met,
    Overdue,
    Waived,
}

impl ObligationStatus {
    pub const ALL: [ObligationStatus; 5] = [
        ObligationStatus::Upcoming,
        ObligationStatus::Due,
        ObligationStatus::Met,
        ObligationStatus::Overdue,
        ObligationStatus::Waived,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            ObligationStatus::Upcoming => "upcoming",
            ObligationStatus::Due => "due",
            ObligationStatus::Met => "met",
            ObligationStatus::Overdue => "overdue",
            ObligationStatus::Waived => "waived",
        }
    }
    pub fn parse(s: &str) -> Option<ObligationStatus> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// A visit owed to a resident.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Obligation {
    pub id: String,
    pub resident_id: String,
    pub clinic_id: String,
    pub source: Source,
    /// The contract (source `contract`) or the follow-up visit that made it (a re-check).
    pub source_id: Option<String>,
    /// The rule's code (`elderly_annual_check`, ...) or `package:<code>`.
    #[schema(example = "chronic_quarterly_follow_up")]
    pub rule: String,
    pub rule_version: i32,
    #[schema(example = "chronic_disease_follow_up")]
    pub service_type: String,
    /// The period it is owed for (`2026`, `2026-Q3`), or `after:<visit>` for a re-check.
    pub period: String,
    pub earliest: NaiveDate,
    pub due: NaiveDate,
    pub latest: NaiveDate,
    pub status: ObligationStatus,
    /// The visit requested for it, or the one that met it.
    pub visit_id: Option<String>,
    /// The day the visit meeting it was completed.
    pub met_on: Option<NaiveDate>,
    /// Met on or before `latest`.
    pub on_time: Option<bool>,
    /// Why it was waived.
    pub reason: Option<WaiveReason>,
    pub comment: Option<String>,
    pub version: i64,
    pub created_at: Time,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WaiveReason {
    Declined,
    Hospitalised,
    MovedAway,
    Deceased,
    Other,
}

impl WaiveReason {
    pub fn as_str(self) -> &'static str {
        match self {
            WaiveReason::Declined => "declined",
            WaiveReason::Hospitalised => "hospitalised",
            WaiveReason::MovedAway => "moved_away",
            WaiveReason::Deceased => "deceased",
            WaiveReason::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<WaiveReason> {
        [
            WaiveReason::Declined,
            WaiveReason::Hospitalised,
            WaiveReason::MovedAway,
            WaiveReason::Deceased,
            WaiveReason::Other,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

/// Waiving an obligation: it is no longer owed (its requested visit is cancelled).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WaiveBody {
    pub reason: WaiveReason,
    /// Up to 500 characters; required (not blank) when the reason is `other`.
    #[schema(max_length = 500)]
    pub comment: Option<String>,
}

impl WaiveBody {
    pub fn check(&self) -> Result<Option<String>, DomainError> {
        let comment = self
            .comment
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty());
        if comment.is_some_and(|c| c.chars().count() > 500) {
            return Err(DomainError::invalid(
                "comment",
                "must be at most 500 characters",
            ));
        }
        if self.reason == WaiveReason::Other && comment.is_none() {
            return Err(DomainError::invalid(
                "comment",
                "is required when the reason is other",
            ));
        }
        Ok(comment.map(str::to_string))
    }
}

/// A draft referral's state: `draft -> sent | discarded`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DraftStatus {
    Draft,
    Sent,
    Discarded,
}

impl DraftStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DraftStatus::Draft => "draft",
            DraftStatus::Sent => "sent",
            DraftStatus::Discarded => "discarded",
        }
    }
    pub fn parse(s: &str) -> Option<DraftStatus> {
        [
            DraftStatus::Draft,
            DraftStatus::Sent,
            DraftStatus::Discarded,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

/// An up-referral carelink prepared after two follow-ups out of control in a row: not in any
/// hospital's inbox until the clinic sends it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReferralDraft {
    pub id: String,
    pub resident_id: String,
    pub clinic_id: String,
    pub status: DraftStatus,
    /// The referral it will submit (`POST /referrals`'s body), filled from the resident and the
    /// two follow-ups.
    #[schema(value_type = Object)]
    pub form: serde_json::Value,
    /// The follow-ups out of control that made it, oldest first.
    pub follow_up_visit_ids: Vec<String>,
    /// Once sent: the referral.
    pub referral_id: Option<String>,
    pub discard_reason: Option<String>,
    pub version: i64,
    pub created_at: Time,
}

/// Discarding a draft referral.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DiscardBody {
    /// Up to 500 characters.
    #[schema(max_length = 500)]
    pub reason: Option<String>,
}
