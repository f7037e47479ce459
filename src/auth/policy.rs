//! The access policy, in one place: what each caller may see and change. Every list and lookup
//! filters by these scopes in SQL, so a foreign object is simply not found (404).
use super::{CurrentUser, Role};
use crate::error::AppError;

/// Which residents a caller may see.
#[derive(Debug, Clone, PartialEq)]
pub enum ResidentScope {
    All,
    /// A clinic's area: residents of its community, of the care homes signed with it, and those
    /// referred to or from it.
    Clinic {
        clinic_id: String,
        community_id: String,
    },
    /// A hospital: the residents referred to or from it.
    Referred(String),
    /// A care home's own residents.
    CareHome(String),
    /// Only this resident.
    Only(String),
    /// None at all.
    Nothing,
}

pub fn resident_scope(user: &CurrentUser) -> ResidentScope {
    match (
        user.role,
        &user.organization_id,
        &user.community_id,
        &user.resident_id,
    ) {
        (Role::Admin, ..) => ResidentScope::All,
        (Role::Scheduler | Role::Clinician, Some(clinic), Some(community), _) => {
            ResidentScope::Clinic {
                clinic_id: clinic.clone(),
                community_id: community.clone(),
            }
        }
        (Role::CareHome, Some(home), ..) => ResidentScope::CareHome(home.clone()),
        (Role::Hospital, Some(hospital), ..) => ResidentScope::Referred(hospital.clone()),
        (Role::Resident, _, _, Some(resident)) => ResidentScope::Only(resident.clone()),
        _ => ResidentScope::Nothing,
    }
}

/// Whose care-programme records (contracts, obligations, draft referrals) a caller may see: as
/// for residents, but a hospital desk sees none (a referral shows it what it needs).
pub fn programme_scope(user: &CurrentUser) -> ResidentScope {
    match resident_scope(user) {
        ResidentScope::Referred(_) => ResidentScope::Nothing,
        scope => scope,
    }
}

/// Whose feedback and complaints a caller may read: those about their own organisation (a
/// clinic's visits, a care home), a resident's own, or all (admin). Hospitals read none.
#[derive(Debug, Clone, PartialEq)]
pub enum VoiceScope {
    All,
    Organization(String),
    Resident(String),
    Nothing,
}

pub fn voice_scope(user: &CurrentUser) -> VoiceScope {
    match (user.role, &user.organization_id, &user.resident_id) {
        (Role::Admin, ..) => VoiceScope::All,
        (Role::Scheduler | Role::Clinician | Role::CareHome, Some(org), _) => {
            VoiceScope::Organization(org.clone())
        }
        (Role::Resident, _, Some(resident)) => VoiceScope::Resident(resident.clone()),
        _ => VoiceScope::Nothing,
    }
}

/// Who may give a resident a login (`POST /residents/{id}/accounts`): admin, and the staff of the
/// clinic or care home that serves the resident (their resident scope decides which).
pub const ACCOUNT_GIVERS: &[Role] = &[
    Role::Admin,
    Role::Scheduler,
    Role::Clinician,
    Role::CareHome,
];

/// Which staff accounts a caller may see.
#[derive(Debug, Clone, PartialEq)]
pub enum StaffScope {
    All,
    /// Staff of one organisation (a scheduler's clinic).
    Organization(String),
    /// Only the caller's own account.
    Own(String),
}

pub fn staff_scope(user: &CurrentUser) -> StaffScope {
    match (user.role, &user.organization_id) {
        (Role::Admin, _) => StaffScope::All,
        // Clinic staff see their colleagues (names on the day's timeline); others only themselves.
        (Role::Scheduler | Role::Clinician, Some(clinic)) => {
            StaffScope::Organization(clinic.clone())
        }
        _ => StaffScope::Own(user.id.clone()),
    }
}

/// Which clinics' shifts a caller may see: None for all (admin), Some(empty) for none.
pub fn shift_clinics(user: &CurrentUser) -> Option<Vec<String>> {
    match (user.role, &user.organization_id) {
        (Role::Admin, _) => None,
        (Role::Scheduler | Role::Clinician, Some(clinic)) => Some(vec![clinic.clone()]),
        _ => Some(vec![]),
    }
}

/// Which home visits and recurring plans a caller may see.
#[derive(Debug, Clone, PartialEq)]
pub enum VisitScope {
    All,
    /// The visits a clinic makes (its schedulers and clinicians).
    Clinic(String),
    /// The visits of a care home's residents.
    CareHome(String),
    /// Only this resident's.
    Resident(String),
    Nothing,
}

pub fn visit_scope(user: &CurrentUser) -> VisitScope {
    match (user.role, &user.organization_id, &user.resident_id) {
        (Role::Admin, ..) => VisitScope::All,
        (Role::Scheduler | Role::Clinician, Some(clinic), _) => VisitScope::Clinic(clinic.clone()),
        (Role::CareHome, Some(home), _) => VisitScope::CareHome(home.clone()),
        (Role::Resident, _, Some(r)) => VisitScope::Resident(r.clone()),
        _ => VisitScope::Nothing,
    }
}

/// The organisation a staff member acts for (None for admin and residents): who sends and
/// receives referrals.
pub fn acting_org(user: &CurrentUser) -> Option<&str> {
    match user.role {
        Role::Scheduler | Role::Clinician | Role::CareHome | Role::Hospital => {
            user.organization_id.as_deref()
        }
        Role::Admin | Role::Resident => None,
    }
}

/// Which referrals a caller may see.
#[derive(Debug, Clone, PartialEq)]
pub enum ReferralScope {
    All,
    /// Those an organisation sent, received, or watches (a care home's signed clinic).
    Organization(String),
    /// Only this resident's.
    Resident(String),
    Nothing,
}

pub fn referral_scope(user: &CurrentUser) -> ReferralScope {
    if user.role == Role::Admin {
        return ReferralScope::All;
    }
    if let Some(org) = acting_org(user) {
        return ReferralScope::Organization(org.to_string());
    }
    match (user.role, &user.resident_id) {
        (Role::Resident, Some(r)) => ReferralScope::Resident(r.clone()),
        _ => ReferralScope::Nothing,
    }
}

/// Which clinics' planning runs a caller may see: None for all (admin), Some(empty) for none.
pub fn planning_clinics(user: &CurrentUser) -> Option<Vec<String>> {
    shift_clinics(user)
}

/// Writes are allowed by role first; the object's scope is checked by the query that loads it.
pub fn require_role(user: &CurrentUser, allowed: &[Role]) -> Result<(), AppError> {
    if allowed.contains(&user.role) {
        Ok(())
    } else {
        Err(AppError::forbidden(format!(
            "The {} role may not do this.",
            user.role.as_str()
        )))
    }
}

/// May this caller register or change residents (in their scope)?
pub const RESIDENT_WRITERS: &[Role] = &[
    Role::Admin,
    Role::Scheduler,
    Role::Clinician,
    Role::CareHome,
];
/// May this caller manage staff accounts (admin any; scheduler their clinic's clinicians)?
pub const STAFF_WRITERS: &[Role] = &[Role::Admin, Role::Scheduler];
/// May this caller record a long-term care disability assessment of a resident in their scope
/// (ADR 0012)? The authority and the serving clinic's staff; not a care home, not a hospital.
pub const ASSESSORS: &[Role] = &[Role::Admin, Role::Scheduler, Role::Clinician];
/// May this caller manage shifts (admin any; scheduler their clinic's)?
pub const SHIFT_WRITERS: &[Role] = &[Role::Admin, Role::Scheduler];

#[cfg(test)]
mod tests {
    use super::*;

    fn user(
        role: Role,
        org: Option<&str>,
        community: Option<&str>,
        resident: Option<&str>,
    ) -> CurrentUser {
        CurrentUser {
            id: "u1".into(),
            username: "u".into(),
            role,
            organization_id: org.map(Into::into),
            community_id: community.map(Into::into),
            resident_id: resident.map(Into::into),
            session_id: "s".into(),
            request_id: "r".into(),
        }
    }

    #[test]
    fn a_clinician_sees_the_residents_of_their_clinics_area() {
        let scope = resident_scope(&user(Role::Clinician, Some("cl"), Some("cm"), None));
        assert_eq!(
            scope,
            ResidentScope::Clinic {
                clinic_id: "cl".into(),
                community_id: "cm".into()
            }
        );
    }

    #[test]
    fn a_hospital_desk_sees_only_the_residents_referred_to_or_from_it() {
        assert_eq!(
            resident_scope(&user(Role::Hospital, Some("h"), None, None)),
            ResidentScope::Referred("h".into())
        );
    }

    #[test]
    fn a_resident_login_without_a_linked_record_sees_nothing() {
        assert_eq!(
            resident_scope(&user(Role::Resident, None, None, None)),
            ResidentScope::Nothing
        );
        assert_eq!(
            resident_scope(&user(Role::Resident, None, None, Some("r"))),
            ResidentScope::Only("r".into())
        );
    }

    #[test]
    fn visits_are_seen_by_their_clinic_the_residents_care_home_and_the_resident() {
        assert_eq!(
            visit_scope(&user(Role::Admin, None, None, None)),
            VisitScope::All
        );
        assert_eq!(
            visit_scope(&user(Role::Clinician, Some("cl"), Some("cm"), None)),
            VisitScope::Clinic("cl".into())
        );
        assert_eq!(
            visit_scope(&user(Role::CareHome, Some("ch"), None, None)),
            VisitScope::CareHome("ch".into())
        );
        assert_eq!(
            visit_scope(&user(Role::Hospital, Some("h"), None, None)),
            VisitScope::Nothing
        );
        assert_eq!(
            visit_scope(&user(Role::Resident, None, None, Some("r"))),
            VisitScope::Resident("r".into())
        );
    }

    #[test]
    fn referrals_are_seen_by_the_organisations_on_them_and_the_resident() {
        assert_eq!(
            referral_scope(&user(Role::Hospital, Some("h"), None, None)),
            ReferralScope::Organization("h".into())
        );
        assert_eq!(
            referral_scope(&user(Role::Resident, None, None, None)),
            ReferralScope::Nothing
        );
        assert_eq!(
            referral_scope(&user(Role::Admin, None, None, None)),
            ReferralScope::All
        );
        assert_eq!(
            planning_clinics(&user(Role::CareHome, Some("ch"), None, None)),
            Some(vec![])
        );
    }

    #[test]
    fn clinic_staff_see_their_colleagues_and_others_only_themselves() {
        assert_eq!(
            staff_scope(&user(Role::Scheduler, Some("cl"), None, None)),
            StaffScope::Organization("cl".into())
        );
        assert_eq!(
            staff_scope(&user(Role::Clinician, Some("cl"), None, None)),
            StaffScope::Organization("cl".into())
        );
        assert_eq!(
            staff_scope(&user(Role::CareHome, Some("ch"), None, None)),
            StaffScope::Own("u1".into())
        );
    }
}
