//! Contract packages (家庭医生签约服务包) as data: who may sign one and what it owes a year.
use serde::{Deserialize, Serialize};

use super::person::{age_on, Person};
use crate::domain_error::FieldError;

/// Who a package (or one of its items) is for; empty means everyone.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Eligibility {
    /// Aged at least this many years.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 0, maximum = 120)]
    pub min_age: Option<u32>,
    /// Having one of these condition groups (`hypertension`, `diabetes`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 10)]
    pub conditions_any: Vec<String>,
}

/// One service a package owes, so many times a year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// A service type's code (`GET /service-types`).
    #[schema(example = "blood_pressure_check", min_length = 1, max_length = 64)]
    pub service_type: String,
    /// Times a year, 1 to 52.
    #[schema(minimum = 1, maximum = 52, example = 12)]
    pub per_year: u32,
    /// Only for residents of at least this age.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 0, maximum = 120)]
    pub min_age: Option<u32>,
    /// Only for residents in one of these condition groups.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 10)]
    pub conditions_any: Vec<String>,
}

/// A package as the API serves it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Package {
    #[schema(example = "hypertension")]
    pub code: String,
    #[schema(example = "高血压管理包")]
    pub name: String,
    #[schema(example = 120.0)]
    pub price_yuan: f64,
    pub eligibility: Eligibility,
    pub items: Vec<Item>,
    pub active: bool,
    pub version: i64,
}

/// An item of a contract's package, with the package it came from (the obligations name it).
#[derive(Debug, Clone, PartialEq)]
pub struct PackageItem {
    pub package: String,
    pub package_version: i32,
    pub service_type: String,
    pub per_year: u32,
    pub min_age: Option<u32>,
    pub conditions_any: Vec<String>,
}

impl Eligibility {
    /// Is a resident in `groups` eligible on `on`?
    pub fn admits(&self, person: &Person, groups: &[String], on: chrono::NaiveDate) -> bool {
        self.min_age
            .is_none_or(|m| age_on(person.birth_date, on) >= m as i32)
            && (self.conditions_any.is_empty()
                || self.conditions_any.iter().any(|c| groups.contains(c)))
    }
}

impl PackageItem {
    pub fn of(package: &Package) -> Vec<PackageItem> {
        package
            .items
            .iter()
            .map(|i| PackageItem {
                package: package.code.clone(),
                package_version: package.version as i32,
                service_type: i.service_type.clone(),
                per_year: i.per_year,
                min_age: i.min_age,
                conditions_any: i.conditions_any.clone(),
            })
            .collect()
    }

    /// Does this item apply to the resident on `on` (its own age and condition limits)?
    pub fn applies(&self, person: &Person, groups: &[String], on: chrono::NaiveDate) -> bool {
        Eligibility {
            min_age: self.min_age,
            conditions_any: self.conditions_any.clone(),
        }
        .admits(person, groups, on)
    }
}

/// What an admin may change on a package.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PackageChanges {
    /// 1 to 200 characters (not blank).
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    /// 0 to 100000 yuan (kept to the fen).
    #[schema(minimum = 0, maximum = 100000)]
    pub price_yuan: Option<f64>,
    pub eligibility: Option<Eligibility>,
    /// Replaces the list: 1 to 20 items.
    #[schema(min_items = 1, max_items = 20)]
    pub items: Option<Vec<Item>>,
    /// false: no new contract may name it (existing ones keep it).
    pub active: Option<bool>,
}

impl PackageChanges {
    /// Field rules; `groups` are the known condition groups, `services` the catalogue's codes.
    pub fn check(&self, groups: &[String], services: &[String]) -> Vec<FieldError> {
        let mut errors = vec![];
        let mut bad = |field: &str, message: &str| {
            errors.push(FieldError {
                field: field.into(),
                message: message.into(),
            })
        };
        if let Some(n) = &self.name {
            let len = n.trim().chars().count();
            if len == 0 || len > 200 {
                bad("name", "must be 1 to 200 characters");
            }
        }
        if let Some(p) = self.price_yuan {
            if !(0.0..=100_000.0).contains(&p) {
                bad("price_yuan", "must be 0 to 100000 yuan");
            }
        }
        let known = |list: &[String]| list.iter().all(|c| groups.contains(c));
        if let Some(e) = &self.eligibility {
            if !known(&e.conditions_any) || e.conditions_any.len() > 10 {
                bad(
                    "eligibility.conditions_any",
                    "must name known condition groups",
                );
            }
            if e.min_age.is_some_and(|a| a > 120) {
                bad("eligibility.min_age", "must be 0 to 120");
            }
        }
        if let Some(items) = &self.items {
            if items.is_empty() || items.len() > 20 {
                bad("items", "must be 1 to 20 items");
            }
            for (i, item) in items.iter().enumerate() {
                if !services.contains(&item.service_type) {
                    bad(
                        &format!("items[{i}].service_type"),
                        "is not a service type of the catalogue",
                    );
                }
                if !(1..=52).contains(&item.per_year) {
                    bad(&format!("items[{i}].per_year"), "must be 1 to 52");
                }
                if !known(&item.conditions_any) || item.min_age.is_some_and(|a| a > 120) {
                    bad(
                        &format!("items[{i}]"),
                        "must name known condition groups and an age of 0 to 120",
                    );
                }
            }
        }
        errors
    }
}
