//! Times as the API reads and writes them (API.md, Conventions): served as RFC 3339 in the
//! district's offset to whole seconds, the same in every answer; read as RFC 3339 with an offset,
//! or as a plain date meaning that day in the district's time zone (as a start its first moment, as
//! an end the whole day). Stored times are UTC.
//!
//! The district's zone is a process-wide setting (`district.timezone`), fixed at start-up by
//! [`set_district_zone`]: serde has no context to pass it through, and every instance of one
//! deployment has the same zone.
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::sync::OnceLock;

static DISTRICT_ZONE: OnceLock<chrono_tz::Tz> = OnceLock::new();

/// Fixes the district's zone for this process; the first setting wins (one deployment, one zone).
pub fn set_district_zone(tz: chrono_tz::Tz) {
    let _ = DISTRICT_ZONE.set(tz);
}

/// The district's zone (the configured one, or the default `Asia/Shanghai` before start-up).
pub fn district_zone() -> chrono_tz::Tz {
    *DISTRICT_ZONE.get().unwrap_or(&chrono_tz::Asia::Shanghai)
}

/// A moment as the API serves it: `2026-12-01T09:30:00+08:00`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Time(pub DateTime<Utc>);

impl Time {
    /// The served form: the district's offset, whole seconds.
    pub fn to_api_string(self) -> String {
        format(self.0)
    }
}

/// The served form of a moment: the district's offset, whole seconds.
pub fn format(t: DateTime<Utc>) -> String {
    t.with_timezone(&district_zone())
        .fixed_offset()
        .to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// The served form of a stored (UTC) moment.
pub fn format_stored(t: NaiveDateTime) -> String {
    format(t.and_utc())
}

impl From<NaiveDateTime> for Time {
    /// A stored time (UTC).
    fn from(t: NaiveDateTime) -> Time {
        Time(t.and_utc())
    }
}

impl From<DateTime<Utc>> for Time {
    fn from(t: DateTime<Utc>) -> Time {
        Time(t)
    }
}

impl From<DateTime<FixedOffset>> for Time {
    fn from(t: DateTime<FixedOffset>) -> Time {
        Time(t.with_timezone(&Utc))
    }
}

impl Serialize for Time {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_api_string())
    }
}

impl<'de> Deserialize<'de> for Time {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Time, D::Error> {
        let raw = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&raw)
            .map(Time::from)
            .map_err(|_| serde::de::Error::custom(EXPECTED))
    }
}

const EXPECTED: &str = "must be an RFC 3339 time with offset (2026-12-01T09:30:00+08:00) or a date (2026-12-01), in the years 1900-2100";

/// The years any date or time of the programme falls in: birth dates from 1900, plans and reports
/// to 2100. Outside them a value is a mistake (or an attack on date arithmetic), refused as a 422.
pub const FIRST_YEAR: i32 = 1900;
pub const LAST_YEAR: i32 = 2100;

/// Whether a day lies in the years the API takes.
pub fn in_range(day: NaiveDate) -> bool {
    use chrono::Datelike;
    (FIRST_YEAR..=LAST_YEAR).contains(&day.year())
}

/// Reads a time as a start: an RFC 3339 time, or a plain date meaning its first moment in `tz`.
pub fn parse_start(s: &str, tz: chrono_tz::Tz) -> Option<DateTime<FixedOffset>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s.trim()) {
        return in_range(t.date_naive()).then_some(t);
    }
    let day = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()?;
    if !in_range(day) {
        return None;
    }
    day_start(day, tz)
}

/// Reads a time as an end: an RFC 3339 time, or a plain date meaning the whole of that day (so the
/// end is the first moment of the next day in `tz`).
pub fn parse_end(s: &str, tz: chrono_tz::Tz) -> Option<DateTime<FixedOffset>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s.trim()) {
        return in_range(t.date_naive()).then_some(t);
    }
    let day = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()?;
    if !in_range(day) {
        return None;
    }
    day_start(day.succ_opt()?, tz)
}

/// The first moment of a day in `tz`, as a stored (UTC) time.
pub fn first_moment_utc(day: NaiveDate, tz: chrono_tz::Tz) -> Option<chrono::NaiveDateTime> {
    day_start(day, tz).map(|t| t.naive_utc())
}

fn day_start(day: NaiveDate, tz: chrono_tz::Tz) -> Option<DateTime<FixedOffset>> {
    day.and_hms_opt(0, 0, 0)?
        .and_local_timezone(tz)
        .earliest()
        .map(|t| t.fixed_offset())
}

/// A time in a request where it starts something: an RFC 3339 time, or a plain date (its first
/// moment in the district). Derefs to the moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Start(pub DateTime<FixedOffset>);

/// A time in a request where it ends something: an RFC 3339 time, or a plain date (the whole day,
/// so the first moment of the next day in the district). Derefs to the moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct End(pub DateTime<FixedOffset>);

macro_rules! request_time {
    ($ty:ident, $parse:ident, $day:literal) => {
        impl std::ops::Deref for $ty {
            type Target = DateTime<FixedOffset>;
            fn deref(&self) -> &DateTime<FixedOffset> {
                &self.0
            }
        }
        impl From<DateTime<FixedOffset>> for $ty {
            fn from(t: DateTime<FixedOffset>) -> $ty {
                $ty(t)
            }
        }
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<$ty, D::Error> {
                let raw = String::deserialize(d)?;
                $parse(&raw, district_zone())
                    .map($ty)
                    .ok_or_else(|| serde::de::Error::custom(EXPECTED))
            }
        }
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                Time::from(self.0).serialize(s)
            }
        }
        impl utoipa::PartialSchema for $ty {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                request_time_schema(concat!(
                    "An RFC 3339 time with offset, or a plain date: that day in the district's ",
                    "time zone (",
                    $day,
                    "). The years 1900-2100."
                ))
            }
        }
        impl utoipa::ToSchema for $ty {
            fn name() -> std::borrow::Cow<'static, str> {
                concat!("Time", stringify!($ty)).into()
            }
        }
    };
}

request_time!(Start, parse_start, "as a start, its first moment");
request_time!(End, parse_end, "as an end, the whole day");

/// The names of the request-time schemas, so that body checks know a reference to them is a time.
pub const REQUEST_TIME_SCHEMAS: [&str; 2] = ["TimeStart", "TimeEnd"];

impl utoipa::PartialSchema for Time {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        time_schema("RFC 3339, in the district's offset, whole seconds.")
    }
}
impl utoipa::ToSchema for Time {}

/// A time in a request: either an RFC 3339 time or a plain date, as the document says it (a
/// `date-time` alone would call a plain date invalid, which the server takes).
fn request_time_schema(
    description: &str,
) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, OneOfBuilder, SchemaFormat, Type};
    let of = |format| {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(format)))
    };
    OneOfBuilder::new()
        .item(of(KnownFormat::DateTime))
        .item(of(KnownFormat::Date))
        .description(Some(description))
        .examples([serde_json::json!("2026-12-01T09:30:00+08:00")])
        .into()
}

fn time_schema(description: &str) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
        .description(Some(description))
        .examples([serde_json::json!("2026-12-01T09:30:00+08:00")])
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TZ: chrono_tz::Tz = chrono_tz::Asia::Shanghai;

    #[test]
    fn a_served_time_has_the_district_offset_and_whole_seconds() {
        let t = DateTime::parse_from_rfc3339("2026-12-01T01:30:00.734Z").unwrap();
        assert_eq!(Time::from(t).to_api_string(), "2026-12-01T09:30:00+08:00");
    }

    #[test]
    fn a_plain_date_is_the_first_moment_as_a_start_and_the_whole_day_as_an_end() {
        let start = parse_start("2026-12-01", TZ).unwrap();
        let end = parse_end("2026-12-01", TZ).unwrap();
        assert_eq!(start.to_rfc3339(), "2026-12-01T00:00:00+08:00");
        assert_eq!(end.to_rfc3339(), "2026-12-02T00:00:00+08:00");
        let exact = parse_end("2026-12-01T10:00:00Z", TZ).unwrap();
        assert_eq!(
            exact.with_timezone(&Utc).to_rfc3339(),
            "2026-12-01T10:00:00+00:00"
        );
    }

    #[test]
    fn anything_else_is_not_a_time() {
        for bad in [
            "+10000-01-01",
            "0000-01-01",
            "9999-12-31T23:00:00Z",
            "1899-12-31",
            "",
            "2026-13-01",
            "01/12/2026",
            "2026-12-01T09:30",
            "tomorrow",
        ] {
            assert!(parse_start(bad, TZ).is_none(), "{bad}");
            assert!(parse_end(bad, TZ).is_none(), "{bad}");
        }
    }
}
