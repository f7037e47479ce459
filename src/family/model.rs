//! The family's side, as the API speaks it: a resident's own visits, a rating per completed
//! visit, complaints, and the logins a clinic or care home gives a resident or their family.
//! Pure types and checks: no diesel, no actix.
use serde::{Deserialize, Serialize};

use crate::domain_error::{DomainError, FieldError};
use crate::time::Time;

/// At most this many characters in a feedback comment.
pub const COMMENT_MAX: usize = 1000;
/// At most this many characters in a complaint.
pub const COMPLAINT_MAX: usize = 2000;

/// `POST /residents/{id}/accounts`: a login for the resident or a family member, linked to the
/// resident (role `resident`).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAccount {
    /// 3 to 64 of a-z, 0-9, '.', '-' and '_'; unique.
    #[schema(pattern = "^[a-z0-9._-]{3,64}$", min_length = 3, max_length = 64)]
    pub username: String,
    /// Whose login this is, e.g. "李秀兰（女儿）"; the resident's name when left out. 1 to 200
    /// characters (not blank).
    #[schema(min_length = 1, max_length = 200)]
    pub display_name: Option<String>,
    /// At least `auth.min_password_length` characters (default 10), at most 1024 bytes. Never
    /// stored or shown in clear.
    #[schema(min_length = 10, max_length = 1024)]
    pub password: String,
}

/// `POST /visits/{id}/feedback`: how the visit went, in the resident's (or family's) words.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewFeedback {
    /// 1 (poor) to 5 (very good).
    #[schema(minimum = 1, maximum = 5)]
    pub rating: i32,
    /// Up to 1,000 characters.
    #[schema(max_length = 1000)]
    pub comment: Option<String>,
}

impl NewFeedback {
    pub fn validate(&self) -> Result<(), DomainError> {
        let mut errors = vec![];
        if !(1..=5).contains(&self.rating) {
            errors.push(FieldError {
                field: "rating".into(),
                message: "must be 1 to 5".into(),
            });
        }
        if let Some(c) = &self.comment {
            if c.chars().count() > COMMENT_MAX {
                errors.push(FieldError {
                    field: "comment".into(),
                    message: format!("must be at most {COMMENT_MAX} characters"),
                });
            }
        }
        DomainError::check(errors)
    }

    /// The comment as stored: trimmed, none when blank.
    pub fn comment(&self) -> Option<String> {
        self.comment
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_string)
    }
}

/// A rating of one completed visit.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Feedback {
    pub id: String,
    pub visit_id: String,
    pub resident_id: String,
    /// The clinic that made the visit.
    pub clinic_id: String,
    pub clinician_id: Option<String>,
    #[schema(minimum = 1, maximum = 5)]
    pub rating: i32,
    pub comment: Option<String>,
    pub created_at: Time,
}

/// `POST /complaints`: a complaint about a visit, or about the care in general.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewComplaint {
    /// The visit it is about (one of the resident's own), if any.
    pub visit_id: Option<String>,
    /// 1 to 2,000 characters (not blank).
    #[schema(min_length = 1, max_length = 2000)]
    pub text: String,
}

impl NewComplaint {
    pub fn validate(&self) -> Result<(), DomainError> {
        let mut errors = vec![];
        let n = self.text.trim().chars().count();
        if n == 0 || self.text.chars().count() > COMPLAINT_MAX {
            errors.push(FieldError {
                field: "text".into(),
                message: format!("must be 1 to {COMPLAINT_MAX} characters, not blank"),
            });
        }
        DomainError::check(errors)
    }
}

/// A complaint, sent to the organisation it is about: the visit's clinic; without a visit, the
/// family doctor's clinic, else the resident's care home, else the first clinic of the resident's
/// community.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Complaint {
    pub id: String,
    pub resident_id: String,
    pub visit_id: Option<String>,
    pub organization_id: Option<String>,
    pub text: String,
    pub created_at: Time,
}

/// One of the resident's own visits, as the family sees it: when, what, who comes.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MyVisit {
    pub id: String,
    pub service_type: String,
    /// `requested`, `scheduled`, `in_progress`, `completed`, `cancelled` or `missed`.
    pub status: String,
    pub clinic_id: String,
    pub clinic_name: String,
    pub clinician_id: Option<String>,
    /// The clinician's name, once one is booked.
    pub clinician_name: Option<String>,
    /// The window the visit may take place in.
    pub window_start: Time,
    pub window_end: Time,
    /// The booked arrival and end, once scheduled.
    pub starts_at: Option<Time>,
    pub ends_at: Option<Time>,
    /// The rating given, for a completed visit already rated.
    pub rating: Option<i32>,
}

/// A page of the resident's visits: those still to come (soonest first) and those past (latest
/// first).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MyVisits {
    pub upcoming: Vec<MyVisit>,
    pub past: Vec<MyVisit>,
}

/// What residents and families said of a unit in a period (the unit report's `voice`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct VoiceFigures {
    /// Ratings given to the clinic's visits.
    pub ratings: u32,
    /// Their mean (1-5), none without ratings.
    pub mean_rating: Option<f64>,
    /// Of the ratings, those of 4 or 5 (satisfied).
    pub satisfied: u32,
    /// Complaints about the unit.
    pub complaints: u32,
}

impl VoiceFigures {
    /// Adds one rating.
    pub fn rate(&mut self, rating: i32) {
        let sum = self.mean_rating.unwrap_or(0.0) * self.ratings as f64 + rating as f64;
        self.ratings += 1;
        self.mean_rating = Some((sum / self.ratings as f64 * 100.0).round() / 100.0);
        if rating >= 4 {
            self.satisfied += 1;
        }
    }
}

/// A visit is upcoming while it may still happen.
pub fn is_upcoming(status: &str) -> bool {
    matches!(status, "requested" | "scheduled" | "in_progress")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rating_is_one_to_five_and_a_blank_comment_is_none() {
        let f = |rating, comment: Option<&str>| NewFeedback {
            rating,
            comment: comment.map(str::to_string),
        };
        assert!(f(0, None).validate().is_err());
        assert!(f(6, None).validate().is_err());
        assert!(f(5, Some("很好")).validate().is_ok());
        assert_eq!(f(4, Some("  ")).comment(), None);
        assert!(f(3, Some(&"好".repeat(COMMENT_MAX + 1)))
            .validate()
            .is_err());
    }

    #[test]
    fn the_mean_rating_and_the_satisfied_count_follow_each_rating() {
        let mut v = VoiceFigures::default();
        assert_eq!(v.mean_rating, None);
        for r in [5, 4, 2] {
            v.rate(r);
        }
        assert_eq!((v.ratings, v.satisfied, v.mean_rating), (3, 2, Some(3.67)));
    }

    #[test]
    fn a_complaint_needs_words() {
        let c = |text: &str| NewComplaint {
            visit_id: None,
            text: text.into(),
        };
        assert!(c(" ").validate().is_err());
        assert!(c("医生迟到了两个小时").validate().is_ok());
        assert!(c(&"字".repeat(COMPLAINT_MAX + 1)).validate().is_err());
    }
}
