//! A shift and its rules (pure).
use chrono::{DateTime, Duration, FixedOffset, NaiveDateTime, NaiveTime, TimeZone};
use serde::{Deserialize, Serialize};

use crate::domain_error::{DomainError, FieldError};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Shift {
    pub id: String,
    pub clinician_id: String,
    pub clinic_id: String,
    pub starts_at: crate::time::Time,
    pub ends_at: crate::time::Time,
    /// Times inside the shift when the clinician works not: no visit and no travel falls in one
    /// (the clinician is back at the clinic for it).
    pub breaks: Vec<Break>,
    pub version: i64,
}

/// A break in a shift, as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Break {
    pub starts_at: crate::time::Time,
    pub ends_at: crate::time::Time,
}

/// A break in a request.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBreak {
    pub starts_at: crate::time::Start,
    pub ends_at: crate::time::End,
}

/// A span of time as stored (UTC): a shift's break, or a part of a shift worked.
pub type Span = (NaiveDateTime, NaiveDateTime);

/// The most breaks one shift may have.
pub const MAX_BREAKS: usize = 4;

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewShift {
    pub clinician_id: String,
    /// RFC 3339 with offset, e.g. `2026-12-03T08:30:00+08:00`, or a plain date (its first moment).
    pub starts_at: crate::time::Start,
    /// RFC 3339 with offset, or a plain date (the whole day); after `starts_at`, at most 24 hours later.
    pub ends_at: crate::time::End,
    /// Breaks inside the shift (at most 4, none overlapping). Left out, the shift gets the
    /// district's lunch break (config `shifts.lunch_break`) if it spans all of it; `[]` is none.
    #[schema(max_items = 4)]
    pub breaks: Option<Vec<NewBreak>>,
}

/// The longest a shift lasts, and so the longest anything booked inside one (a visit) lasts. A
/// query for what touches a time reads from this long before it on the (clinician, start) index,
/// rather than every earlier row of that clinician.
pub fn longest() -> Duration {
    Duration::hours(24)
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
        if e - s > longest() {
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

    /// The breaks of a request, checked against the shift: each ends after it starts, lies
    /// within the shift, and overlaps no other; at most [`MAX_BREAKS`]. Sorted by start.
    pub fn breaks(&self, breaks: &[NewBreak]) -> Result<Vec<Span>, DomainError> {
        if breaks.len() > MAX_BREAKS {
            return Err(DomainError::invalid(
                "breaks",
                format!("a shift has at most {MAX_BREAKS} breaks"),
            ));
        }
        let mut errors = vec![];
        let mut out: Vec<Span> = vec![];
        for (i, b) in breaks.iter().enumerate() {
            let (s, e) = (b.starts_at.naive_utc(), b.ends_at.naive_utc());
            if e <= s {
                errors.push((format!("breaks[{i}].ends_at"), "must be after starts_at"));
            } else if s < self.starts_at || e > self.ends_at {
                errors.push((format!("breaks[{i}]"), "a break lies within its shift"));
            } else if out.iter().any(|o| s < o.1 && o.0 < e) {
                errors.push((format!("breaks[{i}]"), "a break overlaps another"));
            } else {
                out.push((s, e));
            }
        }
        DomainError::check(
            errors
                .into_iter()
                .map(|(field, m)| FieldError {
                    field,
                    message: m.to_string(),
                })
                .collect(),
        )?;
        out.sort();
        Ok(out)
    }

    /// The district's lunch break on the shift's day, if the shift spans all of it.
    pub fn lunch(&self, lunch: Option<LunchBreak>, tz: chrono_tz::Tz) -> Vec<Span> {
        let Some(lunch) = lunch else {
            return vec![];
        };
        let day = tz.from_utc_datetime(&self.starts_at).date_naive();
        let at = |t: NaiveTime| {
            tz.from_local_datetime(&day.and_time(t))
                .earliest()
                .map(|t| t.naive_utc())
        };
        match (at(lunch.starts), at(lunch.ends)) {
            (Some(s), Some(e)) if self.starts_at <= s && e <= self.ends_at => vec![(s, e)],
            _ => vec![],
        }
    }
}

/// The parts of a shift worked: the shift without its breaks, in order.
pub fn working_spans(
    starts_at: NaiveDateTime,
    ends_at: NaiveDateTime,
    breaks: &[Span],
) -> Vec<Span> {
    let mut out = vec![];
    let mut from = starts_at;
    let mut sorted = breaks.to_vec();
    sorted.sort();
    for (s, e) in sorted {
        if s > from {
            out.push((from, s.min(ends_at)));
        }
        from = from.max(e);
    }
    if from < ends_at {
        out.push((from, ends_at));
    }
    out.retain(|(s, e)| s < e);
    out
}

/// The district's lunch break, a time of day (config `shifts.lunch_break`, "12:00-13:30").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LunchBreak {
    pub starts: NaiveTime,
    pub ends: NaiveTime,
}

impl LunchBreak {
    /// "HH:MM-HH:MM", or empty for none.
    pub fn parse(s: &str) -> Result<Option<LunchBreak>, String> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(None);
        }
        let (a, b) = s
            .split_once('-')
            .ok_or_else(|| format!("{s:?} is not HH:MM-HH:MM"))?;
        let time = |t: &str| {
            NaiveTime::parse_from_str(t.trim(), "%H:%M").map_err(|_| format!("{t:?} is not HH:MM"))
        };
        let (starts, ends) = (time(a)?, time(b)?);
        if ends <= starts {
            return Err(format!("{s:?} ends before it starts"));
        }
        Ok(Some(LunchBreak { starts, ends }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn a_break_splits_a_shift_into_the_parts_worked() {
        let spans = working_spans(
            n("2026-12-01 00:00"),
            n("2026-12-01 09:00"),
            &[(n("2026-12-01 04:00"), n("2026-12-01 05:30"))],
        );
        assert_eq!(
            spans,
            vec![
                (n("2026-12-01 00:00"), n("2026-12-01 04:00")),
                (n("2026-12-01 05:30"), n("2026-12-01 09:00"))
            ]
        );
        let edge = working_spans(
            n("2026-12-01 00:00"),
            n("2026-12-01 09:00"),
            &[(n("2026-12-01 00:00"), n("2026-12-01 01:00"))],
        );
        assert_eq!(edge, vec![(n("2026-12-01 01:00"), n("2026-12-01 09:00"))]);
    }

    #[test]
    fn the_lunch_break_is_given_only_to_a_shift_that_spans_it() {
        let tz = chrono_tz::Asia::Shanghai;
        let lunch = LunchBreak::parse("12:00-13:30").unwrap();
        let day = ShiftSpan::parse(
            t("2026-12-01T08:00:00+08:00"),
            t("2026-12-01T17:00:00+08:00"),
        )
        .unwrap();
        assert_eq!(
            day.lunch(lunch, tz),
            vec![(n("2026-12-01 04:00"), n("2026-12-01 05:30"))]
        );
        let morning = ShiftSpan::parse(
            t("2026-12-01T08:00:00+08:00"),
            t("2026-12-01T12:30:00+08:00"),
        )
        .unwrap();
        assert!(morning.lunch(lunch, tz).is_empty());
        assert_eq!(LunchBreak::parse(""), Ok(None));
        assert!(LunchBreak::parse("13:30-12:00").is_err());
        assert!(LunchBreak::parse("noon").is_err());
    }

    #[test]
    fn breaks_outside_the_shift_or_overlapping_are_refused_all_at_once() {
        let day = ShiftSpan::parse(
            t("2026-12-01T08:00:00+08:00"),
            t("2026-12-01T17:00:00+08:00"),
        )
        .unwrap();
        let b = |s: &str, e: &str| NewBreak {
            starts_at: t(s).into(),
            ends_at: t(e).into(),
        };
        let ok = day
            .breaks(&[
                b("2026-12-01T15:00:00+08:00", "2026-12-01T15:15:00+08:00"),
                b("2026-12-01T12:00:00+08:00", "2026-12-01T13:00:00+08:00"),
            ])
            .unwrap();
        assert_eq!(ok[0].0, n("2026-12-01 04:00"), "sorted");
        let Err(DomainError::Invalid(errors)) = day.breaks(&[
            b("2026-12-01T07:00:00+08:00", "2026-12-01T09:00:00+08:00"),
            b("2026-12-01T12:00:00+08:00", "2026-12-01T11:00:00+08:00"),
            b("2026-12-01T12:00:00+08:00", "2026-12-01T13:00:00+08:00"),
            b("2026-12-01T12:30:00+08:00", "2026-12-01T13:30:00+08:00"),
        ]) else {
            panic!("bad breaks pass");
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["breaks[0]", "breaks[1].ends_at", "breaks[3]"]);
    }

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
