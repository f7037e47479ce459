//! The field's use cases: a clinician tells the clinic (and the resident) they are running late,
//! or asks for help at once. Neither changes the visit; each is audited against it and sent as an
//! event in the caller's transaction.
use chrono::Duration;
use serde_json::json;

use super::model::{text, FieldAlert, HelpBody, LateBody};
use crate::audit;
use crate::auth::{CurrentUser, Role};
use crate::db::{now, DbConn};
use crate::error::{AppError, AppResult};
use crate::events;
use crate::visits::model::{Status, Visit};

/// The visit, if the caller is the clinician booked on it (another's visit they may see is 403;
/// one they may not see, 404).
fn own_visit(conn: &mut DbConn, user: &CurrentUser, id: &str) -> AppResult<Visit> {
    let visit = crate::visits::flow::get(conn, user, &id.into())?;
    let booked = visit.clinician_id.as_ref().map(|c| c.as_str());
    if user.role != Role::Clinician || booked != Some(user.id.as_str()) {
        return Err(AppError::forbidden(
            "Only the clinician booked on the visit sends this.",
        ));
    }
    Ok(visit)
}

/// Tells the clinic and the resident that the clinician will arrive `minutes` late: a visit still
/// scheduled (not yet checked in) only, else 409 `invalid_state`. `visit.running_late`.
pub fn running_late(
    conn: &mut DbConn,
    user: &CurrentUser,
    id: &str,
    body: &LateBody,
) -> AppResult<FieldAlert> {
    let visit = own_visit(conn, user, id)?;
    if visit.status != Status::Scheduled {
        return Err(AppError::conflict(
            "invalid_state",
            "Running late is for a visit not yet checked in.",
        ));
    }
    let expected = visit
        .starts_at
        .map(|s| crate::time::Time(s.0 + Duration::minutes(body.minutes)));
    let alert = FieldAlert {
        kind: "running_late".into(),
        visit_id: visit.id.to_string(),
        resident_id: visit.resident_id.to_string(),
        clinician_id: user.id.clone(),
        clinic_id: visit.clinic_id.to_string(),
        at: now().into(),
        minutes: Some(body.minutes),
        expected_at: expected,
        lat: None,
        lon: None,
        text: text(&body.reason),
    };
    tell(
        conn,
        Some(user),
        "visit.running_late",
        "running_late",
        &alert,
        vec![
            visit.clinic_id.to_string(),
            format!("resident:{}", visit.resident_id),
        ],
    )?;
    Ok(alert)
}

/// Asks the clinic for help at once, with the clinician's position: a visit scheduled or under
/// way, else 409 `invalid_state`. `clinician.help` to the clinic and the district authority.
pub fn help(
    conn: &mut DbConn,
    user: &CurrentUser,
    id: &str,
    body: &HelpBody,
) -> AppResult<FieldAlert> {
    let visit = own_visit(conn, user, id)?;
    if !matches!(visit.status, Status::Scheduled | Status::InProgress) {
        return Err(AppError::conflict(
            "invalid_state",
            "Help is asked from a visit scheduled or under way.",
        ));
    }
    let alert = FieldAlert {
        kind: "help".into(),
        visit_id: visit.id.to_string(),
        resident_id: visit.resident_id.to_string(),
        clinician_id: user.id.clone(),
        clinic_id: visit.clinic_id.to_string(),
        at: now().into(),
        minutes: None,
        expected_at: None,
        lat: Some(body.lat),
        lon: Some(body.lon),
        text: text(&body.note),
    };
    tell(
        conn,
        Some(user),
        "clinician.help",
        "help",
        &alert,
        vec![visit.clinic_id.to_string(), events::AUTHORITY.to_string()],
    )?;
    Ok(alert)
}

/// How far back the overrun scan looks: a visit whose end passed longer ago than this raised its
/// alarm already (or was never checked out: the clinic's daily review sees it, not an alarm).
const OVERRUN_LOOKBACK_HOURS: i64 = 24;

/// Raises the overrun alarm for each visit still under way `grace_minutes` past its booked end
/// (a clinician alone in a home who may need help): `visit.overrunning`, urgent, to the clinic,
/// once per visit (`repo::raise`). Returns how many were raised. Safe on several instances at once.
pub fn overrun_alarms(conn: &mut DbConn, grace_minutes: i64) -> AppResult<usize> {
    let at = now();
    let cutoff = at - Duration::minutes(grace_minutes);
    let since = cutoff - Duration::hours(OVERRUN_LOOKBACK_HOURS);
    let mut raised = 0;
    for visit in crate::visits::flow::under_way_ended_between(conn, since, cutoff)? {
        if !super::repo::raise(conn, visit.id.as_str(), "overrun", at)? {
            continue;
        }
        raised += 1;
        let past_end = visit
            .ends_at
            .map(|end| (at.and_utc() - end.0).num_minutes());
        let alert = FieldAlert {
            kind: "overrun".into(),
            visit_id: visit.id.to_string(),
            resident_id: visit.resident_id.to_string(),
            clinician_id: visit
                .clinician_id
                .as_ref()
                .map(|c| c.to_string())
                .unwrap_or_default(),
            clinic_id: visit.clinic_id.to_string(),
            at: now().into(),
            minutes: past_end,
            expected_at: visit.ends_at,
            lat: None,
            lon: None,
            text: None,
        };
        tell(
            conn,
            None,
            "visit.overrunning",
            "overrun",
            &alert,
            vec![visit.clinic_id.to_string()],
        )?;
    }
    Ok(raised)
}

fn tell(
    conn: &mut DbConn,
    user: Option<&CurrentUser>,
    kind: &str,
    action: &str,
    alert: &FieldAlert,
    audience: Vec<String>,
) -> AppResult<()> {
    let value = serde_json::to_value(alert).map_err(AppError::internal)?;
    audit::record(
        conn,
        user,
        action,
        "visit",
        &alert.visit_id,
        None,
        Some(&value),
    )?;
    let mut payload = value;
    payload["urgent"] = json!(alert.kind != "running_late");
    events::publish(conn, kind, "visit", &alert.visit_id, &audience, &payload)?;
    Ok(())
}
