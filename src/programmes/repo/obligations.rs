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
#[diesel(table_name = obligations)]
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
/// are, so concurrent or repeated runs make each once. Returns how many were new.
pub fn insert_obligations(conn: &mut DbConn, rows: &[ObligationRow]) -> QueryResult<usize> {
    let mut made = 0;
    for chunk in rows.chunks(500) {
        made += match conn {
            DbConn::Pg(c) => diesel::insert_into(obligations::table)
                .values(chunk)
                .on_conflict_do_nothing()
                .execute(c)?,
            DbConn::Sqlite(c) => diesel::insert_or_ignore_into(obligations::table)
                .values(chunk)
                .execute(c)?,
        };
    }
    Ok(made)
}

#[derive(Debug, Default, Clone)]
pub struct ObligationFilter {
    pub resident_id: Option<String>,
    pub clinic_id: Option<String>,
    pub status: Option<ObligationStatus>,
    pub due_before: Option<NaiveDate>,
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

pub fn obligations_by_id(conn: &mut DbConn, ids: &[String]) -> QueryResult<Vec<ObligationRow>> {
    let mut out = vec![];
    for chunk in ids.chunks(500) {
        out.extend(
            obligations::table
                .filter(obligations::id.eq_any(chunk))
                .load::<ObligationRow>(conn)?,
        );
    }
    Ok(out)
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
/// to them) with no live visit, whose window opens by `until` and has not closed.
pub fn to_request(
    conn: &mut DbConn,
    resident: Option<&str>,
    today: NaiveDate,
    until: NaiveDate,
) -> QueryResult<Vec<ObligationRow>> {
    use crate::db::schema::visits;
    let live = visits::table
        .filter(visits::status.ne_all(vec!["cancelled", "missed"]))
        .select(visits::id.nullable());
    let mut q = obligations::table
        .filter(obligations::state.eq("open"))
        .filter(
            obligations::resident_id.eq_any(
                contracts::table
                    .filter(contracts::status.eq("active"))
                    .select(contracts::resident_id),
            ),
        )
        .filter(obligations::earliest.le(text(until)))
        .filter(obligations::latest.ge(text(today)))
        // `NOT (visit_id IN live)`, not `visit_id <> ALL(live)`: the same rows, but PostgreSQL
        // hashes an IN subquery once, while `<> ALL` rescanned every live visit for each
        // obligation with a visit (44 s for 16,000 open obligations, 36,000 visits).
        .filter(
            obligations::visit_id
                .is_null()
                .or(diesel::dsl::not(obligations::visit_id.eq_any(live))),
        )
        .into_boxed();
    if let Some(r) = resident {
        q = q.filter(obligations::resident_id.eq(r.to_string()));
    }
    q.order(obligations::id.asc()).limit(5000).load(conn)
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
