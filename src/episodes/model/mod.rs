//! Home sickbeds (家庭病床) as the API speaks them, and their rules: what an opening, an
//! extension and a closing must hold, and the admission's dependency level (ADR 0013). Pure: no
//! diesel, no actix. What a sickbed owes week by week is the obligation engine's
//! (`programmes::model::engine::episode_items`).
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::ids::{EpisodeId, OrgId, ReferralId, ResidentId, UserId};
use crate::programmes::model::Obligation;
pub use crate::referrals::model::Diagnosis;
use crate::time::Time;

mod admission;
mod requests;
#[cfg(test)]
mod tests;

pub use admission::*;
pub use requests::*;

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
