//! The assessment standard as data (config/seed/ltc_assessment.json, ADR 0012), and the checks
//! that make a file fit to score with: every total falls in exactly one band, every grid cell
//! holds a grade, and a worse level never gives a better grade. Pure.
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::sync::OnceLock;

const EMBEDDED: &str = include_str!("../../../config/seed/ltc_assessment.json");

/// Which standard, and which version of our reading of it, an assessment was scored under.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StandardId {
    #[schema(example = "cn_nhsa_ltc_2021")]
    pub code: String,
    /// Raised whenever the data file changes, so old assessments keep the version they were scored under.
    pub version: i32,
    pub title_zh: String,
    pub title_en: String,
    #[schema(example = "医保办发〔2021〕37号")]
    pub document_no: String,
    pub issued_on: chrono::NaiveDate,
}

/// One answer an assessor may give to an item, and the points it scores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemOption {
    pub points: i32,
    pub zh: String,
    pub en: String,
}

/// A second-level indicator (二级指标): one question of the form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// Unique across the whole standard: the key of `scores`.
    #[schema(example = "feeding")]
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub options: Vec<ItemOption>,
}

/// A level of a first-level indicator: totals from `min` to `max` (both included).
/// Level 0 is intact; a higher level is worse.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Band {
    pub level: u8,
    pub name_zh: String,
    pub name_en: String,
    pub min: i32,
    pub max: i32,
}

/// A first-level indicator (一级指标): its items are summed and the total put in a band.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    #[schema(example = "adl")]
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub items: Vec<Item>,
    pub levels: Vec<Band>,
}

/// The grid (组合法): `cells[row level][column level]` is the grade, where the row is the level
/// of `rows` and the column the worst level among `columns_worst_of`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Combination {
    pub rows: String,
    pub columns_worst_of: Vec<String>,
    pub cells: Vec<Vec<u8>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GradeName {
    pub grade: u8,
    pub name_zh: String,
    pub name_en: String,
}

/// The whole standard. Only [`Standard::parse`] makes one and its parts are read-only, so
/// scoring may rely on the checks (every total has a band, every cell a grade).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Standard {
    standard: StandardId,
    indicators: Vec<Indicator>,
    combination: Combination,
    grades: Vec<GradeName>,
}

impl Item {
    /// The points this item allows, best first.
    pub fn points(&self) -> Vec<i32> {
        let mut p: Vec<i32> = self.options.iter().map(|o| o.points).collect();
        p.sort_unstable_by(|a, b| b.cmp(a));
        p
    }
}

impl Indicator {
    /// The lowest and highest total the items can add up to.
    pub fn range(&self) -> (i32, i32) {
        self.items.iter().fold((0, 0), |(lo, hi), i| {
            let p = i.points();
            (
                lo + p.last().copied().unwrap_or(0),
                hi + p.first().copied().unwrap_or(0),
            )
        })
    }

    /// The band a total falls in (every total of the range falls in exactly one, once parsed).
    pub fn band(&self, total: i32) -> Option<&Band> {
        self.levels
            .iter()
            .find(|b| b.min <= total && total <= b.max)
    }
}

impl Standard {
    /// The standard built into the binary (config/seed/ltc_assessment.json), parsed and checked
    /// once; its unit test proves the shipped file passes, so the error is for a hand-edited build.
    pub fn embedded() -> Result<&'static Standard, &'static str> {
        static STD: OnceLock<Result<Standard, String>> = OnceLock::new();
        STD.get_or_init(|| Standard::parse(EMBEDDED))
            .as_ref()
            .map_err(|e| e.as_str())
    }

    /// Reads a standard and refuses one that could not grade every possible answer.
    pub fn parse(text: &str) -> Result<Standard, String> {
        #[derive(Deserialize)]
        struct File {
            #[serde(rename = "_source")]
            _source: Option<String>,
            #[serde(rename = "_note")]
            _note: Option<String>,
            standard: StandardId,
            indicators: Vec<Indicator>,
            combination: Combination,
            grades: Vec<GradeName>,
        }
        let f: File = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let s = Standard {
            standard: f.standard,
            indicators: f.indicators,
            combination: f.combination,
            grades: f.grades,
        };
        s.check()?;
        Ok(s)
    }

    pub fn id(&self) -> &StandardId {
        &self.standard
    }

    pub fn indicators(&self) -> &[Indicator] {
        &self.indicators
    }

    pub fn combination(&self) -> &Combination {
        &self.combination
    }

    pub fn grades(&self) -> &[GradeName] {
        &self.grades
    }

    pub fn indicator(&self, code: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.code == code)
    }

    pub fn grade_name(&self, grade: u8) -> Option<&GradeName> {
        self.grades.iter().find(|g| g.grade == grade)
    }

    fn check(&self) -> Result<(), String> {
        if self.standard.version < 1 {
            return Err("standard.version must be 1 or more".into());
        }
        let mut indicator_codes = BTreeSet::new();
        let mut item_codes = BTreeSet::new();
        for ind in &self.indicators {
            if !indicator_codes.insert(ind.code.as_str()) {
                return Err(format!("indicator {} appears twice", ind.code));
            }
            if ind.items.is_empty() {
                return Err(format!("indicator {} has no items", ind.code));
            }
            for item in &ind.items {
                if !item_codes.insert(item.code.as_str()) {
                    return Err(format!("item {} appears twice", item.code));
                }
                check_item(item)?;
            }
            check_bands(ind)?;
        }
        if self.grades.is_empty() {
            return Err("no grades".into());
        }
        for (i, g) in self.grades.iter().enumerate() {
            if usize::from(g.grade) != i {
                return Err(format!(
                    "grades must be 0, 1, 2... in order; found {}",
                    g.grade
                ));
            }
        }
        self.check_grid()
    }

    fn check_grid(&self) -> Result<(), String> {
        let c = &self.combination;
        let rows = self
            .indicator(&c.rows)
            .ok_or_else(|| format!("combination.rows: no indicator {}", c.rows))?;
        if c.columns_worst_of.is_empty() {
            return Err("combination.columns_worst_of is empty".into());
        }
        let mut columns = 0;
        for code in &c.columns_worst_of {
            let ind = self
                .indicator(code)
                .ok_or_else(|| format!("combination.columns_worst_of: no indicator {code}"))?;
            if columns != 0 && ind.levels.len() != columns {
                return Err("combination: the column indicators must have as many levels".into());
            }
            columns = ind.levels.len();
        }
        if c.cells.len() != rows.levels.len() {
            return Err(format!(
                "combination: {} rows of cells for {} levels of {}",
                c.cells.len(),
                rows.levels.len(),
                rows.code
            ));
        }
        for (r, row) in c.cells.iter().enumerate() {
            if row.len() != columns {
                return Err(format!(
                    "combination: row {r} has {} cells, not {columns}",
                    row.len()
                ));
            }
            for (col, &grade) in row.iter().enumerate() {
                if self.grade_name(grade).is_none() {
                    return Err(format!(
                        "combination: cell [{r}][{col}] is no grade: {grade}"
                    ));
                }
                // A worse level (right or down) must never give a better grade.
                let left = col.checked_sub(1).map(|l| row[l]);
                let above = r.checked_sub(1).map(|u| c.cells[u][col]);
                if left.is_some_and(|g| g > grade) || above.is_some_and(|g| g > grade) {
                    return Err(format!(
                        "combination: cell [{r}][{col}] grades a worse level better"
                    ));
                }
            }
        }
        Ok(())
    }
}

fn check_item(item: &Item) -> Result<(), String> {
    if item.options.is_empty() {
        return Err(format!("item {} has no options", item.code));
    }
    let mut seen = BTreeSet::new();
    for o in &item.options {
        if o.points < 0 {
            return Err(format!("item {}: negative points {}", item.code, o.points));
        }
        if !seen.insert(o.points) {
            return Err(format!(
                "item {}: two options score {}",
                item.code, o.points
            ));
        }
    }
    Ok(())
}

/// Every total the items can add up to falls in exactly one band (the daily-living bands skip
/// totals that no form gives, such as 41 to 44), no band reaches outside the range, and the
/// level gets better as the total rises.
fn check_bands(ind: &Indicator) -> Result<(), String> {
    let mut levels: Vec<u8> = ind.levels.iter().map(|b| b.level).collect();
    levels.sort_unstable();
    if levels.iter().enumerate().any(|(i, &l)| usize::from(l) != i) {
        return Err(format!(
            "indicator {}: levels must be 0, 1, 2... once each",
            ind.code
        ));
    }
    let (lo, hi) = ind.range();
    let mut bands: Vec<&Band> = ind.levels.iter().collect();
    bands.sort_by_key(|b| b.min);
    for (i, b) in bands.iter().enumerate() {
        if b.min > b.max || b.min < lo || b.max > hi {
            return Err(format!(
                "indicator {}: band {} ({}-{}) is not within {lo}-{hi}",
                ind.code, b.name_en, b.min, b.max
            ));
        }
        if let Some(next) = bands.get(i + 1) {
            if next.min <= b.max {
                return Err(format!(
                    "indicator {}: bands {} and {} overlap",
                    ind.code, b.name_en, next.name_en
                ));
            }
            if next.level >= b.level {
                return Err(format!(
                    "indicator {}: a higher total must give a better level",
                    ind.code
                ));
            }
        }
    }
    if let Some(t) = totals(ind).into_iter().find(|&t| ind.band(t).is_none()) {
        return Err(format!(
            "indicator {}: a total of {t} falls in no band",
            ind.code
        ));
    }
    Ok(())
}

/// Every total a form can give the indicator.
pub(super) fn totals(ind: &Indicator) -> BTreeSet<i32> {
    ind.items.iter().fold(BTreeSet::from([0]), |sums, item| {
        sums.iter()
            .flat_map(|s| item.options.iter().map(move |o| s + o.points))
            .collect()
    })
}
