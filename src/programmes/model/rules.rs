//! The rules as data (config/seed/programme_rules.json, ADR 0011) and the control verdict on a
//! follow-up's vital signs. Pure.
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::BTreeMap;

/// What a rule owes, by its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Once a calendar year, from the year the resident reaches `min_age`.
    Annual,
    /// Once a calendar quarter while the resident has one of `conditions_any`.
    Quarterly,
    /// A re-check within `within_days` of a follow-up out of control.
    Recheck,
    /// Out of control at `in_a_row` follow-ups in a row: a draft up-referral and a follow-up
    /// within `within_days` (in place of the re-check).
    Referral,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub code: String,
    pub version: i32,
    pub valid_from: NaiveDate,
    pub kind: Kind,
    pub service_type: String,
    #[serde(default)]
    pub min_age: Option<u32>,
    /// Names of condition groups (`chronic_conditions`), any of which makes the rule apply.
    #[serde(default)]
    pub conditions_any: Vec<String>,
    #[serde(default)]
    pub within_days: Option<i64>,
    #[serde(default)]
    pub in_a_row: Option<usize>,
}

/// The readings at or above which a follow-up is out of control.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Control {
    pub systolic_mmhg: f64,
    pub diastolic_mmhg: f64,
    pub fasting_glucose_mmol_l: f64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RuleSet {
    pub control: Control,
    /// Condition group -> the words and ICD-10 prefixes that put a resident in it.
    pub chronic_conditions: BTreeMap<String, Vec<String>>,
    pub rules: Vec<Rule>,
}

/// The readings a follow-up's control is judged on.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Readings {
    pub systolic_mmhg: Option<f64>,
    pub diastolic_mmhg: Option<f64>,
    pub fasting_glucose_mmol_l: Option<f64>,
}

impl RuleSet {
    pub fn parse(text: &str) -> Result<RuleSet, String> {
        let set: RuleSet = serde_json::from_str(text).map_err(|e| e.to_string())?;
        for r in &set.rules {
            let needs = match r.kind {
                Kind::Annual => r.min_age.is_some(),
                Kind::Quarterly => !r.conditions_any.is_empty(),
                Kind::Recheck => r.within_days.is_some_and(|d| d > 0),
                Kind::Referral => {
                    r.within_days.is_some_and(|d| d > 0) && r.in_a_row.is_some_and(|n| n >= 2)
                }
            };
            if !needs || r.version < 1 {
                return Err(format!("rule {} v{}: incomplete", r.code, r.version));
            }
            if let Some(g) = r
                .conditions_any
                .iter()
                .find(|g| !set.chronic_conditions.contains_key(*g))
            {
                return Err(format!("rule {}: unknown condition group {g}", r.code));
            }
        }
        Ok(set)
    }

    /// The version of each rule in force on `day`: the highest version valid from then.
    pub fn in_force(&self, day: NaiveDate) -> Vec<&Rule> {
        let mut by_code: BTreeMap<&str, &Rule> = BTreeMap::new();
        for r in self.rules.iter().filter(|r| r.valid_from <= day) {
            let keep = by_code
                .get(r.code.as_str())
                .is_none_or(|k| k.version < r.version);
            if keep {
                by_code.insert(&r.code, r);
            }
        }
        by_code.into_values().collect()
    }

    /// The condition groups (`hypertension`, `diabetes`) a resident's conditions put them in: a
    /// condition holds one of a group's words (any case: `2型糖尿病` holds `糖尿病`) or starts with
    /// one of its ICD-10 codes.
    pub fn groups(&self, conditions: &[String]) -> Vec<String> {
        self.chronic_conditions
            .iter()
            .filter(|(_, words)| {
                conditions.iter().any(|c| {
                    let c = c.trim().to_lowercase();
                    words.iter().any(|w| {
                        let w = w.to_lowercase();
                        if is_icd(&w) {
                            c.to_uppercase().starts_with(&w.to_uppercase())
                        } else {
                            c.contains(&w)
                        }
                    })
                })
            })
            .map(|(g, _)| g.clone())
            .collect()
    }

    /// Out of control (true), in control (false), or nothing to judge (None: no reading that
    /// bears on the resident's groups).
    pub fn uncontrolled(&self, groups: &[String], r: &Readings) -> Option<bool> {
        let c = &self.control;
        let mut verdicts = vec![];
        if groups.iter().any(|g| g == "hypertension") {
            if let (Some(s), Some(d)) = (r.systolic_mmhg, r.diastolic_mmhg) {
                verdicts.push(s >= c.systolic_mmhg || d >= c.diastolic_mmhg);
            } else if let Some(s) = r.systolic_mmhg {
                verdicts.push(s >= c.systolic_mmhg);
            }
        }
        if groups.iter().any(|g| g == "diabetes") {
            if let Some(g) = r.fasting_glucose_mmol_l {
                verdicts.push(g >= c.fasting_glucose_mmol_l);
            }
        }
        if verdicts.is_empty() {
            None
        } else {
            Some(verdicts.into_iter().any(|v| v))
        }
    }
}

/// An ICD-10 code: a letter and two digits, e.g. `I10`, `E11`.
fn is_icd(w: &str) -> bool {
    let b = w.as_bytes();
    b.len() == 3 && b[0].is_ascii_alphabetic() && b[1].is_ascii_digit() && b[2].is_ascii_digit()
}
