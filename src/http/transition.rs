//! The one skeleton of a state transition, `POST /<things>/{id}/<action>`, that visits and
//! referrals share: each domain brings only its step (and its documentation).
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Serialize;

use super::extract::{parse_id, IdempotencyKey, IfMatch};
use super::{idempotent_post, to_value};
use crate::auth::CurrentUser;
use crate::db::DbConn;
use crate::error::AppResult;
use crate::state::AppState;

/// What every state-transition request carries besides its body.
pub struct Call {
    pub user: CurrentUser,
    pub state: web::Data<AppState>,
    pub id: web::Path<String>,
    pub key: IdempotencyKey,
    pub if_match: IfMatch,
}

/// What a domain's step gets inside the request's transaction.
pub struct Transition<'a, B> {
    pub state: &'a AppState,
    pub user: &'a CurrentUser,
    /// The object's id, parsed (a UUID in its canonical form).
    pub id: &'a str,
    pub body: B,
    /// The versions the client last read: the step checks them against the row it finds, after
    /// its own access checks (so a caller who may not act is told so before a stale version).
    pub if_match: &'a IfMatch,
}

impl<'a, B> Transition<'a, B> {
    /// The same transition with its body turned into what the domain's step takes.
    pub fn map<C>(self, f: impl FnOnce(B) -> C) -> Transition<'a, C> {
        Transition {
            state: self.state,
            user: self.user,
            id: self.id,
            body: f(self.body),
            if_match: self.if_match,
        }
    }
}

/// Parses the id (else a 404 naming `kind`), runs `step` in one transaction under the caller's
/// Idempotency-Key (`route` and the body are its fingerprint; a retry replays the first answer),
/// and answers 200 with the object after the step (with its version as ETag).
pub async fn transition<B, T, F>(
    Call {
        user,
        state,
        id,
        key,
        if_match,
    }: Call,
    kind: &'static str,
    route: &'static str,
    body: B,
    step: F,
) -> AppResult<HttpResponse>
where
    B: Serialize + Send + 'static,
    T: Serialize,
    F: FnOnce(&mut DbConn, Transition<'_, B>) -> AppResult<T> + Send + 'static,
{
    let id = parse_id(&id, kind)?;
    let app = state.clone();
    idempotent_post(
        &state,
        user,
        key,
        route,
        (id, body),
        move |conn, user, (id, body)| {
            let t = Transition {
                state: &app,
                user,
                id: &id,
                body,
                if_match: &if_match,
            };
            let after = step(conn, t)?;
            Ok((StatusCode::OK, to_value(&after)?))
        },
    )
    .await
}
