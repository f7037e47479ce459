//! The database: one connection type over SQLite and PostgreSQL, the pool, transactions and migrations.
pub mod migrate;
pub mod page;
pub mod partitions;
pub mod schema;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{Error as R2d2Error, ManageConnection};
use std::time::{Duration, Instant};

/// One connection enum for both backends (see docs/adr/0001-one-connection-type-for-two-databases.md).
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Pg(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

pub type Pool = r2d2::Pool<Manager>;
pub type PooledConn = r2d2::PooledConnection<Manager>;

/// How long after a connection last answered well a checkout trusts it without asking `SELECT 1`.
const TRUSTED_FOR: Duration = Duration::from_secs(1);

/// A pooled connection, and when it last answered a request well (see [`Pooled::vouch`]).
pub struct Pooled {
    conn: DbConn,
    vouched: Option<Instant>,
}

impl Pooled {
    /// Marks the connection as having just served a request without a database failure: the
    /// next checkout within [`TRUSTED_FOR`] skips the liveness round trip. A connection nobody
    /// vouched for (new, idle, or last used by a failing request) is checked with `SELECT 1`.
    pub fn vouch(&mut self) {
        self.vouched = Some(Instant::now());
    }
}

impl std::ops::Deref for Pooled {
    type Target = DbConn;
    fn deref(&self) -> &DbConn {
        &self.conn
    }
}

impl std::ops::DerefMut for Pooled {
    fn deref_mut(&mut self) -> &mut DbConn {
        &mut self.conn
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

impl Backend {
    /// The backend a database URL names, or None for a URL this service cannot use.
    pub fn of_url(url: &str) -> Option<Backend> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Backend::Postgres)
        } else if url.starts_with("sqlite://") || url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else {
            None
        }
    }
}

/// The file path of a `sqlite://PATH` URL (`sqlite://:memory:` is not supported: each pooled
/// connection would see its own database).
pub fn sqlite_path(url: &str) -> &str {
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url)
}

/// An r2d2 manager that picks the backend from the URL, so a bad PostgreSQL URL reports its real cause.
#[derive(Debug, Clone)]
pub struct Manager {
    url: String,
    backend: Backend,
}

impl Manager {
    pub fn new(url: &str) -> Option<Manager> {
        Backend::of_url(url).map(|backend| Manager {
            url: url.to_string(),
            backend,
        })
    }
}

impl ManageConnection for Manager {
    type Connection = Pooled;
    type Error = R2d2Error;

    fn connect(&self) -> Result<Pooled, R2d2Error> {
        let conn = match self.backend {
            Backend::Postgres => connect_pg(&self.url)
                .map(DbConn::Pg)
                .map_err(R2d2Error::ConnectionError),
            Backend::Sqlite => {
                let mut conn = diesel::SqliteConnection::establish(sqlite_path(&self.url))
                    .map_err(R2d2Error::ConnectionError)?;
                conn.batch_execute(
                    "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=5000; \
                     PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;",
                )
                .map_err(R2d2Error::QueryError)?;
                Ok(DbConn::Sqlite(conn))
            }
        }?;
        Ok(Pooled {
            conn,
            vouched: None,
        })
    }

    /// Asks `SELECT 1` unless the connection answered well within the last second (under load
    /// that saves a round trip per request; after an outage every connection is asked again).
    fn is_valid(&self, conn: &mut Pooled) -> Result<(), R2d2Error> {
        if conn
            .vouched
            .take()
            .is_some_and(|at| at.elapsed() < TRUSTED_FOR)
        {
            return Ok(());
        }
        conn.conn
            .batch_execute("SELECT 1")
            .map_err(R2d2Error::QueryError)
    }

    fn has_broken(&self, conn: &mut Pooled) -> bool {
        match &mut conn.conn {
            DbConn::Pg(c) => AnsiTransactionManager::is_broken_transaction_manager(c),
            DbConn::Sqlite(c) => AnsiTransactionManager::is_broken_transaction_manager(c),
        }
    }
}

/// Opens a PostgreSQL connection. Every one goes through here, so that OpenSSL is initialised by
/// us before libpq does it: without `OPENSSL_INIT_NO_ATEXIT`, OpenSSL frees its global state in an
/// exit handler while other threads may still close TLS connections, and a process that exits
/// with open connections (a test binary, a stopping service) aborts with "double free or
/// corruption" (diesel-rs/diesel#3441). `openssl_sys::init` sets that flag, once per process.
pub fn connect_pg(url: &str) -> ConnectionResult<diesel::PgConnection> {
    openssl_sys::init();
    diesel::PgConnection::establish(url)
}

/// Builds the pool without connecting: the service starts (and answers 503) while the database is down.
pub fn pool(url: &str, size: u32, timeout: Duration) -> Option<Pool> {
    if let Some(Backend::Sqlite) = Backend::of_url(url) {
        if let Some(dir) = std::path::Path::new(sqlite_path(url)).parent() {
            if !dir.as_os_str().is_empty() {
                let _ = std::fs::create_dir_all(dir);
            }
        }
    }
    let manager = Manager::new(url)?;
    Some(
        r2d2::Pool::builder()
            .max_size(size)
            .min_idle(Some(0))
            .connection_timeout(timeout)
            .test_on_check_out(true)
            .build_unchecked(manager),
    )
}

impl DbConn {
    pub fn backend(&self) -> Backend {
        match self {
            DbConn::Pg(_) => Backend::Postgres,
            DbConn::Sqlite(_) => Backend::Sqlite,
        }
    }
}

/// SQLite's writers in this process take turns here, in arrival order, before `BEGIN IMMEDIATE`.
/// Left to SQLite, a waiting writer polls the lock with sleeps of up to 100 ms, so under load
/// writers waited well past their turn and a few past `busy_timeout` (a 503 `database_busy`).
static SQLITE_WRITERS: parking_lot::Mutex<()> = parking_lot::const_mutex(());

/// How long a SQLite writer waits for its turn before the request is told the database is busy.
const SQLITE_WRITER_WAIT: Duration = Duration::from_secs(5);

/// Runs `f` in a write transaction: `BEGIN IMMEDIATE` on SQLite (deferred transactions fail with
/// "database is locked" under concurrent writers), after its turn among this process's writers;
/// a plain `BEGIN` on PostgreSQL.
pub fn write_tx<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    let _turn = match conn {
        DbConn::Sqlite(c) => {
            let turn = SQLITE_WRITERS
                .try_lock_for(SQLITE_WRITER_WAIT)
                .ok_or_else(|| {
                    diesel::result::Error::DatabaseError(
                        diesel::result::DatabaseErrorKind::Unknown,
                        Box::new("database is locked (waited for other writers)".to_string()),
                    )
                })?;
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?;
            Some(turn)
        }
        DbConn::Pg(c) => {
            AnsiTransactionManager::begin_transaction(c)?;
            None
        }
    };
    match f(conn) {
        Ok(value) => {
            <DbConn as Connection>::TransactionManager::commit_transaction(conn)?;
            Ok(value)
        }
        Err(err) => {
            let _ = <DbConn as Connection>::TransactionManager::rollback_transaction(conn);
            Err(err)
        }
    }
}

/// Locks one row until the end of the transaction (PostgreSQL `FOR UPDATE`). On SQLite the
/// immediate write transaction already holds the database's single write lock.
pub fn lock_row(conn: &mut DbConn, table: LockableTable, id: &str) -> QueryResult<()> {
    if let DbConn::Pg(c) = conn {
        let sql = format!("SELECT 1 FROM {} WHERE id = $1 FOR UPDATE", table.name());
        diesel::sql_query(sql)
            .bind::<diesel::sql_types::Text, _>(id)
            .execute(c)?;
    }
    Ok(())
}

/// Locks the first of `ids`, in their order, that no other transaction holds (PostgreSQL
/// `FOR UPDATE SKIP LOCKED` with `LIMIT 1`: one statement however many are held) and answers its
/// id; None when every one is held. On SQLite the write transaction holds everything: the first.
pub fn try_lock_first(
    conn: &mut DbConn,
    table: LockableTable,
    ids: &[String],
) -> QueryResult<Option<String>> {
    #[derive(QueryableByName)]
    struct Locked {
        #[diesel(sql_type = diesel::sql_types::Text)]
        id: String,
    }
    if let DbConn::Pg(c) = conn {
        let sql = format!(
            "SELECT id FROM {} WHERE id = ANY($1) ORDER BY array_position($1, id) \
             LIMIT 1 FOR UPDATE SKIP LOCKED",
            table.name()
        );
        let locked = diesel::sql_query(sql)
            .bind::<diesel::sql_types::Array<diesel::sql_types::Text>, _>(ids)
            .get_result::<Locked>(c)
            .optional()?;
        return Ok(locked.map(|l| l.id));
    }
    Ok(ids.first().cloned())
}

/// Locks several rows in id order (one statement; the order keeps concurrent lockers from
/// deadlocking). On SQLite the immediate write transaction already holds the single write lock.
pub fn lock_rows(conn: &mut DbConn, table: LockableTable, ids: &[String]) -> QueryResult<()> {
    if let DbConn::Pg(c) = conn {
        if ids.is_empty() {
            return Ok(());
        }
        let sql = format!(
            "SELECT 1 FROM {} WHERE id = ANY($1) ORDER BY id FOR UPDATE",
            table.name()
        );
        diesel::sql_query(sql)
            .bind::<diesel::sql_types::Array<diesel::sql_types::Text>, _>(ids)
            .execute(c)?;
    }
    Ok(())
}

/// Tables whose rows serve as locks (a closed list, so no table name comes from input).
#[derive(Debug, Clone, Copy)]
pub enum LockableTable {
    Users,
    Residents,
    Organizations,
}

impl LockableTable {
    fn name(self) -> &'static str {
        match self {
            LockableTable::Users => "users",
            LockableTable::Residents => "residents",
            LockableTable::Organizations => "organizations",
        }
    }
}

/// A district day as stored in a `TEXT` column (`2026-12-03`), read back (an unreadable one is
/// the epoch day, never a panic).
pub fn date_of(s: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
}

/// A district day as a `TEXT` column stores it.
pub fn date_text(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Current time as stored: UTC without offset, truncated to microseconds (PostgreSQL's precision),
/// so a value read back equals the value written.
pub fn now() -> chrono::NaiveDateTime {
    use chrono::Timelike;
    let t = chrono::Utc::now().naive_utc();
    t.with_nanosecond(t.nanosecond() / 1000 * 1000).unwrap_or(t)
}

/// A new time-ordered id: UUIDv7 strings sort by creation time, so they double as cursors.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
