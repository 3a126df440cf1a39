//! Vigil's web layer: an axum library whose [`router`] serves the pages and the JSON API over one route
//! table. It never binds a socket; the binary does.

// The radios macro compares option values with the selected value whatever their string types, which
// clippy sees as an owned comparison in askama's generated code.
#![allow(clippy::cmp_owned)]

mod api;
mod assets;
mod auth;
mod error;
mod forms;
mod headers;
pub mod jobs;
mod layout;
pub mod mail;
mod pages;
pub mod routes;

pub use auth::SESSION_COOKIE;
pub use pages::people::template_csv as people_template;

use axum::Router;
use std::sync::Arc;
use store::Store;

/// Settings the web layer needs.
#[derive(Debug, Clone)]
pub struct Config {
    /// The address people use to reach Vigil, for links in emails (like `https://vigil.example.ac.uk`).
    pub public_url: String,
    /// Whether this is a demonstration: the outbox page and demo authenticator secrets are shown.
    pub demo: bool,
}

/// Everything a request handler can reach.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub store: Store,
    pub config: Config,
}

impl AppState {
    #[must_use]
    pub fn new(store: Store, config: Config) -> Self {
        Self(Arc::new(Inner { store, config }))
    }
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

/// The whole application: pages, API, assets, with security headers and CSRF protection.
pub fn router(state: AppState) -> Router {
    routes::build(state)
}
