//! HTTP: `/healthz`, `/readyz`, `/metrics`.
use actix_web::{get, web, HttpResponse};
use diesel::connection::SimpleConnection;

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::http;

/// The process is alive.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"status": "ok"}))
}

/// The database answers (503 problem+json while it does not).
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses((status = 200), (status = 503, body = crate::error::Problem)))]
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

#[utoipa::path(get, path = "/metrics", tag = "operations", responses((status = 200, content_type = "text/plain")))]
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(state.metrics.render(&state.pool, state.streams.count()))
}
