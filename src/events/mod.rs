//! The event outbox: every change that others should hear of is written here in the change's own
//! transaction, with the audience that may see it (organisation ids, "authority", "resident:<id>"),
//! and streamed to clients as Server-Sent Events (see docs/adr/0006-events-by-polling-the-outbox.md).
pub mod stream;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::Value;

use crate::db::schema::events;
use crate::db::{now, DbConn};

/// The audience word for the district authority's desk (every admin).
pub const AUTHORITY: &str = "authority";

/// Writes one event. On PostgreSQL the writer first takes a transaction-scoped advisory lock, so
/// event ids become visible in id order (a reader that has seen id N never later finds a smaller
/// id committing behind it); SQLite's single writer gives the same for free.
pub fn publish(
    conn: &mut DbConn,
    kind: &str,
    entity: &str,
    entity_id: &str,
    audience: &[String],
    payload: &Value,
) -> QueryResult<()> {
    if let DbConn::Pg(c) = conn {
        diesel::sql_query("SELECT pg_advisory_xact_lock(7262347)").execute(c)?;
    }
    diesel::insert_into(events::table)
        .values((
            events::at.eq(now()),
            events::kind.eq(kind),
            events::entity.eq(entity),
            events::entity_id.eq(entity_id),
            events::audience.eq(serde_json::to_string(audience).unwrap_or_else(|_| "[]".into())),
            events::payload.eq(payload.to_string()),
        ))
        .execute(conn)?;
    Ok(())
}

#[derive(Debug, Clone, Queryable)]
pub struct EventRow {
    pub id: i64,
    pub at: NaiveDateTime,
    pub kind: String,
    pub entity: String,
    pub entity_id: String,
    pub audience: String,
    pub payload: String,
}

/// Events of one object, oldest first (for tests and reports).
pub fn of_entity(conn: &mut DbConn, entity: &str, entity_id: &str) -> QueryResult<Vec<EventRow>> {
    events::table
        .filter(events::entity.eq(entity))
        .filter(events::entity_id.eq(entity_id))
        .order(events::id.asc())
        .load(conn)
}

/// Who is listening: which audience words they may hear (None: everything, the authority).
pub fn audience_of(user: &crate::auth::CurrentUser) -> Option<Vec<String>> {
    use crate::auth::Role;
    match user.role {
        Role::Admin => None,
        Role::Resident => Some(
            user.resident_id
                .iter()
                .map(|r| format!("resident:{r}"))
                .collect(),
        ),
        _ => Some(user.organization_id.iter().cloned().collect()),
    }
}

/// Events after `after` that `audience` may hear, oldest first.
pub fn since(
    conn: &mut DbConn,
    audience: &Option<Vec<String>>,
    after: i64,
    limit: i64,
) -> QueryResult<Vec<EventRow>> {
    let mut q = events::table.filter(events::id.gt(after)).into_boxed();
    if let Some(words) = audience {
        if words.is_empty() {
            return Ok(vec![]);
        }
        let mut cond: Box<
            dyn BoxableExpression<
                events::table,
                crate::db::MultiBackend,
                SqlType = diesel::sql_types::Bool,
            >,
        > = Box::new(events::audience.like(format!("%\"{}\"%", words[0])));
        for w in &words[1..] {
            cond = Box::new(cond.or(events::audience.like(format!("%\"{w}\"%"))));
        }
        q = q.filter(cond);
    }
    q.order(events::id.asc()).limit(limit).load(conn)
}

/// The newest event id (where a fresh subscriber starts).
pub fn last_id(conn: &mut DbConn) -> QueryResult<i64> {
    Ok(events::table
        .select(diesel::dsl::max(events::id))
        .first::<Option<i64>>(conn)?
        .unwrap_or(0))
}

/// Forgets events older than the retention period; returns how many.
pub fn prune(conn: &mut DbConn, retention_hours: i64) -> QueryResult<usize> {
    let cutoff = now() - chrono::Duration::hours(retention_hours);
    diesel::delete(events::table.filter(events::at.lt(cutoff))).execute(conn)
}
