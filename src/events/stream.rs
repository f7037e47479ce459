//! `GET /api/v1/events`: Server-Sent Events of what the caller may see, resumable with
//! `Last-Event-ID`, with heartbeats. The instance's one reader of the shared outbox (`hub`) fans
//! events out to its streams (works on both databases and across instances: a change made through
//! any instance is in the shared outbox); a stream reads the outbox itself only to catch up.
use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use std::time::Duration;

use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct EventQuery {
    /// Resume after this event (its SSE id, `ID` or `TX-ID` in digits; the `Last-Event-ID` header wins).
    #[param(pattern = "^[0-9]+(-[0-9]+)?$")]
    pub last_event_id: Option<String>,
}

/// The SSE frame of one event; its SSE id is the reader's position, to resume from.
fn frame(at: super::Cursor, e: &super::EventRow) -> String {
    // The payload is JSON on one line; SSE data lines cannot hold raw newlines.
    let data = serde_json::json!({
        "id": e.id, "at": crate::time::Time::from(e.at), "kind": e.kind, "entity": e.entity, "entity_id": e.entity_id,
        "data": serde_json::from_str::<serde_json::Value>(&e.payload).unwrap_or_default(),
    });
    format!("id: {at}\nevent: {}\ndata: {}\n\n", e.kind, data)
}

/// Live events (Server-Sent Events)
///
/// Any signed-in user; each hears only what it may see: admin everything, staff their
/// organisation's visit and referral changes and deadline escalations, a resident login its own
/// visits'. Without a position the stream starts at the newest event (only new ones follow);
/// with `Last-Event-ID` (or `last_event_id`) it resumes after that event. Browsers' EventSource
/// cannot send headers, so this endpoint alone also takes the token as `?access_token=`.
///
/// A quiet stream sends a comment every `events.heartbeat_seconds` (default 15); it ends when the
/// session is revoked or the instance stops (the client reconnects and resumes). One user may hold
/// `events.max_streams_per_user` (default 8) streams on an instance, the instance
/// `events.max_streams` (default 2000) in all.
#[utoipa::path(get, tag = "events",
    params(EventQuery,
        ("Last-Event-ID" = Option<String>, Header, description = "The SSE id of the last event received: resume after it"),
        ("access_token" = Option<String>, Query, description = "The access token, for clients that cannot send `Authorization` (EventSource)")),
    responses((status = 200, content_type = "text/event-stream", description = "id, event (kind) and data (JSON) per event"),
        (status = 400, description = "`invalid_last_event_id`: `Last-Event-ID` is not the id of an event this stream sent", body = crate::error::Problem),
        (status = 429, description = "`rate_limited`: too many streams open (the user's or the instance's limit); retry after `Retry-After` seconds", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/events")]
pub async fn events(
    user: CurrentUser,
    state: web::Data<AppState>,
    req: HttpRequest,
    q: web::Query<EventQuery>,
) -> AppResult<HttpResponse> {
    let resume = req
        .headers()
        .get("Last-Event-ID")
        .map(|v| v.to_str().unwrap_or("?").to_string())
        .or_else(|| q.last_event_id.clone())
        .map(|v| {
            v.parse::<super::Cursor>().map_err(|_| {
                AppError::bad_request(
                    "invalid_last_event_id",
                    "Last-Event-ID must be the id of an event this stream sent.",
                )
            })
        })
        .transpose()?;
    let audience = super::audience_of(&user);
    let start = match resume {
        Some(at) => at,
        None => crate::http::db(&state, |conn| Ok(super::last(conn)?)).await?,
    };
    let limits = &state.settings.events;
    let slot = state
        .streams
        .open(&user.id, limits.max_streams_per_user, limits.max_streams)?;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<web::Bytes, actix_web::Error>>(64);
    let st = state.get_ref().clone();
    let mut stopping = state.stopping.subscribe();
    // Subscribed before catching up, so nothing falls between the catch-up and the fan-out.
    let mut fanned = state.hub.subscribe(|| super::hub::Reader {
        pool: st.pool.clone(),
        metrics: st.metrics.clone(),
        tick: Duration::from_millis(st.settings.events.poll_milliseconds),
        check: Duration::from_secs(st.settings.events.heartbeat_seconds.clamp(1, 10)),
        stopping: st.stopping.subscribe(),
    });
    let (hold, mut checked) = state.hub.hold_session(&user.session_id);
    actix_web::rt::spawn(async move {
        let _slot = slot; // this stream's place, given back when the task ends
        let _hold = hold; // its session in the reader's checks, until it ends
        let mut last = start;
        let hello = format!("retry: 2000\n: subscribed after {last}\n\n");
        if tx.send(Ok(web::Bytes::from(hello))).await.is_err() {
            return;
        }
        if !catch_up(&st, &audience, &mut last, &tx).await {
            return;
        }
        let mut beat = actix_web::rt::time::interval(Duration::from_secs(
            st.settings.events.heartbeat_seconds,
        ));
        beat.tick().await; // the first tick is at once
        loop {
            tokio::select! {
                batch = fanned.recv() => match batch {
                    Ok(rows) => {
                        for (at, e) in rows.iter() {
                            if *at <= last || !super::hub::hears(&audience, e) {
                                continue;
                            }
                            last = *at;
                            if tx.send(Ok(web::Bytes::from(frame(*at, e)))).await.is_err() {
                                return; // the client left
                            }
                        }
                    }
                    // Fell behind the fan-out: read what was missed from the outbox itself.
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                        if !catch_up(&st, &audience, &mut last, &tx).await {
                            return;
                        }
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                },
                _ = beat.tick() => {
                    if tx.send(Ok(web::Bytes::from_static(b": heartbeat\n\n"))).await.is_err() {
                        return;
                    }
                }
                // A stream outlives its token: it ends when the reader's check finds its session
                // revoked or expired, or its user disabled.
                _ = checked.changed() => {
                    if st.hub.session_ended(&user.session_id) {
                        return;
                    }
                }
                _ = stopping.wait_for(|stop| *stop) => {
                    // The instance is stopping: end here so the shutdown need not wait for us.
                    let _ = tx
                        .send(Ok(web::Bytes::from_static(b": this instance is stopping; reconnect\n\n")))
                        .await;
                    return;
                }
            }
            if tx.is_closed() {
                return;
            }
        }
    });
    let body = futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx));
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(("Cache-Control", "no-cache"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(body))
}

/// Sends what `audience` may hear after `last` from the outbox itself, until it is read to the end
/// (a stream's start, and a stream that fell behind the fan-out). False when the client left.
async fn catch_up(
    st: &AppState,
    audience: &Option<Vec<String>>,
    last: &mut super::Cursor,
    tx: &tokio::sync::mpsc::Sender<Result<web::Bytes, actix_web::Error>>,
) -> bool {
    const LIMIT: i64 = 200;
    loop {
        let (pool, aud, after) = (st.pool.clone(), audience.clone(), *last);
        let found = web::block(move || {
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            super::since(&mut conn, &aud, after, LIMIT).map_err(|e| e.to_string())
        })
        .await;
        st.metrics.outbox_read();
        let Ok(Ok(rows)) = found else { return true };
        let full = rows.len() as i64 == LIMIT;
        for (at, e) in rows {
            *last = at;
            if tx.send(Ok(web::Bytes::from(frame(at, &e)))).await.is_err() {
                return false;
            }
        }
        if !full {
            return true;
        }
    }
}
