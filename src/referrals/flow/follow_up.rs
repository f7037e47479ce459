//! The home-visit plan that a down-referral asking for follow-up starts when it is accepted (the
//! visits domain books it).
use chrono::Duration;

use crate::auth::CurrentUser;
use crate::db::DbConn;
use crate::error::AppResult;
use crate::referrals::model;
use crate::referrals::repo::ReferralRow;

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
        resident_id: r.resident_id.as_str().into(),
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
        self_paid: false,
    };
    let referral = r.id.as_str().into();
    let row = crate::visits::flow::plans::create(conn, ctx, user, &plan, Some(&referral))?;
    Ok(Some(row.id))
}
