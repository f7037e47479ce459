//! The referral's steps as transactions: submit, act (triage, appointment, arrival, completion,
//! cancellation, no-show), each with its history entry, audit record and event.
use chrono::{Duration, NaiveDateTime};
use serde_json::{json, Value};

use super::model::{self, Action, Direction, NewReferral, Patient, Side, Status};
use super::repo::{self, NewReferralRow, ReferralChanges, ReferralRow};
use crate::audit;
use crate::auth::{policy, CurrentUser};
use crate::config::Referrals;
use crate::db::{new_id, DbConn};
use crate::error::{AppError, AppResult};
use crate::events;
use crate::network::model::OrgKind;
use crate::network::repo as orgs;

/// Submits a referral from the caller's organisation. Returns the stored row.
pub fn submit(
    conn: &mut DbConn,
    user: &CurrentUser,
    new: &NewReferral,
    cfg: &Referrals,
    now: NaiveDateTime,
) -> AppResult<ReferralRow> {
    let from_id = repo::acting_org(user).ok_or_else(|| {
        AppError::forbidden("Referrals are sent by clinics, care homes and hospitals.")
    })?;
    let from = orgs::find(conn, from_id)?.ok_or_else(|| AppError::missing("organization"))?;
    let to = orgs::find(conn, &new.to_organization_id)?
        .filter(|o| o.active)
        .ok_or_else(|| AppError::invalid("to_organization_id", "no such organisation"))?;
    model::check_direction(new.direction, from.kind(), to.kind())?;
    let resident = crate::people::residents::find_scoped(
        conn,
        &policy::resident_scope(user),
        &new.resident_id,
    )?
    .ok_or_else(|| AppError::missing("resident"))?;
    if let Some(parent_id) = &new.parent_referral_id {
        let parent = repo::find_scoped(conn, user, parent_id)?;
        let fits = parent.is_some_and(|p| {
            p.direction() == Direction::Up
                && p.to_organization_id == from.id
                && p.resident_id == resident.id
        });
        if !fits {
            return Err(AppError::invalid(
                "parent_referral_id",
                "must be an up-referral of this resident to your hospital",
            ));
        }
    }
    // A care home's signed clinic follows the referral (either way).
    let home = [&from, &to]
        .into_iter()
        .find(|o| o.kind() == OrgKind::CareHome);
    let watcher = home.and_then(|h| h.contracted_clinic_id.clone());
    let today = now.and_utc().date_naive();
    let patient = Patient {
        name: resident.name.clone(),
        sex: resident.sex.clone(),
        age: model::age(resident.birth_date(), today),
        record_number: resident.id.clone(),
        address: resident.address.clone(),
        phone: resident.phone.clone(),
        id_number: resident
            .id_number
            .as_deref()
            .map(crate::people::model::mask_id_number),
    };
    let doctor = new.sending_doctor.clone();
    // People are shown by name: the form's doctor defaults to the sender's display name.
    let display_name = crate::people::repo::find(conn, &user.id)?
        .map(|u| u.display_name)
        .unwrap_or_else(|| user.username.clone());
    let sender = json!({
        "organization_id": from.id, "organization_name": from.name,
        "doctor": doctor.as_ref().map(|d| d.name.clone()).unwrap_or_else(|| display_name.clone()),
        "phone": doctor.and_then(|d| d.phone), "user_id": user.id,
        "user_display_name": display_name,
    });
    let row = NewReferralRow {
        id: new_id(),
        resident_id: resident.id.clone(),
        direction: new.direction.as_str().into(),
        from_organization_id: from.id.clone(),
        to_organization_id: to.id.clone(),
        watcher_organization_id: watcher,
        department: new.department.clone(),
        priority: new.priority.as_str().into(),
        priority_rank: new.priority.rank(),
        status: Status::Submitted.as_str().into(),
        patient: serde_json::to_string(&patient).map_err(AppError::internal)?,
        sender: sender.to_string(),
        receiving_doctor: new.receiving_doctor.clone(),
        reason: new.reason.trim().into(),
        diagnosis_code: new.diagnosis.code.clone(),
        diagnosis_text: new.diagnosis.text.trim().into(),
        clinical_summary: new.clinical_summary.to_string(),
        parent_referral_id: new.parent_referral_id.clone(),
        follow_up: new.follow_up.as_ref().map(|f| json!(f).to_string()),
        deadline_at: now + Duration::minutes(new.priority.deadline_minutes(cfg)),
        overdue: false,
        escalation_level: 0,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let stored = repo::insert(conn, &row)?;
    repo::add_history(
        conn,
        &stored.id,
        Some(user),
        "submit",
        None,
        Status::Submitted,
        None,
    )?;
    let view = serde_json::to_value(repo::full(conn, &stored)?).map_err(AppError::internal)?;
    audit::record(
        conn,
        Some(user),
        "create",
        "referral",
        &stored.id,
        None,
        Some(&view),
    )?;
    events::publish(
        conn,
        "referral.received",
        "referral",
        &stored.id,
        &stored.audience(),
        &summary(&stored),
    )?;
    Ok(stored)
}

/// What an event says of a referral (no clinical content: the reader fetches it with their rights).
pub fn summary(r: &ReferralRow) -> Value {
    json!({"id": r.id, "direction": r.direction, "priority": r.priority, "status": r.status,
           "from_organization_id": r.from_organization_id, "to_organization_id": r.to_organization_id,
           "overdue": r.overdue, "escalation_level": r.escalation_level})
}

/// The side the caller acts on, or 403.
pub fn side_of(user: &CurrentUser, r: &ReferralRow) -> AppResult<Side> {
    match repo::acting_org(user) {
        Some(org) if org == r.from_organization_id => Ok(Side::Sender),
        Some(org) if org == r.to_organization_id => Ok(Side::Receiver),
        _ => Err(AppError::forbidden(
            "Only the sending and receiving organisations act on a referral.",
        )),
    }
}

/// One step: checks side, version and state, applies `changes`, records history, audit, event.
pub fn act(
    conn: &mut DbConn,
    user: &CurrentUser,
    row: &ReferralRow,
    action: Action,
    mut changes: ReferralChanges,
    detail: Option<Value>,
    now: NaiveDateTime,
) -> AppResult<ReferralRow> {
    let side = side_of(user, row)?;
    if !model::side_may(side, action) {
        let who = if side == Side::Sender {
            "sender"
        } else {
            "receiver"
        };
        return Err(AppError::forbidden(format!(
            "The {who} may not {} this referral.",
            action.as_str()
        )));
    }
    let to = model::transition(row.status(), action)?;
    changes.status = Some(to.as_str().into());
    if model::answers_triage(action) {
        changes.responded_at = Some(Some(now));
    }
    if !repo::update(conn, &row.id, row.version, changes)? {
        return Err(AppError::conflict(
            "concurrent_update",
            "Another change to this referral won; read it again.",
        ));
    }
    repo::add_history(
        conn,
        &row.id,
        Some(user),
        action.as_str(),
        Some(row.status()),
        to,
        detail.as_ref(),
    )?;
    let after = repo::find(conn, &row.id)?.ok_or_else(|| AppError::missing("referral"))?;
    let (before_v, after_v) = (
        serde_json::to_value(repo::full(conn, row)?).map_err(AppError::internal)?,
        serde_json::to_value(repo::full(conn, &after)?).map_err(AppError::internal)?,
    );
    audit::record(
        conn,
        Some(user),
        action.as_str(),
        "referral",
        &row.id,
        Some(&before_v),
        Some(&after_v),
    )?;
    events::publish(
        conn,
        &format!("referral.{}", to.as_str()),
        "referral",
        &row.id,
        &after.audience(),
        &summary(&after),
    )?;
    Ok(after)
}

/// Accepting a down-referral that asks for follow-up creates the home-visit plan, linked to it.
pub fn start_follow_up(
    conn: &mut DbConn,
    ctx: &crate::visits::flow::Ctx,
    user: &CurrentUser,
    r: &ReferralRow,
) -> AppResult<Option<String>> {
    let Some(f) = r
        .follow_up
        .as_deref()
        .and_then(|f| serde_json::from_str::<model::FollowUp>(f).ok())
    else {
        return Ok(None);
    };
    let today = chrono::Utc::now().with_timezone(&ctx.tz).date_naive();
    let plan = crate::visits::plans::model::NewPlan {
        resident_id: r.resident_id.clone(),
        service_type: f.service_type.clone(),
        weekdays: f.weekdays(),
        window: crate::visits::plans::model::TimeWindow {
            from: chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default(),
            to: chrono::NaiveTime::from_hms_opt(16, 0, 0).unwrap_or_default(),
        },
        starts_on: today + Duration::days(1),
        until: None,
        count: Some(f.visits_per_week * f.weeks),
        clinician_id: None,
        priority: crate::visits::model::Priority::Routine,
    };
    let row = crate::visits::flow::plans::create(conn, ctx, user, &plan, Some(&r.id))?;
    Ok(Some(row.id))
}
