//! Recurring visit plans: weekly days, a time-of-day window, a start and an end or a count. A plan
//! creates its visits (booked where a slot exists, else requested with the reason); each visit
//! can then be moved or cancelled alone; ending the plan cancels its future visits only.
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::booking::{self, Ctx};
use super::model::{self, Priority, Status, Visit, VisitWindow};
use super::repo::{self, VisitChanges};
use crate::audit;
use crate::auth::{CurrentUser, Role};
use crate::db::schema::{residents, visit_plans, visits};
use crate::db::{new_id, now, DbConn, MultiBackend};
use crate::error::{AppError, AppResult};
use crate::http::extract::{parse_id, IdempotencyKey};
use crate::http::{self, to_value};
use crate::state::AppState;

/// The most occurrences one plan creates.
pub const MAX_OCCURRENCES: usize = 100;

#[derive(Debug, Clone, Copy, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeWindow {
    /// Time of day (district time), "09:00".
    #[schema(value_type = String, example = "09:00")]
    pub from: NaiveTime,
    /// Time of day, after `from`, "11:30".
    #[schema(value_type = String, example = "11:30")]
    pub to: NaiveTime,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPlan {
    /// The resident to visit (one the caller may see).
    pub resident_id: String,
    /// A service type `code` of the catalogue.
    pub service_type: String,
    /// ISO weekdays: 1 = Monday ... 7 = Sunday; at least one.
    #[schema(min_items = 1)]
    pub weekdays: Vec<u32>,
    pub window: TimeWindow,
    /// The first day (district time zone); today or later.
    pub starts_on: NaiveDate,
    /// The last day, within a year after `starts_on`. Give either `until` or `count`.
    pub until: Option<NaiveDate>,
    /// How many visits: 1 to 100. Give either `until` or `count`.
    #[schema(minimum = 1, maximum = 100)]
    pub count: Option<u32>,
    /// Book this clinician (an active clinician of the serving clinic with the skill); else the
    /// best free clinician for each visit.
    pub clinician_id: Option<String>,
    #[serde(default)]
    pub priority: Priority,
}

/// The dates a plan falls on (pure): the chosen weekdays from `starts_on`, up to `until` or
/// `count` occurrences, never more than MAX_OCCURRENCES.
pub fn occurrences(
    weekdays: &[u32],
    starts_on: NaiveDate,
    until: Option<NaiveDate>,
    count: Option<u32>,
) -> Vec<NaiveDate> {
    let limit = count
        .map(|c| c as usize)
        .unwrap_or(MAX_OCCURRENCES)
        .min(MAX_OCCURRENCES);
    let last = until.unwrap_or(starts_on + Duration::days(366));
    let mut out = vec![];
    let mut d = starts_on;
    while d <= last && out.len() < limit {
        if weekdays.contains(&d.weekday().number_from_monday()) {
            out.push(d);
        }
        d += Duration::days(1);
    }
    out
}

impl NewPlan {
    pub fn validate(&self, today: NaiveDate) -> Result<(), AppError> {
        let mut errors = vec![];
        let mut err = |f: &str, m: &str| {
            errors.push(crate::error::FieldError {
                field: f.into(),
                message: m.into(),
            })
        };
        if self.weekdays.is_empty() || self.weekdays.iter().any(|d| !(1..=7).contains(d)) {
            err("weekdays", "must list days 1 (Monday) to 7 (Sunday)");
        }
        if self.window.to <= self.window.from {
            err("window.to", "must be after window.from");
        }
        if self.starts_on < today {
            err("starts_on", "is in the past");
        }
        match (self.until, self.count) {
            (Some(_), Some(_)) | (None, None) => err("until", "give either until or count"),
            (Some(u), None) if u < self.starts_on || u > self.starts_on + Duration::days(366) => {
                err("until", "must be within a year after starts_on")
            }
            (None, Some(c)) if c == 0 || c as usize > MAX_OCCURRENCES => {
                err("count", "must be 1 to 100")
            }
            _ => {}
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(AppError::validation(errors))
        }
    }
}

#[derive(Debug, Clone, Queryable)]
pub struct PlanRow {
    pub id: String,
    pub resident_id: String,
    pub clinic_id: String,
    pub service_type: String,
    pub clinician_id: Option<String>,
    pub weekdays: String,
    pub window_from: String,
    pub window_to: String,
    pub starts_on: String,
    pub until: Option<String>,
    pub occurrences: Option<i32>,
    pub status: String,
    pub referral_id: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Plan {
    pub id: String,
    pub resident_id: String,
    pub clinic_id: String,
    pub service_type: String,
    pub clinician_id: Option<String>,
    pub weekdays: Vec<u32>,
    pub window: serde_json::Value,
    pub starts_on: String,
    pub until: Option<String>,
    pub count: Option<i32>,
    pub status: String,
    pub referral_id: Option<String>,
    pub version: i64,
    pub visits: Vec<Visit>,
}

fn to_api(conn: &mut DbConn, row: &PlanRow) -> AppResult<Plan> {
    let visit_rows: Vec<repo::VisitRow> = visits::table
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
    match (user.role, &user.organization_id, &user.resident_id) {
        (Role::Admin, ..) => q,
        (Role::Scheduler | Role::Clinician, Some(clinic), _) => {
            q.filter(visit_plans::clinic_id.eq(clinic.clone()))
        }
        (Role::CareHome, Some(home), _) => q.filter(
            visit_plans::resident_id.eq_any(
                residents::table
                    .filter(residents::care_home_id.eq(home.clone()))
                    .select(residents::id),
            ),
        ),
        (Role::Resident, _, Some(r)) => q.filter(visit_plans::resident_id.eq(r.clone())),
        _ => q.filter(visit_plans::id.is_null()),
    }
}

fn local(tz: chrono_tz::Tz, d: NaiveDate, t: NaiveTime) -> Option<NaiveDateTime> {
    tz.from_local_datetime(&d.and_time(t))
        .earliest()
        .map(|x| x.naive_utc())
}

/// Creates the plan and its visits in one transaction. Also used by referrals' follow-up.
pub fn create(
    conn: &mut DbConn,
    ctx: &Ctx,
    tz: chrono_tz::Tz,
    user: &CurrentUser,
    p: &NewPlan,
    referral_id: Option<&str>,
) -> AppResult<PlanRow> {
    let first = local(tz, p.starts_on, p.window.from)
        .ok_or_else(|| AppError::invalid("starts_on", "not a real local time"))?;
    let probe = VisitWindow {
        start: first,
        end: first + Duration::hours(1),
    };
    let t = booking::target(conn, user, &p.resident_id, &p.service_type, probe)?;
    if let Some(c) = &p.clinician_id {
        booking::able_clinicians(conn, &t, Some(c))?;
    }
    let id = new_id();
    let at = now();
    diesel::insert_into(visit_plans::table)
        .values((
            visit_plans::id.eq(&id),
            visit_plans::resident_id.eq(&t.resident.id),
            visit_plans::clinic_id.eq(&t.clinic.id),
            visit_plans::service_type.eq(&t.service.code),
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
    let mut target = t;
    for day in occurrences(&p.weekdays, p.starts_on, p.until, p.count) {
        let (Some(start), Some(end)) = (local(tz, day, p.window.from), local(tz, day, p.window.to))
        else {
            continue;
        };
        if end <= ctx.now {
            continue;
        }
        target.window = VisitWindow { start, end };
        let able = booking::able_clinicians(conn, &target, p.clinician_id.as_deref())?;
        let slot = if able.is_empty() {
            None
        } else {
            booking::take_best(conn, ctx, &target, p.clinician_id.as_deref(), None)?
        };
        let reason = match (&slot, able.is_empty()) {
            (Some(_), _) => None,
            (None, true) => Some("no clinician with the skill".to_string()),
            (None, false) => Some("no free slot in the window".to_string()),
        };
        let row = repo::NewVisitRow {
            id: new_id(),
            resident_id: target.resident.id.clone(),
            clinic_id: target.clinic.id.clone(),
            clinician_id: slot.as_ref().map(|s| s.clinician_id.clone()),
            service_type: target.service.code.clone(),
            status: if slot.is_some() {
                Status::Scheduled
            } else {
                Status::Requested
            }
            .as_str()
            .into(),
            priority: p.priority.as_str().into(),
            window_start: start,
            window_end: end,
            starts_at: slot.as_ref().map(|s| s.starts_at),
            ends_at: slot.as_ref().map(|s| s.ends_at),
            travel_minutes_before: slot.as_ref().map(|s| s.travel_minutes_before as i32),
            location_exception: false,
            plan_id: Some(id.clone()),
            referral_id: referral_id.map(str::to_string),
            notes: String::new(),
            unplaced_reason: reason,
            requested_by: Some(user.id.clone()),
            version: 1,
            created_at: at,
            updated_at: at,
        };
        let v = repo::insert(conn, &row)?;
        audit::record(
            conn,
            Some(user),
            "create",
            "visit",
            &v.id,
            None,
            Some(&to_value(&v.to_api())?),
        )?;
        repo::publish(
            conn,
            if v.clinician_id.is_some() {
                "booked"
            } else {
                "requested"
            },
            &v,
        )?;
    }
    Ok(visit_plans::table.find(&id).first(conn)?)
}

/// Make a recurring visit plan
///
/// Admin and schedulers, for residents they may see (others are 404). Creates the plan and, in
/// the same transaction, its visits (at most 100, never more than a year ahead): on each chosen
/// weekday in the time window, booked into the best free slot where there is one (of
/// `clinician_id` alone, if given), otherwise left `requested` in the pool with the reason in
/// `unplaced_reason`. Each visit can then be moved or cancelled alone. Audited; with an
/// `Idempotency-Key`, a retry replays the first answer and creates nothing more.
#[utoipa::path(post, tag = "visits",
    params(("Idempotency-Key" = Option<String>, Header, description = "1 to 255 characters: a retry with the same key and body replays the first answer")),
    request_body(content = NewPlan, example = json!({"resident_id": "01938a6e-4c30-7f4d-8e5b-6c7d8e9fa004",
        "service_type": "rehabilitation_training", "weekdays": [2, 5], "window": {"from": "09:00", "to": "11:30"},
        "starts_on": "2026-12-08", "count": 8, "priority": "routine"})),
    responses((status = 201, description = "The plan with its visits", body = Plan),
        (status = 403, description = "`forbidden`: only admin and schedulers make visit plans", body = crate::error::Problem),
        (status = 404, description = "`not_found`: the resident is not one the caller may see", body = crate::error::Problem),
        (status = 409, description = "`no_serving_clinic`: no clinic serves the resident's community", body = crate::error::Problem),
        (status = 422, description = "`validation_failed`: `weekdays` empty or outside 1-7; `window.to` not after `window.from`; \
`starts_on` in the past; not exactly one of `until` (within a year) and `count` (1-100); unknown `service_type`; \
`clinician_id` not an able clinician of the serving clinic; `idempotency_key_reused`: the Idempotency-Key was used with \
another body", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/visit-plans")]
pub async fn create_plan(
    user: CurrentUser,
    state: web::Data<AppState>,
    key: IdempotencyKey,
    body: crate::http::Json<NewPlan>,
) -> AppResult<HttpResponse> {
    if !model::may_book(user.role) {
        return Err(AppError::forbidden("Only schedulers make visit plans."));
    }
    let today = chrono::Utc::now().with_timezone(&state.tz).date_naive();
    body.validate(today)?;
    let st = state.clone();
    http::idempotent_post(
        &state,
        user,
        key,
        "POST /visit-plans",
        body.into_inner(),
        move |conn, user, p| {
            let ctx = super::handlers::ctx(&st);
            let row = create(conn, &ctx, st.tz, user, &p, None)?;
            let plan = to_value(&to_api(conn, &row)?)?;
            audit::record(
                conn,
                Some(user),
                "create",
                "visit_plan",
                &row.id,
                None,
                Some(&plan),
            )?;
            Ok((StatusCode::CREATED, plan))
        },
    )
    .await
}

/// Read a visit plan with its visits
///
/// Admin any; schedulers and clinicians their clinic's plans; care-home staff their residents';
/// a resident login its own; any other plan is 404. Served with an `ETag`.
#[utoipa::path(get, tag = "visits",
    params(("id" = String, Path, description = "The plan's id (a UUID)")),
    responses((status = 200, description = "The plan with its visits", body = Plan),
        (status = 404, description = "`not_found`: no such plan, or not one the caller may see", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/visit-plans/{id}")]
pub async fn get_plan(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = parse_id(&id, "visit plan")?;
    let plan = http::db(&state, move |conn| {
        let row: PlanRow = scoped(&user)
            .filter(visit_plans::id.eq(id))
            .first(conn)
            .optional()?
            .ok_or_else(|| AppError::missing("visit plan"))?;
        to_api(conn, &row)
    })
    .await?;
    Ok(http::json(StatusCode::OK, &plan))
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndPlan {
    /// Visits from this day on are cancelled (default, and at the earliest: now).
    pub from: Option<NaiveDate>,
    /// Kept as the cancelled visits' reason (default "plan ended").
    pub reason: Option<String>,
}

/// End a visit plan
///
/// Admin and schedulers, for plans they may see (others are 404). Cancels the plan's
/// `requested` and `scheduled` visits from `from` (default now) on, each with the reason, and marks
/// the plan `ended`; visits before then, and those done, stay. Audited and published; with an
/// `Idempotency-Key`, a retry replays the first answer.
#[utoipa::path(post, tag = "visits",
    params(("id" = String, Path, description = "The plan's id (a UUID)"),
        ("Idempotency-Key" = Option<String>, Header, description = "1 to 255 characters: a retry with the same key and body replays the first answer")),
    request_body(content = EndPlan, example = json!({"from": "2026-12-15", "reason": "老人入住养老院，改由机构医生随访"})),
    responses((status = 200, description = "The ended plan with its visits", body = Plan),
        (status = 403, description = "`forbidden`: only admin and schedulers end visit plans", body = crate::error::Problem),
        (status = 404, description = "`not_found`: no such plan, or not one the caller may see", body = crate::error::Problem),
        (status = 409, description = "`invalid_transition`: the plan has ended already; `concurrent_update`: a visit of the \
plan changed meanwhile, retry", body = crate::error::Problem),
        (status = 422, description = "`idempotency_key_reused`: the Idempotency-Key was used with another body; \
`validation_failed`: a malformed body", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/visit-plans/{id}/end")]
pub async fn end_plan(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    key: IdempotencyKey,
    body: crate::http::Json<EndPlan>,
) -> AppResult<HttpResponse> {
    let id = parse_id(&id, "visit plan")?;
    let tz = state.tz;
    http::idempotent_post(
        &state,
        user,
        key,
        "POST /visit-plans/{id}/end",
        (id, body.into_inner()),
        move |conn, user, (id, b)| {
            let row: PlanRow = scoped(user)
                .filter(visit_plans::id.eq(&id))
                .first(conn)
                .optional()?
                .ok_or_else(|| AppError::missing("visit plan"))?;
            if !model::may_book(user.role) {
                return Err(AppError::forbidden("Only schedulers end visit plans."));
            }
            if row.status != "active" {
                return Err(AppError::conflict(
                    "invalid_transition",
                    "The plan has ended already.",
                ));
            }
            let before = to_value(&to_api(conn, &row)?)?;
            let cutoff = b
                .from
                .and_then(|d| local(tz, d, NaiveTime::MIN))
                .unwrap_or_else(now)
                .max(now());
            let reason = b.reason.unwrap_or_else(|| "plan ended".into());
            let future: Vec<repo::VisitRow> = visits::table
                .filter(visits::plan_id.eq(&id))
                .filter(visits::status.eq_any(["requested", "scheduled"]))
                .filter(visits::window_start.ge(cutoff))
                .load(conn)?;
            for v in future {
                let changes = VisitChanges {
                    status: Some(Status::Cancelled.as_str().into()),
                    cancel_reason: Some(Some(reason.clone())),
                    cancelled_by: Some(Some(user.id.clone())),
                    ..Default::default()
                };
                if !repo::update(conn, &v.id, v.version, changes)? {
                    return Err(AppError::conflict(
                        "concurrent_update",
                        "A visit of the plan changed meanwhile; retry.",
                    ));
                }
                if let Some(cancelled) = repo::find(conn, &v.id)? {
                    repo::publish(conn, "cancel", &cancelled)?;
                }
            }
            diesel::update(visit_plans::table.find(&id))
                .set((
                    visit_plans::status.eq("ended"),
                    visit_plans::version.eq(row.version + 1),
                    visit_plans::updated_at.eq(now()),
                ))
                .execute(conn)?;
            let ended: PlanRow = visit_plans::table.find(&id).first(conn)?;
            let after = to_value(&to_api(conn, &ended)?)?;
            audit::record(
                conn,
                Some(user),
                "end",
                "visit_plan",
                &id,
                Some(&before),
                Some(&after),
            )?;
            Ok((StatusCode::OK, after))
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_plan_falls_on_its_weekdays_up_to_its_count() {
        // 2026-12-01 is a Tuesday.
        let days = occurrences(&[2, 4], d("2026-12-01"), None, Some(4));
        assert_eq!(
            days,
            vec![
                d("2026-12-01"),
                d("2026-12-03"),
                d("2026-12-08"),
                d("2026-12-10")
            ]
        );
    }

    #[test]
    fn a_plan_stops_at_its_end_date() {
        let days = occurrences(
            &[1, 2, 3, 4, 5, 6, 7],
            d("2026-12-01"),
            Some(d("2026-12-03")),
            None,
        );
        assert_eq!(days.len(), 3);
    }

    #[test]
    fn a_plan_needs_days_a_window_and_exactly_one_end() {
        let plan = NewPlan {
            resident_id: "r".into(),
            service_type: "s".into(),
            weekdays: vec![8],
            window: TimeWindow {
                from: NaiveTime::from_hms_opt(11, 0, 0).unwrap(),
                to: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
            },
            starts_on: d("2026-12-01"),
            until: Some(d("2026-12-31")),
            count: Some(3),
            clinician_id: None,
            priority: Priority::Routine,
        };
        let fields: Vec<_> = plan
            .validate(d("2026-11-27"))
            .unwrap_err()
            .errors
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["weekdays", "window.to", "until"]);
    }
}
