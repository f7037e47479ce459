//! Periodic upkeep run by every instance (each step is safe to run concurrently): the coming
//! months' partitions of the audit log and the outbox (PostgreSQL), and forgetting idempotency
//! keys, events and audit months past their retention.
use std::time::Duration;

use crate::config::Settings;
use crate::db::DbConn;
use crate::state::AppState;

/// What one round of upkeep did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Upkeep {
    /// Monthly partitions made ahead (PostgreSQL).
    pub partitions_made: usize,
    pub idempotency_keys: usize,
    /// Event rows deleted (SQLite) or event months dropped (PostgreSQL).
    pub events: usize,
    /// Audit months dropped (PostgreSQL, with a retention set).
    pub audit_months: usize,
}

/// One round of upkeep, as each instance runs it every hour (and when it starts).
pub fn run_once(conn: &mut DbConn, settings: &Settings) -> diesel::QueryResult<Upkeep> {
    let today = crate::db::now().date();
    Ok(Upkeep {
        partitions_made: crate::db::partitions::ensure_ahead(conn, today)?,
        idempotency_keys: crate::http::idempotency::prune(
            conn,
            settings.idempotency.retention_hours,
        )?,
        events: crate::events::prune(conn, settings.events.retention_hours)?,
        audit_months: crate::audit::repo::prune(conn, settings.audit.retention_months)?,
    })
}

pub fn spawn(state: AppState) {
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(Duration::from_secs(3600));
        loop {
            tick.tick().await;
            let pool = state.pool.clone();
            let settings = state.settings.clone();
            let done = actix_web::web::block(move || {
                let mut conn = pool.get().map_err(|e| e.to_string())?;
                run_once(&mut conn, &settings).map_err(|e| e.to_string())
            })
            .await;
            match done {
                Ok(Ok(u)) if u != Upkeep::default() => tracing::info!(upkeep = ?u, "housekeeping"),
                Ok(Err(e)) => tracing::warn!(error = %e, "housekeeping failed"),
                _ => {}
            }
        }
    });
}
