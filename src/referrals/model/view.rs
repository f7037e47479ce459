//! What the API answers: a referral with its history, and the hospitals' response times.
use serde::Serialize;
use serde_json::Value;

use super::form::Direction;
use super::machine::{Priority, Status};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HistoryEntry {
    pub at: crate::time::Time,
    pub actor_id: Option<String>,
    pub actor_organization_id: Option<String>,
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub detail: Option<Value>,
    /// The display name of the person who acted (null for the system, e.g. an escalation).
    pub actor_display_name: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Referral {
    pub id: String,
    pub resident_id: String,
    pub direction: Direction,
    pub from_organization_id: String,
    pub to_organization_id: String,
    pub watcher_organization_id: Option<String>,
    pub department: Option<String>,
    pub priority: Priority,
    pub status: Status,
    pub patient: Value,
    /// The sending side: `organization_id`, `organization_name`, `doctor` (the form's doctor, by
    /// default the sender's display name), `phone`, `user_id` and `user_display_name` (who sent it).
    pub sender: Value,
    pub receiving_doctor: Option<String>,
    pub reason: String,
    pub diagnosis: Value,
    pub clinical_summary: Value,
    pub parent_referral_id: Option<String>,
    pub follow_up: Option<Value>,
    pub follow_up_plan_id: Option<String>,
    /// The home sickbed its acceptance opened (`follow_up.home_sickbed`).
    pub follow_up_episode_id: Option<String>,
    pub triage: Option<Value>,
    pub appointment: Option<Value>,
    pub return_sheet: Option<Value>,
    pub deadline_at: crate::time::Time,
    pub responded_at: Option<crate::time::Time>,
    pub overdue: bool,
    pub escalation_level: i32,
    pub version: i64,
    pub created_at: crate::time::Time,
    pub updated_at: crate::time::Time,
    pub history: Vec<HistoryEntry>,
}

/// Nearest-rank percentile of sorted values (p in 0..=100); None for no values.
pub fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    Some(sorted[rank.min(sorted.len()) - 1])
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ResponseTime {
    pub hospital_id: String,
    pub hospital_code: String,
    pub hospital_name: String,
    pub priority: Priority,
    /// Referrals answered (accepted, rejected or returned) in the window.
    pub answered: usize,
    pub median_minutes: Option<f64>,
    pub p90_minutes: Option<f64>,
}
