//! HTTP: `/healthz`, `/readyz`, `/metrics`.
use actix_web::{get, web, HttpResponse};
use diesel::connection::SimpleConnection;

use crate::error::{AppError, AppResult};
use crate::http;
use crate::state::AppState;

/// Liveness: the process is alive
///
/// No token needed. Answers `{"status": "ok"}` while the process serves requests, whatever the
/// database's state (see `/readyz` for that).
#[utoipa::path(get, tag = "operations", responses((status = 200, description = "`{\"status\": \"ok\"}`")))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"status": "ok"}))
}

/// Readiness: the database answers
///
/// No token needed. Answers `{"status": "ready"}` when a pooled connection runs `SELECT 1`, and
/// 503 problem+json while the database is unreachable (within `database.pool_timeout_seconds`).
#[utoipa::path(get, tag = "operations",
    responses((status = 200, description = "`{\"status\": \"ready\"}`"),
        (status = 503, description = "`database_unavailable`: the database is unreachable", body = crate::error::Problem)))]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> AppResult<HttpResponse> {
    http::db(&state, |conn| {
        conn.batch_execute("SELECT 1")
            .map_err(AppError::unavailable)
    })
    .await
    .map_err(|e| {
        if e.status.is_server_error() {
            AppError::unavailable(e)
        } else {
            e
        }
    })?;
    Ok(HttpResponse::Ok().json(serde_json::json!({"status": "ready"})))
}

/// Prometheus metrics
///
/// No token needed. Request counts and durations by route, the database pool's connections and
/// the open event streams, in the Prometheus text format.
#[utoipa::path(get, tag = "operations",
    responses((status = 200, description = "Prometheus text exposition format", content_type = "text/plain")))]
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(state.metrics.render(&state.pool, state.streams.count()))
}
