//! The event outbox: every change that others should hear of is written here in the change's own
//! transaction, with the audience that may see it (organisation ids, "authority", "resident:<id>").
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::Value;

use crate::db::schema::events;
use crate::db::{now, DbConn};

/// The audience word for the district authority's desk (every admin).
pub const AUTHORITY: &str = "authority";

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
