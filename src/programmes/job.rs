//! The programme pass on every instance, every `programmes.scan_interval_seconds`: contracts past
//! their end expire, the engine runs over every resident, visits within the horizon are requested
//! and obligations newly overdue announced. Each step is safe to run on several instances at once
//! (conditional updates, inserts the database ignores when they exist).
use crate::db::{write_tx, DbConn};
use crate::error::AppResult;
use crate::state::AppState;

/// One pass now, in one transaction.
pub fn pass(
    conn: &mut DbConn,
    settings: &crate::config::Settings,
    tz: chrono_tz::Tz,
) -> AppResult<super::flow::Summary> {
    let ctx = super::flow::Ctx::new(settings, tz)?;
    write_tx(conn, |conn| super::flow::daily(conn, &ctx))
}

pub fn spawn(state: AppState) {
    actix_web::rt::spawn(async move {
        let every = std::time::Duration::from_secs(state.settings.programmes.scan_interval_seconds);
        let mut tick = actix_web::rt::time::interval(every);
        loop {
            tick.tick().await;
            let (pool, settings, tz) = (state.pool.clone(), state.settings.clone(), state.tz);
            let done = actix_web::web::block(move || {
                let mut conn = pool.get().map_err(|e| e.to_string())?;
                pass(&mut conn, &settings, tz).map_err(|e| e.to_string())
            })
            .await;
            match done {
                Ok(Ok(s)) => tracing::info!(
                    made = s.made,
                    met = s.met,
                    requested = s.requested,
                    overdue = s.overdue,
                    expired = s.expired,
                    drafts = s.drafts,
                    "programme pass"
                ),
                Ok(Err(e)) => tracing::warn!(error = %e, "programme pass failed"),
                Err(e) => tracing::warn!(error = %e, "programme pass failed"),
            }
        }
    });
}
