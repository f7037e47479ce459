//! Embedded migrations, one folder per backend, safe to run from several instances at once.
use super::DbConn;
use diesel::connection::SimpleConnection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Key of the PostgreSQL advisory lock held while migrating ("carelink" in ASCII).
const MIGRATION_LOCK: i64 = 0x6361_7265_6c69_6e6b;

/// Applies pending migrations and returns how many ran. Instances starting together on one
/// PostgreSQL serialise on an advisory lock; the later ones find nothing left to do.
pub fn run(conn: &mut DbConn) -> Result<usize, String> {
    match conn {
        DbConn::Sqlite(c) => {
            let done = c
                .run_pending_migrations(SQLITE)
                .map_err(|e| e.to_string())?;
            Ok(done.len())
        }
        DbConn::Pg(c) => {
            c.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))
                .map_err(|e| e.to_string())?;
            let result = c
                .run_pending_migrations(POSTGRES)
                .map(|done| done.len())
                .map_err(|e| e.to_string());
            let unlocked = c.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"));
            let n = result?;
            unlocked.map_err(|e| e.to_string())?;
            Ok(n)
        }
    }
}
