//! Recurring visit plans (pure): weekly days, a time-of-day window, a start and an end or a count,
//! and the dates a plan falls on.
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use serde::{Deserialize, Serialize};

use crate::domain_error::DomainError;
use crate::ids::{OrgId, ReferralId, ResidentId, UserId};
use crate::visits::model::{Priority, Visit};

/// The most occurrences one plan creates.
pub const MAX_OCCURRENCES: usize = 100;

#[derive(Debug, Clone, Copy, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeWindow {
    /// Time of day (district time), HH:MM: "09:00".
    #[serde(deserialize_with = "hh_mm")]
    #[schema(value_type = String, pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", example = "09:00")]
    pub from: NaiveTime,
    /// Time of day, HH:MM, after `from`: "11:30".
    #[serde(deserialize_with = "hh_mm")]
    #[schema(value_type = String, pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", example = "11:30")]
    pub to: NaiveTime,
}

/// A time of day exactly as documented, two-digit hours and minutes: chrono's own parser also
/// takes "9:00", " 09 : 00" and seconds, which a plan stores to the minute anyway.
fn hh_mm<'de, D: serde::Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
    let raw = String::deserialize(d)?;
    let b = raw.as_bytes();
    let shaped =
        b.len() == 5 && b[2] == b':' && [0, 1, 3, 4].iter().all(|&i| b[i].is_ascii_digit());
    shaped
        .then(|| NaiveTime::parse_from_str(&raw, "%H:%M").ok())
        .flatten()
        .ok_or_else(|| serde::de::Error::custom("must be a time of day, HH:MM (09:00)"))
}

/// A day of the week in a request: 1 = Monday ... 7 = Sunday (ISO 8601). A schema only.
pub struct IsoWeekday;

impl utoipa::PartialSchema for IsoWeekday {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(1))
            .maximum(Some(7))
            .examples([serde_json::json!(1)])
            .into()
    }
}
impl utoipa::ToSchema for IsoWeekday {}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPlan {
    /// The resident to visit (one the caller may see).
    #[schema(value_type = String)]
    pub resident_id: ResidentId,
    /// A service type `code` of the catalogue.
    pub service_type: String,
    /// ISO weekdays: 1 = Monday ... 7 = Sunday; at least one.
    #[schema(min_items = 1, value_type = Vec<IsoWeekday>)]
    pub weekdays: Vec<u32>,
    pub window: TimeWindow,
    /// The first day (district time zone); today or later.
    pub starts_on: NaiveDate,
    /// The last day, within a year after `starts_on`. Give either `until` or `count`.
    pub until: Option<NaiveDate>,
    /// How many visits: 1 to 100. Give either `until` or `count`.
    #[schema(minimum = 1, maximum = 100)]
    pub count: Option<u32>,
    /// Book this clinician (an active clinician of the serving clinic with the skill); else the
    /// best free clinician for each visit.
    #[schema(value_type = Option<String>)]
    pub clinician_id: Option<UserId>,
    #[serde(default)]
    pub priority: Priority,
    /// The resident pays for the series themselves: booked even past their long-term care
    /// entitlement (else 409 `entitlement_exceeded`), and not counted against it.
    #[serde(default)]
    pub self_paid: bool,
}

/// The dates a plan falls on (pure): the chosen weekdays from `starts_on`, up to `until` or
/// `count` occurrences, never more than MAX_OCCURRENCES.
pub fn occurrences(
    weekdays: &[u32],
    starts_on: NaiveDate,
    until: Option<NaiveDate>,
    count: Option<u32>,
) -> Vec<NaiveDate> {
    let limit = count
        .map(|c| c as usize)
        .unwrap_or(MAX_OCCURRENCES)
        .min(MAX_OCCURRENCES);
    let last = until.unwrap_or(starts_on + Duration::days(366));
    let mut out = vec![];
    let mut d = starts_on;
    while d <= last && out.len() < limit {
        if weekdays.contains(&d.weekday().number_from_monday()) {
            out.push(d);
        }
        d += Duration::days(1);
    }
    out
}

impl NewPlan {
    pub fn validate(&self, today: NaiveDate) -> Result<(), DomainError> {
        let mut errors = vec![];
        let mut err = |f: &str, m: &str| {
            errors.push(crate::domain_error::FieldError {
                field: f.into(),
                message: m.into(),
            })
        };
        if self.weekdays.is_empty() || self.weekdays.iter().any(|d| !(1..=7).contains(d)) {
            err("weekdays", "must list days 1 (Monday) to 7 (Sunday)");
        }
        if self.window.to <= self.window.from {
            err("window.to", "must be after window.from");
        }
        if self.starts_on < today {
            err("starts_on", "is in the past");
        }
        match (self.until, self.count) {
            (Some(_), Some(_)) | (None, None) => err("until", "give either until or count"),
            (Some(u), None) if u < self.starts_on || u > self.starts_on + Duration::days(366) => {
                err("until", "must be within a year after starts_on")
            }
            (None, Some(c)) if c == 0 || c as usize > MAX_OCCURRENCES => {
                err("count", "must be 1 to 100")
            }
            _ => {}
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Invalid(errors))
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Plan {
    pub id: String,
    #[schema(value_type = String)]
    pub resident_id: ResidentId,
    #[schema(value_type = String)]
    pub clinic_id: OrgId,
    pub service_type: String,
    #[schema(value_type = Option<String>)]
    pub clinician_id: Option<UserId>,
    pub weekdays: Vec<u32>,
    pub window: serde_json::Value,
    pub starts_on: String,
    pub until: Option<String>,
    pub count: Option<i32>,
    pub status: String,
    #[schema(value_type = Option<String>)]
    pub referral_id: Option<ReferralId>,
    pub version: i64,
    pub visits: Vec<Visit>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndPlan {
    /// Visits from this day on are cancelled (default, and at the earliest: now).
    pub from: Option<NaiveDate>,
    /// Kept as the cancelled visits' reason (default "plan ended").
    pub reason: Option<String>,
}

/// A district-time day and time of day as UTC (None for a time the clocks skip).
pub fn local(tz: chrono_tz::Tz, d: NaiveDate, t: NaiveTime) -> Option<NaiveDateTime> {
    tz.from_local_datetime(&d.and_time(t))
        .earliest()
        .map(|x| x.naive_utc())
}

#[cfg(test)]
#[path = "model_tests.rs"]
mod tests;
