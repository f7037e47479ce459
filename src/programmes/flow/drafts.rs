//! Draft up-referrals: the clinic reads them, sends one (it becomes a referral in the hospital's
//! inbox, submitted as the caller) or discards it.
use serde_json::json;

use super::Ctx;
use crate::audit;
use crate::auth::{policy, CurrentUser, Role};
use crate::db::new_id;
use crate::db::page::PageRequest;
use crate::db::{now, DbConn};
use crate::error::{AppError, AppResult};
use crate::events;
use crate::network::flow::OrgRow;
use crate::network::model::OrgKind;
use crate::people::residents::ResidentRow;
use crate::programmes::model::engine::{Done, Owed};
use crate::programmes::model::{DraftStatus, ReferralDraft};
use crate::programmes::repo::{self, DraftFilter, DraftRow};
use crate::referrals::model::NewReferral;

pub fn drafts(
    conn: &mut DbConn,
    user: &CurrentUser,
    f: &DraftFilter,
    page: &PageRequest,
) -> AppResult<Vec<DraftRow>> {
    Ok(repo::drafts(conn, &policy::programme_scope(user), f, page)?)
}

pub fn draft(conn: &mut DbConn, user: &CurrentUser, id: &str) -> AppResult<DraftRow> {
    repo::draft_scoped(conn, &policy::programme_scope(user), id)?
        .ok_or_else(|| AppError::missing("referral draft"))
}

/// Loads a draft the caller's clinic may act on, still a draft at the version they read.
fn actionable(
    conn: &mut DbConn,
    user: &CurrentUser,
    id: &str,
    version_ok: impl FnOnce(i64) -> AppResult<()>,
) -> AppResult<DraftRow> {
    let d = draft(conn, user, id)?;
    policy::require_role(user, &[Role::Scheduler, Role::Clinician])?;
    if user.organization_id.as_deref() != Some(d.clinic_id.as_str()) {
        return Err(AppError::forbidden(
            "Only the clinic the draft is for may send or discard it.",
        ));
    }
    version_ok(d.version)?;
    if d.status != DraftStatus::Draft.as_str() {
        return Err(AppError::conflict(
            "invalid_transition",
            format!("This draft was already {}.", d.status),
        ));
    }
    Ok(d)
}

fn finish(
    conn: &mut DbConn,
    user: &CurrentUser,
    d: &DraftRow,
    status: DraftStatus,
    referral: Option<String>,
    reason: Option<String>,
) -> AppResult<ReferralDraft> {
    if !repo::end_draft(conn, d, status, referral, reason)? {
        return Err(AppError::conflict(
            "concurrent_update",
            "Another change to this draft won; read it again.",
        ));
    }
    let after = repo::draft(conn, &d.id)?.ok_or_else(|| AppError::missing("referral draft"))?;
    let v = |r: &DraftRow| serde_json::to_value(r.to_api()).map_err(AppError::internal);
    audit::record(
        conn,
        Some(user),
        status.as_str(),
        "referral_draft",
        &d.id,
        Some(&v(d)?),
        Some(&v(&after)?),
    )?;
    events::publish(
        conn,
        &format!("referral_draft.{}", status.as_str()),
        "referral_draft",
        &d.id,
        std::slice::from_ref(&d.clinic_id),
        &json!({"id": d.id, "status": status, "referral_id": after.referral_id, "version": after.version}),
    )?;
    Ok(after.to_api())
}

/// Sends a draft: submits its form as a referral from the caller's clinic (the referral's own
/// checks apply), and the draft records the referral.
pub fn send(
    conn: &mut DbConn,
    ctx: &Ctx,
    user: &CurrentUser,
    id: &str,
    version_ok: impl FnOnce(i64) -> AppResult<()>,
) -> AppResult<ReferralDraft> {
    let d = actionable(conn, user, id, version_ok)?;
    let form: NewReferral = serde_json::from_str(&d.form)
        .map_err(|e| AppError::internal(format!("draft {} form: {e}", d.id)))?;
    form.validate()?;
    let referral = crate::referrals::flow::submit(conn, user, &form, ctx.referrals, now())?;
    finish(conn, user, &d, DraftStatus::Sent, Some(referral.id), None)
}

/// Discards a draft, with an optional reason.
pub fn discard(
    conn: &mut DbConn,
    user: &CurrentUser,
    id: &str,
    reason: Option<&str>,
    version_ok: impl FnOnce(i64) -> AppResult<()>,
) -> AppResult<ReferralDraft> {
    let d = actionable(conn, user, id, version_ok)?;
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if reason.is_some_and(|r| r.chars().count() > 500) {
        return Err(AppError::invalid(
            "reason",
            "must be at most 500 characters",
        ));
    }
    finish(
        conn,
        user,
        &d,
        DraftStatus::Discarded,
        None,
        reason.map(str::to_string),
    )
}

/// The district hospital a clinic refers to: the first active hospital by code.
fn hospital(conn: &mut DbConn) -> AppResult<Option<OrgRow>> {
    let filter = crate::network::flow::OrgFilter {
        kind: Some(OrgKind::Hospital),
        ..Default::default()
    };
    let page = crate::db::page::PageRequest {
        limit: 100,
        after: None,
    };
    let mut list = crate::network::flow::list(conn, &filter, &page)?;
    list.retain(|o| o.active);
    list.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(list.into_iter().next())
}

fn reading_text(d: &Done) -> String {
    let r = &d.readings;
    let mut parts = vec![];
    if let (Some(s), Some(di)) = (r.systolic_mmhg, r.diastolic_mmhg) {
        parts.push(format!("血压 {s}/{di} mmHg"));
    }
    if let Some(g) = r.fasting_glucose_mmol_l {
        parts.push(format!("空腹血糖 {g} mmol/L"));
    }
    format!("{} {}", d.on, parts.join("，"))
}

/// Prepares the draft up-referral for two follow-ups out of control in a row (once per second
/// follow-up: the database ignores a repeat). True when a draft was made.
pub(super) fn prepare(
    conn: &mut DbConn,
    ctx: &Ctx,
    r: &ResidentRow,
    clinic: &str,
    o: &Owed,
    done: &[Done],
) -> AppResult<bool> {
    let Some(trigger) = &o.trigger_visit_id else {
        return Ok(false);
    };
    let Some(pos) = done.iter().position(|d| &d.visit_id == trigger) else {
        return Ok(false);
    };
    let groups = ctx.rules.groups(&r.conditions());
    let prior = done[..pos]
        .iter()
        .rev()
        .find(|d| d.service_type == done[pos].service_type);
    let pair: Vec<&Done> = prior.into_iter().chain([&done[pos]]).collect();
    let Some(to) = hospital(conn)? else {
        return Ok(false);
    };
    let readings: Vec<String> = pair.iter().map(|d| reading_text(d)).collect();
    let conditions = r.conditions();
    let code = conditions
        .iter()
        .find(|c| {
            c.len() >= 3 && c.as_bytes()[0].is_ascii_uppercase() && c.as_bytes()[1].is_ascii_digit()
        })
        .cloned();
    let diagnosis_text = if groups.is_empty() {
        conditions.join("、")
    } else {
        groups
            .iter()
            .map(|g| match g.as_str() {
                "hypertension" => "高血压",
                "diabetes" => "2型糖尿病",
                other => other,
            })
            .collect::<Vec<_>>()
            .join("、")
    };
    let form = json!({
        "resident_id": r.id,
        "direction": "up",
        "to_organization_id": to.id,
        "priority": "routine",
        "reason": format!("连续两次随访控制不满意，建议转上级医院进一步诊治：{}", readings.join("；")),
        "diagnosis": {"code": code, "text": if diagnosis_text.is_empty() { "慢性病控制不满意".to_string() } else { diagnosis_text }},
        "clinical_summary": {
            "past_history": if conditions.is_empty() { "无".to_string() } else { conditions.join("、") },
            "treatment_so_far": format!("社区慢性病随访管理；控制不满意的两次随访：{}", readings.join("；")),
            "follow_ups": pair.iter().map(|d| json!({"visit_id": d.visit_id, "on": d.on,
                "systolic_mmhg": d.readings.systolic_mmhg, "diastolic_mmhg": d.readings.diastolic_mmhg,
                "fasting_glucose_mmol_l": d.readings.fasting_glucose_mmol_l})).collect::<Vec<_>>(),
        },
    });
    let at = now();
    let row = DraftRow {
        id: new_id(),
        resident_id: r.id.clone(),
        clinic_id: clinic.to_string(),
        status: "draft".into(),
        form: form.to_string(),
        follow_up_visit_ids: serde_json::to_string(
            &pair.iter().map(|d| d.visit_id.clone()).collect::<Vec<_>>(),
        )
        .unwrap_or_else(|_| "[]".into()),
        trigger_visit_id: trigger.clone(),
        referral_id: None,
        discard_reason: None,
        version: 1,
        created_at: at,
        updated_at: at,
    };
    if !repo::insert_draft(conn, &row)? {
        return Ok(false);
    }
    let api = row.to_api();
    let value = serde_json::to_value(&api).map_err(AppError::internal)?;
    audit::record(
        conn,
        ctx.actor,
        "create",
        "referral_draft",
        &row.id,
        None,
        Some(&value),
    )?;
    events::publish(
        conn,
        "referral_draft.created",
        "referral_draft",
        &row.id,
        &[clinic.to_string(), format!("resident:{}", r.id)],
        &json!({"id": row.id, "resident_id": r.id, "clinic_id": clinic, "status": "draft"}),
    )?;
    Ok(true)
}
