//! HTTP: `/api/v1/referrals`, their transitions, and the published response times.
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;

use super::flow;
use super::model::{
    AcceptBody, AdviceBody, CancelBody, CompleteBody, EmptyBody, NewReferral, Priority, Referral,
    RejectBody, ResponseTime, ScheduleBody, Status,
};
use super::repo::{self, Mailbox, ReferralFilter};
use crate::auth::{CurrentUser, Role};
use crate::db::{now, DbConn};
use crate::error::{AppError, AppResult};
use crate::http::extract::{parse_id, IdempotencyKey, IfMatch};
use crate::http::pagination::{Page, PageParams};
use crate::http::{self, to_value, Call, Transition};
use crate::state::AppState;

/// Submit a referral (up to a hospital, or down to a clinic or care home)
///
/// Staff of a clinic or care home refer up to a district hospital; a hospital desk refers down
/// to a clinic or care home (a down-referral may name the up-referral it answers and ask for home
/// follow-up visits). The resident must be one the caller may see (else 404). The form's patient
/// block is copied from the resident (ID number masked); a care home's signed clinic follows the
/// referral. The answer deadline comes from the priority (`[referrals]` in config: routine 24 h,
/// urgent 2 h, green channel 30 min by default). Audited and published to the receiver; with an
/// `Idempotency-Key`, a retry replays the first answer.
#[utoipa::path(post, tag = "referrals",
    params(("Idempotency-Key" = Option<String>, Header, description = "1 to 255 characters: a retry with the same key and body replays the first answer")),
    request_body(content = NewReferral, example = json!({"resident_id": "01938a6e-4c30-7f4d-8e5b-6c7d8e9fa004",
        "direction": "up", "to_organization_id": "01938a6e-5d40-7a5e-9f6c-7d8e9fab0105", "department": "神经内科",
        "priority": "urgent", "reason": "近两日左侧肢体无力加重，言语含糊，疑脑卒中复发",
        "diagnosis": {"code": "I63.9", "text": "脑梗死（疑似复发）"},
        "clinical_summary": {"past_history": "高血压 15 年，2024 年脑梗死", "treatment_so_far": "阿司匹林 100mg qd，氨氯地平 5mg qd",
            "allergies": "青霉素"},
        "sending_doctor": {"name": "张建华", "phone": "0871-6536 2201"}})),
    responses((status = 201, description = "The referral, `submitted`", body = Referral),
        (status = 403, description = "`forbidden`: the caller acts for no clinic, care home or hospital, or the direction is \
not theirs (only clinics and care homes refer up, only hospitals refer down)", body = crate::error::Problem),
        (status = 404, description = "`not_found`: the resident is not one the caller may see", body = crate::error::Problem),
        (status = 422, description = "`validation_failed`: `reason` (1-4000 characters), `diagnosis`, `clinical_summary` \
(an object of at most 64 KiB; up: `past_history` and `treatment_so_far`, down: `treatment_given` and \
`rehabilitation_advice` required), `department` (at most 100), `follow_up` (down only; 1-7 a week, 1-12 weeks); \
`to_organization_id` not an active organisation of the right kind; `parent_referral_id` not an up-referral of this \
resident to the caller's hospital; `idempotency_key_reused`: the Idempotency-Key was used with another body", body = crate::error::Problem)),
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
    /// inbox: received by your organisation (and yours returned with advice); outbox: sent;
    /// watching: those of the care homes signed with your clinic.
    #[serde(rename = "box")]
    pub mailbox: Option<Mailbox>,
    /// Only referrals in this state.
    pub status: Option<Status>,
    /// Only referrals of this priority.
    pub priority: Option<Priority>,
    /// true: only those past their answer deadline.
    pub overdue: Option<bool>,
    /// Only this resident's referrals.
    pub resident_id: Option<String>,
}

/// List referrals (inbox, outbox, watching)
///
/// Only the referrals the caller may see: admin all; staff of a clinic, care home or hospital
/// those their organisation sent, received or follows; a resident login its own. Overdue first,
/// then green channel, urgent, routine, oldest first within each; paged with `limit` and
/// `cursor` (the cursor is a position in that order). Items carry no history: read one referral
/// for it.
#[utoipa::path(get, tag = "referrals", params(ReferralQuery, PageParams),
    responses((status = 200, description = "A page of referrals", body = inline(Page<Referral>))), security(("bearer" = [])))]
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

/// Read one referral with its history
///
/// Same visibility as the list (any other referral is 404). The whole form, triage, appointment,
/// return sheet and every step taken. Served with an `ETag` (its `version`) to send as
/// `If-Match` with a step.
#[utoipa::path(get, operation_id = "get_referral", tag = "referrals",
    params(("id" = String, Path, description = "The referral's id (a UUID)")),
    responses((status = 200, description = "The referral", body = Referral),
        (status = 404, description = "`not_found`: no such referral, or not one the caller may see", body = crate::error::Problem)),
    security(("bearer" = [])))]
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

/// The referral's step in the request's transaction, with the settings of its follow-on work.
fn step<B>(conn: &mut DbConn, t: Transition<'_, B>, f: flow::Step<B>) -> AppResult<Referral> {
    let app = t.state;
    let visits = crate::visits::flow::Ctx::new(app.travel.as_ref(), &app.settings.visits, app.tz);
    let ctx = flow::StepCtx {
        visits: &visits,
        tz: app.tz,
        referrals: &app.settings.referrals,
        if_match: t.if_match.0.as_deref(),
        now: now(),
    };
    let r = f(conn, &ctx, t.user, t.id, &t.body)?;
    // Accepting a down-referral that asks for a home sickbed opens it, in the same transaction.
    let episodes = crate::episodes::flow::Ctx {
        programmes: crate::programmes::flow::Ctx::new(&app.settings, app.tz)?,
        settings: &app.settings.episodes,
    };
    Ok(crate::episodes::flow::open_for_referral(conn, &episodes, t.user, &r)?.unwrap_or(r))
}

macro_rules! referral_action {
    ($(#[doc = $doc:literal])* $fn_name:ident, $path:literal, $body:ty,
        example = json!($example:tt), conflict = $conflict:literal, invalid = $invalid:literal, $f:expr) => {
        $(#[doc = $doc])*
        #[utoipa::path(post, tag = "referrals",
            params(("id" = String, Path, description = "The referral's id (a UUID)"),
                ("Idempotency-Key" = Option<String>, Header, description = "1 to 255 characters: a retry with the same key and body replays the first answer"),
                ("If-Match" = Option<String>, Header, description = "The referral's `ETag` (version) last read, e.g. `\"2\"`")),
            request_body(content = $body, example = json!($example)),
            responses((status = 200, description = "The referral after the step", body = Referral),
                (status = 403, description = "`forbidden`: the caller's organisation is not the side that takes this step (or \
not a side of the referral at all: admin, residents and watching clinics read but do not act)", body = crate::error::Problem),
                (status = 404, description = "`not_found`: no such referral, or not one the caller may see", body = crate::error::Problem),
                (status = 409, description = $conflict, body = crate::error::Problem),
                (status = 412, description = "`version_mismatch`: the referral changed since the `If-Match` version", body = crate::error::Problem),
                (status = 422, description = $invalid, body = crate::error::Problem)),
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
            let call = Call { user, state, id, key, if_match };
            http::transition(call, "referral", concat!("POST ", $path), body.into_inner(), |conn, t| {
                step(conn, t, $f)
            })
            .await
        }
    };
}

referral_action!(
    /// Accept a referral (triage)
    ///
    /// The receiving organisation only. `submitted` -> `accepted`, with an optional comment and the
    /// receiving doctor; stops the answer clock. Accepting a down-referral that asks for follow-up
    /// creates the home-visit plan in the same transaction (visits from tomorrow, 09:00-16:00 on
    /// the spread weekdays, booked where a slot is free). Audited and published; `Idempotency-Key`
    /// and `If-Match` are honoured.
    accept_referral,
    "/referrals/{id}/accept",
    AcceptBody,
    example = json!({"comment": "同意接收，请于明日上午到神经内科门诊", "receiving_doctor": "刘志强"}),
    conflict = "`invalid_transition`: the referral is not `submitted`; `concurrent_update`: another change to the referral won, read it again; `no_serving_clinic`: (down-referral with follow-up) no clinic serves the resident's community",
    invalid = "`validation_failed`: a malformed body, or (down-referral with follow-up) the follow-up's service type is unknown; `idempotency_key_reused`: the Idempotency-Key was used with another body",
    flow::accept
);
referral_action!(
    /// Reject a referral (triage)
    ///
    /// The receiving organisation only. `submitted` -> `rejected`, with a reason code (and a comment,
    /// required with `other`); stops the answer clock. Audited and published; `Idempotency-Key` and
    /// `If-Match` are honoured.
    reject_referral,
    "/referrals/{id}/reject",
    RejectBody,
    example = json!({"reason_code": "manage_at_grassroots", "comment": "病情稳定，建议社区继续随访管理"}),
    conflict = "`invalid_transition`: the referral is not `submitted`; `concurrent_update`: another change to the referral won, read it again",
    invalid = "`validation_failed`: unknown `reason_code`, or `comment` missing with `other`; `idempotency_key_reused`: the Idempotency-Key was used with another body",
    flow::reject
);
referral_action!(
    /// Return a referral to the sender with advice (triage)
    ///
    /// The receiving organisation only. `submitted` -> `returned`, with advice for the sender (it
    /// appears in the sender's inbox); stops the answer clock. Audited and published;
    /// `Idempotency-Key` and `If-Match` are honoured.
    return_referral,
    "/referrals/{id}/return",
    AdviceBody,
    example = json!({"advice": "请先完善头颅 CT 及血常规检查后再转诊"}),
    conflict = "`invalid_transition`: the referral is not `submitted`; `concurrent_update`: another change to the referral won, read it again",
    invalid = "`validation_failed`: `advice` blank or over 4000 characters; `idempotency_key_reused`: the Idempotency-Key was used with another body",
    flow::send_back
);
referral_action!(
    /// Give an accepted referral its appointment
    ///
    /// The receiving organisation only. `accepted` -> `scheduled`, with the appointment's time,
    /// department and place (not more than an hour in the past). Audited and published;
    /// `Idempotency-Key` and `If-Match` are honoured.
    schedule_referral,
    "/referrals/{id}/schedule",
    ScheduleBody,
    example = json!({"appointment_at": "2026-12-04T09:30:00+08:00", "department": "神经内科", "location": "门诊楼 3 楼 12 诊室"}),
    conflict = "`invalid_transition`: the referral is not `accepted`; `concurrent_update`: another change to the referral won, read it again",
    invalid = "`validation_failed`: `department` or `location` blank; `appointment_at` in the past; `idempotency_key_reused`: the Idempotency-Key was used with another body",
    flow::schedule
);
referral_action!(
    /// Record the patient's arrival
    ///
    /// The receiving organisation only. `scheduled` -> `arrived`, with an optional comment. Audited
    /// and published; `Idempotency-Key` and `If-Match` are honoured.
    arrive_referral,
    "/referrals/{id}/arrive",
    EmptyBody,
    example = json!({"comment": "患者由家属陪同按时到诊"}),
    conflict = "`invalid_transition`: the referral is not `scheduled`; `concurrent_update`: another change to the referral won, read it again",
    invalid = "`validation_failed`: a malformed body; `idempotency_key_reused`: the Idempotency-Key was used with another body",
    flow::arrive
);
referral_action!(
    /// Complete a referral with the return sheet
    ///
    /// The receiving organisation only. `arrived` -> `completed`, with the return sheet (diagnosis,
    /// treatment given, recommendations, ...). Completing an up-referral may start the
    /// down-referral in the same call (`down_referral`: to the organisation that referred the patient
    /// up unless another is named, optionally with home follow-up). Audited and published;
    /// `Idempotency-Key` and `If-Match` are honoured.
    complete_referral,
    "/referrals/{id}/complete",
    CompleteBody,
    example = json!({"diagnosis": {"code": "I63.9", "text": "脑梗死"}, "inpatient_record_number": "ZY2026120345", "main_test_results": "头颅 MRI：右侧基底节区新发梗死灶", "treatment_given": "抗血小板聚集、调脂稳斑、早期康复训练", "recommendations": "继续口服阿司匹林及阿托伐他汀，社区每周两次康复训练，一月后神经内科复诊", "down_referral": {"department": "全科", "priority": "routine", "follow_up": {"service_type": "stroke_rehabilitation", "visits_per_week": 2, "weeks": 4}}}),
    conflict = "`invalid_transition`: the referral is not `arrived`; `concurrent_update`: another change to the referral won, read it again",
    invalid = "`validation_failed`: `diagnosis`, `treatment_given` or `recommendations` (1-4000 characters) invalid; `down_referral` \
for a down-referral, or its fields (department at most 100, follow-up 1-7 a week and 1-12 weeks, target organisation) \
invalid; `idempotency_key_reused`: the Idempotency-Key was used with another body",
    flow::complete
);
referral_action!(
    /// Cancel a referral (the sender)
    ///
    /// The sending organisation only, while the referral is `submitted`: -> `cancelled`, with a
    /// reason. Audited and published; `Idempotency-Key` and `If-Match` are honoured.
    cancel_referral,
    "/referrals/{id}/cancel",
    CancelBody,
    example = json!({"reason": "患者家属决定前往省级医院就诊"}),
    conflict = "`invalid_transition`: the referral is not `submitted`; `concurrent_update`: another change to the referral won, read it again",
    invalid = "`validation_failed`: `reason` blank or over 500 characters; `idempotency_key_reused`: the Idempotency-Key was used with another body",
    flow::cancel
);
referral_action!(
    /// Record that the patient did not come
    ///
    /// Either side (sender or receiver). `scheduled` -> `no_show`, with an optional comment. Audited
    /// and published; `Idempotency-Key` and `If-Match` are honoured.
    no_show_referral,
    "/referrals/{id}/no-show",
    EmptyBody,
    example = json!({"comment": "预约时间未到诊，电话联系家属未接通"}),
    conflict = "`invalid_transition`: the referral is not `scheduled`; `concurrent_update`: another change to the referral won, read it again",
    invalid = "`validation_failed`: a malformed body; `idempotency_key_reused`: the Idempotency-Key was used with another body",
    flow::no_show
);

/// The hospitals' published answer times
///
/// Every role but `resident`. For each district hospital and priority, the up-referrals of the
/// last 30 days that it has answered (accepted, rejected or returned): how many, and the median and
/// 90th-percentile minutes from submission to the answer (null without answers). One page.
#[utoipa::path(get, tag = "referrals",
    responses((status = 200, description = "Answer times per hospital and priority", body = inline(Page<ResponseTime>)),
        (status = 403, description = "`forbidden`: response times are published to the units, not to resident logins", body = crate::error::Problem)),
    security(("bearer" = [])))]
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
    let items = http::db(&state, |conn| flow::response_times(conn, now())).await?;
    Ok(HttpResponse::Ok().json(Page {
        items,
        next_cursor: None,
    }))
}
