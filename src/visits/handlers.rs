//! HTTP: availability, visits and their transitions, the pool, and a clinician's day route.
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::booking::{self, AvailableSlot, Ctx};
use super::model::{
    self, Action, CancelBody, MissedBody, NewVisit, PositionBody, ScheduleBody, Status, Visit,
    VisitWindow,
};
use super::repo::{self, VisitChanges, VisitFilter, VisitRow};
use crate::app::AppState;
use crate::audit;
use crate::auth::{CurrentUser, Role};
use crate::db::{new_id, now, DbConn};
use crate::error::{AppError, AppResult};
use crate::http::extract::{parse_end, parse_id, parse_time, IdempotencyKey, IfMatch};
use crate::http::pagination::{Page, PageParams};
use crate::http::{self, to_value, Call};
use crate::planning::travel::distance_meters;

pub fn ctx(state: &AppState) -> Ctx<'_> {
    Ctx {
        travel: state.travel.as_ref(),
        step_minutes: state.settings.visits.slot_step_minutes,
        max_slots: state.settings.visits.max_slots,
        location_radius_m: state.settings.visits.location_radius_meters,
        now: now(),
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct AvailabilityQuery {
    pub resident_id: String,
    pub service_type: String,
    /// RFC 3339 time or a date (that day in the district's time zone).
    pub from: String,
    pub to: String,
    pub clinician_id: Option<String>,
    /// A visit of this resident being moved (rescheduled): its own time does not block a slot.
    pub visit_id: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/availability", tag = "visits", params(AvailabilityQuery),
    responses((status = 200, body = inline(Page<AvailableSlot>)), (status = 404, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)), security(("bearer" = [])))]
#[get("/availability")]
pub async fn availability(
    user: CurrentUser,
    state: web::Data<AppState>,
    q: web::Query<AvailabilityQuery>,
) -> AppResult<HttpResponse> {
    let from = parse_time("from", &q.from, state.tz)?;
    let to = parse_end("to", &q.to, state.tz)?;
    let window = window_of(&state, from, to)?;
    let moving = q
        .visit_id
        .as_deref()
        .map(|v| parse_id(v, "visit"))
        .transpose()?;
    let (q, st) = (q.into_inner(), state.clone());
    let slots = http::db(&state, move |conn| {
        let t = booking::target(conn, &user, &q.resident_id, &q.service_type, window)?;
        if let Some(id) = &moving {
            let visit =
                repo::find_scoped(conn, &user, id)?.ok_or_else(|| AppError::missing("visit"))?;
            if visit.resident_id != t.resident.id {
                return Err(AppError::invalid(
                    "visit_id",
                    "is a visit of another resident",
                ));
            }
        }
        booking::availability(
            conn,
            &ctx(&st),
            &t,
            q.clinician_id.as_deref(),
            moving.as_deref(),
        )
    })
    .await?;
    let items: Vec<AvailableSlot> = slots.iter().map(AvailableSlot::from).collect();
    Ok(HttpResponse::Ok().json(Page {
        items,
        next_cursor: None,
    }))
}

fn window_of(
    state: &AppState,
    from: chrono::NaiveDateTime,
    to: chrono::NaiveDateTime,
) -> AppResult<VisitWindow> {
    let utc = |t: chrono::NaiveDateTime| t.and_utc().fixed_offset();
    VisitWindow::parse(
        utc(from),
        utc(to),
        chrono::Utc::now(),
        state.settings.visits.max_window_days,
    )
}

#[utoipa::path(post, path = "/api/v1/visits", tag = "visits", request_body = NewVisit,
    responses((status = 201, body = Visit), (status = 409, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)), security(("bearer" = [])))]
#[post("/visits")]
pub async fn create_visit(
    user: CurrentUser,
    state: web::Data<AppState>,
    key: IdempotencyKey,
    body: crate::http::Json<NewVisit>,
) -> AppResult<HttpResponse> {
    if !model::may_request(user.role) {
        return Err(AppError::forbidden("This role may not ask for visits."));
    }
    let new = body.into_inner();
    let max_days = state.settings.visits.max_window_days;
    let window = model::WindowRequest::parse(
        new.window_start.map(|t| *t),
        new.window_end.map(|t| *t),
        new.starts_at.map(|t| *t),
        chrono::Utc::now(),
        max_days,
    )?;
    let booking_wanted = new.starts_at.is_some() || new.clinician_id.is_some() || new.auto_assign;
    let books = booking_wanted && model::may_book(user.role);
    if new.starts_at.is_some() && new.clinician_id.is_none() {
        return Err(AppError::invalid(
            "clinician_id",
            "is required with starts_at",
        ));
    }
    let st = state.clone();
    let quota = state.settings.visits.max_bookings_per_user_per_minute;
    http::idempotent_post(&state, user, key, "POST /visits", new, move |conn, user, new| {
        if repo::created_by_in_last_minute(conn, &user.id, now(), quota)? >= quota {
            return Err(AppError::rate_limited("You are creating visits too fast; wait a minute.", 60));
        }
        let window = match window {
            model::WindowRequest::Given(w) => w,
            slot => {
                let service = crate::catalogue::repo::find(conn, &new.service_type)?
                    .ok_or_else(|| AppError::invalid("service_type", "unknown service type"))?;
                slot.resolve(service.duration_minutes.into(), chrono::Utc::now(), max_days)?
            }
        };
        let t = booking::target(conn, user, &new.resident_id, &new.service_type, window)?;
        let ctx = ctx(&st);
        let slot = match (books, new.starts_at, new.clinician_id.as_deref()) {
            (false, ..) => None,
            (true, Some(at), Some(c)) => Some(booking::take_exact(conn, &ctx, &t, c, at.naive_utc(), None)?),
            (true, _, only) => Some(booking::take_best(conn, &ctx, &t, only, None)?.ok_or_else(|| {
                AppError::conflict(
                    "no_slot_available",
                    "No clinician has a free slot in that window; widen it, or leave the visit in the pool (auto_assign: false).",
                )
            })?),
        };
        let row = repo::insert(conn, &new_row(user, &t, &new, slot.as_ref()))?;
        let after = to_value(&row.to_api())?;
        audit::record(conn, Some(user), "create", "visit", &row.id, None, Some(&after))?;
        repo::publish(conn, if slot.is_some() { "booked" } else { "requested" }, &row)?;
        Ok((StatusCode::CREATED, after))
    })
    .await
}

fn new_row(
    user: &CurrentUser,
    t: &booking::Target,
    new: &NewVisit,
    slot: Option<&crate::planning::slots::Slot>,
) -> repo::NewVisitRow {
    let at = now();
    repo::NewVisitRow {
        id: new_id(),
        resident_id: t.resident.id.clone(),
        clinic_id: t.clinic.id.clone(),
        clinician_id: slot.map(|s| s.clinician_id.clone()),
        service_type: t.service.code.clone(),
        status: if slot.is_some() {
            Status::Scheduled
        } else {
            Status::Requested
        }
        .as_str()
        .into(),
        priority: new.priority.as_str().into(),
        window_start: t.window.start,
        window_end: t.window.end,
        starts_at: slot.map(|s| s.starts_at),
        ends_at: slot.map(|s| s.ends_at),
        travel_minutes_before: slot.map(|s| s.travel_minutes_before as i32),
        location_exception: false,
        plan_id: None,
        referral_id: None,
        notes: new.notes.clone(),
        unplaced_reason: None,
        requested_by: Some(user.id.clone()),
        version: 1,
        created_at: at,
        updated_at: at,
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct VisitQuery {
    pub clinician_id: Option<String>,
    pub clinic_id: Option<String>,
    pub resident_id: Option<String>,
    pub plan_id: Option<String>,
    /// A day (district time zone): visits whose window touches it.
    pub date: Option<NaiveDate>,
    pub status: Option<Status>,
    /// true: the exceptions to review (check-in or check-out far from home).
    pub location_exception: Option<bool>,
}

#[utoipa::path(get, path = "/api/v1/visits", tag = "visits", params(VisitQuery, PageParams),
    responses((status = 200, body = inline(Page<Visit>))), security(("bearer" = [])))]
#[get("/visits")]
pub async fn list_visits(
    user: CurrentUser,
    state: web::Data<AppState>,
    q: web::Query<VisitQuery>,
    page: web::Query<PageParams>,
) -> AppResult<HttpResponse> {
    let page = page.parse()?;
    let (from, to) = match q.date {
        Some(d) => {
            let (a, b) = day_bounds(&state, d)?;
            (Some(a), Some(b))
        }
        None => (None, None),
    };
    let filter = VisitFilter {
        clinician_id: q.clinician_id.clone(),
        clinic_id: q.clinic_id.clone(),
        resident_id: q.resident_id.clone(),
        plan_id: q.plan_id.clone(),
        from,
        to,
        status: q.status,
        location_exception: q.location_exception,
    };
    let p = page.clone();
    let rows = http::db(&state, move |conn| {
        Ok(repo::list(conn, &user, &filter, &p)?)
    })
    .await?;
    Ok(
        HttpResponse::Ok()
            .json(Page::from_rows(rows, &page, |r| r.id.as_str()).map(|r| r.to_api())),
    )
}

/// A district-time day as a UTC range.
pub fn day_bounds(
    state: &AppState,
    d: NaiveDate,
) -> AppResult<(chrono::NaiveDateTime, chrono::NaiveDateTime)> {
    let d = crate::http::extract::check_day("date", d)?;
    let s = d.format("%Y-%m-%d").to_string();
    let next = (d + chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    Ok((
        parse_time("date", &s, state.tz)?,
        parse_time("date", &next, state.tz)?,
    ))
}

#[utoipa::path(get, path = "/api/v1/visits/{id}", tag = "visits",
    responses((status = 200, body = Visit), (status = 404, body = crate::error::Problem)), security(("bearer" = [])))]
#[get("/visits/{id}")]
pub async fn get_visit(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = parse_id(&id, "visit")?;
    let row = http::db(&state, move |conn| {
        repo::find_scoped(conn, &user, &id)?.ok_or_else(|| AppError::missing("visit"))
    })
    .await?;
    Ok(http::json(StatusCode::OK, &row.to_api()))
}

/// The shared body of every transition: load in scope (404), check the role (403), the version
/// (412) and the state machine (409), apply `change`, audit.
async fn transition<B, F>(
    Call {
        user,
        state,
        id,
        key,
        if_match,
    }: Call,
    action: Action,
    body: B,
    change: F,
) -> AppResult<HttpResponse>
where
    B: Serialize + Send + 'static,
    F: FnOnce(&mut DbConn, &Ctx, &CurrentUser, &VisitRow, B) -> AppResult<VisitChanges>
        + Send
        + 'static,
{
    let id = parse_id(&id, "visit")?;
    let route: &'static str = match action {
        Action::Schedule => "POST /visits/{id}/schedule",
        Action::Reschedule => "POST /visits/{id}/reschedule",
        Action::Cancel => "POST /visits/{id}/cancel",
        Action::CheckIn => "POST /visits/{id}/check-in",
        Action::CheckOut => "POST /visits/{id}/check-out",
        Action::Missed => "POST /visits/{id}/missed",
    };
    let st = state.clone();
    http::idempotent_post(
        &state,
        user,
        key,
        route,
        (id, body),
        move |conn, user, (id, body)| {
            let row =
                repo::find_scoped(conn, user, &id)?.ok_or_else(|| AppError::missing("visit"))?;
            let own = row.clinician_id.as_deref() == Some(user.id.as_str());
            let own_record = user.resident_id.as_deref() == Some(row.resident_id.as_str());
            if !model::may(user.role, action, own, own_record) {
                return Err(AppError::forbidden(format!(
                    "You may not {} this visit.",
                    action.as_str()
                )));
            }
            if_match.check(row.version)?;
            let to = model::transition(row.status(), action)?;
            let mut changes = change(conn, &ctx(&st), user, &row, body)?;
            changes.status = Some(to.as_str().into());
            if !repo::update(conn, &row.id, row.version, changes)? {
                return Err(AppError::conflict(
                    "concurrent_update",
                    "Another change to this visit won; read it again.",
                ));
            }
            let after_row = repo::find(conn, &row.id)?.ok_or_else(|| AppError::missing("visit"))?;
            let (before, after) = (to_value(&row.to_api())?, to_value(&after_row.to_api())?);
            audit::record(
                conn,
                Some(user),
                action.as_str(),
                "visit",
                &row.id,
                Some(&before),
                Some(&after),
            )?;
            repo::publish(conn, action.as_str(), &after_row)?;
            Ok((StatusCode::OK, after))
        },
    )
    .await
}

/// Re-targets a stored visit (for schedule and reschedule) with the caller's view of it.
fn target_of(conn: &mut DbConn, user: &CurrentUser, row: &VisitRow) -> AppResult<booking::Target> {
    let window = VisitWindow {
        start: row.window_start,
        end: row.window_end,
    };
    let mut t = booking::target(conn, user, &row.resident_id, &row.service_type, window)?;
    t.clinic = crate::network::repo::find(conn, &row.clinic_id)?
        .ok_or_else(|| AppError::missing("organization"))?;
    Ok(t)
}

fn place(
    conn: &mut DbConn,
    ctx: &Ctx,
    user: &CurrentUser,
    row: &VisitRow,
    b: ScheduleBody,
) -> AppResult<VisitChanges> {
    let t = target_of(conn, user, row)?;
    let clinician = b
        .clinician_id
        .or(row.clinician_id.clone())
        .ok_or_else(|| AppError::invalid("clinician_id", "is required"))?;
    let slot = booking::take_exact(
        conn,
        ctx,
        &t,
        &clinician,
        b.starts_at.naive_utc(),
        Some(&row.id),
    )?;
    Ok(VisitChanges::booked(&slot))
}

macro_rules! visit_action {
    ($fn_name:ident, $path:literal, $doc_path:literal, $action:expr, $body:ty, $change:expr) => {
        #[utoipa::path(post, path = $doc_path, tag = "visits", request_body = $body,
            responses((status = 200, body = Visit), (status = 403, body = crate::error::Problem),
                (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
                (status = 412, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
            security(("bearer" = [])))]
        #[post($path)]
        pub async fn $fn_name(
            user: CurrentUser,
            state: web::Data<AppState>,
            id: web::Path<String>,
            key: IdempotencyKey,
            if_match: IfMatch,
            body: crate::http::Json<$body>,
        ) -> AppResult<HttpResponse> {
            transition(Call { user, state, id, key, if_match }, $action, body.into_inner(), $change).await
        }
    };
}

visit_action!(
    schedule_visit,
    "/visits/{id}/schedule",
    "/api/v1/visits/{id}/schedule",
    Action::Schedule,
    ScheduleBody,
    place
);
visit_action!(
    reschedule_visit,
    "/visits/{id}/reschedule",
    "/api/v1/visits/{id}/reschedule",
    Action::Reschedule,
    ScheduleBody,
    place
);
visit_action!(
    cancel_visit,
    "/visits/{id}/cancel",
    "/api/v1/visits/{id}/cancel",
    Action::Cancel,
    CancelBody,
    |_conn: &mut DbConn, _ctx: &Ctx, user: &CurrentUser, _row: &VisitRow, b: CancelBody| {
        let reason = b.reason.trim();
        if reason.is_empty() || reason.chars().count() > 500 {
            return Err(AppError::invalid("reason", "must be 1 to 500 characters"));
        }
        Ok(VisitChanges {
            cancel_reason: Some(Some(reason.into())),
            cancelled_by: Some(Some(user.id.clone())),
            ..Default::default()
        })
    }
);
visit_action!(
    missed_visit,
    "/visits/{id}/missed",
    "/api/v1/visits/{id}/missed",
    Action::Missed,
    MissedBody,
    |_conn: &mut DbConn, _ctx: &Ctx, _user: &CurrentUser, _row: &VisitRow, b: MissedBody| {
        let reason = serde_json::to_value(b.reason)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let text = match b
            .comment
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            Some(c) => format!("{reason}: {}", c.chars().take(500).collect::<String>()),
            None => reason,
        };
        Ok(VisitChanges {
            missed_reason: Some(Some(text)),
            ..Default::default()
        })
    }
);
visit_action!(
    check_in_visit,
    "/visits/{id}/check-in",
    "/api/v1/visits/{id}/check-in",
    Action::CheckIn,
    PositionBody,
    |conn: &mut DbConn, ctx: &Ctx, _user: &CurrentUser, row: &VisitRow, b: PositionBody| {
        b.validate(false)?;
        let (distance, far) = distance_from_home(conn, ctx, row, &b)?;
        Ok(VisitChanges {
            check_in_at: Some(Some(now())),
            check_in_distance_m: Some(Some(distance)),
            location_exception: Some(row.location_exception || far),
            ..Default::default()
        })
    }
);
visit_action!(
    check_out_visit,
    "/visits/{id}/check-out",
    "/api/v1/visits/{id}/check-out",
    Action::CheckOut,
    PositionBody,
    |conn: &mut DbConn, ctx: &Ctx, _user: &CurrentUser, row: &VisitRow, b: PositionBody| {
        b.validate(true)?;
        let (distance, far) = distance_from_home(conn, ctx, row, &b)?;
        let doc =
            serde_json::json!({"tasks": b.tasks, "vital_signs": b.vital_signs, "notes": b.notes});
        Ok(VisitChanges {
            check_out_at: Some(Some(now())),
            check_out_distance_m: Some(Some(distance)),
            location_exception: Some(row.location_exception || far),
            documentation: Some(Some(doc.to_string())),
            ..Default::default()
        })
    }
);

/// Meters from the resident's home, and whether that is beyond the configured radius.
fn distance_from_home(
    conn: &mut DbConn,
    ctx: &Ctx,
    row: &VisitRow,
    b: &PositionBody,
) -> AppResult<(f64, bool)> {
    let resident = crate::people::residents::find(conn, &row.resident_id)?
        .ok_or_else(|| AppError::missing("resident"))?;
    let d = distance_meters(
        resident.location(),
        crate::network::model::Location {
            lat: b.lat,
            lon: b.lon,
        },
    );
    Ok(((d * 10.0).round() / 10.0, d > ctx.location_radius_m))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct RouteQuery {
    /// The day, in the district's time zone.
    pub date: NaiveDate,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RouteStop {
    pub visit_id: String,
    pub resident_id: String,
    pub service_type: String,
    pub status: Status,
    pub travel_minutes: i64,
    pub arrival: crate::time::Time,
    pub starts_at: crate::time::Time,
    pub departure: crate::time::Time,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DayRoute {
    pub clinician_id: String,
    pub date: NaiveDate,
    pub stops: Vec<RouteStop>,
    pub return_travel_minutes: i64,
    pub back_at_clinic: Option<crate::time::Time>,
    pub total_travel_minutes: i64,
}

#[utoipa::path(get, path = "/api/v1/clinicians/{id}/route", tag = "visits", params(RouteQuery),
    responses((status = 200, body = DayRoute), (status = 404, body = crate::error::Problem)), security(("bearer" = [])))]
#[get("/clinicians/{id}/route")]
pub async fn clinician_route(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    q: web::Query<RouteQuery>,
) -> AppResult<HttpResponse> {
    let id = parse_id(&id, "clinician")?;
    let (from, to) = day_bounds(&state, q.date)?;
    let (st, date) = (state.clone(), q.date);
    let route = http::db(&state, move |conn| {
        // The clinician must be visible: themselves, their clinic's staff, or admin.
        let scope = crate::auth::policy::staff_scope(&user);
        let scope = if user.role == Role::Clinician {
            crate::auth::policy::StaffScope::Organization(
                user.organization_id.clone().unwrap_or_default(),
            )
        } else {
            scope
        };
        let clinician = crate::people::repo::find_scoped(conn, &scope, &id)?
            .filter(|c| c.role() == Some(Role::Clinician))
            .ok_or_else(|| AppError::missing("clinician"))?;
        let clinic =
            crate::network::repo::find(conn, clinician.organization_id.as_deref().unwrap_or(""))?
                .ok_or_else(|| AppError::missing("clinic"))?;
        let day = repo::day_of(conn, &user, &id, from, to)?;
        let places = day
            .iter()
            .map(|(v, home)| {
                (
                    v.id.clone(),
                    v.starts_at.unwrap_or(from),
                    v.ends_at.unwrap_or(from),
                    *home,
                )
            })
            .collect();
        let rows: Vec<VisitRow> = day.into_iter().map(|(v, _)| v).collect();
        let route = crate::planning::route::build(clinic.location(), places, st.travel.as_ref());
        let local = crate::time::Time::from;
        let stops = route
            .legs
            .iter()
            .filter_map(|leg| {
                let v = rows.iter().find(|v| v.id == leg.visit_id)?;
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
    })
    .await?;
    Ok(HttpResponse::Ok().json(route))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct PoolQuery {
    pub clinic_id: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/visits/pool", tag = "visits", params(PoolQuery),
    responses((status = 200, body = inline(Page<Visit>))), security(("bearer" = [])))]
#[get("/visits/pool")]
pub async fn pool(
    user: CurrentUser,
    state: web::Data<AppState>,
    q: web::Query<PoolQuery>,
) -> AppResult<HttpResponse> {
    let clinic = q.clinic_id.clone();
    let items = http::db(&state, move |conn| {
        let filter = VisitFilter {
            clinic_id: clinic,
            status: Some(Status::Requested),
            ..Default::default()
        };
        let page = crate::http::pagination::PageRequest {
            limit: 500,
            after: None,
        };
        let rows = repo::list(conn, &user, &filter, &page)?;
        let mut keyed = vec![];
        for v in rows {
            let flagged = crate::people::residents::find(conn, &v.resident_id)?
                .is_some_and(|r| !r.priority_flags().is_empty());
            keyed.push((
                model::pool_rank(v.priority == "urgent", flagged),
                v.window_start,
                v,
            ));
        }
        keyed.sort_by_key(|k| (k.0, k.1));
        Ok(keyed
            .into_iter()
            .map(|(_, _, v)| v.to_api())
            .collect::<Vec<_>>())
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page {
        items,
        next_cursor: None,
    }))
}
