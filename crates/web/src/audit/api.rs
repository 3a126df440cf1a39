//! `GET /api/v1/audit-events`: the audit log, newest first, filtered like the page.

use super::AuditQuery;
use crate::AppState;
use crate::api::{ApiQuery, Paged, Paging};
use crate::auth::ApiCaller;
use crate::error::AppResult;
use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

/// One audit event. Events carry ids and field names, never names of people or narrative.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEvent {
    pub id: String,
    pub seq: i64,
    /// RFC 3339, UTC.
    pub at: String,
    pub actor_kind: String,
    pub actor_id: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    pub fields: Vec<String>,
    pub case_content: bool,
}

#[utoipa::path(get, path = "/api/v1/audit-events", tag = "audit",
    params(Paging, ("action" = Option<String>, Query, description = "Events whose action starts with this"),
        ("actor" = Option<String>, Query, description = "Events by this account id"),
        ("entity" = Option<String>, Query, description = "Events about this record id")),
    responses((status = 200, body = Paged<AuditEvent>), (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    ApiCaller(scope): ApiCaller,
    ApiQuery(paging): ApiQuery<Paging>,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> AppResult<Json<Paged<AuditEvent>>> {
    let (page, per_page) = paging.checked()?;
    let page = state.store.audit_page(&scope, &query.filter(), page, per_page).await?;
    state.store.record_read(&scope, domain::audit::AuditEvent::new("audit_log.viewed", "audit_log", None)).await?;
    Ok(Json(Paged::from(page, |e| AuditEvent {
        id: e.id,
        seq: e.seq,
        at: crate::api::rfc3339(e.at),
        actor_kind: e.actor_kind,
        actor_id: e.actor_id,
        action: e.action,
        entity: e.entity,
        entity_id: e.entity_id,
        fields: e.fields,
        case_content: e.case_content,
    })))
}
