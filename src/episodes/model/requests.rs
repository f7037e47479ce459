//! What the API is asked: an opening with its plan, an extension, a closing; and the checks each
//! must pass before anything is stored.
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use super::{Admission, Diagnosis, EpisodeKind, Outcome};
use crate::domain_error::FieldError;
use crate::ids::{ReferralId, ResidentId, UserId};

/// Nursing a sickbed's plan asks for each week.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NursingItem {
    /// A service type `code` of the catalogue.
    #[schema(example = "pressure_ulcer_care")]
    pub service_type: String,
    /// 1 to 7.
    #[schema(minimum = 1, maximum = 7)]
    pub per_week: u32,
}

/// The plan asked for when opening.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewSickbedPlan)]
pub struct NewPlan {
    /// Rounds (查床) by a clinician each week, 0 to 7.
    #[schema(minimum = 0, maximum = 7)]
    pub rounds_per_week: u32,
    /// At most 10 items, each service type once.
    #[serde(default)]
    pub nursing: Vec<NursingItem>,
    /// The last day of care: from today, at most `episodes.max_days` (default 90) ahead.
    pub until: NaiveDate,
}

/// The plan as kept: the rounds' service type is the district's (`episodes.round_service_type`).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = SickbedPlan)]
pub struct Plan {
    pub rounds_per_week: u32,
    #[schema(example = "home_sickbed_round")]
    pub round_service_type: String,
    pub nursing: Vec<NursingItem>,
}

/// `POST /episodes`: open a home sickbed (建床).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEpisode {
    pub kind: EpisodeKind,
    pub resident_id: ResidentId,
    /// The down-referral that sent the resident home into it (to the opening clinic).
    pub referral_id: Option<ReferralId>,
    pub diagnosis: Diagnosis,
    /// An active clinician of the opening clinic, who makes the rounds.
    pub responsible_clinician_id: UserId,
    pub plan: NewPlan,
    /// The admission assessment: ADL score (Barthel) and risks.
    pub admission: Option<Admission>,
}

fn bad(errors: &mut Vec<FieldError>, field: &str, message: &str) {
    errors.push(FieldError {
        field: field.into(),
        message: message.into(),
    });
}

fn text_ok(s: &str, max: usize) -> bool {
    let n = s.trim().chars().count();
    n > 0 && n <= max
}

impl NewPlan {
    /// Rounds and nursing within bounds, at least one visit a week, each service type once and
    /// not the rounds' own; `until` from `today` to `today + max_days`.
    pub fn check(
        &self,
        today: NaiveDate,
        max_days: i64,
        round_service_type: &str,
        errors: &mut Vec<FieldError>,
    ) {
        if self.rounds_per_week > 7 {
            bad(errors, "plan.rounds_per_week", "must be 0 to 7");
        }
        if self.nursing.len() > 10 {
            bad(errors, "plan.nursing", "must have at most 10 items");
        }
        for (i, n) in self.nursing.iter().enumerate() {
            if !(1..=7).contains(&n.per_week) {
                bad(
                    errors,
                    &format!("plan.nursing[{i}].per_week"),
                    "must be 1 to 7",
                );
            }
            let twice = self.nursing[..i]
                .iter()
                .any(|m| m.service_type == n.service_type);
            if twice {
                bad(
                    errors,
                    &format!("plan.nursing[{i}].service_type"),
                    "appears twice",
                );
            } else if n.service_type == round_service_type {
                bad(
                    errors,
                    &format!("plan.nursing[{i}].service_type"),
                    "is the rounds' service type: set rounds_per_week",
                );
            }
        }
        if self.rounds_per_week == 0 && self.nursing.is_empty() {
            bad(errors, "plan", "must owe at least one visit a week");
        }
        if self.until < today {
            bad(errors, "plan.until", "must not be in the past");
        } else if self.until > today + Duration::days(max_days) {
            bad(
                errors,
                "plan.until",
                &format!("must be at most {max_days} days ahead (extend the sickbed later, with a reason)"),
            );
        }
    }
}

impl NewEpisode {
    /// Everything the body must hold, each fault named (the catalogue and the people are the
    /// flow's to check).
    pub fn check(
        &self,
        today: NaiveDate,
        max_days: i64,
        round_service_type: &str,
    ) -> Vec<FieldError> {
        let mut errors = vec![];
        self.diagnosis.check("diagnosis", &mut errors);
        self.plan
            .check(today, max_days, round_service_type, &mut errors);
        if let Some(a) = &self.admission {
            if !(0..=100).contains(&a.adl_score) || a.adl_score % 5 != 0 {
                bad(
                    &mut errors,
                    "admission.adl_score",
                    "must be 0 to 100 in steps of 5 (Barthel index)",
                );
            }
            for (i, r) in a.risks.iter().enumerate() {
                if a.risks[..i].contains(r) {
                    bad(
                        &mut errors,
                        &format!("admission.risks[{i}]"),
                        "appears twice",
                    );
                }
            }
            if a.note.as_deref().is_some_and(|n| n.chars().count() > 1000) {
                bad(
                    &mut errors,
                    "admission.note",
                    "must be at most 1000 characters",
                );
            }
        }
        errors
    }
}

/// `POST /episodes/{id}/extend`: run on past the plan's `until`.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtendBody {
    /// The new last day: after the current one, at most `episodes.max_days` past it.
    pub until: NaiveDate,
    /// Why the sickbed must go on (1 to 500 characters).
    #[schema(min_length = 1, max_length = 500)]
    pub reason: String,
}

impl ExtendBody {
    pub fn check(&self, current: NaiveDate, max_days: i64) -> Vec<FieldError> {
        let mut errors = vec![];
        if !text_ok(&self.reason, 500) {
            bad(&mut errors, "reason", "must be 1 to 500 characters");
        }
        if self.until <= current {
            bad(
                &mut errors,
                "until",
                &format!("must be after the current last day, {current}"),
            );
        } else if self.until > current + Duration::days(max_days) {
            bad(
                &mut errors,
                "until",
                &format!("must be at most {max_days} days after the current last day, {current}"),
            );
        }
        errors
    }
}

/// `POST /episodes/{id}/close`: 撤床.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseBody {
    pub outcome: Outcome,
    /// The discharge summary (撤床小结), 1 to 4,000 characters.
    #[schema(min_length = 1, max_length = 4000)]
    pub summary: String,
}

impl CloseBody {
    pub fn check(&self) -> Vec<FieldError> {
        let mut errors = vec![];
        if !text_ok(&self.summary, 4000) {
            bad(&mut errors, "summary", "must be 1 to 4000 characters");
        }
        errors
    }
}
