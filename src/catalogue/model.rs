//! A service type of the catalogue.
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Prevention,
    HealthCare,
    Treatment,
    Rehabilitation,
    Nursing,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Prevention => "prevention",
            Category::HealthCare => "health_care",
            Category::Treatment => "treatment",
            Category::Rehabilitation => "rehabilitation",
            Category::Nursing => "nursing",
        }
    }

    pub fn parse(s: &str) -> Option<Category> {
        [
            Category::Prevention,
            Category::HealthCare,
            Category::Treatment,
            Category::Rehabilitation,
            Category::Nursing,
        ]
        .into_iter()
        .find(|c| c.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ServiceType {
    pub code: String,
    pub name: String,
    pub category: Category,
    pub duration_minutes: i32,
    pub required_skill: String,
}
