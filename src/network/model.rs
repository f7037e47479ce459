//! Organisations as the API shows them, and the rules for creating and changing them.
use serde::{Deserialize, Serialize};

use crate::domain_error::{DomainError, FieldError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    Authority,
    Community,
    Clinic,
    CareHome,
    Hospital,
}

impl OrgKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OrgKind::Authority => "authority",
            OrgKind::Community => "community",
            OrgKind::Clinic => "clinic",
            OrgKind::CareHome => "care_home",
            OrgKind::Hospital => "hospital",
        }
    }

    pub fn parse(s: &str) -> Option<OrgKind> {
        [
            OrgKind::Authority,
            OrgKind::Community,
            OrgKind::Clinic,
            OrgKind::CareHome,
            OrgKind::Hospital,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }

    /// Clinics and care homes stand in a community; the others may.
    pub fn needs_community(self) -> bool {
        matches!(self, OrgKind::Clinic | OrgKind::CareHome)
    }
}

/// A point in the district (WGS 84).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Location {
    /// Latitude, degrees (-90 to 90).
    #[schema(minimum = -90.0, maximum = 90.0, example = 25.0419)]
    pub lat: f64,
    /// Longitude, degrees (-180 to 180).
    #[schema(minimum = -180.0, maximum = 180.0, example = 102.7052)]
    pub lon: f64,
}

impl Location {
    pub fn check(&self, field: &str, errors: &mut Vec<FieldError>) {
        if !(self.lat.is_finite() && (-90.0..=90.0).contains(&self.lat)) {
            errors.push(FieldError {
                field: format!("{field}.lat"),
                message: "must be between -90 and 90".into(),
            });
        }
        if !(self.lon.is_finite() && (-180.0..=180.0).contains(&self.lon)) {
            errors.push(FieldError {
                field: format!("{field}.lon"),
                message: "must be between -180 and 180".into(),
            });
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Organization {
    pub id: String,
    pub code: String,
    pub name: String,
    pub kind: OrgKind,
    pub community_id: Option<String>,
    pub address: String,
    pub location: Location,
    pub contracted_clinic_id: Option<String>,
    pub pilot: bool,
    pub active: bool,
    pub version: i64,
    pub created_at: crate::time::Time,
    pub updated_at: crate::time::Time,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrganization {
    /// Stable human code, e.g. `WH-CL-07` (2 to 32 of A-Z, 0-9 and '-').
    #[schema(pattern = "^[A-Z0-9-]{2,32}$", min_length = 2, max_length = 32)]
    pub code: String,
    /// 1 to 200 characters (not blank).
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    pub kind: OrgKind,
    /// The community it stands in: required for a clinic or care home, none for a community.
    pub community_id: Option<String>,
    /// At most 500 characters.
    #[serde(default)]
    #[schema(max_length = 500)]
    pub address: String,
    pub location: Location,
    pub contracted_clinic_id: Option<String>,
    #[serde(default)]
    pub pilot: bool,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationChanges {
    /// 1 to 200 characters (not blank).
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    pub address: Option<String>,
    pub location: Option<Location>,
    pub contracted_clinic_id: Option<String>,
    pub pilot: Option<bool>,
    pub active: Option<bool>,
}

pub fn check_name(field: &str, name: &str, errors: &mut Vec<FieldError>) {
    let n = name.trim().chars().count();
    if n == 0 || n > 200 {
        errors.push(FieldError {
            field: field.into(),
            message: "must be 1 to 200 characters".into(),
        });
    }
}

impl NewOrganization {
    /// Field rules that need no database; references are checked by the repo.
    pub fn validate(&self) -> Result<(), DomainError> {
        let mut errors = vec![];
        let code_ok = (2..=32).contains(&self.code.len())
            && self
                .code
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-');
        if !code_ok {
            errors.push(FieldError {
                field: "code".into(),
                message: "must be 2 to 32 of A-Z, 0-9 and '-'".into(),
            });
        }
        check_name("name", &self.name, &mut errors);
        if self.address.chars().count() > 500 {
            errors.push(FieldError {
                field: "address".into(),
                message: "must be at most 500 characters".into(),
            });
        }
        self.location.check("location", &mut errors);
        if self.kind.needs_community() && self.community_id.is_none() {
            errors.push(FieldError {
                field: "community_id".into(),
                message: "is required for this kind".into(),
            });
        }
        if self.kind == OrgKind::Community && self.community_id.is_some() {
            errors.push(FieldError {
                field: "community_id".into(),
                message: "a community stands in no community".into(),
            });
        }
        if self.kind != OrgKind::CareHome && self.contracted_clinic_id.is_some() {
            errors.push(FieldError {
                field: "contracted_clinic_id".into(),
                message: "only care homes sign with a clinic".into(),
            });
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Invalid(errors))
        }
    }
}

impl OrganizationChanges {
    pub fn validate(&self, kind: OrgKind) -> Result<(), DomainError> {
        let mut errors = vec![];
        if let Some(name) = &self.name {
            check_name("name", name, &mut errors);
        }
        if let Some(loc) = &self.location {
            loc.check("location", &mut errors);
        }
        if kind != OrgKind::CareHome && self.contracted_clinic_id.is_some() {
            errors.push(FieldError {
                field: "contracted_clinic_id".into(),
                message: "only care homes sign with a clinic".into(),
            });
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Invalid(errors))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clinic() -> NewOrganization {
        NewOrganization {
            code: "WH-CL-99".into(),
            name: "测试社区卫生服务站".into(),
            kind: OrgKind::Clinic,
            community_id: Some("c".into()),
            address: String::new(),
            location: Location {
                lat: 25.05,
                lon: 102.7,
            },
            contracted_clinic_id: None,
            pilot: true,
            active: true,
        }
    }

    #[test]
    fn a_clinic_must_stand_in_a_community() {
        let mut org = clinic();
        assert!(org.validate().is_ok());
        org.community_id = None;
        let err = org.validate().unwrap_err();
        assert_eq!(err.fields()[0].field, "community_id");
    }

    #[test]
    fn codes_are_upper_case_words_and_locations_are_on_earth() {
        let mut org = clinic();
        org.code = "wh cl".into();
        org.location.lat = 91.0;
        let fields: Vec<_> = org
            .validate()
            .unwrap_err()
            .fields()
            .iter()
            .map(|e| e.field.clone())
            .collect();
        assert_eq!(fields, vec!["code", "location.lat"]);
    }
}
