//! Staff and residents as the API shows them, and their field rules (pure).
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::auth::Role;
use crate::domain_error::{DomainError, FieldError};
use crate::network::model::{check_name, Location};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Staff {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub organization_id: Option<String>,
    pub resident_id: Option<String>,
    pub skills: Vec<String>,
    pub active: bool,
    pub version: i64,
    pub created_at: crate::time::Time,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewStaff {
    /// 3 to 64 of a-z, 0-9, '.', '-' and '_'; unique.
    #[schema(pattern = "^[a-z0-9._-]{3,64}$", min_length = 3, max_length = 64)]
    pub username: String,
    /// 1 to 200 characters (not blank).
    #[schema(min_length = 1, max_length = 200)]
    pub display_name: String,
    pub role: Role,
    /// Required for schedulers and clinicians (a clinic), care-home staff (a care home) and
    /// hospital desks (a hospital); none for a resident login.
    pub organization_id: Option<String>,
    /// Up to 20 snake_case words of 2 to 40 letters, e.g. `nursing`, `wound_care`.
    #[serde(default)]
    #[schema(max_items = 20, value_type = Vec<super::items::SkillName>)]
    pub skills: Vec<String>,
    /// At least `auth.min_password_length` characters (default 10), at most 1024 bytes. Never
    /// stored or shown in clear.
    #[schema(min_length = 10, max_length = 1024)]
    pub password: String,
    /// For a `resident` login: the resident record it belongs to.
    pub resident_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffChanges {
    /// 1 to 200 characters (not blank).
    #[schema(min_length = 1, max_length = 200)]
    pub display_name: Option<String>,
    /// Up to 20 snake_case words of 2 to 40 letters; replaces the list.
    #[schema(max_items = 20, value_type = Option<Vec<super::items::SkillName>>)]
    pub skills: Option<Vec<String>>,
    /// false disables the login (its sessions stop working at once).
    pub active: Option<bool>,
    /// At least `auth.min_password_length` characters (default 10), at most 1024 bytes.
    #[schema(min_length = 10, max_length = 1024)]
    pub password: Option<String>,
}

fn check_skills(skills: &[String], errors: &mut Vec<FieldError>) {
    let ok = skills.len() <= 20
        && skills.iter().all(|s| {
            (2..=40).contains(&s.len()) && s.chars().all(|c| c.is_ascii_lowercase() || c == '_')
        });
    if !ok {
        errors.push(FieldError {
            field: "skills".into(),
            message: "must be up to 20 snake_case words".into(),
        });
    }
}

fn check_password(password: &str, min_len: usize, errors: &mut Vec<FieldError>) {
    if let Err(message) = crate::auth::password::check_strength(password, min_len) {
        errors.push(FieldError {
            field: "password".into(),
            message,
        });
    }
}

impl NewStaff {
    pub fn validate(&self, min_password: usize) -> Result<(), DomainError> {
        let mut errors = vec![];
        let username_ok = (3..=64).contains(&self.username.len())
            && self
                .username
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-_".contains(c));
        if !username_ok {
            errors.push(FieldError {
                field: "username".into(),
                message: "must be 3 to 64 of a-z, 0-9, '.', '-' and '_'".into(),
            });
        }
        check_name("display_name", &self.display_name, &mut errors);
        check_skills(&self.skills, &mut errors);
        check_password(&self.password, min_password, &mut errors);
        if self.role.organization_kind().is_some() && self.organization_id.is_none() {
            errors.push(FieldError {
                field: "organization_id".into(),
                message: "is required for this role".into(),
            });
        }
        if self.role == Role::Resident && self.resident_id.is_none() {
            errors.push(FieldError {
                field: "resident_id".into(),
                message: "is required for a resident login".into(),
            });
        }
        if self.role != Role::Resident && self.resident_id.is_some() {
            errors.push(FieldError {
                field: "resident_id".into(),
                message: "only a resident login has one".into(),
            });
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Invalid(errors))
        }
    }
}

impl StaffChanges {
    pub fn validate(&self, min_password: usize) -> Result<(), DomainError> {
        let mut errors = vec![];
        if let Some(n) = &self.display_name {
            check_name("display_name", n, &mut errors);
        }
        if let Some(s) = &self.skills {
            check_skills(s, &mut errors);
        }
        if let Some(p) = &self.password {
            check_password(p, min_password, &mut errors);
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Invalid(errors))
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Male => "male",
            Sex::Female => "female",
        }
    }
}

/// Why a resident comes first in the pool and in auto-assignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PriorityFlag {
    LivingAlone,
    Disabled,
    Dementia,
    Bedridden,
    EmptyNest,
    LowIncome,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Resident {
    pub id: String,
    pub name: String,
    pub sex: Sex,
    pub birth_date: NaiveDate,
    pub phone: String,
    pub address: String,
    pub location: Location,
    pub community_id: String,
    pub care_home_id: Option<String>,
    pub family_doctor_id: Option<String>,
    pub conditions: Vec<String>,
    pub priority_flags: Vec<PriorityFlag>,
    pub consent: bool,
    /// The national ID number, masked (e.g. `530102********1234`); never served in full.
    pub id_number: Option<String>,
    pub version: i64,
    pub created_at: crate::time::Time,
    pub updated_at: crate::time::Time,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewResident {
    /// 1 to 200 characters (not blank).
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    pub sex: Sex,
    /// A date in the past, at most 130 years ago.
    pub birth_date: NaiveDate,
    /// Up to 32 digits, '+', '-' or spaces.
    #[serde(default)]
    #[schema(pattern = "^[0-9+ -]{0,32}$", max_length = 32)]
    pub phone: String,
    /// At most 500 characters.
    #[serde(default)]
    #[schema(max_length = 500)]
    pub address: String,
    /// Where the resident lives (their home, or the care home).
    pub location: Location,
    /// Defaults to the care home's community when `care_home_id` is given.
    pub community_id: Option<String>,
    /// The care home the resident lives in (null: at home). Care-home staff default to their own.
    pub care_home_id: Option<String>,
    /// An active clinician of the serving clinic.
    pub family_doctor_id: Option<String>,
    /// Up to 50 texts of 1 to 200 characters (not blank).
    #[serde(default)]
    #[schema(max_items = 50, value_type = Vec<super::items::ConditionText>)]
    pub conditions: Vec<String>,
    #[serde(default)]
    pub priority_flags: Vec<PriorityFlag>,
    #[serde(default)]
    pub consent: bool,
    /// The 18-character national ID number (GB 11643: 17 digits and a check character, 0-9 or
    /// X); stored, but only ever served masked.
    #[schema(pattern = "^[0-9]{17}[0-9Xx]$", min_length = 18, max_length = 18)]
    pub id_number: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResidentChanges {
    /// 1 to 200 characters (not blank).
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    pub sex: Option<Sex>,
    /// A date in the past, at most 130 years ago.
    pub birth_date: Option<NaiveDate>,
    /// Up to 32 digits, '+', '-' or spaces.
    #[schema(pattern = "^[0-9+ -]{0,32}$", max_length = 32)]
    pub phone: Option<String>,
    /// At most 500 characters.
    #[schema(max_length = 500)]
    pub address: Option<String>,
    pub location: Option<Location>,
    pub community_id: Option<String>,
    pub care_home_id: Option<String>,
    /// An active clinician of the serving clinic.
    pub family_doctor_id: Option<String>,
    /// Up to 50 texts of 1 to 200 characters (not blank); replaces the list.
    #[schema(max_items = 50, value_type = Option<Vec<super::items::ConditionText>>)]
    pub conditions: Option<Vec<String>>,
    pub priority_flags: Option<Vec<PriorityFlag>>,
    pub consent: Option<bool>,
    /// The 18-character national ID number (17 digits and a check character, 0-9 or X).
    #[schema(pattern = "^[0-9]{17}[0-9Xx]$", min_length = 18, max_length = 18)]
    pub id_number: Option<String>,
}

/// The shared field rules of a resident, given its (new) values.
pub struct ResidentFields<'a> {
    pub name: &'a str,
    pub birth_date: NaiveDate,
    pub phone: &'a str,
    pub address: &'a str,
    pub location: Location,
    pub conditions: &'a [String],
    pub id_number: Option<&'a str>,
}

impl ResidentFields<'_> {
    pub fn validate(&self, today: NaiveDate) -> Result<(), DomainError> {
        let mut errors = vec![];
        check_name("name", self.name, &mut errors);
        if self.birth_date > today || self.birth_date < today - chrono::Days::new(130 * 366) {
            errors.push(FieldError {
                field: "birth_date".into(),
                message: "must be a real birth date in the past".into(),
            });
        }
        if self.phone.len() > 32
            || !self
                .phone
                .chars()
                .all(|c| c.is_ascii_digit() || "+- ".contains(c))
        {
            errors.push(FieldError {
                field: "phone".into(),
                message: "must be up to 32 digits, '+', '-' or spaces".into(),
            });
        }
        if self.address.chars().count() > 500 {
            errors.push(FieldError {
                field: "address".into(),
                message: "must be at most 500 characters".into(),
            });
        }
        self.location.check("location", &mut errors);
        if self.conditions.len() > 50
            || self
                .conditions
                .iter()
                .any(|c| c.trim().is_empty() || c.chars().count() > 200)
        {
            errors.push(FieldError {
                field: "conditions".into(),
                message: "must be up to 50 texts of 1 to 200 characters".into(),
            });
        }
        if let Some(n) = self.id_number {
            if !is_valid_id_number(n) {
                errors.push(FieldError {
                    field: "id_number".into(),
                    message: "is not a valid 18-character national ID number".into(),
                });
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Invalid(errors))
        }
    }
}

/// GB 11643-1999: 17 digits and an ISO 7064 MOD 11-2 check character (0-9 or X).
pub fn is_valid_id_number(n: &str) -> bool {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let b = n.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let sum: u32 = b[..17]
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| (d - b'0') as u32 * w)
        .sum();
    b[17].to_ascii_uppercase() == CHECK[(sum % 11) as usize]
}

/// The only form in which an ID number leaves the service: region code and last four.
pub fn mask_id_number(n: &str) -> String {
    let chars: Vec<char> = n.chars().collect();
    if chars.len() < 10 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..6].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 10))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_number_with_a_wrong_check_character_is_refused() {
        assert!(is_valid_id_number("11010519491231002X"));
        assert!(!is_valid_id_number("110105194912310021"));
        assert!(!is_valid_id_number("11010519491231002"));
    }

    #[test]
    fn a_masked_id_number_shows_only_the_region_and_the_last_four() {
        assert_eq!(mask_id_number("11010519491231002X"), "110105********002X");
    }

    #[test]
    fn a_password_under_ten_characters_is_refused() {
        let staff = NewStaff {
            username: "nurse.li".into(),
            display_name: "李护士".into(),
            role: Role::Clinician,
            organization_id: Some("x".into()),
            skills: vec!["nursing".into()],
            password: "short".into(),
            resident_id: None,
        };
        let err = staff.validate(10).unwrap_err();
        assert_eq!(err.fields()[0].field, "password");
    }
}
