//! Periodic upkeep run by every instance (each step is safe to run concurrently): forgetting
//! idempotency keys past their retention.
use std::time::Duration;

use crate::app::AppState;

pub fn spawn(state: AppState) {
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(Duration::from_secs(3600));
        loop {
            tick.tick().await;
            let hours = state.settings.idempotency.retention_hours;
            let pool = state.pool.clone();
            let pruned = actix_web::web::block(move || {
                let mut conn = pool.get().map_err(|e| e.to_string())?;
                crate::http::idempotency::prune(&mut conn, hours).map_err(|e| e.to_string())
            })
            .await;
            match pruned {
                Ok(Ok(n)) if n > 0 => tracing::info!(pruned = n, "forgot old idempotency keys"),
                Ok(Err(e)) => tracing::warn!(error = %e, "idempotency key pruning failed"),
                _ => {}
            }
        }
    });
}
