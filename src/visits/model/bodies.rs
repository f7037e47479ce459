//! What a visit request and answer carry, and the checks on the bodies (pure).
use serde::{Deserialize, Serialize};

use super::*;
use crate::ids::{OrgId, ReferralId, ResidentId, UserId, VisitId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MissedReason {
    NotHome,
    Refused,
    Hospitalised,
    Deceased,
    ClinicianUnavailable,
    Other,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Task {
    /// What was to be done: 1 to 200 characters (not blank).
    #[schema(min_length = 1, max_length = 200)]
    pub task: String,
    pub done: bool,
    /// Why it was not done (required when `done` is false).
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Visit {
    #[schema(value_type = String)]
    pub id: VisitId,
    #[schema(value_type = String)]
    pub resident_id: ResidentId,
    #[schema(value_type = String)]
    pub clinic_id: OrgId,
    #[schema(value_type = Option<String>)]
    pub clinician_id: Option<UserId>,
    pub service_type: String,
    pub status: Status,
    pub priority: Priority,
    pub window_start: crate::time::Time,
    pub window_end: crate::time::Time,
    pub starts_at: Option<crate::time::Time>,
    pub ends_at: Option<crate::time::Time>,
    pub travel_minutes_before: Option<i32>,
    pub location_exception: bool,
    pub plan_id: Option<String>,
    #[schema(value_type = Option<String>)]
    pub referral_id: Option<ReferralId>,
    pub notes: String,
    /// Why a visit stayed in the pool (e.g. no free slot when a plan created it).
    pub unplaced_reason: Option<String>,
    pub cancel_reason: Option<String>,
    #[schema(value_type = Option<String>)]
    pub cancelled_by: Option<UserId>,
    pub missed_reason: Option<String>,
    pub check_in_at: Option<crate::time::Time>,
    pub check_in_distance_m: Option<f64>,
    pub check_out_at: Option<crate::time::Time>,
    pub check_out_distance_m: Option<f64>,
    /// The device's own time of the check-in, as the field app sends it for an action made
    /// offline (`check_in_at` is when the server got it).
    pub check_in_recorded_at: Option<crate::time::Time>,
    /// The device's own time of the check-out (see `check_in_recorded_at`).
    pub check_out_recorded_at: Option<crate::time::Time>,
    /// The resident pays for it: not counted against their long-term care entitlement.
    pub self_paid: bool,
    pub documentation: Option<serde_json::Value>,
    pub version: i64,
    pub created_at: crate::time::Time,
    pub updated_at: crate::time::Time,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewVisit {
    /// The resident to visit (one the caller may see).
    #[schema(value_type = String)]
    pub resident_id: ResidentId,
    /// A service type `code` of the catalogue, e.g. `wound_dressing`.
    pub service_type: String,
    /// When the visit may happen: RFC 3339 with offset (`2026-12-03T09:00:00+08:00`) or a plain date
    /// (its first moment). Optional when `clinician_id` and `starts_at` book an exact slot: the
    /// window is then the slot.
    pub window_start: Option<crate::time::Start>,
    /// After `window_start`, in the future, at most `visits.max_window_days` (default 14) later; a
    /// plain date means the whole day. Optional as `window_start` is.
    pub window_end: Option<crate::time::End>,
    #[serde(default)]
    pub priority: Priority,
    /// For the clinician: what to know before the visit.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub notes: String,
    /// Book this clinician (an active clinician of the serving clinic with the service's skill);
    /// required with `starts_at`.
    #[schema(value_type = Option<String>)]
    pub clinician_id: Option<UserId>,
    /// Book this exact start (inside the window, if one is given); needs `clinician_id`.
    pub starts_at: Option<crate::time::Start>,
    /// false: leave the visit `requested` in the clinic's pool.
    #[serde(default = "yes")]
    pub auto_assign: bool,
    /// The resident pays for it themselves: booked even past their long-term care entitlement
    /// for the month (else 409 `entitlement_exceeded`), and not counted against it.
    #[serde(default)]
    pub self_paid: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = VisitScheduleBody)]
pub struct ScheduleBody {
    /// The clinician to book (required to schedule a visit that has none; a reschedule keeps the
    /// current one when absent).
    #[schema(value_type = Option<String>)]
    pub clinician_id: Option<UserId>,
    /// The start, RFC 3339 with offset, inside the visit's window.
    pub starts_at: crate::time::Start,
    /// true: the resident pays for this visit themselves (booked even past their long-term care
    /// entitlement for the month); false: covered again. Absent: as it was.
    pub self_paid: Option<bool>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = VisitCancelBody)]
pub struct CancelBody {
    /// Why: 1 to 500 characters (not blank).
    #[schema(min_length = 1, max_length = 500)]
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MissedBody {
    pub reason: MissedReason,
    /// Free text; only its first 500 characters are kept.
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PositionBody {
    /// The phone's latitude, degrees (-90 to 90).
    #[schema(minimum = -90.0, maximum = 90.0)]
    pub lat: f64,
    /// The phone's longitude, degrees (-180 to 180).
    #[schema(minimum = -180.0, maximum = 180.0)]
    pub lon: f64,
    /// Check-out only: the tasks of the visit and whether each was done.
    #[serde(default)]
    pub tasks: Vec<Task>,
    /// Check-out only: the measurements taken, each optional and each within its plausible range.
    pub vital_signs: Option<VitalSigns>,
    /// Check-out only: at most 4000 characters.
    #[schema(max_length = 4000)]
    pub notes: Option<String>,
    /// When the check-out happened on the device, for one made offline and sent later (RFC 3339
    /// with offset): kept as `check_out_recorded_at` beside the server's `check_out_at`. Not in
    /// the future, not before the visit's day, not before the check-in's device time.
    pub recorded_at: Option<crate::time::Time>,
}

/// The body of a check-in: the phone's position only (documentation is given at check-out, so the
/// document shows no such fields here and the server takes none).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckInBody {
    /// The phone's latitude, degrees (-90 to 90).
    #[schema(minimum = -90.0, maximum = 90.0)]
    pub lat: f64,
    /// The phone's longitude, degrees (-180 to 180).
    #[schema(minimum = -180.0, maximum = 180.0)]
    pub lon: f64,
    /// When the check-in happened on the device, for one made offline and sent later (RFC 3339
    /// with offset): kept as `check_in_recorded_at` beside the server's `check_in_at`. Not in the
    /// future, not before the visit's day.
    pub recorded_at: Option<crate::time::Time>,
}

impl From<CheckInBody> for PositionBody {
    fn from(b: CheckInBody) -> PositionBody {
        PositionBody {
            lat: b.lat,
            lon: b.lon,
            tasks: vec![],
            vital_signs: None,
            notes: None,
            recorded_at: b.recorded_at,
        }
    }
}

/// How far ahead of the server's clock a device's time may run (a phone's clock drifts).
pub const DEVICE_CLOCK_SKEW_MINUTES: i64 = 5;

/// Checks a device time (`recorded_at`, UTC) of a check-in or check-out: not in the future (beyond
/// [`DEVICE_CLOCK_SKEW_MINUTES`]), not before the first moment of the visit's day, and not before
/// `after` (a check-out's check-in, as the device recorded it).
pub fn check_recorded_at(
    at: NaiveDateTime,
    now: NaiveDateTime,
    day_start: NaiveDateTime,
    after: Option<NaiveDateTime>,
) -> Result<(), DomainError> {
    let message = if at > now + chrono::Duration::minutes(DEVICE_CLOCK_SKEW_MINUTES) {
        "must not be in the future"
    } else if at < day_start {
        "must not be before the visit's day"
    } else if after.is_some_and(|a| at < a) {
        "must not be before the check-in's recorded_at"
    } else {
        return Ok(());
    };
    Err(DomainError::invalid("recorded_at", message))
}

/// Vital signs at check-out (API.md, Home visits). The ranges are plausibility bounds that catch
/// typing slips (a systolic of 1400, a weight in grams), far wider than any clinical threshold:
/// what is "out of control" is judged elsewhere from readings inside them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VitalSigns {
    /// Systolic blood pressure, mmHg (60-260).
    #[schema(minimum = 60, maximum = 260)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub systolic_mmhg: Option<f64>,
    /// Diastolic blood pressure, mmHg (30-160), below the systolic.
    #[schema(minimum = 30, maximum = 160)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diastolic_mmhg: Option<f64>,
    /// Fasting blood glucose, mmol/L (1.0-35.0).
    #[schema(minimum = 1.0, maximum = 35.0)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fasting_glucose_mmol_l: Option<f64>,
    /// Heart rate, beats per minute (25-250).
    #[schema(minimum = 25, maximum = 250)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub heart_rate_bpm: Option<f64>,
    /// Body weight, kg (20-250).
    #[schema(minimum = 20, maximum = 250)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight_kg: Option<f64>,
}

impl VitalSigns {
    const RANGES: [(&'static str, f64, f64); 5] = [
        ("systolic_mmhg", 60.0, 260.0),
        ("diastolic_mmhg", 30.0, 160.0),
        ("fasting_glucose_mmol_l", 1.0, 35.0),
        ("heart_rate_bpm", 25.0, 250.0),
        ("weight_kg", 20.0, 250.0),
    ];

    fn values(&self) -> [Option<f64>; 5] {
        [
            self.systolic_mmhg,
            self.diastolic_mmhg,
            self.fasting_glucose_mmol_l,
            self.heart_rate_bpm,
            self.weight_kg,
        ]
    }

    /// Adds an error for each reading outside its range, and for a diastolic not below the systolic.
    pub fn check(&self, errors: &mut Vec<crate::domain_error::FieldError>) {
        for ((name, low, high), value) in Self::RANGES.iter().zip(self.values()) {
            if value.is_some_and(|v| !(*low..=*high).contains(&v)) {
                errors.push(crate::domain_error::FieldError {
                    field: format!("vital_signs.{name}"),
                    message: format!("must be between {low} and {high}"),
                });
            }
        }
        if let (Some(sys), Some(dia)) = (self.systolic_mmhg, self.diastolic_mmhg) {
            if dia >= sys {
                errors.push(crate::domain_error::FieldError {
                    field: "vital_signs.diastolic_mmhg".into(),
                    message: "must be below systolic_mmhg".into(),
                });
            }
        }
    }
}

impl PositionBody {
    pub fn validate(&self, checking_out: bool) -> Result<(), DomainError> {
        let mut errors = vec![];
        crate::network::model::Location {
            lat: self.lat,
            lon: self.lon,
        }
        .check("position", &mut errors);
        if !checking_out
            && (!self.tasks.is_empty() || self.vital_signs.is_some() || self.notes.is_some())
        {
            errors.push(crate::domain_error::FieldError {
                field: "tasks".into(),
                message: "documentation is given at check-out".into(),
            });
        }
        for (i, t) in self.tasks.iter().enumerate() {
            if t.task.trim().is_empty() || t.task.chars().count() > 200 {
                errors.push(crate::domain_error::FieldError {
                    field: format!("tasks[{i}].task"),
                    message: "must be 1 to 200 characters".into(),
                });
            }
            if !t.done && t.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
                errors.push(crate::domain_error::FieldError {
                    field: format!("tasks[{i}].reason"),
                    message: "is required for a task not done".into(),
                });
            }
        }
        if let Some(v) = &self.vital_signs {
            v.check(&mut errors);
        }
        if self
            .notes
            .as_ref()
            .is_some_and(|n| n.chars().count() > 4000)
        {
            errors.push(crate::domain_error::FieldError {
                field: "notes".into(),
                message: "must be at most 4000 characters".into(),
            });
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Invalid(errors))
        }
    }
}
