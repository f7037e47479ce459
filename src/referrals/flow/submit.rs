//! Submitting a referral: the form checked against the network, the patient block copied from
//! the resident, the deadline set; history, audit record and the receiver's event.
use chrono::{Duration, NaiveDateTime};
use serde_json::{json, Value};

use crate::audit;
use crate::auth::{policy, CurrentUser};
use crate::config::Referrals;
use crate::db::{new_id, DbConn};
use crate::error::{AppError, AppResult};
use crate::events;
use crate::network::flow as orgs;
use crate::network::model::OrgKind;
use crate::referrals::model::{self, Direction, NewReferral, Patient, Status};
use crate::referrals::repo::{self, NewReferralRow, ReferralRow};

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
    let display_name = crate::people::flow::find_user(conn, &user.id)?
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
