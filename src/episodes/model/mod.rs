//! Home sickbeds (家庭病床) as the API speaks them, and their rules: what an opening, an
//! extension and a closing must hold, and the admission's dependency level (ADR 0013). Pure: no
//! diesel, no actix. What a sickbed owes week by week is the obligation engine's
//! (`programmes::model::engine::episode_items`).
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::domain_error::FieldError;
use crate::ids::{EpisodeId, OrgId, ReferralId, ResidentId, UserId};
use crate::programmes::model::Obligation;
pub use crate::referrals::model::Diagnosis;
use crate::time::Time;

#[cfg(test)]
mod tests;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EpisodeKind {
    /// A home sickbed (家庭病床): hospital-level care at home.
    HomeSickbed,
}

impl EpisodeKind {
    pub fn as_str(self) -> &'static str {
        "home_sickbed"
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EpisodeStatus {
    Open,
    Closed,
}

impl EpisodeStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EpisodeStatus::Open => "open",
            EpisodeStatus::Closed => "closed",
        }
    }
    pub fn parse(s: &str) -> EpisodeStatus {
        if s == "closed" {
            EpisodeStatus::Closed
        } else {
            EpisodeStatus::Open
        }
    }
}

/// How a sickbed ended (撤床).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = SickbedOutcome)]
pub enum Outcome {
    Recovered,
    ReferredUp,
    Transferred,
    Deceased,
    Other,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Recovered => "recovered",
            Outcome::ReferredUp => "referred_up",
            Outcome::Transferred => "transferred",
            Outcome::Deceased => "deceased",
            Outcome::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<Outcome> {
        [
            Outcome::Recovered,
            Outcome::ReferredUp,
            Outcome::Transferred,
            Outcome::Deceased,
            Outcome::Other,
        ]
        .into_iter()
        .find(|o| o.as_str() == s)
    }
    /// The waiver reason of what the sickbed still owed (an obligation's reasons).
    pub fn waiver(self) -> &'static str {
        match self {
            Outcome::Deceased => "deceased",
            Outcome::ReferredUp => "hospitalised",
            _ => "other",
        }
    }
}

/// A risk found at admission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Risk {
    Falls,
    PressureUlcer,
    Aspiration,
    Infection,
    Malnutrition,
    Wandering,
    Other,
}

/// The admission assessment (入院评估) besides the diagnosis.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Admission {
    /// The Barthel index of activities of daily living, 0 to 100 in steps of 5.
    #[schema(minimum = 0, maximum = 100, multiple_of = 5, example = 45)]
    pub adl_score: i32,
    /// Risks found at admission (each at most once).
    #[serde(default)]
    pub risks: Vec<Risk>,
    /// At most 1,000 characters.
    #[schema(max_length = 1000)]
    pub note: Option<String>,
}

/// The admission as the API shows it: with the dependency level its ADL score gives.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AdmissionView {
    pub adl_score: i32,
    /// By the Barthel index in the bands of config/seed/home_sickbed.json (ADR 0013, after
    /// WS/T 431-2013): `none` (100), `mild` (61-99), `moderate` (41-60), `severe` (40 or less).
    pub dependency: Dependency,
    pub risks: Vec<Risk>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Dependency {
    None,
    Mild,
    Moderate,
    Severe,
}

const BANDS: &str = include_str!("../../../config/seed/home_sickbed.json");

#[derive(Debug, Deserialize)]
struct BandFile {
    barthel_bands: Vec<Band>,
}

/// A dependency level and the lowest ADL score in it.
#[derive(Debug, Clone, Deserialize)]
pub struct Band {
    pub min: i32,
    pub dependency: Dependency,
    pub name: String,
}

/// The Barthel bands of config/seed/home_sickbed.json (built in), highest first; a file whose
/// bands do not cover 0-100 from the top down is refused.
pub fn parse_bands(text: &str) -> Result<Vec<Band>, String> {
    let file: BandFile = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let bands = file.barthel_bands;
    let descending = bands.windows(2).all(|w| w[0].min > w[1].min);
    if bands.is_empty() || !descending || bands.last().map(|b| b.min) != Some(0) {
        return Err("barthel_bands must run from the highest minimum down to 0".into());
    }
    Ok(bands)
}

fn bands() -> &'static [Band] {
    static B: std::sync::OnceLock<Vec<Band>> = std::sync::OnceLock::new();
    // Its unit test proves the shipped file parses.
    B.get_or_init(|| parse_bands(BANDS).unwrap_or_default())
}

/// The dependency level of a Barthel ADL score (ADR 0013: the WS/T 431-2013 bands, as data).
pub fn dependency(adl_score: i32) -> Dependency {
    bands()
        .iter()
        .find(|b| adl_score >= b.min)
        .map_or(Dependency::Severe, |b| b.dependency)
}

impl Admission {
    pub fn view(&self) -> AdmissionView {
        AdmissionView {
            adl_score: self.adl_score,
            dependency: dependency(self.adl_score),
            risks: self.risks.clone(),
            note: self.note.clone(),
        }
    }
}

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

/// One extension past the plan's `until`.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Extension {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub reason: String,
    /// Who extended it.
    pub by: UserId,
    pub at: Time,
}

/// How far its care has come: its obligations by status.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Progress {
    pub met: usize,
    pub due: usize,
    pub upcoming: usize,
    pub overdue: usize,
    pub waived: usize,
}

/// A home sickbed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Episode {
    pub id: EpisodeId,
    pub kind: EpisodeKind,
    pub resident_id: ResidentId,
    /// The clinic that opened it and owes its care.
    pub clinic_id: OrgId,
    pub referral_id: Option<ReferralId>,
    pub status: EpisodeStatus,
    pub diagnosis: Diagnosis,
    pub admission: Option<AdmissionView>,
    pub responsible_clinician_id: UserId,
    pub plan: Plan,
    pub opened_on: NaiveDate,
    /// The last day of care (the plan's, or the last extension's).
    pub until: NaiveDate,
    pub extensions: Vec<Extension>,
    pub closed_on: Option<NaiveDate>,
    pub outcome: Option<Outcome>,
    pub summary: Option<String>,
    pub opened_by: UserId,
    pub closed_by: Option<UserId>,
    pub version: i64,
    pub created_at: Time,
    pub updated_at: Time,
    /// Its rounds and nursing as obligations, by window (one sickbed read alone; not in lists).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub care: Option<Vec<Obligation>>,
    /// Its obligations by status (one sickbed read alone; not in lists).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub progress: Option<Progress>,
}

/// Counts obligations by status.
pub fn progress(care: &[Obligation]) -> Progress {
    use crate::programmes::model::ObligationStatus as S;
    let mut p = Progress::default();
    for o in care {
        match o.status {
            S::Met => p.met += 1,
            S::Due => p.due += 1,
            S::Upcoming => p.upcoming += 1,
            S::Overdue => p.overdue += 1,
            S::Waived => p.waived += 1,
        }
    }
    p
}
