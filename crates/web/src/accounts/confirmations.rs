//! Safeguarding leads confirm or refuse safeguarding role changes that administrators asked for.

use crate::AppState;
use crate::auth::Member;
use crate::error::{AppError, AppResult};
use crate::layout::{Chrome, long_datetime, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::ConfirmationId;
use serde::Deserialize;

struct Row {
    id: ConfirmationId,
    name: String,
    email: String,
    change: String,
    requested_at: String,
}

/// What a confirmation would do, in words.
fn describe(c: &store::accounts::Confirmation, lead_title: &str) -> String {
    match (c.kind.as_str(), c.role, &c.new_email) {
        ("grant_role", Some(role), _) => format!("Give them the role: {}", role.label(lead_title)),
        ("reset_second_factor", _, _) => "Reset their authenticator app".into(),
        ("reset_password", _, _) => "Email them a password reset link".into(),
        ("change_email", _, Some(email)) => format!("Change their email address to {email}"),
        _ => "An unknown change".into(),
    }
}

#[derive(Template)]
#[template(path = "accounts/confirmations.html")]
struct ConfirmationsPage {
    chrome: Chrome,
    rows: Vec<Row>,
}

pub async fn list(State(state): State<AppState>, member: Member) -> AppResult<Response> {
    let org = state.store.organisation(&member.scope).await?;
    let lead_title = org.nation.vocabulary().lead_title;
    let rows = state
        .store
        .pending_confirmations(&member.scope)
        .await?
        .into_iter()
        .map(|c| Row {
            change: describe(&c, lead_title),
            id: c.id,
            name: c.display_name,
            email: c.email,
            requested_at: long_datetime(c.requested_at),
        })
        .collect();
    render(&ConfirmationsPage {
        chrome: Chrome::member(&state, "Confirmations", &member.session, "/confirmations").await?,
        rows,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    decision: String,
}

pub async fn decide(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    Form(form): Form<DecisionForm>,
) -> AppResult<Response> {
    let id: ConfirmationId = id.parse().map_err(|_| AppError::NotFound)?;
    let confirm = match form.decision.as_str() {
        "confirm" => true,
        "refuse" => false,
        _ => {
            return Err(AppError::Invalid { field: "decision".into(), message: "Choose confirm or refuse".into() });
        }
    };
    let mut tx = state.store.write(&member.scope).await?;
    let (account, password_link) = tx.decide_confirmation(id, confirm).await?;
    if let Some(token) = password_link {
        let person = state.store.member(&member.scope, account).await?;
        crate::accounts::users::send_password_link(&state, &mut tx, &person.email, &token).await?;
    }
    tx.commit().await?;
    Ok(Redirect::to("/confirmations").into_response())
}
