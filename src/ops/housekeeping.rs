//! Periodic upkeep run by every instance (each step is safe to run concurrently): forgetting
//! idempotency keys and events past their retention.
use std::time::Duration;

use crate::state::AppState;

pub fn spawn(state: AppState) {
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(Duration::from_secs(3600));
        loop {
            tick.tick().await;
            let hours = state.settings.idempotency.retention_hours;
            let event_hours = state.settings.events.retention_hours;
            let pool = state.pool.clone();
            let pruned = actix_web::web::block(move || {
                let mut conn = pool.get().map_err(|e| e.to_string())?;
                let keys =
                    crate::http::idempotency::prune(&mut conn, hours).map_err(|e| e.to_string())?;
                let events =
                    crate::events::prune(&mut conn, event_hours).map_err(|e| e.to_string())?;
                Ok::<usize, String>(keys + events)
            })
            .await;
            match pruned {
                Ok(Ok(n)) if n > 0 => {
                    tracing::info!(pruned = n, "forgot old idempotency keys and events")
                }
                Ok(Err(e)) => tracing::warn!(error = %e, "idempotency key pruning failed"),
                _ => {}
            }
        }
    });
}
