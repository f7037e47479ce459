//! Writing and reading audit records.
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use serde_json::Value;

use crate::auth::CurrentUser;
use crate::db::page::PageRequest;
use crate::db::schema::audit_log;
use crate::db::{new_id, now, DbConn};

/// Records one change by `actor` (None: the system, e.g. the seed or a background task).
pub fn record(
    conn: &mut DbConn,
    actor: Option<&CurrentUser>,
    action: &str,
    entity: &str,
    entity_id: &str,
    before: Option<&Value>,
    after: Option<&Value>,
) -> QueryResult<()> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::id.eq(new_id()),
            audit_log::at.eq(now()),
            audit_log::actor_id.eq(actor.map(|a| a.id.clone())),
            audit_log::action.eq(action),
            audit_log::entity.eq(entity),
            audit_log::entity_id.eq(entity_id),
            audit_log::before.eq(before.map(|v| v.to_string())),
            audit_log::after.eq(after.map(|v| v.to_string())),
            audit_log::request_id.eq(actor.map(|a| a.request_id.clone())),
        ))
        .execute(conn)?;
    Ok(())
}

/// Records the creation of many objects of one kind by `actor` (None: the system), as `record`
/// would one by one, in batched inserts (a district's obligations are tens of thousands).
/// `created` holds each object's id and its serialised state.
pub fn record_created(
    conn: &mut DbConn,
    actor: Option<&CurrentUser>,
    entity: &str,
    created: &[(String, String)],
) -> QueryResult<()> {
    if created.is_empty() {
        return Ok(());
    }
    let at = now();
    let actor_id = actor.map(|a| a.id.clone());
    let request_id = actor.map(|a| a.request_id.clone());
    let rows: Vec<_> = created
        .iter()
        .map(|(id, value)| {
            (
                audit_log::id.eq(new_id()),
                audit_log::at.eq(at),
                audit_log::actor_id.eq(actor_id.clone()),
                audit_log::action.eq("create"),
                audit_log::entity.eq(entity),
                audit_log::entity_id.eq(id),
                audit_log::before.eq(None::<String>),
                audit_log::after.eq(Some(value)),
                audit_log::request_id.eq(request_id.clone()),
            )
        })
        .collect();
    match conn {
        // One binary COPY: a district's tens of thousands of records in one round trip.
        DbConn::Pg(c) => {
            diesel::copy_from(audit_log::table)
                .from_insertable(&rows)
                .execute(c)?;
        }
        DbConn::Sqlite(c) => {
            for chunk in rows.chunks(500) {
                diesel::insert_into(audit_log::table)
                    .values(chunk)
                    .execute(c)?;
            }
        }
    }
    Ok(())
}

/// Records that `actor` read these records (privacy: who read whom, when), in one write transaction.
pub fn record_reads<'a>(
    conn: &mut DbConn,
    actor: &CurrentUser,
    entity: &str,
    ids: impl Iterator<Item = &'a str>,
) -> QueryResult<()> {
    let ids: Vec<&str> = ids.collect();
    if ids.is_empty() {
        return Ok(());
    }
    crate::db::write_tx(conn, |conn| {
        for id in ids {
            record(conn, Some(actor), "read", entity, id, None, None)?;
        }
        Ok(())
    })
}

#[derive(Debug, Queryable)]
pub struct AuditRow {
    pub id: String,
    pub at: NaiveDateTime,
    pub actor_id: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub request_id: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditRecord {
    pub id: String,
    pub at: crate::time::Time,
    pub actor_id: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub request_id: Option<String>,
}

impl From<AuditRow> for AuditRecord {
    fn from(r: AuditRow) -> AuditRecord {
        let parse = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
        AuditRecord {
            id: r.id,
            at: r.at.and_utc().into(),
            actor_id: r.actor_id,
            action: r.action,
            entity: r.entity,
            entity_id: r.entity_id,
            before: parse(r.before),
            after: parse(r.after),
            request_id: r.request_id,
        }
    }
}

#[derive(Debug, Default)]
pub struct AuditFilter {
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub actor_id: Option<String>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
}

/// Newest first; the cursor is the last id seen (ids are time ordered).
pub fn list(conn: &mut DbConn, f: &AuditFilter, page: &PageRequest) -> QueryResult<Vec<AuditRow>> {
    let mut q = audit_log::table.into_boxed();
    if let Some(v) = &f.entity {
        q = q.filter(audit_log::entity.eq(v.clone()));
    }
    if let Some(v) = &f.entity_id {
        q = q.filter(audit_log::entity_id.eq(v.clone()));
    }
    if let Some(v) = &f.actor_id {
        q = q.filter(audit_log::actor_id.eq(v.clone()));
    }
    if let Some(v) = f.from {
        q = q.filter(audit_log::at.ge(v));
    }
    if let Some(v) = f.to {
        q = q.filter(audit_log::at.lt(v));
    }
    if let Some(after) = &page.after {
        q = q.filter(audit_log::id.lt(after.clone()));
    }
    q.order(audit_log::id.desc())
        .limit(page.limit + 1)
        .load(conn)
}

/// Forgets the audit records of the months that ended more than `retention_months` ago, a
/// partition each, dropped whole (PostgreSQL; answers how many months). 0 keeps them all, and so
/// does SQLite, whose audit table refuses every delete.
pub fn prune(conn: &mut DbConn, retention_months: u32) -> QueryResult<usize> {
    if retention_months == 0 {
        return Ok(0);
    }
    let cutoff = now()
        .checked_sub_months(chrono::Months::new(retention_months))
        .unwrap_or(NaiveDateTime::MIN);
    crate::db::partitions::drop_before(conn, "audit_log", cutoff)
}
