//! What a clinician in the field says from the door: "running late" and "I need help". Pure
//! types and checks: no diesel, no actix.
use serde::{Deserialize, Serialize};

use crate::domain_error::{DomainError, FieldError};
use crate::time::Time;

/// `POST /visits/{id}/running-late`: the clinician will arrive later than booked.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LateBody {
    /// How many minutes late, 5 to 240.
    #[schema(minimum = 5, maximum = 240)]
    pub minutes: i64,
    /// Why, in a few words (at most 200 characters), e.g. "上一户时间延长".
    #[schema(max_length = 200)]
    pub reason: Option<String>,
}

impl LateBody {
    pub fn validate(&self) -> Result<(), DomainError> {
        let mut errors = vec![];
        if !(5..=240).contains(&self.minutes) {
            errors.push(FieldError {
                field: "minutes".into(),
                message: "must be 5 to 240".into(),
            });
        }
        if self
            .reason
            .as_deref()
            .is_some_and(|r| r.chars().count() > 200)
        {
            errors.push(FieldError {
                field: "reason".into(),
                message: "must be at most 200 characters".into(),
            });
        }
        DomainError::check(errors)
    }
}

/// `POST /visits/{id}/help`: the clinician asks the clinic for help at once, with where they are.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HelpBody {
    /// The phone's latitude, degrees (-90 to 90).
    #[schema(minimum = -90.0, maximum = 90.0)]
    pub lat: f64,
    /// The phone's longitude, degrees (-180 to 180).
    #[schema(minimum = -180.0, maximum = 180.0)]
    pub lon: f64,
    /// What is happening, if there is time to say (at most 500 characters).
    #[schema(max_length = 500)]
    pub note: Option<String>,
}

impl HelpBody {
    pub fn validate(&self) -> Result<(), DomainError> {
        let mut errors = vec![];
        if !self.lat.is_finite() || !(-90.0..=90.0).contains(&self.lat) {
            errors.push(FieldError {
                field: "lat".into(),
                message: "must be -90 to 90".into(),
            });
        }
        if !self.lon.is_finite() || !(-180.0..=180.0).contains(&self.lon) {
            errors.push(FieldError {
                field: "lon".into(),
                message: "must be -180 to 180".into(),
            });
        }
        if self
            .note
            .as_deref()
            .is_some_and(|n| n.chars().count() > 500)
        {
            errors.push(FieldError {
                field: "note".into(),
                message: "must be at most 500 characters".into(),
            });
        }
        DomainError::check(errors)
    }
}

/// What the clinic (and, for a late arrival, the resident) was told.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FieldAlert {
    /// `running_late`, `help`, or `overrun` (raised by the server for a visit still under way
    /// well past its end).
    pub kind: String,
    pub visit_id: String,
    pub resident_id: String,
    pub clinician_id: String,
    pub clinic_id: String,
    /// When it was sent.
    pub at: Time,
    /// Running late: the minutes and the expected arrival (the booked start plus them).
    /// Overrun: the minutes past the booked end, and that end.
    pub minutes: Option<i64>,
    pub expected_at: Option<Time>,
    /// Help: where the clinician is.
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// The reason (late) or the note (help).
    pub text: Option<String>,
}

/// Blank text is no text.
pub fn text(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn late_is_five_minutes_to_four_hours_and_help_needs_a_position_on_earth() {
        let late = |minutes| LateBody {
            minutes,
            reason: None,
        };
        assert!(late(4).validate().is_err());
        assert!(late(241).validate().is_err());
        assert!(late(30).validate().is_ok());
        let help = |lat, lon| HelpBody {
            lat,
            lon,
            note: None,
        };
        assert!(help(25.05, 102.7).validate().is_ok());
        assert!(help(91.0, 0.0).validate().is_err());
        assert!(help(0.0, f64::NAN).validate().is_err());
        assert_eq!(text(&Some("  ".into())), None);
    }
}
