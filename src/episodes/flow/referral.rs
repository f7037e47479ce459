//! The home sickbed a down-referral asks for, opened when the clinic accepts it.
use super::super::model::{Diagnosis, EpisodeKind, NewEpisode, NewPlan, NursingItem};
use super::{open, Ctx};
use crate::auth::{CurrentUser, Role};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::referrals::model::{Direction, FollowUp, Referral, Status as ReferralStatus};

/// Opens the home sickbed a down-referral asks for (`follow_up.home_sickbed`) once the clinic has
/// accepted it, in the acceptance's transaction, and links the two both ways. Its nursing is the
/// follow-up's service type and visits per week, its rounds the district's
/// (`episodes.referral_rounds_per_week`), for the follow-up's weeks (at most `episodes.max_days`);
/// its clinician the one the acceptance named, else the resident's family doctor if of the
/// clinic, else the accepting clinician. None when the referral asks for no sickbed.
pub fn open_for_referral(
    conn: &mut DbConn,
    ctx: &Ctx,
    user: &CurrentUser,
    r: &Referral,
) -> AppResult<Option<Referral>> {
    let asked = r.direction == Direction::Down
        && r.status == ReferralStatus::Accepted
        && r.follow_up_episode_id.is_none();
    let follow_up = r
        .follow_up
        .clone()
        .and_then(|v| serde_json::from_value::<FollowUp>(v).ok())
        .filter(|f| asked && f.home_sickbed);
    let Some(f) = follow_up else {
        return Ok(None);
    };
    let diagnosis: Diagnosis =
        serde_json::from_value(r.diagnosis.clone()).map_err(AppError::internal)?;
    let named = r
        .triage
        .as_ref()
        .and_then(|t| t["responsible_clinician_id"].as_str())
        .map(str::to_string);
    let clinician = match named {
        Some(c) => Some(c),
        None => family_doctor_of(conn, &r.resident_id, &r.to_organization_id)?
            .or_else(|| (user.role == Role::Clinician).then(|| user.id.clone())),
    };
    let Some(responsible_clinician_id) = clinician else {
        return Err(AppError::invalid(
            "responsible_clinician_id",
            "name the clinician responsible for the home sickbed this referral asks for",
        ));
    };
    let rounds = ctx.settings.round_service_type.as_str();
    let days = (7 * i64::from(f.weeks)).min(ctx.settings.max_days);
    let (rounds_per_week, nursing) = if f.service_type == rounds {
        (f.visits_per_week, vec![])
    } else {
        let item = NursingItem {
            service_type: f.service_type.clone(),
            per_week: f.visits_per_week,
        };
        (ctx.settings.referral_rounds_per_week, vec![item])
    };
    let new = NewEpisode {
        kind: EpisodeKind::HomeSickbed,
        resident_id: r.resident_id.clone().into(),
        referral_id: Some(r.id.clone().into()),
        diagnosis,
        responsible_clinician_id: responsible_clinician_id.into(),
        plan: NewPlan {
            rounds_per_week,
            nursing,
            until: ctx.programmes.today + chrono::Duration::days(days),
        },
        admission: None,
    };
    let e = open(conn, ctx, user, &new)?;
    Ok(Some(crate::referrals::flow::link_episode(
        conn,
        &r.id,
        e.id.as_str(),
    )?))
}

/// The resident's family doctor, if an active clinician of `clinic`.
fn family_doctor_of(conn: &mut DbConn, resident: &str, clinic: &str) -> AppResult<Option<String>> {
    let Some(doctor) = crate::people::residents::all_or_one(conn, Some(resident))?
        .into_iter()
        .next()
        .and_then(|r| r.family_doctor_id)
    else {
        return Ok(None);
    };
    let fits = crate::people::flow::find_user(conn, &doctor)?.is_some_and(|d| {
        d.role() == Some(Role::Clinician)
            && d.active
            && d.organization_id.as_deref() == Some(clinic)
    });
    Ok(fits.then_some(doctor))
}
