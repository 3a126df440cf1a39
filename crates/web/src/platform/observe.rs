//! What an operator sees of the requests: every request gets an id, is logged once with its route's
//! pattern (never the path itself, which can carry a token, nor the query), its status and its latency,
//! and is counted in the metrics. A server error's reference is the request's id, so an operator finds
//! the cause from what the person reads out. Nothing personal is logged: ids, patterns and numbers only.

use crate::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use std::time::Instant;
use tracing::Instrument;

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being answered, for a server error's reference.
pub fn request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Answered {
    route: String,
    method: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Routed {
    route: String,
}

/// The counters and gauges `/metrics` reports.
pub struct Metrics {
    registry: Registry,
    requests: Family<Answered, Counter>,
    latency: Family<Routed, Histogram>,
    jobs_waiting: Gauge,
    jobs_failed: Gauge,
    connections_open: Gauge,
    connections_in_use: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("vigil");
        let requests = Family::<Answered, Counter>::default();
        // From 1 ms to about 16 s.
        let latency =
            Family::<Routed, Histogram>::new_with_constructor(|| Histogram::new(exponential_buckets(0.001, 2.0, 15)));
        let (jobs_waiting, jobs_failed) = (Gauge::default(), Gauge::default());
        let (connections_open, connections_in_use) = (Gauge::default(), Gauge::default());
        registry.register("http_requests", "Requests answered, by route pattern, method and status", requests.clone());
        registry.register("http_request_duration_seconds", "Time to answer, by route pattern", latency.clone());
        registry.register("jobs_waiting", "Background jobs queued or running", jobs_waiting.clone());
        registry.register("jobs_failed", "Background jobs that failed for good", jobs_failed.clone());
        registry.register("db_connections_open", "Database connections in the pool", connections_open.clone());
        registry.register("db_connections_in_use", "Database connections in use", connections_in_use.clone());
        Self { registry, requests, latency, jobs_waiting, jobs_failed, connections_open, connections_in_use }
    }
}

/// Gives the request an id, answers it inside a span that carries the id and the route, logs the answer
/// and counts it.
pub async fn observe(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let id = uuid::Uuid::new_v4().simple().to_string()[..12].to_owned();
    let route = request.extensions().get::<MatchedPath>().map_or("unrouted", MatchedPath::as_str).to_owned();
    // Any method a client sends would be a label of its own: only the ones routes answer are named.
    let method = match *request.method() {
        Method::GET | Method::POST | Method::PUT | Method::HEAD => request.method().as_str(),
        _ => "OTHER",
    }
    .to_owned();
    let span = tracing::info_span!("request", request.id = %id, http.route = %route, http.method = %method);
    let started = Instant::now();
    let mut response = REQUEST_ID.scope(id.clone(), next.run(request)).instrument(span.clone()).await;
    let elapsed = started.elapsed();
    let status = response.status();
    span.in_scope(|| {
        let latency_ms = elapsed.as_secs_f64() * 1000.0;
        if status.is_server_error() {
            tracing::error!(http.status = status.as_u16(), latency_ms, "answered");
        } else {
            tracing::info!(http.status = status.as_u16(), latency_ms, "answered");
        }
    });
    state.metrics.requests.get_or_create(&Answered { route: route.clone(), method, status: status.as_u16() }).inc();
    state.metrics.latency.get_or_create(&Routed { route }).observe(elapsed.as_secs_f64());
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}

/// The metrics in the Prometheus text format. Served only on the operator's own address
/// (`--metrics-listen`), never beside the pages.
pub async fn metrics(State(state): State<AppState>) -> Response {
    let metrics = &state.metrics;
    match state.store.job_counts().await {
        Ok((waiting, failed)) => {
            metrics.jobs_waiting.set(waiting);
            metrics.jobs_failed.set(failed);
        }
        Err(e) => tracing::warn!(error = %e, "the metrics could not count the jobs"),
    }
    let (open, in_use) = state.store.connections();
    metrics.connections_open.set(i64::from(open));
    metrics.connections_in_use.set(i64::from(in_use));
    let mut text = String::new();
    if prometheus_client::encoding::text::encode(&mut text, &metrics.registry).is_err() {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    let content_type = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    ([(header::CONTENT_TYPE, content_type)], text).into_response()
}
