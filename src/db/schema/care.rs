//! Care programmes (packages, contracts, obligations), long-term-care assessments and home sickbeds.

diesel::table! {
    episodes (id) {
        id -> Text,
        kind -> Text,
        resident_id -> Text,
        clinic_id -> Text,
        referral_id -> Nullable<Text>,
        status -> Text,
        diagnosis_code -> Nullable<Text>,
        diagnosis_text -> Text,
        admission -> Nullable<Text>,
        responsible_clinician_id -> Text,
        plan -> Text,
        opened_on -> Text,
        until -> Text,
        extensions -> Text,
        closed_on -> Nullable<Text>,
        outcome -> Nullable<Text>,
        summary -> Nullable<Text>,
        opened_by -> Text,
        closed_by -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    ltc_assessments (id) {
        id -> Text,
        resident_id -> Text,
        kind -> Text,
        scores -> Text,
        result -> Text,
        grade -> Integer,
        organization_id -> Nullable<Text>,
        assessed_by -> Text,
        assessed_at -> Timestamp,
        valid_until -> Timestamp,
        created_at -> Timestamp,
    }
}

diesel::table! {
    service_packages (code) {
        code -> Text,
        name -> Text,
        price_fen -> BigInt,
        eligibility -> Text,
        items -> Text,
        active -> Bool,
        version -> BigInt,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    contracts (id) {
        id -> Text,
        resident_id -> Text,
        clinic_id -> Text,
        family_doctor_id -> Text,
        package_codes -> Text,
        starts_on -> Text,
        ends_on -> Text,
        status -> Text,
        ended_reason -> Nullable<Text>,
        renewals -> Integer,
        price_fen -> BigInt,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    obligations (id) {
        id -> Text,
        resident_id -> Text,
        clinic_id -> Text,
        source -> Text,
        source_id -> Nullable<Text>,
        rule -> Text,
        rule_version -> Integer,
        service_type -> Text,
        period -> Text,
        earliest -> Text,
        due -> Text,
        latest -> Text,
        state -> Text,
        visit_id -> Nullable<Text>,
        met_on -> Nullable<Text>,
        reason -> Nullable<Text>,
        comment -> Nullable<Text>,
        overdue_notified -> Bool,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}
