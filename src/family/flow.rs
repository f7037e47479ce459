//! The family's use cases: a login for a resident or their family, the resident's own visits, a
//! rating per completed visit, complaints; and what the clinics read of them. Each runs in its
//! caller's transaction.
use serde_json::json;

use super::model::{Complaint, Feedback, MyVisits, NewAccount, NewComplaint, NewFeedback};
use super::repo::{self, ComplaintRow, FeedbackRow, VoiceFilter};
use crate::audit;
use crate::auth::policy::{self, VoiceScope};
use crate::auth::{CurrentUser, Role};
use crate::db::page::PageRequest;
use crate::db::{new_id, now, DbConn};
use crate::error::{AppError, AppResult};
use crate::events;
use crate::people::model::{NewStaff, Staff};
use crate::people::residents::{self, ResidentRow};
use crate::visits::model::Status;

/// How many upcoming and past visits `GET /me/visits` lists.
pub const UPCOMING_MAX: i64 = 100;
pub const PAST_MAX: i64 = 50;

/// The resident a caller may act for: a resident login's own; anyone else is refused.
fn own_resident(user: &CurrentUser, what: &str) -> AppResult<String> {
    match (user.role, &user.resident_id) {
        (Role::Resident, Some(r)) => Ok(r.clone()),
        _ => Err(AppError::forbidden(format!(
            "Only a resident's own login (the resident or their family) {what}."
        ))),
    }
}

/// Gives the resident (or a family member) a login linked to the resident: by admin or the staff
/// of the clinic or care home that serves them (another's resident is 404). Audited.
pub fn give_account(
    conn: &mut DbConn,
    user: &CurrentUser,
    resident_id: &str,
    body: &NewAccount,
    password_hash: &str,
) -> AppResult<Staff> {
    policy::require_role(user, policy::ACCOUNT_GIVERS)?;
    let resident = resident_in_scope(conn, user, resident_id)?;
    let new = NewStaff {
        username: body.username.clone(),
        display_name: body
            .display_name
            .clone()
            .unwrap_or_else(|| resident.name.clone()),
        role: Role::Resident,
        organization_id: None,
        skills: vec![],
        password: body.password.clone(),
        resident_id: Some(resident.id.clone()),
    };
    Ok(crate::people::flow::add_login(conn, Some(user), &new, password_hash)?.to_api())
}

/// The account a body describes, checked as `POST /staff` would (before the password is hashed).
pub fn check_account(body: &NewAccount, min_password: usize) -> AppResult<()> {
    NewStaff {
        username: body.username.clone(),
        display_name: body
            .display_name
            .clone()
            .unwrap_or_else(|| "resident".into()),
        role: Role::Resident,
        organization_id: None,
        skills: vec![],
        password: body.password.clone(),
        resident_id: Some(String::new()),
    }
    .validate(min_password)?;
    Ok(())
}

fn resident_in_scope(conn: &mut DbConn, user: &CurrentUser, id: &str) -> AppResult<ResidentRow> {
    residents::find_scoped(conn, &policy::resident_scope(user), id)?
        .ok_or_else(|| AppError::missing("resident"))
}

/// The resident's own visits: those still to come and the latest past ones.
pub fn my_visits(conn: &mut DbConn, user: &CurrentUser) -> AppResult<MyVisits> {
    let resident = own_resident(user, "has visits of its own")?;
    Ok(MyVisits {
        upcoming: repo::visits_of(conn, &resident, true, UPCOMING_MAX)?,
        past: repo::visits_of(conn, &resident, false, PAST_MAX)?,
    })
}

/// Rates a completed visit of the caller's resident, once: another's visit is 404, a visit not
/// completed 409 `visit_not_completed`, a second rating 409 `feedback_exists`. Audited;
/// `feedback.given` to the visit's clinic.
pub fn give_feedback(
    conn: &mut DbConn,
    user: &CurrentUser,
    visit_id: &str,
    body: &NewFeedback,
) -> AppResult<Feedback> {
    let resident = own_resident(user, "rates a visit")?;
    let visit = crate::visits::flow::get(conn, user, &visit_id.into())?;
    if visit.resident_id.as_str() != resident {
        return Err(AppError::missing("visit"));
    }
    if visit.status != Status::Completed {
        return Err(AppError::conflict(
            "visit_not_completed",
            "A visit is rated once it is completed.",
        ));
    }
    let row = FeedbackRow {
        id: new_id(),
        visit_id: visit.id.to_string(),
        resident_id: resident.clone(),
        clinic_id: visit.clinic_id.to_string(),
        clinician_id: visit.clinician_id.as_ref().map(|c| c.to_string()),
        rating: body.rating,
        comment: body.comment(),
        author_id: user.id.clone(),
        created_at: now(),
    };
    repo::insert_feedback(conn, &row)?;
    let api = row.to_api();
    let after = serde_json::to_value(&api).map_err(AppError::internal)?;
    audit::record(
        conn,
        Some(user),
        "create",
        "feedback",
        &row.id,
        None,
        Some(&after),
    )?;
    events::publish(
        conn,
        "feedback.given",
        "feedback",
        &row.id,
        &[row.clinic_id.clone(), format!("resident:{resident}")],
        &json!({"id": row.id, "visit_id": row.visit_id, "clinic_id": row.clinic_id, "rating": row.rating}),
    )?;
    Ok(api)
}

/// Records a complaint of the caller's resident, about one of their visits (another's is 404) or
/// about the care in general; it goes to the visit's clinic, else the family doctor's clinic, else
/// the resident's care home, else the first clinic (by code) of the resident's community. Audited; `complaint.made` to that organisation and the
/// district authority.
pub fn complain(
    conn: &mut DbConn,
    user: &CurrentUser,
    body: &NewComplaint,
) -> AppResult<Complaint> {
    let resident_id = own_resident(user, "makes a complaint")?;
    let organization_id = match &body.visit_id {
        Some(v) => {
            let visit = crate::visits::flow::get(conn, user, &v.as_str().into())?;
            if visit.resident_id.as_str() != resident_id {
                return Err(AppError::missing("visit"));
            }
            Some(visit.clinic_id.into_string())
        }
        None => {
            let r = residents::find(conn, &resident_id)?
                .ok_or_else(|| AppError::missing("resident"))?;
            let doctor_clinic = match &r.family_doctor_id {
                Some(doc) => {
                    crate::people::flow::find_user(conn, doc)?.and_then(|u| u.organization_id)
                }
                None => None,
            };
            match (doctor_clinic, r.care_home_id) {
                (Some(clinic), _) => Some(clinic),
                (None, Some(home)) => Some(home),
                (None, None) => repo::clinic_of_community(conn, &r.community_id)?,
            }
        }
    };
    let row = ComplaintRow {
        id: new_id(),
        resident_id: resident_id.clone(),
        visit_id: body.visit_id.clone(),
        organization_id: organization_id.clone(),
        text: body.text.trim().to_string(),
        author_id: user.id.clone(),
        created_at: now(),
    };
    repo::insert_complaint(conn, &row)?;
    let api = row.to_api();
    let after = serde_json::to_value(&api).map_err(AppError::internal)?;
    audit::record(
        conn,
        Some(user),
        "create",
        "complaint",
        &row.id,
        None,
        Some(&after),
    )?;
    let mut audience = vec![
        events::AUTHORITY.to_string(),
        format!("resident:{resident_id}"),
    ];
    audience.extend(organization_id);
    events::publish(
        conn,
        "complaint.made",
        "complaint",
        &row.id,
        &audience,
        &json!({"id": row.id, "visit_id": row.visit_id, "organization_id": row.organization_id}),
    )?;
    Ok(api)
}

/// Feedback the caller may read (`auth::policy::voice_scope`), paged.
pub fn feedback(
    conn: &mut DbConn,
    user: &CurrentUser,
    f: &VoiceFilter,
    page: &PageRequest,
) -> AppResult<Vec<FeedbackRow>> {
    Ok(repo::feedback(conn, &policy::voice_scope(user), f, page)?)
}

/// Complaints the caller may read, paged.
pub fn complaints(
    conn: &mut DbConn,
    user: &CurrentUser,
    f: &VoiceFilter,
    page: &PageRequest,
) -> AppResult<Vec<ComplaintRow>> {
    Ok(repo::complaints(conn, &policy::voice_scope(user), f, page)?)
}

/// One complaint the caller may read (any other is 404).
pub fn complaint(conn: &mut DbConn, user: &CurrentUser, id: &str) -> AppResult<Complaint> {
    let scope = policy::voice_scope(user);
    if scope == VoiceScope::Nothing {
        return Err(AppError::missing("complaint"));
    }
    Ok(repo::complaint(conn, &scope, id)?
        .ok_or_else(|| AppError::missing("complaint"))?
        .to_api())
}

/// What residents and families said of each unit in [from, to), for the unit report.
pub fn figures(
    conn: &mut DbConn,
    from: chrono::NaiveDateTime,
    to: chrono::NaiveDateTime,
) -> AppResult<std::collections::HashMap<String, super::model::VoiceFigures>> {
    let repo::Said {
        ratings,
        complaints,
    } = repo::voice_in(conn, from, to)?;
    let mut out: std::collections::HashMap<String, super::model::VoiceFigures> =
        std::collections::HashMap::new();
    for (clinic, rating) in ratings {
        out.entry(clinic).or_default().rate(rating);
    }
    for org in complaints {
        out.entry(org).or_default().complaints += 1;
    }
    Ok(out)
}
