//! Obligations in the database.
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::{day, text};
use crate::auth::policy::ResidentScope;
use crate::db::page::PageRequest;
use crate::db::schema::{contracts, obligations, residents};
use crate::db::{now, DbConn};
use crate::programmes::model::{Obligation, ObligationStatus, Source, WaiveReason};

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = obligations, treat_none_as_default_value = false)]
pub struct ObligationRow {
    pub id: String,
    pub resident_id: String,
    pub clinic_id: String,
    pub source: String,
    pub source_id: Option<String>,
    pub rule: String,
    pub rule_version: i32,
    pub service_type: String,
    pub period: String,
    pub earliest: String,
    pub due: String,
    pub latest: String,
    pub state: String,
    pub visit_id: Option<String>,
    pub met_on: Option<String>,
    pub reason: Option<String>,
    pub comment: Option<String>,
    pub overdue_notified: bool,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl ObligationRow {
    pub fn status(&self, today: NaiveDate) -> ObligationStatus {
        match self.state.as_str() {
            "met" => ObligationStatus::Met,
            "waived" => ObligationStatus::Waived,
            _ => ObligationStatus::parse(crate::programmes::model::engine::open_status(
                day(&self.earliest),
                day(&self.latest),
                today,
            ))
            .unwrap_or(ObligationStatus::Due),
        }
    }

    pub fn to_api(&self, today: NaiveDate) -> Obligation {
        let met_on = self.met_on.as_deref().map(day);
        Obligation {
            id: self.id.clone(),
            resident_id: self.resident_id.clone(),
            clinic_id: self.clinic_id.clone(),
            source: match self.source.as_str() {
                "contract" => Source::Contract,
                "episode" => Source::Episode,
                _ => Source::Rule,
            },
            source_id: self.source_id.clone(),
            rule: self.rule.clone(),
            rule_version: self.rule_version,
            service_type: self.service_type.clone(),
            period: self.period.clone(),
            earliest: day(&self.earliest),
            due: day(&self.due),
            latest: day(&self.latest),
            status: self.status(today),
            visit_id: self.visit_id.clone(),
            met_on,
            on_time: met_on.map(|m| m <= day(&self.latest)),
            reason: self.reason.as_deref().and_then(WaiveReason::parse),
            comment: self.comment.clone(),
            version: self.version,
            created_at: self.created_at.into(),
        }
    }
}

/// Inserts obligations; those already made (same resident, rule and period) are left as they
/// are, so concurrent or repeated runs make each once. Returns the ids of the new ones.
///
/// On PostgreSQL the rows go in by one binary COPY (a district's 80,000 obligations: multi-row
/// INSERTs spent seconds more on parsing and planning); COPY cannot skip duplicates, so when
/// another run made some of them first, the COPY is rolled back to its savepoint and the rows go
/// in by INSERT ... ON CONFLICT DO NOTHING.
pub fn insert_obligations(conn: &mut DbConn, rows: &[ObligationRow]) -> QueryResult<Vec<String>> {
    if rows.is_empty() {
        return Ok(vec![]);
    }
    if let DbConn::Pg(c) = conn {
        let copied = c.transaction(|c| {
            diesel::copy_from(obligations::table)
                .from_insertable(rows)
                .execute(c)
        });
        match copied {
            Ok(_) => return Ok(rows.iter().map(|r| r.id.clone()).collect()),
            Err(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            )) => {}
            Err(e) => return Err(e),
        }
    }
    let mut made = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(500) {
        made.extend(match conn {
            DbConn::Pg(c) => diesel::insert_into(obligations::table)
                .values(chunk)
                .on_conflict_do_nothing()
                .returning(obligations::id)
                .get_results::<String>(c)?,
            DbConn::Sqlite(c) => diesel::insert_or_ignore_into(obligations::table)
                .values(chunk)
                .returning(obligations::id)
                .get_results::<String>(c)?,
        });
    }
    Ok(made)
}

#[derive(Debug, Default, Clone)]
pub struct ObligationFilter {
    pub resident_id: Option<String>,
    pub clinic_id: Option<String>,
    pub status: Option<ObligationStatus>,
    pub due_before: Option<NaiveDate>,
    /// Only those made by this contract or episode.
    pub source_id: Option<String>,
}

pub fn obligations(
    conn: &mut DbConn,
    scope: &ResidentScope,
    f: &ObligationFilter,
    today: NaiveDate,
    page: &PageRequest,
) -> QueryResult<Vec<ObligationRow>> {
    let mut q = scoped!(obligations, scope);
    if let Some(r) = &f.resident_id {
        q = q.filter(obligations::resident_id.eq(r.clone()));
    }
    if let Some(c) = &f.clinic_id {
        q = q.filter(obligations::clinic_id.eq(c.clone()));
    }
    if let Some(d) = f.due_before {
        q = q.filter(obligations::due.lt(text(d)));
    }
    if let Some(id) = &f.source_id {
        q = q.filter(obligations::source_id.eq(id.clone()));
    }
    let t = text(today);
    q = match f.status {
        None => q,
        Some(ObligationStatus::Met) => q.filter(obligations::state.eq("met")),
        Some(ObligationStatus::Waived) => q.filter(obligations::state.eq("waived")),
        Some(ObligationStatus::Upcoming) => q
            .filter(obligations::state.eq("open"))
            .filter(obligations::earliest.gt(t)),
        Some(ObligationStatus::Due) => q
            .filter(obligations::state.eq("open"))
            .filter(obligations::earliest.le(t.clone()))
            .filter(obligations::latest.ge(t)),
        Some(ObligationStatus::Overdue) => q
            .filter(obligations::state.eq("open"))
            .filter(obligations::latest.lt(t)),
    };
    if let Some(after) = &page.after {
        q = q.filter(obligations::id.gt(after.clone()));
    }
    q.order(obligations::id.asc())
        .limit(page.limit + 1)
        .load(conn)
}

pub fn obligation_scoped(
    conn: &mut DbConn,
    scope: &ResidentScope,
    id: &str,
) -> QueryResult<Option<ObligationRow>> {
    scoped!(obligations, scope)
        .filter(obligations::id.eq(id.to_string()))
        .first(conn)
        .optional()
}

pub fn obligation(conn: &mut DbConn, id: &str) -> QueryResult<Option<ObligationRow>> {
    obligations::table.find(id).first(conn).optional()
}

/// The obligations of some residents (all when None), for the engine to compare with.
pub fn obligations_of(
    conn: &mut DbConn,
    resident: Option<&str>,
) -> QueryResult<Vec<ObligationRow>> {
    let mut q = obligations::table.into_boxed();
    if let Some(r) = resident {
        q = q.filter(obligations::resident_id.eq(r.to_string()));
    }
    q.load(conn)
}

/// Open obligations of residents under an active contract (the contract is how home visits come
/// to them), or of a home sickbed (its care is at home by nature), with no live visit, whose
/// window opens by `until` and has not closed.
pub fn to_request(
    conn: &mut DbConn,
    resident: Option<&str>,
    today: NaiveDate,
    until: NaiveDate,
) -> QueryResult<Vec<ObligationRow>> {
    use crate::db::schema::visits;
    let mut q = obligations::table
        .filter(obligations::state.eq("open"))
        .filter(
            obligations::source
                .eq("episode")
                .or(obligations::resident_id.eq_any(
                    contracts::table
                        .filter(contracts::status.eq("active"))
                        .select(contracts::resident_id),
                )),
        )
        .filter(obligations::earliest.le(text(until)))
        .filter(obligations::latest.ge(text(today)))
        .into_boxed();
    // "No live visit" is asked two ways, for plans that do not hang on fresh statistics (a
    // district's obligations are often made in the same transaction):
    // - for one resident (each check-out), a correlated NOT EXISTS: an anti-join on the visits'
    //   key, 0.2 ms; `NOT IN` would hash every live visit of the district (64 ms);
    // - for the district, `NOT (visit_id IN live)`: PostgreSQL hashes the live visits once (0.1 s
    //   for 16,000 open obligations), where NOT EXISTS without statistics took a nested loop
    //   (11 s) and `visit_id <> ALL(live)` rescanned the visits for each obligation (44 s).
    let live = visits::status.ne_all(vec!["cancelled", "missed"]);
    if let Some(r) = resident {
        let of_obligation = visits::table
            .filter(visits::id.nullable().eq(obligations::visit_id))
            .filter(live);
        q = q
            .filter(obligations::resident_id.eq(r.to_string()))
            .filter(diesel::dsl::not(diesel::dsl::exists(of_obligation)));
    } else {
        let all_live = visits::table.filter(live).select(visits::id.nullable());
        q = q.filter(
            obligations::visit_id
                .is_null()
                .or(diesel::dsl::not(obligations::visit_id.eq_any(all_live))),
        );
    }
    q.order(obligations::id.asc()).load(conn)
}

/// Links each obligation to its visit if its version is still the one read, which claims it (the
/// version moves on: another instance that read the same version links nothing), in one
/// `UPDATE ... FROM (VALUES ...)` per 300 obligations instead of one statement each (16,000 single
/// updates took 11 s on PostgreSQL). Returns the ids linked.
pub fn link_visits(
    conn: &mut DbConn,
    links: &[(&ObligationRow, String)],
) -> QueryResult<Vec<String>> {
    use diesel::sql_types::{BigInt, Text, Timestamp};
    #[derive(QueryableByName)]
    struct Linked {
        #[diesel(sql_type = Text)]
        id: String,
    }
    let at = now();
    let mut linked = Vec::with_capacity(links.len());
    for chunk in links.chunks(300) {
        // The placeholders of row i: the first (the time) is shared.
        let values = |mark: &dyn Fn(usize) -> String| {
            (0..chunk.len())
                .map(|i| {
                    format!(
                        "({}, {}, {})",
                        mark(3 * i + 2),
                        mark(3 * i + 3),
                        mark(3 * i + 4)
                    )
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let rows: Vec<Linked> = match conn {
            DbConn::Pg(c) => {
                let sql = format!(
                    "UPDATE obligations AS o SET visit_id = l.visit_id, version = o.version + 1, \
                     updated_at = $1 FROM (VALUES {}) AS l(id, version, visit_id) \
                     WHERE o.id = l.id AND o.version = l.version RETURNING o.id",
                    values(&|n| format!("${n}"))
                );
                let mut q = diesel::sql_query(sql)
                    .into_boxed::<diesel::pg::Pg>()
                    .bind::<Timestamp, _>(at);
                for (o, visit) in chunk {
                    q = q
                        .bind::<Text, _>(o.id.clone())
                        .bind::<BigInt, _>(o.version)
                        .bind::<Text, _>(visit.clone());
                }
                q.load(c)?
            }
            DbConn::Sqlite(c) => {
                // SQLite names a VALUES list's columns column1, column2, ...
                let sql = format!(
                    "UPDATE obligations SET visit_id = l.column3, version = obligations.version + 1, \
                     updated_at = ? FROM (VALUES {}) AS l \
                     WHERE obligations.id = l.column1 AND obligations.version = l.column2 \
                     RETURNING obligations.id",
                    values(&|_| "?".to_string())
                );
                let mut q = diesel::sql_query(sql)
                    .into_boxed::<diesel::sqlite::Sqlite>()
                    .bind::<Timestamp, _>(at);
                for (o, visit) in chunk {
                    q = q
                        .bind::<Text, _>(o.id.clone())
                        .bind::<BigInt, _>(o.version)
                        .bind::<Text, _>(visit.clone());
                }
                q.load(c)?
            }
        };
        linked.extend(rows.into_iter().map(|r| r.id));
    }
    Ok(linked)
}

/// Open obligations whose window closed before `today` and that no event has announced yet.
pub fn newly_overdue(conn: &mut DbConn, today: NaiveDate) -> QueryResult<Vec<ObligationRow>> {
    obligations::table
        .filter(obligations::state.eq("open"))
        .filter(obligations::overdue_notified.eq(false))
        .filter(obligations::latest.lt(text(today)))
        .order(obligations::id.asc())
        .limit(2000)
        .load(conn)
}

/// The changes an obligation may take, applied only if it is still at the version read.
#[derive(Debug, Default, Clone, AsChangeset)]
#[diesel(table_name = obligations)]
pub struct ObligationChanges {
    pub state: Option<String>,
    pub visit_id: Option<Option<String>>,
    pub met_on: Option<Option<String>>,
    pub reason: Option<Option<String>>,
    pub comment: Option<Option<String>>,
    pub overdue_notified: Option<bool>,
    pub version: Option<i64>,
    pub updated_at: Option<NaiveDateTime>,
}

pub fn update_obligation(
    conn: &mut DbConn,
    row: &ObligationRow,
    mut ch: ObligationChanges,
) -> QueryResult<bool> {
    ch.version = Some(row.version + 1);
    ch.updated_at = Some(now());
    let n = diesel::update(
        obligations::table
            .filter(obligations::id.eq(&row.id))
            .filter(obligations::version.eq(row.version)),
    )
    .set(ch)
    .execute(conn)?;
    Ok(n == 1)
}
