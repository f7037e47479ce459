//! What the long-term care API takes and answers: an assessment as recorded, a new one, and a
//! month's entitlements. Pure types and checks: no diesel, no actix.
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::entitlements::Unit;
use crate::domain_error::{DomainError, FieldError};
use crate::time::Time;

/// The only kind of assessment so far: the national long-term care disability assessment.
pub const LTC_DISABILITY: &str = "ltc_disability";

/// `POST /assessments`.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAssessment {
    /// The resident assessed (one the caller may see).
    pub resident_id: String,
    /// `ltc_disability`: the national long-term care disability assessment (ADR 0012).
    #[schema(example = "ltc_disability")]
    pub kind: String,
    /// The points given for every item of the form, by item code (see the ADR for the items and
    /// their allowed points).
    pub scores: BTreeMap<String, i32>,
    /// When the assessment was made (RFC 3339 with offset), not in the future; default now.
    pub assessed_at: Option<Time>,
}

impl NewAssessment {
    pub fn check_kind(&self) -> Result<(), DomainError> {
        if self.kind != LTC_DISABILITY {
            return Err(DomainError::invalid(
                "kind",
                "must be ltc_disability (the national long-term care disability assessment)",
            ));
        }
        Ok(())
    }
}

/// Field errors of a scored form, as the one 422.
pub fn form_errors(errors: Vec<FieldError>) -> DomainError {
    match DomainError::check(errors) {
        Err(e) => e,
        Ok(()) => DomainError::invalid("scores", "could not be scored"),
    }
}

/// An assessment as recorded.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AssessmentRecord {
    pub id: String,
    pub resident_id: String,
    pub kind: String,
    /// The points given, by item code.
    pub scores: BTreeMap<String, i32>,
    /// What they add up to: each indicator's total and level, the grade and its names.
    #[schema(value_type = Object)]
    pub result: serde_json::Value,
    /// 0 (basically normal) to 5 (severe disability level III).
    pub grade: i32,
    /// The organisation of the assessor.
    pub organization_id: Option<String>,
    pub assessed_by: String,
    pub assessed_at: Time,
    /// The end of its validity (`ltc.assessment_valid_days` after it); a newer one supersedes it
    /// before then.
    pub valid_until: Time,
    /// `current` (in force now), `superseded` (a newer one is), `expired` or `future`.
    pub status: String,
    pub created_at: Time,
}

/// One service category of a month's entitlement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EntitlementLine {
    /// A service category of the catalogue, e.g. `nursing`.
    pub category: String,
    pub unit: Unit,
    /// What the month grants: the grade's monthly grant, shared out by days when the grade
    /// changed or began or ended in the month.
    pub granted: i64,
    /// Covered visits booked or done in the month (not self-paid): visits, or their minutes.
    pub used: i64,
    /// Granted minus used, never below 0.
    pub remaining: i64,
}

/// `GET /residents/{id}/entitlements?month=`.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Entitlements {
    pub resident_id: String,
    /// `YYYY-MM`.
    #[schema(example = "2026-12")]
    pub month: String,
    /// The grade in force on the month's last day that had one (none: no assessment in force).
    pub grade: Option<i32>,
    pub lines: Vec<EntitlementLine>,
}

/// One covered visit done in the month, as the insurer is sent it.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ClaimLine {
    pub visit_id: String,
    pub resident_id: String,
    pub resident_name: String,
    /// The resident's grade on the visit's day.
    pub grade: i32,
    pub service_type: String,
    pub category: String,
    pub unit: Unit,
    /// From check-in to check-out.
    pub minutes: i64,
    pub clinician_id: Option<String>,
    pub clinician_name: Option<String>,
    pub starts_at: Option<Time>,
    pub check_in_at: Option<Time>,
    pub check_out_at: Option<Time>,
    pub check_in_distance_m: Option<f64>,
    pub check_out_distance_m: Option<f64>,
    /// Checked in or out far from the resident's home: held back for review, not claimed.
    pub review: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ClaimTotals {
    /// Lines claimed (not held for review).
    pub claimed_visits: u32,
    /// Their minutes, check-in to check-out.
    pub claimed_minutes: i64,
    /// Lines held back for review.
    pub for_review: u32,
}

/// `GET /claims?month=`: a provider's covered visits done in a month.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Claim {
    /// `YYYY-MM`.
    pub month: String,
    /// The provider (clinic); none: every provider (the authority).
    pub organization_id: Option<String>,
    pub lines: Vec<ClaimLine>,
    pub totals: ClaimTotals,
}

impl Claim {
    /// The lines as CSV, one per visit, for the insurer's import.
    pub fn to_csv(&self, cell: impl Fn(&str) -> String) -> String {
        let mut out = String::from(
            "month,visit_id,resident_id,resident_name,grade,service_type,category,minutes,clinician_id,clinician_name,\
             starts_at,check_in_at,check_out_at,check_in_distance_m,check_out_distance_m,review\n",
        );
        let t = |v: &Option<Time>| v.map(|t| t.to_api_string()).unwrap_or_default();
        let f = |v: Option<f64>| v.map(|d| format!("{d:.0}")).unwrap_or_default();
        for l in &self.lines {
            out.push_str(&format!(
                "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
                self.month,
                l.visit_id,
                l.resident_id,
                cell(&l.resident_name),
                l.grade,
                l.service_type,
                l.category,
                l.minutes,
                l.clinician_id.as_deref().unwrap_or_default(),
                cell(l.clinician_name.as_deref().unwrap_or_default()),
                t(&l.starts_at),
                t(&l.check_in_at),
                t(&l.check_out_at),
                f(l.check_in_distance_m),
                f(l.check_out_distance_m),
                l.review,
            ));
        }
        out
    }
}
