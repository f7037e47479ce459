//! Home visits, their plans and alarms, the clinicians' shifts and the day-planning runs.

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
