//! A shift and its rules (pure).
use chrono::{DateTime, Duration, FixedOffset, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::domain_error::DomainError;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Shift {
    pub id: String,
    pub clinician_id: String,
    pub clinic_id: String,
    pub starts_at: crate::time::Time,
    pub ends_at: crate::time::Time,
    pub version: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewShift {
    pub clinician_id: String,
    /// RFC 3339 with offset, e.g. `2026-12-03T08:30:00+08:00`, or a plain date (its first moment).
    pub starts_at: crate::time::Start,
    /// RFC 3339 with offset, or a plain date (the whole day); after `starts_at`, at most 24 hours later.
    pub ends_at: crate::time::End,
}

/// A shift's time span, checked: it ends after it starts and lasts at most 24 hours.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ShiftSpan {
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
}

impl ShiftSpan {
    pub fn parse(
        starts_at: DateTime<FixedOffset>,
        ends_at: DateTime<FixedOffset>,
    ) -> Result<ShiftSpan, DomainError> {
        let (s, e) = (starts_at.naive_utc(), ends_at.naive_utc());
        if e <= s {
            return Err(DomainError::invalid("ends_at", "must be after starts_at"));
        }
        if e - s > Duration::hours(24) {
            return Err(DomainError::invalid(
                "ends_at",
                "a shift lasts at most 24 hours",
            ));
        }
        Ok(ShiftSpan {
            starts_at: s,
            ends_at: e,
        })
    }

    pub fn overlaps(&self, other: &ShiftSpan) -> bool {
        self.starts_at < other.ends_at && other.starts_at < self.ends_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    #[test]
    fn a_shift_that_ends_before_it_starts_is_refused() {
        assert!(ShiftSpan::parse(
            t("2026-12-01T17:00:00+08:00"),
            t("2026-12-01T08:00:00+08:00")
        )
        .is_err());
        assert!(ShiftSpan::parse(
            t("2026-12-01T08:00:00+08:00"),
            t("2026-12-03T08:00:00+08:00")
        )
        .is_err());
    }

    #[test]
    fn back_to_back_shifts_do_not_overlap() {
        let a = ShiftSpan::parse(
            t("2026-12-01T08:00:00+08:00"),
            t("2026-12-01T12:00:00+08:00"),
        )
        .unwrap();
        let b = ShiftSpan::parse(
            t("2026-12-01T12:00:00+08:00"),
            t("2026-12-01T17:00:00+08:00"),
        )
        .unwrap();
        let c = ShiftSpan::parse(
            t("2026-12-01T11:00:00+08:00"),
            t("2026-12-01T13:00:00+08:00"),
        )
        .unwrap();
        assert!(!a.overlaps(&b));
        assert!(a.overlaps(&c) && b.overlaps(&c));
    }
}
