//! The admission assessment (入院评估) and the dependency level its Barthel ADL score gives, by the
//! bands of config/seed/home_sickbed.json (ADR 0013).
use serde::{Deserialize, Serialize};

/// A risk found at admission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Risk {
    Falls,
    PressureUlcer,
    Aspiration,
    Infection,
    Malnutrition,
    Wandering,
    Other,
}

/// The admission assessment (入院评估) besides the diagnosis.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Admission {
    /// The Barthel index of activities of daily living, 0 to 100 in steps of 5.
    #[schema(minimum = 0, maximum = 100, multiple_of = 5, example = 45)]
    pub adl_score: i32,
    /// Risks found at admission (each at most once).
    #[serde(default)]
    pub risks: Vec<Risk>,
    /// At most 1,000 characters.
    #[schema(max_length = 1000)]
    pub note: Option<String>,
}

/// The admission as the API shows it: with the dependency level its ADL score gives.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AdmissionView {
    pub adl_score: i32,
    /// By the Barthel index in the bands of config/seed/home_sickbed.json (ADR 0013, after
    /// WS/T 431-2013): `none` (100), `mild` (61-99), `moderate` (41-60), `severe` (40 or less).
    pub dependency: Dependency,
    pub risks: Vec<Risk>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Dependency {
    None,
    Mild,
    Moderate,
    Severe,
}

const BANDS: &str = include_str!("../../../config/seed/home_sickbed.json");

#[derive(Debug, Deserialize)]
struct BandFile {
    barthel_bands: Vec<Band>,
}

/// A dependency level and the lowest ADL score in it.
#[derive(Debug, Clone, Deserialize)]
pub struct Band {
    pub min: i32,
    pub dependency: Dependency,
    pub name: String,
}

/// The Barthel bands of config/seed/home_sickbed.json (built in), highest first; a file whose
/// bands do not cover 0-100 from the top down is refused.
pub fn parse_bands(text: &str) -> Result<Vec<Band>, String> {
    let file: BandFile = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let bands = file.barthel_bands;
    let descending = bands.windows(2).all(|w| w[0].min > w[1].min);
    if bands.is_empty() || !descending || bands.last().map(|b| b.min) != Some(0) {
        return Err("barthel_bands must run from the highest minimum down to 0".into());
    }
    Ok(bands)
}

fn bands() -> &'static [Band] {
    static B: std::sync::OnceLock<Vec<Band>> = std::sync::OnceLock::new();
    // Its unit test proves the shipped file parses.
    B.get_or_init(|| parse_bands(BANDS).unwrap_or_default())
}

/// The dependency level of a Barthel ADL score (ADR 0013: the WS/T 431-2013 bands, as data).
pub fn dependency(adl_score: i32) -> Dependency {
    bands()
        .iter()
        .find(|b| adl_score >= b.min)
        .map_or(Dependency::Severe, |b| b.dependency)
}

impl Admission {
    pub fn view(&self) -> AdmissionView {
        AdmissionView {
            adl_score: self.adl_score,
            dependency: dependency(self.adl_score),
            risks: self.risks.clone(),
            note: self.note.clone(),
        }
    }
}
