//! One reader of the outbox per instance, fanning its events out in memory to the event streams
//! open on it: the database sees one query every `events.poll_milliseconds` however many streams
//! are open (issue #19), where each stream used to poll on its own. A stream still reads the
//! outbox itself to catch up (from its `Last-Event-ID`, or when it fell behind the fan-out), and
//! hears only what its audience may (the same rule as `events::since`, applied in memory). The
//! reader also asks, in one query, which of its streams' sessions are still live, so that a stream
//! ends when its session is revoked without a query of its own.
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
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
    /// The sessions of the open streams, each with how many streams it holds.
    sessions: Mutex<HashMap<String, usize>>,
    /// Those found no longer live at the last check.
    ended: Mutex<HashSet<String>>,
    /// Counts the checks; a stream wakes at each to see whether its session ended.
    checked: tokio::sync::watch::Sender<u64>,
}

impl Default for Hub {
    fn default() -> Hub {
        // Batches a slow stream may fall behind by before it catches up from the outbox itself.
        let (tx, _) = broadcast::channel(256);
        Hub {
            tx,
            started: AtomicBool::new(false),
            sessions: Mutex::default(),
            ended: Mutex::default(),
            checked: tokio::sync::watch::Sender::new(0),
        }
    }
}

/// What the reader needs.
pub struct Reader {
    pub pool: Pool,
    pub metrics: Arc<Metrics>,
    pub tick: Duration,
    /// How often the streams' sessions are checked.
    pub check: Duration,
    pub stopping: tokio::sync::watch::Receiver<bool>,
}

/// A stream's hold on its session's check; let go when the stream ends.
pub struct SessionHold {
    hub: Arc<Hub>,
    id: String,
}

impl Drop for SessionHold {
    fn drop(&mut self) {
        let mut held = self.hub.sessions.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = held.get_mut(&self.id) {
            *n -= 1;
            if *n == 0 {
                held.remove(&self.id);
            }
        }
    }
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

impl Hub {
    /// Has the reader's check found this session revoked, expired or its user disabled? And a
    /// receiver that changes at each check. The hold keeps the session in the checks.
    pub fn hold_session(
        self: &Arc<Self>,
        id: &str,
    ) -> (SessionHold, tokio::sync::watch::Receiver<u64>) {
        let mut held = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        *held.entry(id.to_string()).or_default() += 1;
        let hold = SessionHold {
            hub: self.clone(),
            id: id.to_string(),
        };
        (hold, self.checked.subscribe())
    }

    pub fn session_ended(&self, id: &str) -> bool {
        self.ended
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(id)
    }

    async fn check_sessions(&self, pool: &Pool) {
        let ids: Vec<String> = self
            .sessions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .keys()
            .cloned()
            .collect();
        if ids.is_empty() {
            return;
        }
        let pool = pool.clone();
        let asked = ids.clone();
        let found = actix_web::web::block(move || {
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            crate::auth::repo::live_sessions(&mut conn, &asked, crate::db::now())
                .map_err(|e| e.to_string())
        })
        .await;
        // A failed check ends nothing: the next one asks again.
        let Ok(Ok(live)) = found else { return };
        let ended: HashSet<String> = ids.into_iter().filter(|i| !live.contains(i)).collect();
        *self.ended.lock().unwrap_or_else(|e| e.into_inner()) = ended;
        self.checked.send_modify(|n| *n += 1);
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
    let mut last_check = tokio::time::Instant::now();
    loop {
        if last_check.elapsed() >= r.check {
            last_check = tokio::time::Instant::now();
            hub.check_sessions(&r.pool).await;
        }
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
