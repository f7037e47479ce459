//! The tables, as diesel sees them: kept by hand in step with migrations/ (both backends share them),
//! one file per area (named apart from its tables); every table is re-exported here, so
//! `crate::db::schema::visits` names it.
mod access;
mod care;
mod directory;
mod family;
mod referral;
mod scheduling;

pub use access::*;
pub use care::*;
pub use directory::*;
pub use family::*;
pub use referral::*;
pub use scheduling::*;

diesel::joinable!(users -> organizations (organization_id));
diesel::joinable!(shifts -> users (clinician_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));
diesel::joinable!(visits -> residents (resident_id));

diesel::allow_tables_to_appear_in_same_query!(
    organizations,
    residents,
    users,
    service_types,
    shifts,
    sessions,
    refresh_tokens,
    audit_log,
    idempotency_keys,
    visit_plans,
    visits,
    referrals,
    referral_history,
    events,
    login_failures,
    planning_runs,
    service_packages,
    contracts,
    obligations,
    referral_drafts,
    visit_feedback,
    complaints,
    ltc_assessments,
    visit_alarms,
    episodes,
);
