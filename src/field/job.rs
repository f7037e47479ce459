//! The overrun alarm on every instance, every `visits.overrun_scan_seconds`: a visit still under
//! way `visits.overrun_alarm_minutes` past its booked end raises `visit.overrunning` once.
use crate::db::write_tx;
use crate::state::AppState;

pub fn spawn(state: AppState) {
    actix_web::rt::spawn(async move {
        let every = std::time::Duration::from_secs(state.settings.visits.overrun_scan_seconds);
        let grace = state.settings.visits.overrun_alarm_minutes;
        let mut tick = actix_web::rt::time::interval(every);
        loop {
            tick.tick().await;
            let pool = state.pool.clone();
            let done = actix_web::web::block(move || {
                let mut conn = pool.get().map_err(|e| e.to_string())?;
                write_tx(&mut conn, |conn| super::flow::overrun_alarms(conn, grace))
                    .map_err(|e| e.to_string())
            })
            .await;
            match done {
                Ok(Ok(0)) => {}
                Ok(Ok(n)) => tracing::info!(raised = n, "overrun alarms"),
                Ok(Err(e)) => tracing::warn!(error = %e, "overrun scan failed"),
                Err(e) => tracing::warn!(error = %e, "overrun scan failed"),
            }
        }
    });
}
