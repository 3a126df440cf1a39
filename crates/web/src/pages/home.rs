//! The home page: what each person should do first, by role, with empty states that say so.

use crate::AppState;
use crate::auth::Member;
use crate::error::AppResult;
use crate::layout::{Chrome, render};
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use domain::roles::Role;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
    display_name: String,
    lead_title: &'static str,
    regulator: &'static str,
    roles: Vec<String>,
    is_admin: bool,
    has_lead: bool,
    is_lead: bool,
    confirmations: usize,
}

pub async fn show(State(state): State<AppState>, member: Member) -> AppResult<Response> {
    let org = state.store.organisation(&member.scope).await?;
    let vocabulary = org.nation.vocabulary();
    let is_lead = member.scope.has_role(Role::SafeguardingLead);
    let confirmations = if is_lead { state.store.pending_confirmations(&member.scope).await?.len() } else { 0 };
    render(&HomePage {
        chrome: Chrome::member(&state, "Home", &member.session, "/").await?,
        display_name: member.session.display_name.clone(),
        lead_title: vocabulary.lead_title,
        regulator: vocabulary.regulator,
        roles: member.scope.roles().iter().map(|r| r.label(vocabulary.lead_title)).collect(),
        is_admin: member.scope.has_role(Role::Admin),
        has_lead: !state.store.safeguarding_lead_emails(&member.scope).await?.is_empty(),
        is_lead,
        confirmations,
    })
}
