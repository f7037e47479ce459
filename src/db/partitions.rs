//! The monthly partitions of the append-only tables on PostgreSQL (migration 000015, ADR 0015):
//! the audit log and the event outbox are partitioned by calendar month (UTC) of `at`. Each
//! instance makes the coming months' partitions ahead and drops the months past retention whole;
//! the SQL functions take an advisory lock, so instances doing it at once take turns. SQLite keeps
//! one table each: there, nothing is made, and event retention deletes rows (`events::prune`).
use chrono::{Months, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{Date, Integer, Text, Timestamp};

use super::{Backend, DbConn};

/// The tables partitioned by month.
pub const TABLES: [&str; 2] = ["audit_log", "events"];

/// How many months ahead each instance keeps partitions made.
pub const MONTHS_AHEAD: u32 = 3;

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = Integer)]
    n: i32,
}

/// Makes the missing monthly partitions of `table` from `from`'s month to `to`'s; answers how many
/// it made (0 on SQLite). The city generator calls it for the history it writes.
pub fn ensure(
    conn: &mut DbConn,
    table: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<usize> {
    if conn.backend() != Backend::Postgres {
        return Ok(0);
    }
    let made = diesel::sql_query("SELECT carelink_month_partitions($1::regclass, $2, $3) AS n")
        .bind::<Text, _>(table)
        .bind::<Date, _>(from)
        .bind::<Date, _>(to)
        .get_result::<Count>(conn)?;
    Ok(made.n as usize)
}

/// Makes every partitioned table's partitions from `today`'s month to `MONTHS_AHEAD` months on.
pub fn ensure_ahead(conn: &mut DbConn, today: NaiveDate) -> QueryResult<usize> {
    let to = today
        .checked_add_months(Months::new(MONTHS_AHEAD))
        .unwrap_or(today);
    let mut made = 0;
    for table in TABLES {
        made += ensure(conn, table, today, to)?;
    }
    Ok(made)
}

/// Drops the monthly partitions of `table` that end on or before `cutoff`: whole months past
/// retention. Answers how many it dropped (0 on SQLite).
pub fn drop_before(conn: &mut DbConn, table: &str, cutoff: NaiveDateTime) -> QueryResult<usize> {
    if conn.backend() != Backend::Postgres {
        return Ok(0);
    }
    let dropped = diesel::sql_query("SELECT carelink_drop_month_partitions($1::regclass, $2) AS n")
        .bind::<Text, _>(table)
        .bind::<Timestamp, _>(cutoff)
        .get_result::<Count>(conn)?;
    Ok(dropped.n as usize)
}

/// The monthly partitions `table` has now, oldest first, as `<table>_YYYYMM` (none on SQLite).
pub fn list(conn: &mut DbConn, table: &str) -> QueryResult<Vec<String>> {
    #[derive(QueryableByName)]
    struct Name {
        #[diesel(sql_type = Text)]
        name: String,
    }
    if conn.backend() != Backend::Postgres {
        return Ok(vec![]);
    }
    let names = diesel::sql_query(
        "SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid \
         WHERE i.inhparent = $1::regclass ORDER BY c.relname",
    )
    .bind::<Text, _>(table)
    .load::<Name>(conn)?;
    Ok(names.into_iter().map(|n| n.name).collect())
}
