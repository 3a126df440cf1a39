//! The audit log for administrators and the safeguarding team. Events about case content are shown only
//! to the safeguarding team (the store filters them).

use super::AuditQuery;
use crate::AppState;
use crate::auth::Member;
use crate::error::AppResult;
use crate::layout::{Chrome, long_datetime, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use domain::audit::AuditEvent;
use store::audit::Page;

struct Row {
    at: String,
    action: String,
    actor: String,
    entity: String,
    fields: String,
}

#[derive(Template)]
#[template(path = "audit/audit.html")]
struct AuditPage {
    chrome: Chrome,
    rows: Vec<Row>,
    query: AuditQuery,
    page: Page<()>,
    /// The log's address with its filters, to which pagination adds `page=`.
    page_prefix: String,
}

const PER_PAGE: u32 = 50;

pub async fn list(
    State(state): State<AppState>,
    member: Member,
    Query(query): Query<AuditQuery>,
) -> AppResult<Response> {
    let events = state.store.audit_page(&member.scope, &query.filter(), query.page, PER_PAGE).await?;
    state.store.record_read(&member.scope, AuditEvent::new("audit_log.viewed", "audit_log", None)).await?;
    let page = events.numbers();
    let rows = events
        .items
        .into_iter()
        .map(|e| Row {
            at: long_datetime(e.at),
            action: e.action,
            actor: match e.actor_id {
                Some(id) => format!("{} {id}", e.actor_kind),
                None => e.actor_kind,
            },
            entity: match e.entity_id {
                Some(id) => format!("{} {id}", e.entity),
                None => e.entity,
            },
            fields: e.fields.join(", "),
        })
        .collect();
    let page_prefix = format!(
        "/audit?{}&",
        serde_urlencoded::to_string([("action", &query.action), ("actor", &query.actor), ("entity", &query.entity)])
            .unwrap_or_default()
    );
    render(&AuditPage {
        chrome: Chrome::member(&state, "Audit log", &member.session, "/audit").await?,
        rows,
        page_prefix,
        page,
        query,
    })
}
