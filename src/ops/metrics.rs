//! Prometheus metrics: requests by route and status, latency, the connection pool's state, the
//! open event streams and their reads of the outbox.
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts, Registry,
    TextEncoder,
};

pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    pool_connections: IntGauge,
    pool_idle: IntGauge,
    event_streams: IntGauge,
    outbox_reads: IntCounter,
}

impl Metrics {
    pub fn new() -> Metrics {
        let registry = Registry::new_custom(Some("carelink".into()), None).unwrap_or_default();
        let requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests answered"),
            &["method", "route", "status"],
        )
        .expect("static metric definition");
        let latency = HistogramVec::new(
            HistogramOpts::new("http_request_duration_seconds", "HTTP request latency").buckets(
                vec![
                    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                ],
            ),
            &["method", "route"],
        )
        .expect("static metric definition");
        let pool_connections = IntGauge::new("db_pool_connections", "Open database connections")
            .expect("static metric definition");
        let pool_idle = IntGauge::new("db_pool_idle_connections", "Idle database connections")
            .expect("static metric definition");
        let event_streams = IntGauge::new("event_streams", "Event streams open on this instance")
            .expect("static metric definition");
        let outbox_reads = IntCounter::new(
            "event_outbox_reads_total",
            "Reads of the event outbox by this instance's event streams",
        )
        .expect("static metric definition");
        for c in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(latency.clone()),
            Box::new(pool_connections.clone()),
            Box::new(pool_idle.clone()),
            Box::new(event_streams.clone()),
            Box::new(outbox_reads.clone()),
        ] {
            let _ = registry.register(c);
        }
        Metrics {
            registry,
            requests,
            latency,
            pool_connections,
            pool_idle,
            event_streams,
            outbox_reads,
        }
    }

    /// One read of the outbox for the event streams (the instance's reader, or a stream catching up).
    pub fn outbox_read(&self) {
        self.outbox_reads.inc();
    }

    pub fn observe_request(&self, method: &str, route: &str, status: u16, seconds: f64) {
        self.requests
            .with_label_values(&[method, route, &status.to_string()])
            .inc();
        self.latency
            .with_label_values(&[method, route])
            .observe(seconds);
    }

    /// The text exposition, with the pool's state and the open streams read at scrape time.
    pub fn render(&self, pool: &crate::db::Pool, event_streams: usize) -> String {
        self.event_streams.set(event_streams as i64);
        let state = pool.state();
        self.pool_connections.set(state.connections as i64);
        self.pool_idle.set(state.idle_connections as i64);
        let mut buf = vec![];
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut buf);
        String::from_utf8(buf).unwrap_or_default()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}
