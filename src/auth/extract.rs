//! `CurrentUser` as an extractor: a valid bearer token whose session and user are live right now.
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use futures_util::future::LocalBoxFuture;

use super::CurrentUser;
use crate::error::AppError;
use crate::state::AppState;
use crate::telemetry::RequestId;

fn unauthorized() -> AppError {
    AppError::unauthorized("unauthorized", "A valid bearer token is required.")
}

impl FromRequest for CurrentUser {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<CurrentUser, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let request_id = req
            .extensions()
            .get::<RequestId>()
            .map(|r| r.0.clone())
            .unwrap_or_default();
        let token = req
            .headers()
            .get(actix_web::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(|t| t.trim().to_string())
            .or_else(|| stream_token(req));
        Box::pin(async move {
            let state = state.ok_or_else(|| AppError::internal("AppState missing"))?;
            let token = token.ok_or_else(unauthorized)?;
            let claims = state.keys.check(&token).ok_or_else(unauthorized)?;
            let user = crate::http::db(&state, move |conn| {
                Ok(super::repo::current_user(
                    conn,
                    &claims.sid,
                    &claims.sub,
                    &request_id,
                    crate::db::now(),
                )?)
            })
            .await?;
            user.ok_or_else(unauthorized)
        })
    }
}

/// Browsers' EventSource cannot send headers, so the event stream alone also takes the token as
/// `?access_token=` (never logged: the access log records the route pattern, not the query).
fn stream_token(req: &HttpRequest) -> Option<String> {
    if req.path() != "/api/v1/events" {
        return None;
    }
    req.query_string()
        .split('&')
        .find_map(|pair| pair.strip_prefix("access_token="))
        .map(str::to_string)
}
