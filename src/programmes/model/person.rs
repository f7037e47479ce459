//! The resident as the care-programme rules see them.
use chrono::{Datelike, NaiveDate};

/// The resident as the engine sees them.
#[derive(Debug, Clone)]
pub struct Person {
    pub birth_date: NaiveDate,
    pub conditions: Vec<String>,
    /// The first day anything is owed: the contract's start, else the day the record was made.
    pub enrolled_on: NaiveDate,
}

/// Whole years of age on `day`.
pub fn age_on(birth: NaiveDate, day: NaiveDate) -> i32 {
    let mut age = day.year() - birth.year();
    if (day.month(), day.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}
