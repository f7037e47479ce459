//! The directory: organisations, residents, staff and resident logins, the service catalogue.

diesel::table! {
    organizations (id) {
        id -> Text,
        code -> Text,
        name -> Text,
        kind -> Text,
        community_id -> Nullable<Text>,
        address -> Text,
        lat -> Double,
        lon -> Double,
        contracted_clinic_id -> Nullable<Text>,
        pilot -> Bool,
        active -> Bool,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    residents (id) {
        id -> Text,
        name -> Text,
        sex -> Text,
        birth_date -> Text,
        phone -> Text,
        address -> Text,
        lat -> Double,
        lon -> Double,
        community_id -> Text,
        care_home_id -> Nullable<Text>,
        family_doctor_id -> Nullable<Text>,
        conditions -> Text,
        priority_flags -> Text,
        consent -> Bool,
        id_number -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        username -> Text,
        password_hash -> Text,
        display_name -> Text,
        role -> Text,
        organization_id -> Nullable<Text>,
        resident_id -> Nullable<Text>,
        skills -> Text,
        active -> Bool,
        failed_logins -> Integer,
        locked_until -> Nullable<Timestamp>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    service_types (code) {
        code -> Text,
        name -> Text,
        category -> Text,
        duration_minutes -> Integer,
        required_skill -> Text,
    }
}
