//! Logs (tracing, JSON lines with the request id), the request-id middleware, and the request metrics.
use actix_web::dev::{Service, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::{Error, HttpMessage};
use std::future::Future;
use std::time::Instant;
use tracing::Instrument;

use crate::config::Log;

/// The id of the request being served, in its extensions and in `X-Request-Id`.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// Installs the global subscriber; returns false if one was installed already (tests).
pub fn init(log: &Log) -> bool {
    use tracing_subscriber::{fmt, EnvFilter};
    let filter = EnvFilter::try_new(&log.level).unwrap_or_else(|_| EnvFilter::new("info"));
    if log.format == "pretty" {
        fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .try_init()
            .is_ok()
    } else {
        fmt()
            .json()
            .with_env_filter(filter)
            .with_current_span(true)
            .with_span_list(false)
            .flatten_event(true)
            .with_writer(std::io::stderr)
            .try_init()
            .is_ok()
    }
}

/// Accepts a caller's request id if it is short and plain, else makes one.
fn request_id_of(req: &ServiceRequest) -> String {
    req.headers()
        .get("X-Request-Id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
}

/// Middleware body (used with `wrap_fn`): request id, a span for every log line of the request,
/// one access log line, and the request counter and latency histogram.
pub fn observe<S>(
    req: ServiceRequest,
    srv: &S,
) -> impl Future<Output = Result<ServiceResponse, Error>> + 'static
where
    S: Service<ServiceRequest, Response = ServiceResponse, Error = Error>,
    S::Future: 'static,
{
    let started = Instant::now();
    let request_id = request_id_of(&req);
    req.extensions_mut().insert(RequestId(request_id.clone()));
    let method = req.method().to_string();
    let route = req.match_pattern().unwrap_or_else(|| "unmatched".into());
    let metrics = req
        .app_data::<actix_web::web::Data<crate::state::AppState>>()
        .map(|s| s.metrics.clone());
    let span =
        tracing::info_span!("request", request_id = %request_id, method = %method, route = %route);
    let fut = srv.call(req);
    async move {
        let mut res = fut.await?;
        let status = res.status().as_u16();
        let elapsed = started.elapsed();
        if let Ok(v) = HeaderValue::from_str(&request_id) {
            res.headers_mut()
                .insert(HeaderName::from_static("x-request-id"), v);
        }
        if let Some(m) = metrics {
            m.observe_request(&method, &route, status, elapsed.as_secs_f64());
        }
        tracing::info!(
            status,
            latency_ms = elapsed.as_secs_f64() * 1000.0,
            "request finished"
        );
        Ok(res)
    }
    .instrument(span)
}
