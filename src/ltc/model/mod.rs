//! The long-term care disability assessment as the API speaks it: the standard's items and
//! thresholds as data (`standard`), and scoring a form into each indicator's total and level and
//! the grade 0-5. Pure: no diesel, no actix.
pub mod entitlements;
pub mod records;
pub mod standard;
#[cfg(test)]
mod tests;

use serde::Serialize;
use std::collections::BTreeMap;

use crate::domain_error::FieldError;
pub use standard::{
    Band, Combination, GradeName, Indicator, Item, ItemOption, Standard, StandardId,
};

/// One first-level indicator of a scored form.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct IndicatorScore {
    #[schema(example = "adl")]
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// The sum of the item points.
    #[schema(example = 55)]
    pub total: i32,
    /// The highest total possible (100 for daily living, 16 cognition, 12 perception).
    #[schema(example = 100)]
    pub max: i32,
    /// 0 intact (能力完好), 1 mildly, 2 moderately, 3 severely impaired (重度受损).
    #[schema(example = 2)]
    pub level: u8,
    pub level_name_zh: String,
    pub level_name_en: String,
}

/// A scored form: the three indicators and the grade they combine into.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Assessment {
    /// The standard and the version of its data the form was scored under.
    pub standard: StandardId,
    pub indicators: Vec<IndicatorScore>,
    /// 0 basically normal (基本正常) .. 5 severe disability level III (重度失能Ⅲ级).
    #[schema(minimum = 0, maximum = 5, example = 2)]
    pub grade: u8,
    #[schema(example = "中度失能")]
    pub grade_name_zh: String,
    #[schema(example = "Moderate disability")]
    pub grade_name_en: String,
}

impl Assessment {
    pub fn indicator(&self, code: &str) -> Option<&IndicatorScore> {
        self.indicators.iter().find(|i| i.code == code)
    }
}

impl Standard {
    /// Scores a form: `scores` maps every item code to the points given, each one of the item's
    /// allowed values. Every bad field is named at once, as `scores.<item code>`.
    pub fn score(&self, scores: &BTreeMap<String, i32>) -> Result<Assessment, Vec<FieldError>> {
        let mut errors = vec![];
        let known = |code: &str| {
            self.indicators()
                .iter()
                .any(|i| i.items.iter().any(|it| it.code == code))
        };
        for code in scores.keys().filter(|c| !known(c)) {
            errors.push(field(code, "is not an item of the assessment".into()));
        }
        for item in self.indicators().iter().flat_map(|i| &i.items) {
            let allowed = item.points();
            match scores.get(&item.code) {
                None => errors.push(field(
                    &item.code,
                    format!("is required ({}): one of {}", item.name_en, list(&allowed)),
                )),
                Some(p) if !allowed.contains(p) => errors.push(field(
                    &item.code,
                    format!(
                        "must be one of {} ({}), not {p}",
                        list(&allowed),
                        item.name_en
                    ),
                )),
                Some(_) => {}
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }

        let indicators: Vec<IndicatorScore> = self
            .indicators()
            .iter()
            .map(|ind| {
                let total = ind.items.iter().map(|it| scores[&it.code]).sum();
                let band = ind
                    .band(total)
                    .expect("parse checked that every total a form can give has a band");
                IndicatorScore {
                    code: ind.code.clone(),
                    name_zh: ind.name_zh.clone(),
                    name_en: ind.name_en.clone(),
                    total,
                    max: ind.range().1,
                    level: band.level,
                    level_name_zh: band.name_zh.clone(),
                    level_name_en: band.name_en.clone(),
                }
            })
            .collect();
        let level_of = |code: &str| {
            indicators
                .iter()
                .find(|i| i.code == code)
                .map(|i| usize::from(i.level))
                .expect("parse checked that the grid names indicators of the standard")
        };
        let c = self.combination();
        let row = level_of(&c.rows);
        let column = c
            .columns_worst_of
            .iter()
            .map(|code| level_of(code))
            .max()
            .unwrap_or(0);
        let grade = c.cells[row][column];
        let name = self
            .grade_name(grade)
            .expect("parse checked that each cell is a grade");
        Ok(Assessment {
            standard: self.id().clone(),
            indicators,
            grade,
            grade_name_zh: name.name_zh.clone(),
            grade_name_en: name.name_en.clone(),
        })
    }
}

fn field(code: &str, message: String) -> FieldError {
    FieldError {
        field: format!("scores.{code}"),
        message,
    }
}

fn list(points: &[i32]) -> String {
    points
        .iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
