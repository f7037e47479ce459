//! Shifts in the database.
use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{longest, working_spans, Break, Shift, ShiftSpan, Span};
use crate::db::page::PageRequest;
use crate::db::schema::shifts;
use crate::db::{lock_row, new_id, now, DbConn, LockableTable, MultiBackend};
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Queryable)]
pub struct ShiftRow {
    pub id: String,
    pub clinician_id: String,
    pub clinic_id: String,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub version: i64,
    pub created_at: NaiveDateTime,
    /// JSON: [[start, end], ...] in UTC.
    pub breaks: String,
}

impl ShiftRow {
    pub fn to_api(&self) -> Shift {
        Shift {
            id: self.id.clone(),
            clinician_id: self.clinician_id.clone(),
            clinic_id: self.clinic_id.clone(),
            starts_at: self.starts_at.and_utc().into(),
            ends_at: self.ends_at.and_utc().into(),
            breaks: self
                .breaks()
                .into_iter()
                .map(|(s, e)| Break {
                    starts_at: s.into(),
                    ends_at: e.into(),
                })
                .collect(),
            version: self.version,
        }
    }

    pub fn breaks(&self) -> Vec<Span> {
        breaks_of(&self.breaks)
    }
}

/// A shift's stored breaks (an unreadable value is no breaks).
pub fn breaks_of(json: &str) -> Vec<Span> {
    serde_json::from_str(json).unwrap_or_default()
}

/// The parts worked of a shift as stored: its span without its breaks.
pub fn worked(starts_at: NaiveDateTime, ends_at: NaiveDateTime, breaks: &str) -> Vec<Span> {
    working_spans(starts_at, ends_at, &breaks_of(breaks))
}

/// `clinics`: None for all, else only these clinics' shifts.
fn scoped(clinics: &Option<Vec<String>>) -> shifts::BoxedQuery<'static, MultiBackend> {
    let q = shifts::table.into_boxed();
    match clinics {
        None => q,
        Some(list) => q.filter(shifts::clinic_id.eq_any(list.clone())),
    }
}

#[derive(Debug, Default, Clone)]
pub struct ShiftFilter {
    pub clinician_id: Option<String>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
}

pub fn list(
    conn: &mut DbConn,
    clinics: &Option<Vec<String>>,
    f: &ShiftFilter,
    page: &PageRequest,
) -> QueryResult<Vec<ShiftRow>> {
    let mut q = scoped(clinics);
    if let Some(c) = &f.clinician_id {
        q = q.filter(shifts::clinician_id.eq(c.clone()));
    }
    if let Some(from) = f.from {
        q = q
            .filter(shifts::ends_at.gt(from))
            .filter(shifts::starts_at.gt(from - longest()));
    }
    if let Some(to) = f.to {
        q = q.filter(shifts::starts_at.lt(to));
    }
    if let Some(after) = &page.after {
        q = q.filter(shifts::id.gt(after.clone()));
    }
    q.order(shifts::id.asc()).limit(page.limit + 1).load(conn)
}

pub fn find_scoped(
    conn: &mut DbConn,
    clinics: &Option<Vec<String>>,
    id: &str,
) -> QueryResult<Option<ShiftRow>> {
    scoped(clinics)
        .filter(shifts::id.eq(id.to_string()))
        .first(conn)
        .optional()
}

/// Adds a shift unless it overlaps another of the same clinician. The clinician's row is locked
/// first (PostgreSQL), so two concurrent overlapping shifts cannot both pass the check.
pub fn insert(
    conn: &mut DbConn,
    clinician_id: &str,
    clinic_id: &str,
    span: ShiftSpan,
    breaks: &[Span],
) -> AppResult<ShiftRow> {
    lock_row(conn, LockableTable::Users, clinician_id)?;
    let overlapping: i64 = shifts::table
        .filter(shifts::clinician_id.eq(clinician_id))
        .filter(shifts::starts_at.lt(span.ends_at))
        .filter(shifts::ends_at.gt(span.starts_at))
        .filter(shifts::starts_at.gt(span.starts_at - longest()))
        .count()
        .get_result(conn)?;
    if overlapping > 0 {
        return Err(AppError::conflict(
            "shift_overlap",
            "The clinician already has a shift at that time.",
        ));
    }
    let id = new_id();
    diesel::insert_into(shifts::table)
        .values((
            shifts::id.eq(&id),
            shifts::clinician_id.eq(clinician_id),
            shifts::clinic_id.eq(clinic_id),
            shifts::starts_at.eq(span.starts_at),
            shifts::ends_at.eq(span.ends_at),
            shifts::version.eq(1i64),
            shifts::created_at.eq(now()),
            shifts::breaks.eq(serde_json::to_string(breaks).map_err(AppError::internal)?),
        ))
        .execute(conn)?;
    Ok(shifts::table.find(&id).first(conn)?)
}

/// A clinician's shifts overlapping [from, to).
pub fn of_clinician_between(
    conn: &mut DbConn,
    clinician_id: &str,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> QueryResult<Vec<ShiftRow>> {
    shifts::table
        .filter(shifts::clinician_id.eq(clinician_id))
        .filter(shifts::starts_at.lt(to))
        .filter(shifts::ends_at.gt(from))
        .filter(shifts::starts_at.gt(from - longest()))
        .order(shifts::starts_at.asc())
        .load(conn)
}

/// Ends a shift earlier, keeping only the breaks that end by then.
pub fn end_at(conn: &mut DbConn, row: &ShiftRow, ends_at: NaiveDateTime) -> AppResult<ShiftRow> {
    let breaks: Vec<Span> = row
        .breaks()
        .into_iter()
        .filter(|b| b.1 <= ends_at)
        .collect();
    diesel::update(shifts::table.find(&row.id))
        .set((
            shifts::ends_at.eq(ends_at),
            shifts::breaks.eq(serde_json::to_string(&breaks).map_err(AppError::internal)?),
            shifts::version.eq(row.version + 1),
        ))
        .execute(conn)?;
    Ok(shifts::table.find(&row.id).first(conn)?)
}

pub fn delete(conn: &mut DbConn, id: &str) -> QueryResult<usize> {
    diesel::delete(shifts::table.find(id)).execute(conn)
}
