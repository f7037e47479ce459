//! What every handler can reach: the pool, the settings, the token keys, metrics, the travel
//! model and the instance's event streams. Its own module, so that handlers need not import the
//! app that imports them.
use std::sync::Arc;

use crate::auth::tokens::Keys;
use crate::config::Settings;
use crate::db::Pool;
use crate::ops::metrics::Metrics;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    pub settings: Arc<Settings>,
    pub keys: Arc<Keys>,
    pub metrics: Arc<Metrics>,
    pub tz: chrono_tz::Tz,
    pub travel: Arc<dyn crate::planning::travel::TravelModel>,
    /// Turns true when this instance starts to stop: long-lived answers (event streams) end then,
    /// so that the graceful shutdown does not wait for them (see [`stop_on_signal`]).
    pub stopping: Arc<tokio::sync::watch::Sender<bool>>,
    /// The event streams open on this instance (see `events::limits`).
    pub streams: Arc<crate::events::limits::Streams>,
    /// The instance's one reader of the outbox, fanning events out to its streams.
    pub hub: Arc<crate::events::hub::Hub>,
}

impl AppState {
    pub fn new(settings: Settings, pool: Pool) -> AppState {
        crate::time::set_district_zone(settings.timezone());
        AppState {
            keys: Arc::new(Keys::new(&settings.auth)),
            tz: settings.timezone(),
            travel: Arc::new(crate::planning::travel::GreatCircle::from_settings(
                &settings.travel,
            )),
            settings: Arc::new(settings),
            pool,
            metrics: Arc::new(Metrics::new()),
            stopping: Arc::new(tokio::sync::watch::Sender::new(false)),
            streams: Arc::default(),
            hub: Arc::default(),
        }
    }

    /// Ends the event streams of this instance; their clients reconnect (to another instance)
    /// and resume with `Last-Event-ID`.
    pub fn stop_streams(&self) {
        self.stopping.send_replace(true);
    }
}
