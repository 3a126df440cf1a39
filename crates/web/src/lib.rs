//! Vigil's web layer: an axum library whose [`router`] serves the pages and the JSON API over one route
//! table. It never binds a socket; the binary does.

mod api;
mod assets;
mod auth;
mod error;
mod forms;
mod headers;
pub mod jobs;
mod layout;
pub mod mail;
mod record;
pub mod routes;
pub mod serve;
mod uploads;

// The capabilities, named as in `domain` and `store`. Each owns its pages, API and route rows; none
// reaches into another's pages or API (they are private to it).
mod accounts;
mod audit;
mod cases;
mod concerns;
mod home;
mod organisation;
mod people;
mod platform;
mod registry;
mod sign_in;

pub use auth::SESSION_COOKIE;
pub use people::template_csv as people_template;

use axum::{Router, middleware};
use routes::Routes;
use std::sync::Arc;
use store::Store;

/// Settings the web layer needs.
#[derive(Debug, Clone)]
pub struct Config {
    /// The address people use to reach Vigil, for links in emails (like `https://vigil.example.ac.uk`).
    pub public_url: String,
    /// Whether this is a demonstration: the outbox page and demo authenticator secrets are shown.
    pub demo: bool,
    /// Whether an SMTP server is configured: without one, mail stays in the outbox and pages must not say
    /// that anyone was emailed.
    pub sends_email: bool,
}

/// Everything a request handler can reach.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub store: Store,
    pub config: Config,
    metrics: platform::Metrics,
}

impl AppState {
    #[must_use]
    pub fn new(store: Store, config: Config) -> Self {
        Self(Arc::new(Inner { store, config, metrics: platform::Metrics::default() }))
    }
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

/// Every route: each capability's rows, in the one table that the router is built from and the access
/// matrix walks.
#[must_use]
pub fn table() -> Routes {
    [
        platform::routes(),
        sign_in::routes(),
        home::routes(),
        accounts::routes(),
        audit::routes(),
        concerns::routes(),
        cases::routes(),
        people::routes(),
        registry::routes(),
        organisation::routes(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The OpenAPI document: each capability's part, with what they share.
#[must_use]
pub fn api_document() -> utoipa::openapi::OpenApi {
    use utoipa::OpenApi;
    let mut document = platform::openapi::ApiDoc::openapi();
    for part in [
        platform::api_document(),
        home::api_document(),
        accounts::api_document(),
        audit::api_document(),
        concerns::api_document(),
        cases::api_document(),
        people::api_document(),
        registry::api_document(),
        organisation::api_document(),
    ] {
        document.merge(part);
    }
    platform::openapi::document_errors(&mut document);
    document
}

/// How long a request's body may take to arrive: long enough for the largest upload on a slow phone line.
const BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);

/// The whole application: pages, API and assets from the route table, each route behind the guard for its
/// action, then the layers every response passes through: security headers and CSRF protection.
pub fn router(state: AppState) -> Router {
    let mut router = Router::new();
    for (route, handler) in table() {
        let path = route.path;
        let guarded = handler.route_layer(middleware::from_fn_with_state((state.clone(), route), auth::guard));
        router = router.route(path, guarded);
    }
    router
        .fallback(|| async { error::AppError::NotFound })
        // Inside the body timeout below, so that reading a body to check it is cut off like any other read.
        .layer(middleware::from_fn(platform::refuse_control_characters))
        // Room for the largest upload and its multipart framing; the file service enforces the real limit.
        .layer(axum::extract::DefaultBodyLimit::max(domain::files::MAX_FILE_BYTES + 64 * 1024))
        // A client that stops sending its body mid-way is cut off rather than holding the request open.
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(BODY_TIMEOUT))
        .with_state(state.clone())
        .layer(middleware::from_fn(platform::render_problems))
        .layer(tower_http::csrf::CsrfLayer::new())
        .layer(middleware::from_fn_with_state(state.clone(), headers::security_headers))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(platform::panic_response))
        .layer(middleware::from_fn_with_state(state, platform::observe))
}

/// The operator's own router: `/metrics` in the Prometheus text format, to be served on an address of its
/// own (`vigil serve --metrics-listen`), never beside the pages.
pub fn metrics_router(state: AppState) -> Router {
    Router::new().route("/metrics", axum::routing::get(platform::metrics)).with_state(state)
}
