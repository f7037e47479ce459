//! A clinician's day route: the visits of the day that hold time, in order from the clinic.
use chrono::NaiveDate;

use super::{day_bounds, Ctx};
use crate::auth::{CurrentUser, Role};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::ids::UserId;
use crate::visits::model::{DayRoute, RouteStop};
use crate::visits::repo::{self, VisitRow};

/// The route of one clinician the caller may see (themselves, their clinic's, or any for admin).
pub fn route(
    conn: &mut DbConn,
    ctx: &Ctx,
    user: &CurrentUser,
    id: UserId,
    date: NaiveDate,
) -> AppResult<DayRoute> {
    let (from, to) = day_bounds(ctx.tz, date)?;
    // The clinician must be visible: themselves, their clinic's staff, or admin.
    let scope = crate::auth::policy::staff_scope(user);
    let scope = if user.role == Role::Clinician {
        crate::auth::policy::StaffScope::Organization(
            user.organization_id.clone().unwrap_or_default(),
        )
    } else {
        scope
    };
    let clinician = crate::people::repo::find_scoped(conn, &scope, id.as_str())?
        .filter(|c| c.role() == Some(Role::Clinician))
        .ok_or_else(|| AppError::missing("clinician"))?;
    let clinic =
        crate::network::flow::find(conn, clinician.organization_id.as_deref().unwrap_or(""))?
            .ok_or_else(|| AppError::missing("clinic"))?;
    let day = repo::day_of(conn, user, &id, from, to)?;
    let places = day
        .iter()
        .map(|(v, home)| {
            (
                v.id.to_string(),
                v.starts_at.unwrap_or(from),
                v.ends_at.unwrap_or(from),
                *home,
            )
        })
        .collect();
    let rows: Vec<VisitRow> = day.into_iter().map(|(v, _)| v).collect();
    let route = crate::planning::route::build(clinic.location(), places, ctx.booking.travel);
    let local = crate::time::Time::from;
    let stops = route
        .legs
        .iter()
        .filter_map(|leg| {
            let v = rows.iter().find(|v| v.id.as_str() == leg.visit_id)?;
            Some(RouteStop {
                visit_id: v.id.clone(),
                resident_id: v.resident_id.clone(),
                service_type: v.service_type.clone(),
                status: v.status(),
                travel_minutes: leg.travel_minutes,
                arrival: local(leg.arrival),
                starts_at: local(leg.starts_at),
                departure: local(leg.departure),
            })
        })
        .collect();
    Ok(DayRoute {
        clinician_id: id,
        date,
        stops,
        return_travel_minutes: route.return_travel_minutes,
        back_at_clinic: route.back_at_clinic.map(local),
        total_travel_minutes: route.total_travel_minutes,
    })
}
