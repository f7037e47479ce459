//! One reader of the outbox per instance, fanning its events out in memory to the event streams
//! open on it: the database sees one query every `events.poll_milliseconds` however many streams
//! are open (issue #19), where each stream used to poll on its own. A stream still reads the
//! outbox itself to catch up (from its `Last-Event-ID`, or when it fell behind the fan-out), and
//! hears only what its audience may (the same rule as `events::since`, applied in memory).
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::broadcast;

use super::{Cursor, EventRow};
use crate::db::Pool;
use crate::ops::metrics::Metrics;

/// What the reader sends: the events of one read, in commit order, each with its cursor.
pub type Batch = Arc<Vec<(Cursor, EventRow)>>;

/// The most events one read takes; a full read is followed by another at once.
const READ_LIMIT: i64 = 500;

/// The instance's reader and its subscribers.
pub struct Hub {
    tx: broadcast::Sender<Batch>,
    started: AtomicBool,
}

impl Default for Hub {
    fn default() -> Hub {
        // Batches a slow stream may fall behind by before it catches up from the outbox itself.
        let (tx, _) = broadcast::channel(256);
        Hub {
            tx,
            started: AtomicBool::new(false),
        }
    }
}

/// What the reader needs.
pub struct Reader {
    pub pool: Pool,
    pub metrics: Arc<Metrics>,
    pub tick: Duration,
    pub stopping: tokio::sync::watch::Receiver<bool>,
}

impl Hub {
    /// A new subscriber's receiver; the first one starts the instance's reader, which then runs
    /// until the instance stops.
    pub fn subscribe(
        self: &Arc<Self>,
        reader: impl FnOnce() -> Reader,
    ) -> broadcast::Receiver<Batch> {
        let rx = self.tx.subscribe();
        if !self.started.swap(true, Ordering::SeqCst) {
            let hub = self.clone();
            actix_web::rt::spawn(read(hub, reader()));
        }
        rx
    }
}

/// May `audience` (None: everything) hear `e`? As `events::since` asks in SQL.
pub fn hears(audience: &Option<Vec<String>>, e: &EventRow) -> bool {
    match audience {
        None => true,
        Some(words) => words
            .iter()
            .any(|w| e.audience.contains(&format!("\"{w}\""))),
    }
}

async fn read(hub: Arc<Hub>, mut r: Reader) {
    let mut head = loop {
        let pool = r.pool.clone();
        let found = actix_web::web::block(move || {
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            super::last(&mut conn).map_err(|e| e.to_string())
        })
        .await;
        if let Ok(Ok(at)) = found {
            break at;
        }
        if pause(&mut r).await {
            return;
        }
    };
    loop {
        loop {
            let pool = r.pool.clone();
            let found = actix_web::web::block(move || {
                let mut conn = pool.get().map_err(|e| e.to_string())?;
                super::since(&mut conn, &None, head, READ_LIMIT).map_err(|e| e.to_string())
            })
            .await;
            r.metrics.outbox_read();
            let Ok(Ok(rows)) = found else { break };
            let Some((at, _)) = rows.last() else { break };
            head = *at;
            let full = rows.len() as i64 == READ_LIMIT;
            // No stream listening is fine: the next one catches up from the outbox itself.
            let _ = hub.tx.send(Arc::new(rows));
            if !full {
                break;
            }
        }
        if pause(&mut r).await {
            return;
        }
    }
}

/// Waits a tick; true when the instance is stopping.
async fn pause(r: &mut Reader) -> bool {
    tokio::select! {
        _ = actix_web::rt::time::sleep(r.tick) => false,
        _ = r.stopping.wait_for(|stop| *stop) => true,
    }
}
