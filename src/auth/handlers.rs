//! HTTP: `/api/v1/auth/token`, `/auth/refresh`, `/auth/logout` and `/me`.
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use serde::{Deserialize, Serialize};

use super::{password, repo, throttle, CurrentUser};
use crate::db::{now, write_tx};
use crate::error::{AppError, AppResult};
use crate::http;
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct RefreshRequest {
    /// The `refresh_token` of the last pair (single use).
    pub refresh_token: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TokenPair {
    pub access_token: String,
    pub refresh_token: String,
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: i64,
}

fn bad_credentials() -> AppError {
    AppError::unauthorized("invalid_credentials", "Wrong username or password.")
}

fn pair(
    state: &AppState,
    user_id: &str,
    session_id: &str,
    refresh_token: String,
) -> AppResult<TokenPair> {
    Ok(TokenPair {
        access_token: state
            .keys
            .issue(user_id, session_id)
            .map_err(AppError::internal)?,
        refresh_token,
        token_type: "Bearer",
        expires_in: state.keys.access_ttl_seconds,
    })
}

/// Sign in: a username and password for an access and a refresh token
///
/// Anyone may call it (no token needed). Answers an access token (a JWT to send as
/// `Authorization: Bearer ...`, valid for `expires_in` seconds) and an opaque refresh token
/// (single use, valid `auth.refresh_token_days`), starting a new session.
///
/// Throttled per account and address (ADR 0010): `auth.max_failed_logins` (default 5) wrong passwords
/// for one account from one address lock that pair for `auth.lockout_minutes` (default 15), not the
/// account elsewhere; an account failed at from many addresses answers a few seconds slower, never
/// locked; too many failed logins from one address within a minute (any accounts) are refused with
/// 429 before any password is checked. Behind a proxy listed in `server.trusted_proxies`, the
/// client's address comes from `X-Forwarded-For`.
#[utoipa::path(post, tag = "auth",
    request_body(content = LoginRequest, example = json!({"username": "sched01", "password": "carelink-demo-2026"})),
    responses((status = 200, description = "The new token pair", body = TokenPair),
        (status = 401, description = "`invalid_credentials`: wrong username or password, or the account is disabled", body = crate::error::Problem),
        (status = 423, description = "`account_locked`: too many failed logins for this account from this address; retry after `Retry-After` seconds (the same account from another address is not locked)", body = crate::error::Problem),
        (status = 429, description = "`rate_limited`: too many failed logins from this address; retry after `Retry-After` seconds", body = crate::error::Problem)))]
#[post("/auth/token")]
pub async fn login(
    state: web::Data<AppState>,
    req: actix_web::HttpRequest,
    body: crate::http::Json<LoginRequest>,
) -> AppResult<HttpResponse> {
    let auth = state.settings.auth.clone();
    let body = body.into_inner();
    let address = http::client_address(&req, &state.settings.server.proxies());
    let (a, u, limits) = (address.clone(), body.username.clone(), auth.clone());
    let verdict = http::db(&state, move |conn| throttle_verdict(conn, &limits, &u, &a)).await?;
    match verdict {
        throttle::Verdict::AddressThrottled => {
            return Err(AppError::rate_limited(
                "Too many failed logins from your address; wait a minute.",
                60,
            ))
        }
        throttle::Verdict::PairLocked => {
            return Err(AppError::new(
                StatusCode::LOCKED,
                "account_locked",
                "Too many failed logins for this account from your address; it is locked there for a while.",
            )
            .with_extra(serde_json::json!({ "retry_after_seconds": auth.lockout_minutes * 60 })))
        }
        throttle::Verdict::Proceed { delay_seconds } if delay_seconds > 0 => {
            actix_web::rt::time::sleep(std::time::Duration::from_secs(delay_seconds)).await;
        }
        throttle::Verdict::Proceed { .. } => {}
    }
    let (user_id, session_id, refresh_token) = http::db(&state, move |conn| {
        let t = now();
        let keep = chrono::Duration::minutes(auth.lockout_minutes);
        let failed = |conn: &mut crate::db::DbConn| -> AppError {
            match write_tx(conn, |c| {
                repo::record_failure(c, &body.username, &address, keep, t)
            }) {
                Ok(()) => bad_credentials(),
                Err(e) => e.into(),
            }
        };
        let Some(user) = repo::find_by_username(conn, &body.username)? else {
            password::verify(&body.password, password::dummy_hash());
            return Err(failed(conn));
        };
        if !password::verify(&body.password, &user.password_hash) {
            return Err(failed(conn));
        }
        if !user.active {
            return Err(bad_credentials());
        }
        let ttl = chrono::Duration::days(auth.refresh_token_days);
        let (sid, token) = write_tx(conn, |c| {
            repo::clear_failures(c, &body.username, &address)?;
            repo::create_session(c, &user.id, ttl, t)
        })?;
        Ok((user.id, sid, token))
    })
    .await?;
    Ok(HttpResponse::Ok().json(pair(&state, &user_id, &session_id, refresh_token)?))
}

/// Counts what the throttle rule needs (ADR 0010) and applies it.
fn throttle_verdict(
    conn: &mut crate::db::DbConn,
    auth: &crate::config::Auth,
    username: &str,
    address: &str,
) -> AppResult<throttle::Verdict> {
    let t = now();
    let since = t - chrono::Duration::minutes(auth.lockout_minutes);
    let (pair, account) = repo::account_failures(conn, username, address, since)?;
    let failures = throttle::Failures {
        address: repo::recent_failures_from(conn, address, t)?,
        pair,
        account,
    };
    Ok(throttle::verdict(
        failures,
        throttle::Limits {
            per_address_per_minute: auth.max_failed_logins_per_address,
            per_pair: auth.max_failed_logins.into(),
            slow_after: auth.slow_logins_after,
            max_delay_seconds: auth.max_login_delay_seconds,
        },
    ))
}

/// Refresh: swap a refresh token for a new token pair
///
/// Anyone holding a refresh token may call it (no bearer token needed). The refresh token is single
/// use and rotates: the answer carries a new one. Presenting a spent token again within
/// `auth.refresh_reuse_grace_seconds` (default 30 s: a lost answer, two tabs) rotates once more;
/// later, it is taken as stolen and revokes the whole session.
#[utoipa::path(post, tag = "auth",
    request_body(content = RefreshRequest, example = json!({"refresh_token": "u3Vq9mZK2xW8c1Yb4TfRr0pLhN6sEaJdGkQvXo7iBn5"})),
    responses((status = 200, description = "The new token pair", body = TokenPair),
        (status = 401, description = "`invalid_refresh_token`: unknown, expired or revoked refresh token; `refresh_token_reused`: \
a spent token presented again after the grace period (the session is now revoked: sign in again)", body = crate::error::Problem)))]
#[post("/auth/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    body: crate::http::Json<RefreshRequest>,
) -> AppResult<HttpResponse> {
    let token = body.into_inner().refresh_token;
    let grace = state.settings.auth.refresh_reuse_grace_seconds;
    let rotation = http::db(&state, move |conn| {
        Ok(write_tx(conn, |c| {
            repo::rotate_refresh(c, &token, chrono::Duration::seconds(grace), now())
        })?)
    })
    .await?;
    match rotation {
        repo::Rotation::Rotated {
            user_id,
            session_id,
            refresh_token,
        } => Ok(HttpResponse::Ok().json(pair(&state, &user_id, &session_id, refresh_token)?)),
        repo::Rotation::Reused => Err(AppError::unauthorized(
            "refresh_token_reused",
            "This refresh token was used already; the session has been revoked. Sign in again.",
        )),
        repo::Rotation::Invalid => Err(AppError::unauthorized(
            "invalid_refresh_token",
            "The refresh token is not valid.",
        )),
    }
}

/// Sign out: end the caller's session
///
/// Any signed-in user. Revokes the session of the bearer token: its access token stops working at
/// once, and so does its refresh token. Other sessions of the same user stay.
#[utoipa::path(post, tag = "auth",
    responses((status = 204, description = "The session is revoked"),
        (status = 401, description = "`unauthorized`: missing or invalid bearer token, or the session has ended already", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/auth/logout")]
pub async fn logout(user: CurrentUser, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    http::db(&state, move |conn| {
        Ok(write_tx(conn, |c| {
            repo::revoke_session(c, &user.session_id, "logout", now())
        })?)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Me {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: super::Role,
    pub organization_id: Option<String>,
    pub resident_id: Option<String>,
    pub skills: Vec<String>,
}

/// The caller: who the bearer token belongs to
///
/// Any signed-in user. Answers the caller's account: id, username, display name, role, organisation
/// (null where the account has none, e.g. a resident login), the linked resident record (role
/// `resident` only) and skills (clinicians).
#[utoipa::path(get, tag = "auth",
    responses((status = 200, description = "The caller's account", body = Me),
        (status = 401, description = "`unauthorized`: missing, invalid or expired bearer token, or its session has ended", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/me")]
pub async fn me(user: CurrentUser, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let id = user.id.clone();
    let row = http::db(&state, move |conn| {
        crate::people::flow::find_user(conn, &id)?.ok_or_else(|| AppError::missing("user"))
    })
    .await?;
    Ok(HttpResponse::Ok().json(Me {
        id: row.id.clone(),
        username: row.username.clone(),
        display_name: row.display_name.clone(),
        role: user.role,
        organization_id: row.organization_id.clone(),
        resident_id: row.resident_id.clone(),
        skills: row.skills(),
    }))
}
