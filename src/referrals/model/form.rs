//! The national referral form (转诊单): direction, diagnosis (ICD-10), follow-up, the sending
//! doctor, the patient block, and the form's field rules.
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::machine::Priority;
use crate::domain_error::{DomainError, FieldError};
use crate::network::model::OrgKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Up,
    Down,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Up => "up",
            Direction::Down => "down",
        }
    }
}

/// Up: a clinic or care home to a hospital. Down: a hospital to a clinic or care home.
pub fn check_direction(
    direction: Direction,
    from: OrgKind,
    to: OrgKind,
) -> Result<(), DomainError> {
    let grassroots = |k: OrgKind| matches!(k, OrgKind::Clinic | OrgKind::CareHome);
    match direction {
        Direction::Up if !grassroots(from) => Err(DomainError::forbidden(
            "Only clinics and care homes refer up.",
        )),
        Direction::Up if to != OrgKind::Hospital => Err(DomainError::invalid(
            "to_organization_id",
            "an up-referral goes to a district hospital",
        )),
        Direction::Down if from != OrgKind::Hospital => {
            Err(DomainError::forbidden("Only hospitals refer down."))
        }
        Direction::Down if !grassroots(to) => Err(DomainError::invalid(
            "to_organization_id",
            "a down-referral goes to a clinic or care home",
        )),
        _ => Ok(()),
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Diagnosis {
    /// ICD-10 code, e.g. `I63.9`.
    #[schema(
        pattern = "^[A-Z][0-9][0-9A-Z](\\.[A-Za-z0-9]{1,4})?$",
        example = "I63.9"
    )]
    pub code: Option<String>,
    /// 1 to 500 characters (not blank).
    #[schema(min_length = 1, max_length = 500)]
    pub text: String,
}

impl Diagnosis {
    pub fn check(&self, field: &str, errors: &mut Vec<FieldError>) {
        let t = self.text.trim().chars().count();
        if t == 0 || t > 500 {
            errors.push(FieldError {
                field: format!("{field}.text"),
                message: "must be 1 to 500 characters".into(),
            });
        }
        if let Some(code) = &self.code {
            if !is_icd10(code) {
                errors.push(FieldError {
                    field: format!("{field}.code"),
                    message: "is not an ICD-10 code (e.g. I63.9)".into(),
                });
            }
        }
    }
}

/// ICD-10 shape: a letter, two digits, optionally a dot and 1-4 more characters.
pub fn is_icd10(code: &str) -> bool {
    let b = code.as_bytes();
    if b.len() < 3
        || !b[0].is_ascii_uppercase()
        || !b[1].is_ascii_digit()
        || !(b[2].is_ascii_digit() || b[2].is_ascii_uppercase())
    {
        return false;
    }
    match &b[3..] {
        [] => true,
        [b'.', rest @ ..] => {
            (1..=4).contains(&rest.len()) && rest.iter().all(|c| c.is_ascii_alphanumeric())
        }
        _ => false,
    }
}

/// Follow-up at home that a down-referral asks for.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUp {
    /// A service type `code` of the catalogue.
    pub service_type: String,
    /// 1 to 7.
    #[schema(minimum = 1, maximum = 7)]
    pub visits_per_week: u32,
    /// 1 to 12, and at most 100 visits in all.
    #[schema(minimum = 1, maximum = 12)]
    pub weeks: u32,
    /// Open a home sickbed (家庭病床) on acceptance instead of a plan of visits: its nursing is
    /// `service_type` `visits_per_week` times a week, with the district's rounds
    /// (`episodes.referral_rounds_per_week`), for `weeks` weeks (at most `episodes.max_days`).
    #[serde(default)]
    pub home_sickbed: bool,
}

/// Does a stored follow-up (JSON) ask for a home sickbed?
pub fn asks_for_sickbed(follow_up: Option<&str>) -> bool {
    follow_up
        .and_then(|f| serde_json::from_str::<FollowUp>(f).ok())
        .is_some_and(|f| f.home_sickbed)
}

impl FollowUp {
    pub fn check(&self, errors: &mut Vec<FieldError>) {
        if !(1..=7).contains(&self.visits_per_week) {
            errors.push(FieldError {
                field: "follow_up.visits_per_week".into(),
                message: "must be 1 to 7".into(),
            });
        }
        if !(1..=12).contains(&self.weeks) || self.visits_per_week * self.weeks > 100 {
            errors.push(FieldError {
                field: "follow_up.weeks".into(),
                message: "must be 1 to 12 (at most 100 visits)".into(),
            });
        }
    }

    /// Spread the weekly visits over the week (ISO weekdays).
    pub fn weekdays(&self) -> Vec<u32> {
        match self.visits_per_week {
            1 => vec![2],
            2 => vec![2, 5],
            3 => vec![1, 3, 5],
            4 => vec![1, 2, 4, 5],
            5 => vec![1, 2, 3, 4, 5],
            6 => vec![1, 2, 3, 4, 5, 6],
            _ => vec![1, 2, 3, 4, 5, 6, 7],
        }
    }
}

/// The sending doctor of the form (defaults to the caller).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Doctor {
    pub name: String,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReferral {
    /// The resident referred (one the caller may see).
    pub resident_id: String,
    pub direction: Direction,
    /// Up: a district hospital. Down: a clinic or care home.
    pub to_organization_id: String,
    /// The receiving department: at most 100 characters.
    #[schema(max_length = 100)]
    pub department: Option<String>,
    #[serde(default)]
    pub priority: Priority,
    /// Main current history and reason for transfer (主要现病史/转出原因): 1 to 4000 characters.
    #[schema(min_length = 1, max_length = 4000)]
    pub reason: String,
    /// Preliminary impression (初步印象), or for a down-referral the diagnosis.
    pub diagnosis: Diagnosis,
    /// The rest of the form as a JSON object of at most 64 KiB. Up: `past_history` and
    /// `treatment_so_far` are required (non-blank text). Down: `treatment_given` and
    /// `rehabilitation_advice` are required.
    #[schema(value_type = ClinicalSummary)]
    pub clinical_summary: Value,
    pub sending_doctor: Option<Doctor>,
    pub receiving_doctor: Option<String>,
    /// A down-referral names the up-referral it answers.
    pub parent_referral_id: Option<String>,
    /// A down-referral may ask for home visits after discharge.
    pub follow_up: Option<FollowUp>,
}

/// The clinical summary of a referral form as the document states it (a schema only: the code keeps
/// it as JSON): any members, of which these four, when present, are non-blank text; which two are
/// required depends on the direction, which JSON Schema cannot say here.
pub struct ClinicalSummary;

impl utoipa::PartialSchema for ClinicalSummary {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        let text = |description: &str| {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .max_length(Some(10_000)) // the longest text of any field (http::json)
                .description(Some(description))
        };
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .property("past_history", text("既往史: required for an up-referral."))
            .property("treatment_so_far", text("治疗经过: required for an up-referral."))
            .property("treatment_given", text("治疗经过 in hospital: required for a down-referral."))
            .property(
                "rehabilitation_advice",
                text("康复建议: required for a down-referral."),
            )
            .examples([serde_json::json!({"past_history": "高血压 10 年", "treatment_so_far": "氨氯地平 5 mg qd"})])
            .into()
    }
}
impl utoipa::ToSchema for ClinicalSummary {}

fn text(v: &Value, key: &str) -> bool {
    v.get(key)
        .and_then(Value::as_str)
        .is_some_and(|s| !s.trim().is_empty())
}

impl NewReferral {
    pub fn validate(&self) -> Result<(), DomainError> {
        let mut errors = vec![];
        let reason = self.reason.trim().chars().count();
        if reason == 0 || reason > 4000 {
            errors.push(FieldError {
                field: "reason".into(),
                message: "must be 1 to 4000 characters".into(),
            });
        }
        self.diagnosis.check("diagnosis", &mut errors);
        if !self.clinical_summary.is_object() || self.clinical_summary.to_string().len() > 64 * 1024
        {
            errors.push(FieldError {
                field: "clinical_summary".into(),
                message: "must be an object of at most 64 KiB".into(),
            });
        }
        let (required, message): (&[&str], _) = match self.direction {
            Direction::Up => (
                &["past_history", "treatment_so_far"],
                "is required for an up-referral",
            ),
            Direction::Down => (
                &["treatment_given", "rehabilitation_advice"],
                "is required for a down-referral",
            ),
        };
        for key in required {
            if !text(&self.clinical_summary, key) {
                errors.push(FieldError {
                    field: format!("clinical_summary.{key}"),
                    message: message.into(),
                });
            }
        }
        if let Some(f) = &self.follow_up {
            if self.direction == Direction::Up {
                errors.push(FieldError {
                    field: "follow_up".into(),
                    message: "only a down-referral asks for follow-up".into(),
                });
            }
            f.check(&mut errors);
        }
        if self
            .department
            .as_ref()
            .is_some_and(|d| d.chars().count() > 100)
        {
            errors.push(FieldError {
                field: "department".into(),
                message: "must be at most 100 characters".into(),
            });
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Invalid(errors))
        }
    }
}

/// The patient block of the form, copied from the resident when the referral is made.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Patient {
    pub name: String,
    pub sex: String,
    pub age: u32,
    pub record_number: String,
    pub address: String,
    pub phone: String,
    /// Masked national ID number.
    pub id_number: Option<String>,
}

/// Age in whole years on `on`.
pub fn age(birth: chrono::NaiveDate, on: chrono::NaiveDate) -> u32 {
    on.years_since(birth).unwrap_or(0)
}
