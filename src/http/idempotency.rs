//! `Idempotency-Key`: the first answer to a POST is stored, per user, in the same transaction as
//! the change; a retry with the same key and body replays it, another body is refused.
use actix_web::http::StatusCode;
use diesel::prelude::*;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::db::schema::idempotency_keys;
use crate::db::{now, write_tx, DbConn};
use crate::error::{AppError, AppResult};

/// What the write answers: a status and a JSON body.
pub type Answer = (StatusCode, Value);

/// A fingerprint of the request a key was first used with.
pub fn fingerprint(method_and_path: &str, body: &Value) -> String {
    let mut h = Sha256::new();
    h.update(method_and_path.as_bytes());
    h.update([0]);
    h.update(body.to_string().as_bytes());
    hex::encode(h.finalize())
}

/// Runs `change` in one write transaction, recording its answer under `key` when one is given.
pub fn run<F>(
    conn: &mut DbConn,
    user_id: &str,
    key: Option<&str>,
    fingerprint: &str,
    change: F,
) -> AppResult<Answer>
where
    F: FnOnce(&mut DbConn) -> AppResult<Answer>,
{
    let Some(key) = key else {
        return write_tx(conn, change);
    };
    let result: AppResult<Answer> = write_tx(conn, |conn| {
        if let Some(saved) = replay(conn, user_id, key, fingerprint)? {
            return Ok(saved);
        }
        let (status, body) = change(conn)?;
        diesel::insert_into(idempotency_keys::table)
            .values((
                idempotency_keys::user_id.eq(user_id),
                idempotency_keys::idem_key.eq(key),
                idempotency_keys::fingerprint.eq(fingerprint),
                idempotency_keys::status_code.eq(status.as_u16() as i32),
                idempotency_keys::response_body.eq(body.to_string()),
                idempotency_keys::created_at.eq(now()),
            ))
            .execute(conn)?;
        Ok((status, body))
    });
    match result {
        // A concurrent request with the same key committed first: answer as it did.
        Err(e) if e.code == "already_exists" => match replay(conn, user_id, key, fingerprint)? {
            Some(saved) => Ok(saved),
            None => Err(e),
        },
        other => other,
    }
}

fn replay(
    conn: &mut DbConn,
    user_id: &str,
    key: &str,
    fingerprint: &str,
) -> AppResult<Option<Answer>> {
    let saved: Option<(String, i32, String)> = idempotency_keys::table
        .find((user_id, key))
        .select((
            idempotency_keys::fingerprint,
            idempotency_keys::status_code,
            idempotency_keys::response_body,
        ))
        .first(conn)
        .optional()?;
    let Some((saved_fp, status, body)) = saved else {
        return Ok(None);
    };
    if saved_fp != fingerprint {
        return Err(AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
            "This Idempotency-Key was used with a different request.",
        ));
    }
    let status = StatusCode::from_u16(status as u16).map_err(AppError::internal)?;
    let body = serde_json::from_str(&body).map_err(AppError::internal)?;
    Ok(Some((status, body)))
}

/// Forgets keys older than the retention period; returns how many.
pub fn prune(conn: &mut DbConn, retention_hours: i64) -> QueryResult<usize> {
    let cutoff = now() - chrono::Duration::hours(retention_hours);
    diesel::delete(idempotency_keys::table.filter(idempotency_keys::created_at.lt(cutoff)))
        .execute(conn)
}
