//! The steps a referral takes after it is sent (triage, appointment, arrival, completion,
//! cancellation, no-show), each with its history entry, audit record and event, and the
//! follow-on work a step starts in the same transaction.
use chrono::NaiveDateTime;
use serde::Serialize;
use serde_json::{json, Value};

use super::follow_up::start_follow_up;
use super::submit::{submit, summary};
use crate::audit;
use crate::auth::CurrentUser;
use crate::config::Referrals;
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::events;
use crate::referrals::model::{
    self, AcceptBody, Action, AdviceBody, CancelBody, CompleteBody, Direction, EmptyBody,
    NewReferral, Referral, RejectBody, ScheduleBody, Side,
};
use crate::referrals::repo::{self, ReferralChanges, ReferralRow};

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

/// What a step needs besides the connection and the caller: the settings of the follow-on work,
/// the versions the client last read (`If-Match`; None: any) and the time of the request.
pub struct StepCtx<'a> {
    pub visits: &'a crate::visits::flow::Ctx<'a>,
    pub tz: chrono_tz::Tz,
    pub referrals: &'a Referrals,
    pub if_match: Option<&'a [i64]>,
    pub now: NaiveDateTime,
}

/// One step on the referral `id`, as its handler calls it.
pub type Step<B> = fn(&mut DbConn, &StepCtx, &CurrentUser, &str, &B) -> AppResult<Referral>;

/// The changes a step makes besides the status, and the detail of its history entry.
type Changes = (ReferralChanges, Option<Value>);

/// Finds the referral in the caller's scope, checks side, version and state, lets `f` turn the
/// body into changes, and takes the step.
fn step<B>(
    conn: &mut DbConn,
    ctx: &StepCtx,
    user: &CurrentUser,
    id: &str,
    action: Action,
    body: &B,
    f: fn(&StepCtx, &CurrentUser, &ReferralRow, &B) -> AppResult<Changes>,
) -> AppResult<ReferralRow> {
    let row = repo::find_scoped(conn, user, id)?.ok_or_else(|| AppError::missing("referral"))?;
    side_of(user, &row)?;
    if let Some(versions) = ctx.if_match {
        if !versions.contains(&row.version) {
            return Err(AppError::version_mismatch());
        }
    }
    model::transition(row.status(), action)?;
    let (changes, detail) = f(ctx, user, &row, body)?;
    act(conn, user, &row, action, changes, detail, ctx.now)
}

fn json_text<T: Serialize>(v: &T) -> AppResult<Option<Option<String>>> {
    Ok(Some(Some(
        serde_json::to_value(v)
            .map_err(AppError::internal)?
            .to_string(),
    )))
}

/// Triage: accept. A down-referral that asks for follow-up starts its home-visit plan (one that
/// asks for a home sickbed gets it from the episodes domain, which the handler calls after this).
pub fn accept(
    conn: &mut DbConn,
    ctx: &StepCtx,
    user: &CurrentUser,
    id: &str,
    body: &AcceptBody,
) -> AppResult<Referral> {
    let r = step(
        conn,
        ctx,
        user,
        id,
        Action::Accept,
        body,
        |_, user, _, b| {
            let mut triage = json!({"decision": "accepted", "comment": b.comment, "by": user.id});
            if let Some(c) = &b.responsible_clinician_id {
                triage["responsible_clinician_id"] = json!(c);
            }
            let changes = ReferralChanges {
                triage: json_text(&triage)?,
                receiving_doctor: b.receiving_doctor.clone().map(Some),
                ..Default::default()
            };
            Ok((changes, Some(triage)))
        },
    )?;
    let plan_asked = r.direction() == Direction::Down && r.follow_up.is_some();
    let r = if plan_asked && !model::asks_for_sickbed(r.follow_up.as_deref()) {
        let plan = start_follow_up(conn, ctx.visits, user, &r)?;
        let changes = ReferralChanges {
            follow_up_plan_id: Some(plan),
            ..Default::default()
        };
        if !repo::update(conn, &r.id, r.version, changes)? {
            return Err(AppError::conflict(
                "concurrent_update",
                "The referral changed meanwhile; retry.",
            ));
        }
        repo::find(conn, &r.id)?.ok_or_else(|| AppError::missing("referral"))?
    } else {
        r
    };
    Ok(repo::full(conn, &r)?)
}

/// Triage: reject, with a reason code.
pub fn reject(
    conn: &mut DbConn,
    ctx: &StepCtx,
    user: &CurrentUser,
    id: &str,
    body: &RejectBody,
) -> AppResult<Referral> {
    let r = step(
        conn,
        ctx,
        user,
        id,
        Action::Reject,
        body,
        |_, user, _, b| {
            b.validate()?;
            let triage = json!({"decision": "rejected", "reason_code": b.reason_code, "comment": b.comment, "by": user.id});
            let changes = ReferralChanges {
                triage: json_text(&triage)?,
                ..Default::default()
            };
            Ok((changes, Some(triage)))
        },
    )?;
    Ok(repo::full(conn, &r)?)
}

/// Triage: return to the sender with advice.
pub fn send_back(
    conn: &mut DbConn,
    ctx: &StepCtx,
    user: &CurrentUser,
    id: &str,
    body: &AdviceBody,
) -> AppResult<Referral> {
    let r = step(
        conn,
        ctx,
        user,
        id,
        Action::Return,
        body,
        |_, user, _, b| {
            b.validate()?;
            let triage = json!({"decision": "returned", "advice": b.advice, "by": user.id});
            let changes = ReferralChanges {
                triage: json_text(&triage)?,
                ..Default::default()
            };
            Ok((changes, Some(triage)))
        },
    )?;
    Ok(repo::full(conn, &r)?)
}

/// Gives an accepted referral its appointment.
pub fn schedule(
    conn: &mut DbConn,
    ctx: &StepCtx,
    user: &CurrentUser,
    id: &str,
    body: &ScheduleBody,
) -> AppResult<Referral> {
    let r = step(
        conn,
        ctx,
        user,
        id,
        Action::Schedule,
        body,
        |ctx, _, _, b| {
            b.validate(ctx.now)?;
            let appointment = json!({"at": crate::time::Time::from(*b.appointment_at), "department": b.department, "location": b.location});
            let changes = ReferralChanges {
                appointment: json_text(&appointment)?,
                ..Default::default()
            };
            Ok((changes, Some(appointment)))
        },
    )?;
    Ok(repo::full(conn, &r)?)
}

/// An optional comment as the history entry's detail.
fn note(_: &StepCtx, _: &CurrentUser, _: &ReferralRow, b: &EmptyBody) -> AppResult<Changes> {
    Ok((
        ReferralChanges::default(),
        b.comment.as_ref().map(|c| json!({"comment": c})),
    ))
}

/// Records the patient's arrival.
pub fn arrive(
    conn: &mut DbConn,
    ctx: &StepCtx,
    user: &CurrentUser,
    id: &str,
    body: &EmptyBody,
) -> AppResult<Referral> {
    let r = step(conn, ctx, user, id, Action::Arrive, body, note)?;
    Ok(repo::full(conn, &r)?)
}

/// Records that the patient did not come.
pub fn no_show(
    conn: &mut DbConn,
    ctx: &StepCtx,
    user: &CurrentUser,
    id: &str,
    body: &EmptyBody,
) -> AppResult<Referral> {
    let r = step(conn, ctx, user, id, Action::NoShow, body, note)?;
    Ok(repo::full(conn, &r)?)
}

/// The sender cancels, with a reason.
pub fn cancel(
    conn: &mut DbConn,
    ctx: &StepCtx,
    user: &CurrentUser,
    id: &str,
    body: &CancelBody,
) -> AppResult<Referral> {
    let r = step(conn, ctx, user, id, Action::Cancel, body, |_, _, _, b| {
        b.validate()?;
        Ok((
            ReferralChanges::default(),
            Some(json!({"reason": b.reason})),
        ))
    })?;
    Ok(repo::full(conn, &r)?)
}

/// Completes with the return sheet; an up-referral's completion may start the down-referral.
pub fn complete(
    conn: &mut DbConn,
    ctx: &StepCtx,
    user: &CurrentUser,
    id: &str,
    body: &CompleteBody,
) -> AppResult<Referral> {
    let r = step(conn, ctx, user, id, Action::Complete, body, |_, _, r, b| {
        b.validate()?;
        if b.down_referral.is_some() && r.direction() != Direction::Up {
            return Err(AppError::invalid(
                "down_referral",
                "only an up-referral's completion starts a down-referral",
            ));
        }
        let sheet = json!({
            "diagnosis": b.diagnosis, "inpatient_record_number": b.inpatient_record_number,
            "main_test_results": b.main_test_results, "treatment_given": b.treatment_given,
            "recommendations": b.recommendations,
        });
        let changes = ReferralChanges {
            return_sheet: json_text(&sheet)?,
            ..Default::default()
        };
        Ok((changes, Some(sheet)))
    })?;
    if let Some(down) = body.down_referral.clone() {
        let new = NewReferral {
            resident_id: r.resident_id.clone(),
            direction: Direction::Down,
            to_organization_id: down
                .to_organization_id
                .unwrap_or_else(|| r.from_organization_id.clone()),
            department: down.department,
            priority: down.priority,
            reason: body.recommendations.clone(),
            diagnosis: body.diagnosis.clone(),
            clinical_summary: json!({
                "treatment_given": body.treatment_given, "rehabilitation_advice": body.recommendations,
                "main_test_results": body.main_test_results, "inpatient_record_number": body.inpatient_record_number,
            }),
            sending_doctor: None,
            receiving_doctor: None,
            parent_referral_id: Some(r.id.clone()),
            follow_up: down.follow_up,
        };
        new.validate()?;
        submit(conn, user, &new, ctx.referrals, crate::db::now())?;
    }
    Ok(repo::full(conn, &r)?)
}

/// Links the home sickbed that accepting a down-referral opened (the episodes domain calls this
/// in the same transaction) and answers the referral as it is now.
pub fn link_episode(conn: &mut DbConn, id: &str, episode_id: &str) -> AppResult<Referral> {
    let r = repo::find(conn, id)?.ok_or_else(|| AppError::missing("referral"))?;
    let changes = ReferralChanges {
        follow_up_episode_id: Some(Some(episode_id.to_string())),
        ..Default::default()
    };
    if !repo::update(conn, &r.id, r.version, changes)? {
        return Err(AppError::conflict(
            "concurrent_update",
            "The referral changed meanwhile; retry.",
        ));
    }
    let r = repo::find(conn, id)?.ok_or_else(|| AppError::missing("referral"))?;
    Ok(repo::full(conn, &r)?)
}
