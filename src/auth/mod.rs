//! Who is calling: passwords, tokens and sessions, the CurrentUser extractor, roles and the access policy.
pub mod extract;
pub mod handlers;
pub mod password;
pub mod policy;
pub mod repo;
pub mod throttle;
pub mod tokens;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// District health authority: sees all.
    Admin,
    /// Clinic staff who book visits.
    Scheduler,
    /// Doctor or nurse who makes visits.
    Clinician,
    /// Care-home staff.
    CareHome,
    /// Hospital referral desk.
    Hospital,
    /// An elder or family member using the mobile app.
    Resident,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Admin,
        Role::Scheduler,
        Role::Clinician,
        Role::CareHome,
        Role::Hospital,
        Role::Resident,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Scheduler => "scheduler",
            Role::Clinician => "clinician",
            Role::CareHome => "care_home",
            Role::Hospital => "hospital",
            Role::Resident => "resident",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The kind of organisation a user of this role belongs to (None: no organisation needed).
    pub fn organization_kind(self) -> Option<crate::network::model::OrgKind> {
        use crate::network::model::OrgKind;
        match self {
            Role::Admin | Role::Resident => None,
            Role::Scheduler | Role::Clinician => Some(OrgKind::Clinic),
            Role::CareHome => Some(OrgKind::CareHome),
            Role::Hospital => Some(OrgKind::Hospital),
        }
    }
}

/// The authenticated caller of a request, as the database knows them right now.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: String,
    pub username: String,
    pub role: Role,
    pub organization_id: Option<String>,
    /// The community the caller's organisation stands in (a clinic's service area).
    pub community_id: Option<String>,
    /// For the resident role: the resident record this login belongs to.
    pub resident_id: Option<String>,
    pub session_id: String,
    pub request_id: String,
}

impl CurrentUser {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}
