// @generated-style: kept by hand in step with migrations/ (both backends share it).

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

diesel::table! {
    shifts (id) {
        id -> Text,
        clinician_id -> Text,
        clinic_id -> Text,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        version -> BigInt,
        created_at -> Timestamp,
        breaks -> Text,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        revoked_reason -> Nullable<Text>,
    }
}

diesel::table! {
    refresh_tokens (token_hash) {
        token_hash -> Text,
        session_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Text,
        at -> Timestamp,
        actor_id -> Nullable<Text>,
        action -> Text,
        entity -> Text,
        entity_id -> Text,
        before -> Nullable<Text>,
        after -> Nullable<Text>,
        request_id -> Nullable<Text>,
    }
}

diesel::table! {
    idempotency_keys (user_id, idem_key) {
        user_id -> Text,
        idem_key -> Text,
        fingerprint -> Text,
        status_code -> Integer,
        response_body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    visit_plans (id) {
        id -> Text,
        resident_id -> Text,
        clinic_id -> Text,
        service_type -> Text,
        clinician_id -> Nullable<Text>,
        weekdays -> Text,
        window_from -> Text,
        window_to -> Text,
        starts_on -> Text,
        until -> Nullable<Text>,
        occurrences -> Nullable<Integer>,
        status -> Text,
        referral_id -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    visits (id) {
        id -> Text,
        resident_id -> Text,
        clinic_id -> Text,
        clinician_id -> Nullable<Text>,
        service_type -> Text,
        status -> Text,
        priority -> Text,
        window_start -> Timestamp,
        window_end -> Timestamp,
        starts_at -> Nullable<Timestamp>,
        ends_at -> Nullable<Timestamp>,
        travel_minutes_before -> Nullable<Integer>,
        location_exception -> Bool,
        plan_id -> Nullable<Text>,
        referral_id -> Nullable<Text>,
        notes -> Text,
        unplaced_reason -> Nullable<Text>,
        cancel_reason -> Nullable<Text>,
        cancelled_by -> Nullable<Text>,
        missed_reason -> Nullable<Text>,
        check_in_at -> Nullable<Timestamp>,
        check_in_distance_m -> Nullable<Double>,
        check_out_at -> Nullable<Timestamp>,
        check_out_distance_m -> Nullable<Double>,
        documentation -> Nullable<Text>,
        requested_by -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        check_in_recorded_at -> Nullable<Timestamp>,
        check_out_recorded_at -> Nullable<Timestamp>,
        self_paid -> Bool,
    }
}

diesel::table! {
    visit_alarms (visit_id, kind) {
        visit_id -> Text,
        kind -> Text,
        raised_at -> Timestamp,
    }
}

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
    events (id) {
        id -> BigInt,
        at -> Timestamp,
        kind -> Text,
        entity -> Text,
        entity_id -> Text,
        audience -> Text,
        payload -> Text,
    }
}

diesel::table! {
    login_failures (id) {
        id -> Text,
        address -> Text,
        at -> Timestamp,
        username -> Nullable<Text>,
    }
}

diesel::table! {
    planning_runs (id) {
        id -> Text,
        clinic_id -> Text,
        day -> Text,
        status -> Text,
        time_limit_seconds -> Integer,
        seed -> BigInt,
        requested_by -> Text,
        visit_versions -> Text,
        proposal -> Nullable<Text>,
        outcome -> Nullable<Text>,
        error -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        mode -> Text,
        params -> Nullable<Text>,
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
