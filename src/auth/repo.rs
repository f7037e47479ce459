//! Sessions, refresh tokens and login bookkeeping. State lives in the database so that every
//! instance sees a logout or a lockout at once.
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::tokens::{hash_token, random_token};
use super::{CurrentUser, Role};
use crate::db::schema::{login_failures, organizations, refresh_tokens, sessions, users};
use crate::db::{new_id, DbConn};
use crate::people::repo::UserRow;

pub fn find_by_username(conn: &mut DbConn, username: &str) -> QueryResult<Option<UserRow>> {
    users::table
        .filter(users::username.eq(username))
        .first(conn)
        .optional()
}

/// Failed logins from one address in the last minute (any account, any instance).
pub fn recent_failures_from(
    conn: &mut DbConn,
    address: &str,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    login_failures::table
        .filter(login_failures::address.eq(address))
        .filter(login_failures::at.gt(now - Duration::minutes(1)))
        .count()
        .get_result(conn)
}

/// Failed logins of one account since `since`: from one address, and from all (ADR 0010).
pub fn account_failures(
    conn: &mut DbConn,
    username: &str,
    address: &str,
    since: NaiveDateTime,
) -> QueryResult<(i64, i64)> {
    let of_account = || {
        login_failures::table
            .filter(login_failures::username.eq(username))
            .filter(login_failures::at.gt(since))
    };
    let from_here = of_account()
        .filter(login_failures::address.eq(address))
        .count()
        .get_result(conn)?;
    let everywhere = of_account().count().get_result(conn)?;
    Ok((from_here, everywhere))
}

/// Notes a failed login (of `username`, from `address`), and forgets those older than the
/// longest window that reads them.
pub fn record_failure(
    conn: &mut DbConn,
    username: &str,
    address: &str,
    keep: Duration,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(login_failures::table)
        .values((
            login_failures::id.eq(new_id()),
            login_failures::address.eq(address),
            login_failures::username.eq(Some(username)),
            login_failures::at.eq(now),
        ))
        .execute(conn)?;
    let horizon = now - keep.max(Duration::hours(1));
    diesel::delete(login_failures::table.filter(login_failures::at.lt(horizon))).execute(conn)?;
    Ok(())
}

/// A successful login forgets the failures of its (account, address) pair.
pub fn clear_failures(conn: &mut DbConn, username: &str, address: &str) -> QueryResult<()> {
    diesel::delete(
        login_failures::table
            .filter(login_failures::username.eq(username))
            .filter(login_failures::address.eq(address)),
    )
    .execute(conn)?;
    Ok(())
}

/// Starts a session and returns (session id, refresh token in clear).
pub fn create_session(
    conn: &mut DbConn,
    user_id: &str,
    ttl: Duration,
    now: NaiveDateTime,
) -> QueryResult<(String, String)> {
    let session_id = new_id();
    diesel::insert_into(sessions::table)
        .values((
            sessions::id.eq(&session_id),
            sessions::user_id.eq(user_id),
            sessions::created_at.eq(now),
            sessions::expires_at.eq(now + ttl),
        ))
        .execute(conn)?;
    let token = insert_refresh_token(conn, &session_id, now + ttl, now)?;
    Ok((session_id, token))
}

fn insert_refresh_token(
    conn: &mut DbConn,
    session_id: &str,
    expires_at: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<String> {
    let token = random_token();
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::token_hash.eq(hash_token(&token)),
            refresh_tokens::session_id.eq(session_id),
            refresh_tokens::created_at.eq(now),
            refresh_tokens::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(token)
}

pub enum Rotation {
    /// The token was live: here are the user, the session and the next refresh token.
    Rotated {
        user_id: String,
        session_id: String,
        refresh_token: String,
    },
    /// The token was spent already: the session has been revoked.
    Reused,
    /// Unknown, expired, or its session is over.
    Invalid,
}

/// Spends a refresh token and issues the next one. Spending is one conditional UPDATE, so of two
/// concurrent refreshes with one token exactly one spends it. Presenting a spent token within
/// `grace` of its spending rotates again (a lost answer, a second tab); later, it is reuse and
/// revokes the session.
pub fn rotate_refresh(
    conn: &mut DbConn,
    token: &str,
    grace: chrono::Duration,
    now: NaiveDateTime,
) -> QueryResult<Rotation> {
    let hash = hash_token(token);
    let found: Option<(
        String,
        NaiveDateTime,
        String,
        Option<NaiveDateTime>,
        NaiveDateTime,
        bool,
    )> = refresh_tokens::table
        .inner_join(sessions::table.inner_join(users::table))
        .filter(refresh_tokens::token_hash.eq(&hash))
        .select((
            refresh_tokens::session_id,
            refresh_tokens::expires_at,
            sessions::user_id,
            sessions::revoked_at,
            sessions::expires_at,
            users::active,
        ))
        .first(conn)
        .optional()?;
    let Some((session_id, expires_at, user_id, revoked_at, session_expires, active)) = found else {
        return Ok(Rotation::Invalid);
    };
    if revoked_at.is_some() || expires_at <= now || session_expires <= now || !active {
        return Ok(Rotation::Invalid);
    }
    let spent = diesel::update(
        refresh_tokens::table
            .find(&hash)
            .filter(refresh_tokens::used_at.is_null()),
    )
    .set(refresh_tokens::used_at.eq(Some(now)))
    .execute(conn)?;
    if spent == 0 {
        let used_at: Option<NaiveDateTime> = refresh_tokens::table
            .find(&hash)
            .select(refresh_tokens::used_at)
            .first(conn)?;
        if !super::tokens::within_reuse_grace(used_at, grace, now) {
            revoke_session(conn, &session_id, "refresh_token_reused", now)?;
            return Ok(Rotation::Reused);
        }
    }
    let refresh_token = insert_refresh_token(conn, &session_id, session_expires, now)?;
    Ok(Rotation::Rotated {
        user_id,
        session_id,
        refresh_token,
    })
}

pub fn revoke_session(
    conn: &mut DbConn,
    session_id: &str,
    reason: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(
        sessions::table
            .find(session_id)
            .filter(sessions::revoked_at.is_null()),
    )
    .set((
        sessions::revoked_at.eq(Some(now)),
        sessions::revoked_reason.eq(Some(reason)),
    ))
    .execute(conn)?;
    Ok(())
}

/// Ends every live session of a user but `keep` (the caller's own, when users change their own
/// password): their access tokens stop working at once and their refresh tokens with them.
pub fn revoke_sessions_of(
    conn: &mut DbConn,
    user_id: &str,
    keep: Option<&str>,
    reason: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        sessions::table
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::id.ne(keep.unwrap_or("")))
            .filter(sessions::revoked_at.is_null()),
    )
    .set((
        sessions::revoked_at.eq(Some(now)),
        sessions::revoked_reason.eq(Some(reason)),
    ))
    .execute(conn)
}

/// id, username, role, organisation, resident, the organisation's community.
type CallerRow = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// Which of `ids` are sessions still live (not revoked, not expired, their user active): one query
/// for every event stream of an instance.
pub fn live_sessions(
    conn: &mut DbConn,
    ids: &[String],
    now: NaiveDateTime,
) -> QueryResult<std::collections::HashSet<String>> {
    let mut live = std::collections::HashSet::new();
    for chunk in ids.chunks(500) {
        let found: Vec<String> = sessions::table
            .inner_join(users::table)
            .filter(sessions::id.eq_any(chunk))
            .filter(sessions::revoked_at.is_null())
            .filter(sessions::expires_at.gt(now))
            .filter(users::active.eq(true))
            .select(sessions::id)
            .load(conn)?;
        live.extend(found);
    }
    Ok(live)
}

/// The caller behind a valid token, if its session is live and the user still exists and is active.
pub fn current_user(
    conn: &mut DbConn,
    session_id: &str,
    user_id: &str,
    request_id: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<CurrentUser>> {
    let row: Option<CallerRow> = sessions::table
        .inner_join(users::table.left_join(organizations::table))
        .filter(sessions::id.eq(session_id))
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(now))
        .filter(users::active.eq(true))
        .select((
            users::id,
            users::username,
            users::role,
            users::organization_id,
            users::resident_id,
            organizations::community_id.nullable(),
        ))
        .first(conn)
        .optional()?;
    Ok(row.and_then(
        |(id, username, role, organization_id, resident_id, community)| {
            Some(CurrentUser {
                id,
                username,
                role: Role::parse(&role)?,
                organization_id,
                community_id: community,
                resident_id,
                session_id: session_id.to_string(),
                request_id: request_id.to_string(),
            })
        },
    ))
}
