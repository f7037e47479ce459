//! Referrals between organisations, their history and the drafts the care programmes send.

diesel::table! {
    referrals (id) {
        id -> Text,
        resident_id -> Text,
        direction -> Text,
        from_organization_id -> Text,
        to_organization_id -> Text,
        watcher_organization_id -> Nullable<Text>,
        department -> Nullable<Text>,
        priority -> Text,
        priority_rank -> Integer,
        status -> Text,
        patient -> Text,
        sender -> Text,
        receiving_doctor -> Nullable<Text>,
        reason -> Text,
        diagnosis_code -> Nullable<Text>,
        diagnosis_text -> Text,
        clinical_summary -> Text,
        parent_referral_id -> Nullable<Text>,
        follow_up -> Nullable<Text>,
        follow_up_plan_id -> Nullable<Text>,
        triage -> Nullable<Text>,
        appointment -> Nullable<Text>,
        return_sheet -> Nullable<Text>,
        deadline_at -> Timestamp,
        responded_at -> Nullable<Timestamp>,
        overdue -> Bool,
        escalation_level -> Integer,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        follow_up_episode_id -> Nullable<Text>,
    }
}

diesel::table! {
    referral_history (id) {
        id -> Text,
        referral_id -> Text,
        at -> Timestamp,
        actor_id -> Nullable<Text>,
        actor_organization_id -> Nullable<Text>,
        action -> Text,
        from_status -> Nullable<Text>,
        to_status -> Text,
        detail -> Nullable<Text>,
    }
}

diesel::table! {
    referral_drafts (id) {
        id -> Text,
        resident_id -> Text,
        clinic_id -> Text,
        status -> Text,
        form -> Text,
        follow_up_visit_ids -> Text,
        trigger_visit_id -> Text,
        referral_id -> Nullable<Text>,
        discard_reason -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}
