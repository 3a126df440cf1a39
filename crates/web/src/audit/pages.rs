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
use std::collections::HashMap;
use store::audit::Page;

struct Row {
    at: String,
    /// What happened, in words.
    what: String,
    /// The action as recorded, for whoever checks it against the chain.
    action: String,
    actor: String,
    record: String,
    fields: String,
}

#[derive(Template)]
#[template(path = "audit/audit.html")]
struct AuditPage {
    chrome: Chrome,
    rows: Vec<Row>,
    query: AuditQuery,
    /// The members to narrow the log to, as (account id, name).
    people: Vec<(String, String)>,
    /// The kinds of event to narrow the log to, as (start of the action, label).
    kinds: Vec<(String, String)>,
    page: Page<()>,
    /// The log's address with its filters, to which pagination adds `page=`.
    page_prefix: String,
}

const PER_PAGE: u32 = 50;

/// Who acted, in words: a member by name, or what kind of actor it was.
fn actor_name(kind: &str, id: Option<&String>, names: &HashMap<String, String>) -> String {
    match (kind, id.and_then(|id| names.get(id))) {
        (_, Some(name)) => name.clone(),
        ("operator", _) => "The operator (command line)".into(),
        ("system", _) => "Vigil".into(),
        ("anonymous", _) => "Someone not signed in".into(),
        (_, None) => "A former member".into(),
    }
}

pub async fn list(
    State(state): State<AppState>,
    member: Member,
    Query(query): Query<AuditQuery>,
) -> AppResult<Response> {
    let events = state.store.audit_page(&member.scope, &query.filter(), query.page, PER_PAGE).await?;
    state.store.record_read(&member.scope, AuditEvent::new("audit_log.viewed", "audit_log", None)).await?;
    let ids: Vec<&str> =
        events.items.iter().flat_map(|e| [e.actor_id.as_deref(), e.entity_id.as_deref()]).flatten().collect();
    let names = state.store.names_in_log(&member.scope, &ids).await?;
    let page = events.numbers();
    let rows = events
        .items
        .iter()
        .map(|e| Row {
            at: long_datetime(e.at),
            what: domain::audit::describe(&e.action),
            action: e.action.clone(),
            actor: actor_name(&e.actor_kind, e.actor_id.as_ref(), &names),
            record: match e.entity_id.as_ref().and_then(|id| names.get(id)) {
                Some(name) => name.clone(),
                None => e.entity.replace('_', " "),
            },
            fields: e.fields.join(", ").replace('_', " "),
        })
        .collect();
    let page_prefix = format!(
        "/audit?{}&",
        serde_urlencoded::to_string([("action", &query.action), ("actor", &query.actor), ("entity", &query.entity)])
            .unwrap_or_default()
    );
    let people = state.store.member_names(&member.scope, 500).await?;
    render(&AuditPage {
        chrome: Chrome::member(&state, "Audit log", &member.session, "/audit").await?,
        rows,
        page_prefix,
        page,
        people,
        kinds: domain::audit::kinds(),
        query,
    })
}
