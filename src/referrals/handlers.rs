//! HTTP: `/api/v1/referrals`, their transitions, and the published response times.
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use serde::{Deserialize, Serialize};

use super::flow;
use super::model::{
    self, AcceptBody, Action, AdviceBody, CancelBody, CompleteBody, Direction, EmptyBody,
    NewReferral, Priority, Referral, RejectBody, ScheduleBody, Status,
};
use super::repo::{self, Mailbox, ReferralChanges, ReferralFilter, ReferralRow};
use crate::app::AppState;
use crate::auth::{CurrentUser, Role};
use crate::db::{now, DbConn};
use crate::error::{AppError, AppResult};
use crate::http::extract::{parse_id, IdempotencyKey, IfMatch};
use crate::http::pagination::{Page, PageParams};
use crate::http::{self, to_value, Call};

#[utoipa::path(post, path = "/api/v1/referrals", tag = "referrals", request_body = NewReferral,
    responses((status = 201, body = Referral), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/referrals")]
pub async fn submit(
    user: CurrentUser,
    state: web::Data<AppState>,
    key: IdempotencyKey,
    body: crate::http::Json<NewReferral>,
) -> AppResult<HttpResponse> {
    body.validate()?;
    let cfg = state.settings.referrals.clone();
    http::idempotent_post(
        &state,
        user,
        key,
        "POST /referrals",
        body.into_inner(),
        move |conn, user, new| {
            let row = flow::submit(conn, user, &new, &cfg, now())?;
            Ok((StatusCode::CREATED, to_value(&repo::full(conn, &row)?)?))
        },
    )
    .await
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ReferralQuery {
    /// inbox: received by your organisation; outbox: sent; watching: a signed care home's.
    #[serde(rename = "box")]
    pub mailbox: Option<Mailbox>,
    pub status: Option<Status>,
    pub priority: Option<Priority>,
    pub overdue: Option<bool>,
    pub resident_id: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/referrals", tag = "referrals", params(ReferralQuery, PageParams),
    responses((status = 200, body = inline(Page<Referral>))), security(("bearer" = [])))]
#[get("/referrals")]
pub async fn list(
    user: CurrentUser,
    state: web::Data<AppState>,
    q: web::Query<ReferralQuery>,
    page: web::Query<PageParams>,
) -> AppResult<HttpResponse> {
    let page = page.parse_offset()?;
    let q = q.into_inner();
    let filter = ReferralFilter {
        mailbox: q.mailbox,
        status: q.status,
        priority: q.priority,
        overdue: q.overdue,
        resident_id: q.resident_id,
    };
    let p = page.clone();
    let items = http::db(&state, move |conn| {
        let rows = repo::list(conn, &user, &filter, &p)?;
        Ok(rows.iter().map(|r| r.to_api(vec![])).collect::<Vec<_>>())
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page::from_offset(items, &page)))
}

#[utoipa::path(get, path = "/api/v1/referrals/{id}", tag = "referrals",
    responses((status = 200, body = Referral), (status = 404, body = crate::error::Problem)), security(("bearer" = [])))]
#[get("/referrals/{id}")]
pub async fn get(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = parse_id(&id, "referral")?;
    let r = http::db(&state, move |conn| {
        let row =
            repo::find_scoped(conn, &user, &id)?.ok_or_else(|| AppError::missing("referral"))?;
        Ok(repo::full(conn, &row)?)
    })
    .await?;
    Ok(http::json(StatusCode::OK, &r))
}

/// What each step changes besides the status, given its body.
type Step<B> = fn(
    &mut DbConn,
    &StepCtx,
    &CurrentUser,
    &ReferralRow,
    &B,
) -> AppResult<(ReferralChanges, Option<serde_json::Value>)>;

/// Settings a step may need.
pub struct StepCtx {
    state: AppState,
}

async fn step<B>(
    Call {
        user,
        state,
        id,
        key,
        if_match,
    }: Call,
    action: Action,
    body: B,
    f: Step<B>,
) -> AppResult<HttpResponse>
where
    B: Serialize + Send + 'static,
{
    let id = parse_id(&id, "referral")?;
    let sctx = StepCtx {
        state: state.get_ref().clone(),
    };
    let route = match action {
        Action::Accept => "POST /referrals/{id}/accept",
        Action::Reject => "POST /referrals/{id}/reject",
        Action::Return => "POST /referrals/{id}/return",
        Action::Schedule => "POST /referrals/{id}/schedule",
        Action::Arrive => "POST /referrals/{id}/arrive",
        Action::Complete => "POST /referrals/{id}/complete",
        Action::Cancel => "POST /referrals/{id}/cancel",
        Action::NoShow => "POST /referrals/{id}/no-show",
    };
    http::idempotent_post(
        &state,
        user,
        key,
        route,
        (id, body),
        move |conn, user, (id, body)| {
            let row =
                repo::find_scoped(conn, user, &id)?.ok_or_else(|| AppError::missing("referral"))?;
            flow::side_of(user, &row)?;
            if_match.check(row.version)?;
            model::transition(row.status(), action)?;
            let (changes, detail) = f(conn, &sctx, user, &row, &body)?;
            let after = flow::act(conn, user, &row, action, changes, detail, now())?;
            let after = after_step(conn, &sctx, user, action, &after, &body)?;
            Ok((StatusCode::OK, to_value(&repo::full(conn, &after)?)?))
        },
    )
    .await
}

/// Follow-on work of a step, in its transaction: a down-referral accepted with follow-up starts
/// the home-visit plan; a completion may start the down-referral.
fn after_step<B: Serialize>(
    conn: &mut DbConn,
    s: &StepCtx,
    user: &CurrentUser,
    action: Action,
    r: &ReferralRow,
    body: &B,
) -> AppResult<ReferralRow> {
    match action {
        Action::Accept if r.direction() == Direction::Down && r.follow_up.is_some() => {
            let ctx = crate::visits::handlers::ctx(&s.state);
            let plan = flow::start_follow_up(conn, &ctx, s.state.tz, user, r)?;
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
            Ok(repo::find(conn, &r.id)?.ok_or_else(|| AppError::missing("referral"))?)
        }
        Action::Complete => {
            let body: CompleteBody =
                serde_json::from_value(to_value(body)?).map_err(AppError::internal)?;
            if let Some(down) = body.down_referral {
                let new = model::NewReferral {
                    resident_id: r.resident_id.clone(),
                    direction: Direction::Down,
                    to_organization_id: down
                        .to_organization_id
                        .unwrap_or_else(|| r.from_organization_id.clone()),
                    department: down.department,
                    priority: down.priority,
                    reason: body.recommendations.clone(),
                    diagnosis: body.diagnosis.clone(),
                    clinical_summary: serde_json::json!({
                        "treatment_given": body.treatment_given, "rehabilitation_advice": body.recommendations,
                        "main_test_results": body.main_test_results, "inpatient_record_number": body.inpatient_record_number,
                    }),
                    sending_doctor: None,
                    receiving_doctor: None,
                    parent_referral_id: Some(r.id.clone()),
                    follow_up: down.follow_up,
                };
                new.validate()?;
                flow::submit(conn, user, &new, &s.state.settings.referrals, now())?;
            }
            Ok(r.clone())
        }
        _ => Ok(r.clone()),
    }
}

fn json_text<T: Serialize>(v: &T) -> AppResult<Option<Option<String>>> {
    Ok(Some(Some(to_value(v)?.to_string())))
}

fn accept(
    _: &mut DbConn,
    _: &StepCtx,
    user: &CurrentUser,
    _: &ReferralRow,
    b: &AcceptBody,
) -> AppResult<(ReferralChanges, Option<serde_json::Value>)> {
    let triage = serde_json::json!({"decision": "accepted", "comment": b.comment, "by": user.id});
    let changes = ReferralChanges {
        triage: json_text(&triage)?,
        receiving_doctor: b.receiving_doctor.clone().map(Some),
        ..Default::default()
    };
    Ok((changes, Some(triage)))
}

fn reject(
    _: &mut DbConn,
    _: &StepCtx,
    user: &CurrentUser,
    _: &ReferralRow,
    b: &RejectBody,
) -> AppResult<(ReferralChanges, Option<serde_json::Value>)> {
    b.validate()?;
    let triage = serde_json::json!({"decision": "rejected", "reason_code": b.reason_code, "comment": b.comment, "by": user.id});
    Ok((
        ReferralChanges {
            triage: json_text(&triage)?,
            ..Default::default()
        },
        Some(triage),
    ))
}

fn send_back(
    _: &mut DbConn,
    _: &StepCtx,
    user: &CurrentUser,
    _: &ReferralRow,
    b: &AdviceBody,
) -> AppResult<(ReferralChanges, Option<serde_json::Value>)> {
    if b.advice.trim().is_empty() || b.advice.chars().count() > 4000 {
        return Err(AppError::invalid("advice", "must be 1 to 4000 characters"));
    }
    let triage = serde_json::json!({"decision": "returned", "advice": b.advice, "by": user.id});
    Ok((
        ReferralChanges {
            triage: json_text(&triage)?,
            ..Default::default()
        },
        Some(triage),
    ))
}

fn schedule(
    _: &mut DbConn,
    _: &StepCtx,
    _: &CurrentUser,
    _: &ReferralRow,
    b: &ScheduleBody,
) -> AppResult<(ReferralChanges, Option<serde_json::Value>)> {
    if b.department.trim().is_empty() || b.location.trim().is_empty() {
        return Err(AppError::invalid(
            "department",
            "department and location are required",
        ));
    }
    if b.appointment_at.naive_utc() < now() - chrono::Duration::hours(1) {
        return Err(AppError::invalid("appointment_at", "is in the past"));
    }
    let appointment = serde_json::json!({"at": crate::time::Time::from(*b.appointment_at), "department": b.department, "location": b.location});
    Ok((
        ReferralChanges {
            appointment: json_text(&appointment)?,
            ..Default::default()
        },
        Some(appointment),
    ))
}

fn note(
    _: &mut DbConn,
    _: &StepCtx,
    _: &CurrentUser,
    _: &ReferralRow,
    b: &EmptyBody,
) -> AppResult<(ReferralChanges, Option<serde_json::Value>)> {
    Ok((
        ReferralChanges::default(),
        b.comment
            .as_ref()
            .map(|c| serde_json::json!({"comment": c})),
    ))
}

fn cancel(
    _: &mut DbConn,
    _: &StepCtx,
    _: &CurrentUser,
    _: &ReferralRow,
    b: &CancelBody,
) -> AppResult<(ReferralChanges, Option<serde_json::Value>)> {
    if b.reason.trim().is_empty() || b.reason.chars().count() > 500 {
        return Err(AppError::invalid("reason", "must be 1 to 500 characters"));
    }
    Ok((
        ReferralChanges::default(),
        Some(serde_json::json!({"reason": b.reason})),
    ))
}

fn complete(
    _: &mut DbConn,
    _: &StepCtx,
    _: &CurrentUser,
    r: &ReferralRow,
    b: &CompleteBody,
) -> AppResult<(ReferralChanges, Option<serde_json::Value>)> {
    b.validate()?;
    if b.down_referral.is_some() && r.direction() != Direction::Up {
        return Err(AppError::invalid(
            "down_referral",
            "only an up-referral's completion starts a down-referral",
        ));
    }
    let sheet = serde_json::json!({
        "diagnosis": b.diagnosis, "inpatient_record_number": b.inpatient_record_number,
        "main_test_results": b.main_test_results, "treatment_given": b.treatment_given,
        "recommendations": b.recommendations,
    });
    Ok((
        ReferralChanges {
            return_sheet: json_text(&sheet)?,
            ..Default::default()
        },
        Some(sheet),
    ))
}

macro_rules! referral_action {
    ($fn_name:ident, $path:literal, $doc_path:literal, $action:expr, $body:ty, $f:expr) => {
        #[utoipa::path(post, path = $doc_path, tag = "referrals", request_body = $body,
            responses((status = 200, body = Referral), (status = 403, body = crate::error::Problem),
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
            step(Call { user, state, id, key, if_match }, $action, body.into_inner(), $f).await
        }
    };
}

referral_action!(
    accept_referral,
    "/referrals/{id}/accept",
    "/api/v1/referrals/{id}/accept",
    Action::Accept,
    AcceptBody,
    accept
);
referral_action!(
    reject_referral,
    "/referrals/{id}/reject",
    "/api/v1/referrals/{id}/reject",
    Action::Reject,
    RejectBody,
    reject
);
referral_action!(
    return_referral,
    "/referrals/{id}/return",
    "/api/v1/referrals/{id}/return",
    Action::Return,
    AdviceBody,
    send_back
);
referral_action!(
    schedule_referral,
    "/referrals/{id}/schedule",
    "/api/v1/referrals/{id}/schedule",
    Action::Schedule,
    ScheduleBody,
    schedule
);
referral_action!(
    arrive_referral,
    "/referrals/{id}/arrive",
    "/api/v1/referrals/{id}/arrive",
    Action::Arrive,
    EmptyBody,
    note
);
referral_action!(
    complete_referral,
    "/referrals/{id}/complete",
    "/api/v1/referrals/{id}/complete",
    Action::Complete,
    CompleteBody,
    complete
);
referral_action!(
    cancel_referral,
    "/referrals/{id}/cancel",
    "/api/v1/referrals/{id}/cancel",
    Action::Cancel,
    CancelBody,
    cancel
);
referral_action!(
    no_show_referral,
    "/referrals/{id}/no-show",
    "/api/v1/referrals/{id}/no-show",
    Action::NoShow,
    EmptyBody,
    note
);

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ResponseTime {
    pub hospital_id: String,
    pub hospital_code: String,
    pub hospital_name: String,
    pub priority: Priority,
    /// Referrals answered (accepted, rejected or returned) in the window.
    pub answered: usize,
    pub median_minutes: Option<f64>,
    pub p90_minutes: Option<f64>,
}

#[utoipa::path(get, path = "/api/v1/referrals/response-times", tag = "referrals",
    responses((status = 200, body = inline(Page<ResponseTime>)), (status = 403, body = crate::error::Problem)), security(("bearer" = [])))]
#[get("/referrals/response-times")]
pub async fn response_times(
    user: CurrentUser,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    if user.role == Role::Resident {
        return Err(AppError::forbidden(
            "Response times are published to the units of the network.",
        ));
    }
    let items = http::db(&state, |conn| {
        use crate::db::schema::referrals as r;
        use diesel::prelude::*;
        let since = now() - chrono::Duration::days(30);
        let rows: Vec<(
            String,
            String,
            chrono::NaiveDateTime,
            Option<chrono::NaiveDateTime>,
        )> = r::table
            .filter(r::direction.eq("up"))
            .filter(r::created_at.ge(since))
            .filter(r::responded_at.is_not_null())
            .select((
                r::to_organization_id,
                r::priority,
                r::created_at,
                r::responded_at,
            ))
            .load(conn)?;
        let hospitals = crate::network::repo::list(
            conn,
            &crate::network::repo::OrgFilter {
                kind: Some(crate::network::model::OrgKind::Hospital),
                ..Default::default()
            },
            &crate::http::pagination::PageRequest {
                limit: 500,
                after: None,
            },
        )?;
        let mut out = vec![];
        for h in hospitals {
            for p in Priority::ALL {
                let mut minutes: Vec<f64> = rows
                    .iter()
                    .filter(|x| x.0 == h.id && x.1 == p.as_str())
                    .filter_map(|x| x.3.map(|t| (t - x.2).num_seconds() as f64 / 60.0))
                    .collect();
                minutes.sort_by(f64::total_cmp);
                out.push(ResponseTime {
                    hospital_id: h.id.clone(),
                    hospital_code: h.code.clone(),
                    hospital_name: h.name.clone(),
                    priority: p,
                    answered: minutes.len(),
                    median_minutes: model::percentile(&minutes, 50.0),
                    p90_minutes: model::percentile(&minutes, 90.0),
                });
            }
        }
        Ok(out)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page {
        items,
        next_cursor: None,
    }))
}
