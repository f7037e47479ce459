//! How `carelink-bench city` writes: rows in PostgreSQL's COPY text format, sent with
//! `diesel::copy_from`, with the loaded tables' secondary indexes, foreign keys and the visits'
//! exclusion constraint dropped for the load and made again after it (as pg_restore does: one
//! sorted build instead of millions of index inserts, and the rebuild checks every row).
use std::collections::BTreeMap;
use std::io::Write;
use std::time::Instant;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel::PgConnection;

use crate::lcg::Lcg;

/// Rows of one COPY in text format: fields tab-separated, `\N` for NULL.
#[derive(Default)]
pub struct Rows {
    pub buf: Vec<u8>,
    pub count: usize,
    first: bool,
}

impl Rows {
    fn sep(&mut self) {
        if self.first {
            self.first = false;
        } else {
            self.buf.push(b'\t');
        }
    }
    pub fn text(&mut self, s: &str) -> &mut Self {
        self.sep();
        for b in s.bytes() {
            match b {
                b'\\' => self.buf.extend_from_slice(b"\\\\"),
                b'\t' => self.buf.extend_from_slice(b"\\t"),
                b'\n' => self.buf.extend_from_slice(b"\\n"),
                b'\r' => self.buf.extend_from_slice(b"\\r"),
                _ => self.buf.push(b),
            }
        }
        self
    }
    pub fn opt(&mut self, s: Option<&str>) -> &mut Self {
        match s {
            Some(s) => self.text(s),
            None => self.null(),
        }
    }
    pub fn null(&mut self) -> &mut Self {
        self.sep();
        self.buf.extend_from_slice(b"\\N");
        self
    }
    pub fn num(&mut self, n: impl std::fmt::Display) -> &mut Self {
        self.sep();
        let _ = write!(self.buf, "{n}");
        self
    }
    pub fn flag(&mut self, b: bool) -> &mut Self {
        self.sep();
        self.buf.push(if b { b't' } else { b'f' });
        self
    }
    pub fn at(&mut self, t: NaiveDateTime) -> &mut Self {
        self.sep();
        let _ = write!(self.buf, "{}", t.format("%Y-%m-%d %H:%M:%S"));
        self
    }
    pub fn opt_at(&mut self, t: Option<NaiveDateTime>) -> &mut Self {
        match t {
            Some(t) => self.at(t),
            None => self.null(),
        }
    }
    /// Ends the row begun by the first field after the last `end`.
    pub fn end(&mut self) {
        self.buf.push(b'\n');
        self.count += 1;
        self.first = true;
    }
    pub fn start(&mut self) -> &mut Self {
        self.first = true;
        self
    }
}

/// Sends `rows` into `target` (a table, or a tuple of its columns) with one COPY FROM STDIN.
#[macro_export]
macro_rules! copy_rows {
    ($conn:expr, $table:expr, $target:expr, $rows:expr) => {{
        let rows: &$crate::city_copy::Rows = $rows;
        if rows.count > 0 {
            use diesel::ExecuteCopyFromDsl;
            diesel::copy_from($table)
                .from_raw_data($target, |w| {
                    w.write_all(&rows.buf)
                        .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))
                })
                .execute($conn)
                .map_err(|e| format!("COPY {}: {e}", stringify!($table)))?;
        }
        rows.count
    }};
}

/// Copies the audit rows and the outbox rows that a batch of changes left behind.
pub fn copy_trail(
    pg: &mut PgConnection,
    audit: &Rows,
    outbox: &Rows,
    tally: &mut Tally,
) -> Result<(), String> {
    use carelink::db::schema::{audit_log, events};
    let started = Instant::now();
    let n = crate::copy_rows!(pg, audit_log::table, audit_log::table, audit);
    tally.add("audit_log", n, started);
    let started = Instant::now();
    let target = (
        events::at,
        events::kind,
        events::entity,
        events::entity_id,
        events::audience,
        events::payload,
    );
    let n = crate::copy_rows!(pg, events::table, target, outbox);
    tally.add("events", n, started);
    Ok(())
}

/// A UUIDv7 string for a row made at `t`, its random part drawn from `rng` (so ids sort by time,
/// as the service's do, and a seed gives the same ids).
pub fn id_at(rng: &mut Lcg, t: NaiveDateTime) -> String {
    let ms = t.and_utc().timestamp_millis().max(0) as u64;
    let (a, b, c) = (rng.draw(), rng.draw(), rng.draw());
    let mut bytes = [0u8; 10];
    bytes[..4].copy_from_slice(&(a as u32).to_le_bytes());
    bytes[4..8].copy_from_slice(&(b as u32).to_le_bytes());
    bytes[8..].copy_from_slice(&(c as u16).to_le_bytes());
    uuid::Builder::from_unix_timestamp_millis(ms, &bytes)
        .into_uuid()
        .to_string()
}

/// Rows and seconds per table, printed as they come and in the final JSON line.
#[derive(Default)]
pub struct Tally {
    pub tables: BTreeMap<&'static str, (usize, f64)>,
}

impl Tally {
    pub fn add(&mut self, table: &'static str, rows: usize, since: Instant) {
        let e = self.tables.entry(table).or_default();
        e.0 += rows;
        e.1 += since.elapsed().as_secs_f64();
    }
    pub fn rows(&self, table: &str) -> usize {
        self.tables.get(table).map_or(0, |e| e.0)
    }
    pub fn total(&self) -> usize {
        self.tables.values().map(|e| e.0).sum()
    }
}

#[derive(QueryableByName)]
struct Definition {
    #[diesel(sql_type = Text)]
    drop: String,
    #[diesel(sql_type = Text)]
    make: String,
}

/// The tables loaded in bulk.
pub const LOADED: &str = "'residents','users','shifts','contracts','visits','audit_log','events',\
'referrals','referral_history'";

/// Drops the loaded tables' secondary indexes, foreign keys and exclusion constraints and returns
/// the statements that make them again, indexes first (primary keys and unique constraints stay).
pub fn drop_secondary(conn: &mut PgConnection) -> Result<Vec<String>, String> {
    let sql = format!(
        "SELECT format('DROP INDEX %s', i.indexrelid::regclass) AS drop, pg_get_indexdef(i.indexrelid) AS make, 0 AS o \
         FROM pg_index i WHERE i.indrelid::regclass::text IN ({LOADED}) AND NOT i.indisprimary \
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) \
         UNION ALL \
         SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname), \
                format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid)), \
                CASE c.contype WHEN 'x' THEN 1 ELSE 2 END \
         FROM pg_constraint c WHERE c.conrelid::regclass::text IN ({LOADED}) AND c.contype IN ('f', 'x') \
         ORDER BY o, make"
    );
    let mut defs: Vec<Definition> = diesel::sql_query(sql)
        .load(conn)
        .map_err(|e| format!("reading the indexes: {e}"))?;
    // A partitioned table's index reads back as `ON ONLY` the parent (pg_dump's form, attached to
    // each partition's index later); made again, it must cover the partitions.
    for d in &mut defs {
        d.make = d.make.replacen(" ON ONLY ", " ON ", 1);
    }
    // Foreign keys go first: a dropped index may back none, but keep the order safe.
    for d in defs.iter().rev() {
        diesel::sql_query(&d.drop)
            .execute(conn)
            .map_err(|e| format!("{}: {e}", d.drop))?;
    }
    Ok(defs.into_iter().map(|d| d.make).collect())
}

/// Makes the dropped indexes and constraints again, printing the time each took.
pub fn restore(conn: &mut PgConnection, statements: &[String]) -> Result<(), String> {
    for s in statements {
        let started = Instant::now();
        diesel::sql_query(s)
            .execute(conn)
            .map_err(|e| format!("{s}: {e}"))?;
        eprintln!("  {:>6.1} s  {s}", started.elapsed().as_secs_f64());
    }
    Ok(())
}
