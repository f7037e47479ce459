//! The API's conventions, shared by every endpoint: input errors, pagination, idempotency, versions.
pub mod extract;
pub mod idempotency;
pub mod json;
pub mod pagination;
mod transition;

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};
use serde::Serialize;

use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
pub use json::Json;
pub use transition::{transition, Call, Transition};

/// Runs blocking database work on the thread pool with a pooled connection.
pub async fn db<T, F>(state: &AppState, f: F) -> AppResult<T>
where
    F: FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static,
    T: Send + 'static,
{
    let pool = state.pool.clone();
    web::block(move || {
        let mut conn = pool.get()?;
        let out = f(&mut conn);
        // A request that got its answers (an error of the client's making included) vouches for
        // the connection; a failing database leaves it to be checked at the next checkout.
        if out
            .as_ref()
            .err()
            .is_none_or(|e| !e.status.is_server_error())
        {
            conn.vouch();
        }
        out
    })
    .await?
}

/// A JSON answer; objects with a version also get an ETag.
pub fn json<T: Serialize>(status: StatusCode, body: &T) -> HttpResponse {
    let value = serde_json::to_value(body).unwrap_or_default();
    json_value(status, value)
}

pub fn json_value(status: StatusCode, value: serde_json::Value) -> HttpResponse {
    let mut resp = HttpResponse::build(status);
    if let Some(v) = value.get("version").and_then(|v| v.as_i64()) {
        resp.insert_header((header::ETAG, format!("\"{v}\"")));
    }
    resp.json(value)
}

/// Serialises a body for storage (idempotency replay); never fails for our own types.
pub fn to_value<T: Serialize>(body: &T) -> AppResult<serde_json::Value> {
    serde_json::to_value(body).map_err(AppError::internal)
}

/// A POST that changes state: runs `change` in one transaction under the caller's Idempotency-Key
/// (replayed on retry) and answers with what it returned.
pub async fn idempotent_post<B, F>(
    state: &AppState,
    user: crate::auth::CurrentUser,
    key: extract::IdempotencyKey,
    route: &'static str,
    body: B,
    change: F,
) -> AppResult<HttpResponse>
where
    B: Serialize + Send + 'static,
    F: FnOnce(&mut DbConn, &crate::auth::CurrentUser, B) -> AppResult<idempotency::Answer>
        + Send
        + 'static,
{
    let fingerprint = idempotency::fingerprint(route, &to_value(&body)?);
    let (status, value) = db(state, move |conn| {
        idempotency::run(conn, &user.id, key.0.as_deref(), &fingerprint, |conn| {
            change(conn, &user, body)
        })
    })
    .await?;
    Ok(json_value(status, value))
}

/// A PATCH: runs `change` in one write transaction and answers 200 with the new object.
pub async fn patch<F>(state: &AppState, change: F) -> AppResult<HttpResponse>
where
    F: FnOnce(&mut DbConn) -> AppResult<serde_json::Value> + Send + 'static,
{
    let value = db(state, move |conn| crate::db::write_tx(conn, change)).await?;
    Ok(json_value(StatusCode::OK, value))
}

/// The client's address: the peer, or, when the peer is a trusted proxy (`server.trusted_proxies`),
/// the right-most address of X-Forwarded-For that is not itself a trusted proxy (the one the
/// nearest untrusted hop gave; anything left of it could be forged by the client).
pub fn client_address(req: &actix_web::HttpRequest, trusted: &[ipnet::IpNet]) -> String {
    let Some(peer) = req.peer_addr().map(|a| a.ip()) else {
        return String::new();
    };
    let is_trusted = |ip: &std::net::IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(&peer) {
        return peer.to_string();
    }
    let forwarded: Vec<std::net::IpAddr> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse().ok())
        .collect();
    forwarded
        .iter()
        .rev()
        .find(|ip| !is_trusted(ip))
        .or(forwarded.first())
        .unwrap_or(&peer)
        .to_string()
}

/// Whether a PATCH body changes nothing (every field absent): such a PATCH answers the object as
/// it is, without a new version or an audit record.
pub fn is_no_change<T: Serialize>(changes: &T) -> bool {
    match serde_json::to_value(changes) {
        Ok(serde_json::Value::Object(fields)) => fields.values().all(serde_json::Value::is_null),
        _ => false,
    }
}

/// One text cell of a CSV download: quoted, and a leading formula character neutralised for
/// spreadsheets.
pub fn csv_cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// Whether the caller asked for CSV: `format=csv`, or `Accept: text/csv`.
pub fn wants_csv(format: Option<&str>, req: &actix_web::HttpRequest) -> bool {
    format == Some("csv")
        || req
            .headers()
            .get("Accept")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("text/csv"))
}

/// A CSV download named `filename`.
pub fn csv(filename: &str, body: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{filename}\""),
        ))
        .body(body)
}
