//! The event outbox: every change that others should hear of is written here in the change's own
//! transaction, with the audience that may see it (organisation ids, "authority", "resident:<id>"),
//! and streamed to clients as Server-Sent Events (see docs/adr/0006-events-by-polling-the-outbox.md).
pub mod hub;
pub mod limits;
pub mod stream;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::Value;

use crate::db::schema::events;
use crate::db::{now, DbConn};

/// The audience word for the district authority's desk (every admin).
pub const AUTHORITY: &str = "authority";

/// Writes one event in the caller's transaction. Writers never wait for each other: on
/// PostgreSQL the row records its transaction id and readers keep commit order (see [`since`]);
/// SQLite's single writer commits ids in order anyway.
pub fn publish(
    conn: &mut DbConn,
    kind: &str,
    entity: &str,
    entity_id: &str,
    audience: &[String],
    payload: &Value,
) -> QueryResult<()> {
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

/// Writes many events of one kind in the caller's transaction, in batched inserts, as
/// [`publish`] would one by one: each with its entity id, audience and payload.
pub fn publish_many(
    conn: &mut DbConn,
    kind: &str,
    entity: &str,
    items: &[(String, Vec<String>, Value)],
) -> QueryResult<()> {
    let at = now();
    let rows: Vec<_> = items
        .iter()
        .map(|(id, audience, payload)| {
            (
                events::at.eq(at),
                events::kind.eq(kind),
                events::entity.eq(entity),
                events::entity_id.eq(id),
                events::audience
                    .eq(serde_json::to_string(audience).unwrap_or_else(|_| "[]".into())),
                events::payload.eq(payload.to_string()),
            )
        })
        .collect();
    for chunk in rows.chunks(500) {
        match conn {
            DbConn::Pg(c) => diesel::insert_into(events::table)
                .values(chunk)
                .execute(c)?,
            DbConn::Sqlite(c) => diesel::insert_into(events::table)
                .values(chunk)
                .execute(c)?,
        };
    }
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

/// Where a reader is in the outbox: after the event `id` of transaction `tx` (PostgreSQL's
/// transaction id; always 0 on SQLite). Shown to clients as the SSE id `tx-id` (just `id` when
/// `tx` is 0) and taken back from `Last-Event-ID`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Cursor {
    pub tx: i64,
    pub id: i64,
}

impl std::fmt::Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.tx == 0 {
            write!(f, "{}", self.id)
        } else {
            write!(f, "{}-{}", self.tx, self.id)
        }
    }
}

impl std::str::FromStr for Cursor {
    type Err = ();

    fn from_str(s: &str) -> Result<Cursor, ()> {
        let number = |v: &str| v.parse::<i64>().ok().filter(|n| *n >= 0).ok_or(());
        match s.trim().split_once('-') {
            Some((tx, id)) => Ok(Cursor {
                tx: number(tx)?,
                id: number(id)?,
            }),
            None => Ok(Cursor {
                tx: 0,
                id: number(s.trim())?,
            }),
        }
    }
}

/// The oldest transaction still running anywhere in the cluster: every transaction before it has
/// committed or rolled back, so its events can no longer be joined by earlier ones.
const HORIZON: &str = "pg_snapshot_xmin(pg_current_snapshot())";

#[derive(QueryableByName)]
struct PgEvent {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    tx: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    id: i64,
    #[diesel(sql_type = diesel::sql_types::Timestamp)]
    at: NaiveDateTime,
    #[diesel(sql_type = diesel::sql_types::Text)]
    kind: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    entity: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    entity_id: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    audience: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    payload: String,
}

/// Events after `after` that `audience` may hear, in commit order, each with its cursor.
///
/// PostgreSQL hands out ids before commit, so a smaller id may commit after a larger one. Rather
/// than make writers take turns, the reader takes only events of transactions older than the
/// oldest one still running, in (transaction, id) order: nothing can later commit behind them.
/// The price: an event waits until every transaction older than its own has ended (carelink's
/// are short; a long transaction of another program on the same cluster delays delivery).
pub fn since(
    conn: &mut DbConn,
    audience: &Option<Vec<String>>,
    after: Cursor,
    limit: i64,
) -> QueryResult<Vec<(Cursor, EventRow)>> {
    if audience.as_ref().is_some_and(|words| words.is_empty()) {
        return Ok(vec![]);
    }
    let patterns: Vec<String> = audience
        .iter()
        .flatten()
        .map(|w| format!("%\"{w}\"%"))
        .collect();
    if let DbConn::Pg(c) = conn {
        use diesel::sql_types::{Array, BigInt, Bool, Text};
        let sql = format!(
            "SELECT tx::text::bigint AS tx, id, at, kind, entity, entity_id, audience, payload \
             FROM events WHERE (tx, id) > ($1::text::xid8, $2) AND tx < {HORIZON} \
             AND ($3 OR audience LIKE ANY($4)) ORDER BY tx, id LIMIT $5"
        );
        let rows: Vec<PgEvent> = diesel::sql_query(sql)
            .bind::<Text, _>(after.tx.to_string())
            .bind::<BigInt, _>(after.id)
            .bind::<Bool, _>(audience.is_none())
            .bind::<Array<Text>, _>(&patterns)
            .bind::<BigInt, _>(limit)
            .load(c)?;
        return Ok(rows
            .into_iter()
            .map(|e| {
                let cursor = Cursor { tx: e.tx, id: e.id };
                let row = EventRow {
                    id: e.id,
                    at: e.at,
                    kind: e.kind,
                    entity: e.entity,
                    entity_id: e.entity_id,
                    audience: e.audience,
                    payload: e.payload,
                };
                (cursor, row)
            })
            .collect());
    }
    let mut q = events::table.filter(events::id.gt(after.id)).into_boxed();
    if let Some((first, rest)) = patterns.split_first() {
        let mut cond: Box<
            dyn BoxableExpression<
                events::table,
                crate::db::MultiBackend,
                SqlType = diesel::sql_types::Bool,
            >,
        > = Box::new(events::audience.like(first.clone()));
        for p in rest {
            cond = Box::new(cond.or(events::audience.like(p.clone())));
        }
        q = q.filter(cond);
    }
    let rows: Vec<EventRow> = q.order(events::id.asc()).limit(limit).load(conn)?;
    Ok(rows
        .into_iter()
        .map(|e| (Cursor { tx: 0, id: e.id }, e))
        .collect())
}

/// Where a fresh subscriber starts: after the newest event that [`since`] could deliver now.
pub fn last(conn: &mut DbConn) -> QueryResult<Cursor> {
    if let DbConn::Pg(c) = conn {
        use diesel::sql_types::BigInt;
        #[derive(QueryableByName)]
        struct Newest {
            #[diesel(sql_type = BigInt)]
            tx: i64,
            #[diesel(sql_type = BigInt)]
            id: i64,
        }
        let sql = format!(
            "SELECT tx::text::bigint AS tx, id FROM events WHERE tx < {HORIZON} \
             ORDER BY tx DESC, id DESC LIMIT 1"
        );
        let newest: Option<Newest> = diesel::sql_query(sql).get_result(c).optional()?;
        return Ok(newest.map_or(Cursor::default(), |n| Cursor { tx: n.tx, id: n.id }));
    }
    let id = events::table
        .select(diesel::dsl::max(events::id))
        .first::<Option<i64>>(conn)?
        .unwrap_or(0);
    Ok(Cursor { tx: 0, id })
}

/// Forgets events older than the retention period: on PostgreSQL the months that ended before it,
/// a partition each, dropped whole (answers how many months); on SQLite the rows (how many).
pub fn prune(conn: &mut DbConn, retention_hours: i64) -> QueryResult<usize> {
    let cutoff = now() - chrono::Duration::hours(retention_hours);
    if conn.backend() == crate::db::Backend::Postgres {
        return crate::db::partitions::drop_before(conn, "events", cutoff);
    }
    diesel::delete(events::table.filter(events::at.lt(cutoff))).execute(conn)
}
