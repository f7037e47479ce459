//! Visit plans in the database, read through the caller's scope.
use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{NewPlan, Plan};
use crate::auth::policy::{self, VisitScope};
use crate::auth::CurrentUser;
use crate::db::schema::{residents, visit_plans, visits};
use crate::db::{DbConn, MultiBackend};
use crate::ids::{OrgId, ReferralId, ResidentId, UserId};
use crate::visits::repo::VisitRow;

#[derive(Debug, Clone, Queryable)]
pub struct PlanRow {
    pub id: String,
    pub resident_id: ResidentId,
    pub clinic_id: OrgId,
    pub service_type: String,
    pub clinician_id: Option<UserId>,
    pub weekdays: String,
    pub window_from: String,
    pub window_to: String,
    pub starts_on: String,
    pub until: Option<String>,
    pub occurrences: Option<i32>,
    pub status: String,
    pub referral_id: Option<ReferralId>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The plan as the API shows it, with its visits in window order.
pub fn view(conn: &mut DbConn, row: &PlanRow) -> QueryResult<Plan> {
    let visit_rows: Vec<VisitRow> = visits::table
        .filter(visits::plan_id.eq(&row.id))
        .order(visits::window_start.asc())
        .load(conn)?;
    Ok(Plan {
        id: row.id.clone(),
        resident_id: row.resident_id.clone(),
        clinic_id: row.clinic_id.clone(),
        service_type: row.service_type.clone(),
        clinician_id: row.clinician_id.clone(),
        weekdays: serde_json::from_str(&row.weekdays).unwrap_or_default(),
        window: serde_json::json!({"from": row.window_from, "to": row.window_to}),
        starts_on: row.starts_on.clone(),
        until: row.until.clone(),
        count: row.occurrences,
        status: row.status.clone(),
        referral_id: row.referral_id.clone(),
        version: row.version,
        visits: visit_rows.iter().map(|v| v.to_api()).collect(),
    })
}

fn scoped(user: &CurrentUser) -> visit_plans::BoxedQuery<'static, MultiBackend> {
    let q = visit_plans::table.into_boxed();
    match policy::visit_scope(user) {
        VisitScope::All => q,
        VisitScope::Clinic(clinic) => q.filter(visit_plans::clinic_id.eq(clinic)),
        VisitScope::CareHome(home) => q.filter(
            visit_plans::resident_id.eq_any(
                residents::table
                    .filter(residents::care_home_id.eq(home))
                    .select(residents::id),
            ),
        ),
        VisitScope::Resident(r) => q.filter(visit_plans::resident_id.eq(r)),
        VisitScope::Nothing => q.filter(visit_plans::id.is_null()),
    }
}

/// One plan the caller may see.
pub fn find_scoped(
    conn: &mut DbConn,
    user: &CurrentUser,
    id: &str,
) -> QueryResult<Option<PlanRow>> {
    scoped(user)
        .filter(visit_plans::id.eq(id))
        .first(conn)
        .optional()
}

pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<PlanRow> {
    visit_plans::table.find(id).first(conn)
}

/// Where a new plan goes: the resident, clinic and service it was resolved to.
pub struct PlanPlace<'a> {
    pub resident_id: &'a str,
    pub clinic_id: &'a str,
    pub service_type: &'a str,
}

pub fn insert(
    conn: &mut DbConn,
    id: &str,
    place: &PlanPlace,
    p: &NewPlan,
    referral_id: Option<&ReferralId>,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(visit_plans::table)
        .values((
            visit_plans::id.eq(id),
            visit_plans::resident_id.eq(place.resident_id),
            visit_plans::clinic_id.eq(place.clinic_id),
            visit_plans::service_type.eq(place.service_type),
            visit_plans::clinician_id.eq(&p.clinician_id),
            visit_plans::weekdays.eq(serde_json::to_string(&p.weekdays).unwrap_or_default()),
            visit_plans::window_from.eq(p.window.from.format("%H:%M").to_string()),
            visit_plans::window_to.eq(p.window.to.format("%H:%M").to_string()),
            visit_plans::starts_on.eq(p.starts_on.to_string()),
            visit_plans::until.eq(p.until.map(|d| d.to_string())),
            visit_plans::occurrences.eq(p.count.map(|c| c as i32)),
            visit_plans::status.eq("active"),
            visit_plans::referral_id.eq(referral_id),
            visit_plans::version.eq(1i64),
            visit_plans::created_at.eq(at),
            visit_plans::updated_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// The plan's visits still to come (requested or scheduled) from `cutoff` on.
pub fn future_visits(
    conn: &mut DbConn,
    plan_id: &str,
    cutoff: NaiveDateTime,
) -> QueryResult<Vec<VisitRow>> {
    visits::table
        .filter(visits::plan_id.eq(plan_id))
        .filter(visits::status.eq_any(["requested", "scheduled"]))
        .filter(visits::window_start.ge(cutoff))
        .load(conn)
}

pub fn mark_ended(conn: &mut DbConn, row: &PlanRow, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(visit_plans::table.find(&row.id))
        .set((
            visit_plans::status.eq("ended"),
            visit_plans::version.eq(row.version + 1),
            visit_plans::updated_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}
