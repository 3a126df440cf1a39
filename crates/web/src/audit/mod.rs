//! The audit log: who did what, when, with the hash chain behind it.

mod api;
mod pages;

use crate::routes::{Routes, routes};
use serde::Deserialize;
use store::audit::AuditFilter;

/// The OpenAPI paths of this capability's handlers.
#[derive(utoipa::OpenApi)]
#[openapi(paths(api::list,))]
struct Api;

/// This capability's part of the OpenAPI document.
pub(crate) fn api_document() -> utoipa::openapi::OpenApi {
    <Api as utoipa::OpenApi>::openapi()
}

/// This capability's rows of the route table.
pub(crate) fn routes() -> Routes {
    routes! {
        GET  "/audit"               ReadAuditLog Page => pages::list;
        GET  "/api/v1/audit-events" ReadAuditLog Api  => api::list;
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AuditQuery {
    pub page: u32,
    pub action: String,
    pub actor: String,
    pub entity: String,
}

impl AuditQuery {
    pub fn filter(&self) -> AuditFilter {
        let some = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        AuditFilter { action_prefix: some(&self.action), actor_id: some(&self.actor), entity_id: some(&self.entity) }
    }
}
