//! HTTP for a visit's transitions: each parses its body and takes one step through the flow, in
//! the skeleton every transition shares (`http::transition`).
use actix_web::{post, web, HttpResponse};

use super::ctx;
use crate::auth::CurrentUser;
use crate::db::DbConn;
use crate::error::AppResult;
use crate::http::extract::{IdempotencyKey, IfMatch};
use crate::http::{self, Call, Transition};
use crate::ids::VisitId;
use crate::state::AppState;
use crate::visits::flow::{self, Step};
use crate::visits::model::{
    Action, CancelBody, CheckInBody, MissedBody, PositionBody, ScheduleBody, Visit,
};

/// The visit's step in the request's transaction.
fn act(conn: &mut DbConn, t: Transition<'_, Step>) -> AppResult<Visit> {
    let Transition {
        state,
        user,
        id,
        body: step,
        if_match,
    } = t;
    let action = step.action();
    let id = VisitId::from(id);
    let after = flow::act(conn, &ctx(state), user, &id, step, |v| if_match.check(v))?;
    // A completed visit may meet what the resident is owed, or (out of control) owe more.
    if action == Action::CheckOut {
        let owed = crate::programmes::flow::Ctx::new(&state.settings, state.tz)?;
        crate::programmes::flow::reconcile(conn, &owed.by(user), Some(after.resident_id.as_str()))?;
    }
    Ok(after)
}

macro_rules! visit_action {
    ($(#[doc = $doc:literal])* $fn_name:ident, $path:literal, $body:ty,
        example = json!($example:tt), forbidden = $forbidden:literal, conflict = $conflict:literal,
        invalid = $invalid:literal, $change:expr) => {
        $(#[doc = $doc])*
        #[utoipa::path(post, tag = "visits",
            params(("id" = String, Path, description = "The visit's id (a UUID)"),
                ("Idempotency-Key" = Option<String>, Header, description = "1 to 255 characters: a retry with the same key and body replays the first answer"),
                ("If-Match" = Option<String>, Header, description = "The visit's `ETag` (version) last read, e.g. `\"2\"`")),
            request_body(content = $body, example = json!($example)),
            responses((status = 200, description = "The visit after the transition", body = Visit),
                (status = 403, description = $forbidden, body = crate::error::Problem),
                (status = 404, description = "`not_found`: no such visit, or not one the caller may see", body = crate::error::Problem),
                (status = 409, description = $conflict, body = crate::error::Problem),
                (status = 412, description = "`version_mismatch`: the visit changed since the `If-Match` version", body = crate::error::Problem),
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
            http::transition(call, "visit", concat!("POST ", $path), body.into_inner(), |conn, t| {
                act(conn, t.map($change))
            })
            .await
        }
    };
}
visit_action!(
    /// Book a requested visit into a clinician's day
    ///
    /// Admin and schedulers, for visits they may see. `requested` -> `scheduled` at `starts_at`
    /// with `clinician_id` (an active clinician of the visit's clinic with the service's skill),
    /// through the conflict-safe booking: the slot must fit the clinician's shift and leave travel
    /// time before and after. Audited and published as an event; `Idempotency-Key` and `If-Match`
    /// are honoured.
    schedule_visit,
    "/visits/{id}/schedule",
    ScheduleBody,
    example = json!({"clinician_id": "01938a6e-3b20-7e3c-9d4a-5b6c7d8e9f03", "starts_at": "2026-12-03T10:15:00+08:00"}),
    forbidden = "`forbidden`: only admin and schedulers schedule visits",
    conflict = "`invalid_transition`: the visit is not `requested`; `visit_conflict`: the slot is not free (the body's \
`alternatives` lists up to 5 free slots); `entitlement_exceeded`: a visit covered by the resident's long-term care grade would pass the month's entitlement (book it `self_paid`); `concurrent_update`: another change to the visit won, read it again",
    invalid = "`validation_failed`: `clinician_id` missing, or not an active clinician of the visit's clinic with the \
service's skill; `idempotency_key_reused`: the Idempotency-Key was used with another body",
    Step::Schedule
);

visit_action!(
    /// Move a scheduled visit to another time (or clinician)
    ///
    /// Admin and schedulers, for visits they may see. The visit stays `scheduled` and moves to
    /// `starts_at`, with `clinician_id` or else its current clinician, through the conflict-safe
    /// booking (its own old time does not block the new one). `GET /api/v1/availability` with
    /// `visit_id` lists the slots it may move to. Audited and published; `Idempotency-Key` and
    /// `If-Match` are honoured.
    reschedule_visit,
    "/visits/{id}/reschedule",
    ScheduleBody,
    example = json!({"starts_at": "2026-12-04T14:00:00+08:00"}),
    forbidden = "`forbidden`: only admin and schedulers reschedule visits",
    conflict = "`invalid_transition`: the visit is not `scheduled`; `visit_conflict`: the slot is not free (the body's \
`alternatives` lists up to 5 free slots); `entitlement_exceeded`: a visit covered by the resident's long-term care grade would pass the month's entitlement (book it `self_paid`); `concurrent_update`: another change to the visit won, read it again",
    invalid = "`validation_failed`: `clinician_id` not an active clinician of the visit's clinic with the service's skill; \
`idempotency_key_reused`: the Idempotency-Key was used with another body",
    Step::Reschedule
);

visit_action!(
    /// Cancel a visit
    ///
    /// Admin and schedulers; care-home staff for their residents' visits; a resident login for
    /// its own visits. `requested` or `scheduled` -> `cancelled`, with a reason; the clinician's time
    /// is freed. Audited and published; `Idempotency-Key` and `If-Match` are honoured.
    cancel_visit,
    "/visits/{id}/cancel",
    CancelBody,
    example = json!({"reason": "家属已预约医院复诊，本次上门取消"}),
    forbidden = "`forbidden`: clinicians and hospital desks do not cancel visits",
    conflict = "`invalid_transition`: the visit is neither `requested` nor `scheduled`; `concurrent_update`: another change \
to the visit won, read it again",
    invalid = "`validation_failed`: `reason` blank or over 500 characters; `idempotency_key_reused`: the Idempotency-Key was \
used with another body",
    Step::Cancel
);

visit_action!(
    /// Record that a scheduled visit did not happen
    ///
    /// Admin, schedulers, and the visit's own clinician. `scheduled` -> `missed`, with a reason
    /// code and an optional comment (kept to its first 500 characters). Audited and published;
    /// `Idempotency-Key` and `If-Match` are honoured.
    missed_visit,
    "/visits/{id}/missed",
    MissedBody,
    example = json!({"reason": "not_home", "comment": "敲门无人应答，电话联系家属未接通"}),
    forbidden = "`forbidden`: only admin, schedulers and the visit's own clinician record a missed visit",
    conflict = "`invalid_transition`: the visit is not `scheduled`; `concurrent_update`: another change to the visit won, \
read it again",
    invalid = "`validation_failed`: unknown `reason`; `idempotency_key_reused`: the Idempotency-Key was used with another body",
    Step::Missed
);

visit_action!(
    /// Check in at the resident's door
    ///
    /// The visit's own clinician only. `scheduled` -> `in_progress`, with the phone's position:
    /// the distance from the resident's home is recorded, and beyond
    /// `visits.location_radius_meters` (default 300 m) the visit is flagged `location_exception`
    /// for review. Documentation (tasks, vital signs, notes) is given at check-out, not here.
    /// A check-in made offline and sent later carries the device's time as `recorded_at`, kept
    /// as `check_in_recorded_at` beside the server's `check_in_at`.
    /// Audited and published; `Idempotency-Key` (offline retries) and `If-Match` are honoured.
    check_in_visit,
    "/visits/{id}/check-in",
    CheckInBody,
    example = json!({"lat": 25.0437, "lon": 102.7036}),
    forbidden = "`forbidden`: only the visit's own clinician checks in",
    conflict = "`invalid_transition`: the visit is not `scheduled`; `concurrent_update`: another change to the visit won, \
read it again",
    invalid = "`validation_failed`: `position.lat`/`position.lon` out of range; documentation (`tasks`, `vital_signs`, \
`notes`) sent at check-in; `recorded_at` in the future or before the visit's day; `idempotency_key_reused`: the Idempotency-Key was used with another body",
    |b: CheckInBody| Step::CheckIn(b.into())
);

visit_action!(
    /// Check out and document the visit
    ///
    /// The visit's own clinician only. `in_progress` -> `completed`, with the phone's position
    /// (distance recorded; beyond `visits.location_radius_meters` the visit is flagged
    /// `location_exception`) and the documentation: the tasks done (a task not done needs a
    /// reason), vital signs (each within its plausible range) and notes. One made offline
    /// carries the device's time as `recorded_at` (kept as `check_out_recorded_at`).
    /// Audited and published; `Idempotency-Key` (offline retries) and `If-Match` are honoured.
    check_out_visit,
    "/visits/{id}/check-out",
    PositionBody,
    example = json!({"lat": 25.0436, "lon": 102.7038,
        "tasks": [{"task": "测量血压", "done": true}, {"task": "空腹血糖检测", "done": false, "reason": "老人已进食"}],
        "vital_signs": {"systolic_mmhg": 148, "diastolic_mmhg": 88, "heart_rate_bpm": 76, "weight_kg": 58.5},
        "notes": "血压偏高，已嘱按时服药，一周后复测"}),
    forbidden = "`forbidden`: only the visit's own clinician checks out",
    conflict = "`invalid_transition`: the visit is not `in_progress`; `concurrent_update`: another change to the visit won, \
read it again",
    invalid = "`validation_failed`: `position.lat`/`position.lon` out of range; a task blank or over 200 characters, or not \
done without a reason; a `vital_signs` reading outside its range (or diastolic not below systolic); `notes` over 4000 characters; `recorded_at` in the future, before the visit's day or before the check-in's; \
`idempotency_key_reused`: the Idempotency-Key was used with another body",
    Step::CheckOut
);
