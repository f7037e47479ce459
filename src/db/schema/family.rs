//! The family's voice: ratings of visits and complaints.

diesel::table! {
    visit_feedback (id) {
        id -> Text,
        visit_id -> Text,
        resident_id -> Text,
        clinic_id -> Text,
        clinician_id -> Nullable<Text>,
        rating -> Integer,
        comment -> Nullable<Text>,
        author_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    complaints (id) {
        id -> Text,
        resident_id -> Text,
        visit_id -> Nullable<Text>,
        organization_id -> Nullable<Text>,
        text -> Text,
        author_id -> Text,
        created_at -> Timestamp,
    }
}
