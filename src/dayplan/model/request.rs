//! What a planning run is asked to do: plan a day, plan a week, or repair a day that has begun;
//! the request and its rules (pure).
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::domain_error::{DomainError, FieldError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RunMode {
    /// Plan a day (`date`) or a week (`week_of`) from what is requested and booked.
    Plan,
    /// Re-plan the rest of a day around what happened (`reason`).
    Repair,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RepairReason {
    /// `clinician_id` works no more from `from` (default now): their later visits are placed again.
    ClinicianAbsent,
    /// `visit_id`, a requested visit of the clinic, is to be fitted in today.
    UrgentVisit,
    /// `visit_id`, under way, runs over: it ends at `until` (default 30 minutes past the later of
    /// its booked end and now).
    Overrun,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRun {
    /// The clinic whose day or week to plan.
    pub clinic_id: String,
    /// The day to plan (district time zone). A repair's day is the day of `from` (or today).
    pub date: Option<NaiveDate>,
    /// Plan the week (Monday to Sunday) holding this day instead of one day: visits whose windows
    /// span days get a day and a place in a route.
    pub week_of: Option<NaiveDate>,
    /// `plan` (default) or `repair`.
    pub mode: Option<RunMode>,
    /// A repair's cause (required with `mode: repair`).
    pub reason: Option<RepairReason>,
    /// The absent clinician (`clinician_absent`).
    pub clinician_id: Option<String>,
    /// The urgent visit (`urgent_visit`) or the one running over (`overrun`).
    pub visit_id: Option<String>,
    /// A repair: when it happened (default now; never before now). Visits that have started by
    /// then stay where they are; nothing moves to before it.
    pub from: Option<crate::time::Start>,
    /// `overrun`: when the visit will now end.
    pub until: Option<crate::time::End>,
    /// 1 to 60 seconds (default 5; a repair 1, shared by its stages): the most the search may
    /// take. It stops sooner once it has stopped finding better plans, which for a clinic's usual
    /// day is within a second.
    #[schema(minimum = 1, maximum = 60, default = 5)]
    pub time_limit_seconds: Option<u64>,
    /// The search's random seed (default 1): the same seed on the same day plans alike.
    pub seed: Option<u64>,
}

/// The maximum a request may give the search.
pub const MAX_SECONDS: u64 = 60;

/// What a run covers, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    Day(NaiveDate),
    /// The Monday of the week.
    Week(NaiveDate),
    Repair(Repair),
}

/// A repair as asked (the visit and clinician still to be found in the day).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Repair {
    pub reason: RepairReason,
    pub clinician_id: Option<String>,
    pub visit_id: Option<String>,
    /// UTC; None is now.
    pub from: Option<NaiveDateTime>,
    pub until: Option<NaiveDateTime>,
    /// The day asked, if any (checked against `from` once now is known).
    #[serde(skip)]
    pub date: Option<NaiveDate>,
}

impl NewRun {
    /// The run's scope and time limit, or every bad field at once.
    pub fn check(&self) -> Result<(Scope, u64), DomainError> {
        let mut errors: Vec<FieldError> = vec![];
        let mut bad = |field: &str, message: &str| {
            errors.push(FieldError {
                field: field.into(),
                message: message.into(),
            })
        };
        let repair = self.mode == Some(RunMode::Repair);
        // A repair answers while the scheduler waits: its default budget is a second (its stages
        // share it; each usually stops sooner, once its search stalls).
        let limit = self
            .time_limit_seconds
            .unwrap_or(if repair { 1 } else { 5 });
        if !(1..=MAX_SECONDS).contains(&limit) {
            bad("time_limit_seconds", &format!("must be 1 to {MAX_SECONDS}"));
        }
        let scope = if repair {
            if self.week_of.is_some() {
                bad("week_of", "is only for mode plan");
            }
            let needs = |reason: RepairReason| self.reason == Some(reason);
            match self.reason {
                None => bad("reason", "is required for mode repair"),
                Some(RepairReason::ClinicianAbsent) if self.clinician_id.is_none() => bad(
                    "clinician_id",
                    "is required when the reason is clinician_absent",
                ),
                Some(r @ (RepairReason::UrgentVisit | RepairReason::Overrun))
                    if self.visit_id.is_none() =>
                {
                    let reason = if r == RepairReason::Overrun {
                        "is required when the reason is overrun"
                    } else {
                        "is required when the reason is urgent_visit"
                    };
                    bad("visit_id", reason)
                }
                _ => {}
            }
            if self.until.is_some() && !needs(RepairReason::Overrun) {
                bad("until", "is only for the reason overrun");
            }
            self.reason.map(|reason| {
                Scope::Repair(Repair {
                    reason,
                    clinician_id: self.clinician_id.clone(),
                    visit_id: self.visit_id.clone(),
                    from: self.from.map(|t| t.naive_utc()),
                    until: self.until.map(|t| t.naive_utc()),
                    date: self.date,
                })
            })
        } else {
            for (field, given) in [
                ("reason", self.reason.is_some()),
                ("clinician_id", self.clinician_id.is_some()),
                ("visit_id", self.visit_id.is_some()),
                ("from", self.from.is_some()),
                ("until", self.until.is_some()),
            ] {
                if given {
                    bad(field, "is only for mode repair");
                }
            }
            match (self.date, self.week_of) {
                (Some(_), Some(_)) => {
                    bad("week_of", "give either date or week_of");
                    None
                }
                (None, None) => {
                    bad("date", "is required without week_of");
                    None
                }
                (Some(d), None) => Some(Scope::Day(d)),
                (None, Some(w)) => Some(Scope::Week(monday_of(w))),
            }
        };
        DomainError::check(errors)?;
        Ok((scope.expect("checked above"), limit))
    }
}

/// The Monday of the (ISO) week holding a day.
pub fn monday_of(day: NaiveDate) -> NaiveDate {
    day - Duration::days(day.weekday().num_days_from_monday() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(body: serde_json::Value) -> NewRun {
        serde_json::from_value(body).unwrap()
    }

    fn fields(r: Result<(Scope, u64), DomainError>) -> Vec<String> {
        match r {
            Err(DomainError::Invalid(e)) => e.into_iter().map(|e| e.field).collect(),
            other => panic!("not invalid: {other:?}"),
        }
    }

    #[test]
    fn a_week_run_plans_from_the_monday_of_the_week_given() {
        let (scope, limit) = run(serde_json::json!({"clinic_id": "c", "week_of": "2026-12-03"}))
            .check()
            .unwrap();
        assert_eq!(scope, Scope::Week("2026-11-30".parse().unwrap()));
        assert_eq!(limit, 5);
    }

    #[test]
    fn a_plan_takes_a_date_or_a_week_and_none_of_a_repairs_fields() {
        let both = run(
            serde_json::json!({"clinic_id": "c", "date": "2026-12-03", "week_of": "2026-12-03",
            "reason": "overrun", "time_limit_seconds": 0}),
        );
        assert_eq!(
            fields(both.check()),
            ["time_limit_seconds", "reason", "week_of"]
        );
        let none = run(serde_json::json!({"clinic_id": "c"}));
        assert_eq!(fields(none.check()), ["date"]);
    }

    #[test]
    fn a_repair_needs_its_reason_and_what_the_reason_names() {
        let bare = run(serde_json::json!({"clinic_id": "c", "mode": "repair"}));
        assert_eq!(fields(bare.check()), ["reason"]);
        let absent = run(
            serde_json::json!({"clinic_id": "c", "mode": "repair", "reason": "clinician_absent",
            "until": "2026-12-03T12:00:00+08:00", "week_of": "2026-12-03"}),
        );
        assert_eq!(fields(absent.check()), ["week_of", "clinician_id", "until"]);
        let urgent = run(
            serde_json::json!({"clinic_id": "c", "mode": "repair", "reason": "urgent_visit", "visit_id": "v"}),
        );
        assert!(
            matches!(urgent.check(), Ok((Scope::Repair(r), 1)) if r.visit_id.as_deref() == Some("v"))
        );
    }
}
