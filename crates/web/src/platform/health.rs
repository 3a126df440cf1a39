//! Health checks for load balancers and orchestration.

use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;

/// The process is up.
pub async fn healthz() -> &'static str {
    "ok"
}

/// The database is reachable and every migration is applied.
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match state.store.migrations_current().await {
        Ok(true) => (StatusCode::OK, "ready"),
        Ok(false) => (StatusCode::SERVICE_UNAVAILABLE, "migrations pending"),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unreachable"),
    }
}
