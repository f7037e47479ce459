//! What a disability grade entitles a resident to each month (config/seed/ltc_entitlements.json,
//! ADR 0012), and the month's arithmetic: the grant of a month in which the grade changed is
//! shared out by days; used and remaining follow. Pure: no diesel, no actix.
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// What a grant is counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Visits,
    Minutes,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub grade: i32,
    pub category: String,
    pub unit: Unit,
    pub amount: i64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGrant {
    grade: i32,
    category: String,
    visits: Option<i64>,
    minutes: Option<i64>,
}

#[derive(Deserialize)]
struct RawTable {
    grants: Vec<RawGrant>,
}

/// The grant table: grade x service category -> visits or minutes per month.
#[derive(Debug, Clone)]
pub struct GrantTable {
    pub grants: Vec<Grant>,
}

const CATEGORIES: [&str; 5] = [
    "prevention",
    "health_care",
    "treatment",
    "rehabilitation",
    "nursing",
];

impl GrantTable {
    /// The shipped table (parsed once; it is checked by a unit test).
    pub fn embedded() -> &'static GrantTable {
        static TABLE: OnceLock<GrantTable> = OnceLock::new();
        TABLE.get_or_init(|| {
            GrantTable::parse(include_str!("../../../config/seed/ltc_entitlements.json"))
                .expect("config/seed/ltc_entitlements.json is checked by its unit test")
        })
    }

    pub fn parse(json: &str) -> Result<GrantTable, String> {
        let raw: RawTable = serde_json::from_str(json).map_err(|e| e.to_string())?;
        let mut grants: Vec<Grant> = vec![];
        for g in raw.grants {
            if !(1..=5).contains(&g.grade) {
                return Err(format!("grade {} is not 1-5", g.grade));
            }
            if !CATEGORIES.contains(&g.category.as_str()) {
                return Err(format!("{} is not a service category", g.category));
            }
            let (unit, amount) = match (g.visits, g.minutes) {
                (Some(v), None) => (Unit::Visits, v),
                (None, Some(m)) => (Unit::Minutes, m),
                _ => {
                    return Err(format!(
                        "grade {} {}: give visits or minutes",
                        g.grade, g.category
                    ))
                }
            };
            if amount <= 0 {
                return Err(format!(
                    "grade {} {}: must be positive",
                    g.grade, g.category
                ));
            }
            if grants
                .iter()
                .any(|x| x.grade == g.grade && x.category == g.category)
            {
                return Err(format!("grade {} {} twice", g.grade, g.category));
            }
            grants.push(Grant {
                grade: g.grade,
                category: g.category,
                unit,
                amount,
            });
        }
        Ok(GrantTable { grants })
    }

    pub fn grant(&self, grade: i32, category: &str) -> Option<&Grant> {
        self.grants
            .iter()
            .find(|g| g.grade == grade && g.category == category)
    }

    /// The categories any grade is granted (in the table's order, once each).
    pub fn categories(&self) -> Vec<&str> {
        let mut out: Vec<&str> = vec![];
        for g in &self.grants {
            if !out.contains(&g.category.as_str()) {
                out.push(&g.category);
            }
        }
        out
    }
}

/// A grade in force from one day to (not including) another, e.g. from an assessment until the
/// next supersedes it or it expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GradePeriod {
    pub from: NaiveDate,
    pub until: NaiveDate,
    pub grade: i32,
}

/// The first day of a month and of the next.
pub fn month_bounds(month: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first = month.with_day(1).unwrap_or(month);
    let next = if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
    }
    .unwrap_or(first + Duration::days(31));
    (first, next)
}

/// The grade in force on a day: the latest period that covers it.
pub fn grade_on(periods: &[GradePeriod], day: NaiveDate) -> Option<i32> {
    periods
        .iter()
        .filter(|p| p.from <= day && day < p.until)
        .max_by_key(|p| p.from)
        .map(|p| p.grade)
}

/// The periods an assessment history gives: each assessment from its day until the next one's
/// day (a new one supersedes it) or its own end of validity, whichever is first.
pub fn periods(assessments: &[(NaiveDate, NaiveDate, i32)]) -> Vec<GradePeriod> {
    let mut sorted = assessments.to_vec();
    sorted.sort_by_key(|a| a.0);
    sorted
        .iter()
        .enumerate()
        .map(|(i, &(from, valid_until, grade))| {
            let next = sorted.get(i + 1).map(|n| n.0).unwrap_or(valid_until);
            GradePeriod {
                from,
                until: next.min(valid_until),
                grade,
            }
        })
        .filter(|p| p.from < p.until)
        .collect()
}

/// What a month grants in one category: each day carries its grade's monthly grant divided by
/// the month's days, the sum rounded to the nearest whole unit (a grade held all month gets its
/// whole grant). None when no day of the month is covered for that category.
pub fn granted(
    table: &GrantTable,
    periods: &[GradePeriod],
    month: NaiveDate,
    category: &str,
) -> Option<(Unit, i64)> {
    let (first, next) = month_bounds(month);
    let days = (next - first).num_days();
    let mut unit = None;
    let mut sum = 0i64; // in units x days
    let mut day = first;
    while day < next {
        if let Some(g) = grade_on(periods, day).and_then(|grade| table.grant(grade, category)) {
            unit = Some(g.unit);
            sum += g.amount;
        }
        day += Duration::days(1);
    }
    unit.map(|u| (u, (sum * 2 + days) / (2 * days)))
}

/// What one visit costs of a grant: one visit, or its minutes.
pub fn cost(unit: Unit, starts_at: NaiveDateTime, ends_at: NaiveDateTime) -> i64 {
    match unit {
        Unit::Visits => 1,
        Unit::Minutes => (ends_at - starts_at).num_minutes().max(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_shipped_table_parses_and_covers_only_known_categories() {
        let t = GrantTable::embedded();
        assert!(!t.grants.is_empty());
        assert_eq!(t.grant(5, "nursing").map(|g| g.amount), Some(16));
        assert!(t.grant(0, "nursing").is_none(), "grade 0 is not covered");
        assert!(
            GrantTable::parse(r#"{"grants":[{"grade":6,"category":"nursing","visits":1}]}"#)
                .is_err()
        );
        assert!(GrantTable::parse(r#"{"grants":[{"grade":3,"category":"nursing"}]}"#).is_err());
        assert!(
            GrantTable::parse(r#"{"grants":[{"grade":3,"category":"massage","visits":1}]}"#)
                .is_err()
        );
    }

    #[test]
    fn a_grade_held_all_month_gets_its_whole_grant_and_none_outside_its_validity() {
        let t = GrantTable::embedded();
        let p = periods(&[(d(2026, 1, 10), d(2027, 1, 10), 4)]);
        assert_eq!(
            granted(t, &p, d(2026, 3, 15), "nursing"),
            Some((Unit::Visits, 12))
        );
        assert_eq!(
            granted(t, &p, d(2026, 3, 1), "treatment"),
            None,
            "a category the grade is not granted"
        );
        assert_eq!(
            granted(t, &p, d(2025, 12, 1), "nursing"),
            None,
            "before the assessment"
        );
        assert_eq!(
            granted(t, &p, d(2027, 2, 1), "nursing"),
            None,
            "after it expired"
        );
    }

    #[test]
    fn a_month_across_the_start_or_end_of_a_grade_is_shared_out_by_days() {
        let t = GrantTable::embedded();
        // Grade 4 (12 a month) from 16 April: 15 of 30 days -> 6.
        let p = periods(&[(d(2026, 4, 16), d(2027, 4, 16), 4)]);
        assert_eq!(
            granted(t, &p, d(2026, 4, 1), "nursing"),
            Some((Unit::Visits, 6))
        );
        // And it ends on 16 April the next year: 15 days of April 2027 -> 6.
        assert_eq!(
            granted(t, &p, d(2027, 4, 1), "nursing"),
            Some((Unit::Visits, 6))
        );
    }

    #[test]
    fn a_grade_change_mid_month_gives_each_grade_its_days() {
        let t = GrantTable::embedded();
        // Grade 3 (8) from January, re-assessed grade 5 (16) on 17 March: 16 days x 8 + 15 x 16
        // over 31 days = 11.87 -> 12.
        let p = periods(&[
            (d(2026, 1, 5), d(2027, 1, 5), 3),
            (d(2026, 3, 17), d(2027, 3, 17), 5),
        ]);
        assert_eq!(grade_on(&p, d(2026, 3, 16)), Some(3));
        assert_eq!(
            grade_on(&p, d(2026, 3, 17)),
            Some(5),
            "the new one supersedes"
        );
        assert_eq!(
            granted(t, &p, d(2026, 3, 1), "nursing"),
            Some((Unit::Visits, 12))
        );
        assert_eq!(
            granted(t, &p, d(2026, 4, 1), "nursing"),
            Some((Unit::Visits, 16))
        );
        // A grade dropping to 0 (not covered) on 11 February: 10 of 28 days of grade 3 -> 2.86 -> 3.
        let down = periods(&[
            (d(2026, 1, 5), d(2027, 1, 5), 3),
            (d(2026, 2, 11), d(2027, 2, 11), 0),
        ]);
        assert_eq!(
            granted(t, &down, d(2026, 2, 1), "nursing"),
            Some((Unit::Visits, 3))
        );
        assert_eq!(granted(t, &down, d(2026, 3, 1), "nursing"), None);
    }

    #[test]
    fn months_end_where_the_calendar_says() {
        assert_eq!(
            month_bounds(d(2026, 12, 31)),
            (d(2026, 12, 1), d(2027, 1, 1))
        );
        assert_eq!(month_bounds(d(2028, 2, 10)), (d(2028, 2, 1), d(2028, 3, 1)));
    }

    #[test]
    fn a_visit_costs_one_visit_or_its_minutes() {
        let at = d(2026, 3, 2).and_hms_opt(9, 0, 0).unwrap();
        assert_eq!(cost(Unit::Visits, at, at + Duration::minutes(45)), 1);
        assert_eq!(cost(Unit::Minutes, at, at + Duration::minutes(45)), 45);
    }
}
