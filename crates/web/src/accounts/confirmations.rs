//! Safeguarding leads confirm or refuse safeguarding role changes that administrators asked for.

use crate::AppState;
use crate::auth::Member;
use crate::error::{AppError, AppResult};
use crate::layout::{Chrome, long_date, long_datetime, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::{ConfirmationId, PostHolderId};
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

/// An appointment to a post waiting for confirmation.
struct AppointmentRow {
    id: PostHolderId,
    post: String,
    name: String,
    email: String,
    from: String,
}

#[derive(Template)]
#[template(path = "accounts/confirmations.html")]
struct ConfirmationsPage {
    chrome: Chrome,
    rows: Vec<Row>,
    appointments: Vec<AppointmentRow>,
    notice: Option<&'static str>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    decided: String,
}

pub async fn list(
    State(state): State<AppState>,
    member: Member,
    Query(query): Query<ListQuery>,
) -> AppResult<Response> {
    let org = state.store.organisation(&member.scope).await?;
    let vocabulary = org.nation.vocabulary();
    let lead_title = vocabulary.lead_title;
    let appointments = state
        .store
        .pending_appointments(&member.scope)
        .await?
        .into_iter()
        .map(|h| AppointmentRow {
            id: h.id,
            post: h.post.label(vocabulary),
            name: h.name,
            email: h.email.unwrap_or_default(),
            from: long_date(h.starts_on),
        })
        .collect();
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
        appointments,
        notice: match query.decided.as_str() {
            "confirmed" => Some("Confirmed: the change has taken effect."),
            "refused" => Some("Refused: nothing has changed."),
            _ => None,
        },
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    decision: String,
}

impl DecisionForm {
    fn confirm(&self) -> AppResult<bool> {
        match self.decision.as_str() {
            "confirm" => Ok(true),
            "refuse" => Ok(false),
            _ => Err(AppError::Invalid { field: "decision".into(), message: "Choose confirm or refuse".into() }),
        }
    }
}

fn decided(confirm: bool) -> Redirect {
    Redirect::to(if confirm { "/confirmations?decided=confirmed" } else { "/confirmations?decided=refused" })
}

pub async fn decide(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    Form(form): Form<DecisionForm>,
) -> AppResult<Response> {
    let id: ConfirmationId = id.parse().map_err(|_| AppError::NotFound)?;
    let confirm = form.confirm()?;
    let mut tx = state.store.write(&member.scope).await?;
    let (account, password_link) = tx.decide_confirmation(id, confirm).await?;
    if let Some(token) = password_link {
        let person = state.store.member(&member.scope, account).await?;
        crate::accounts::users::send_password_link(&state, &mut tx, &person.email, &token).await?;
    }
    tx.commit().await?;
    Ok(decided(confirm).into_response())
}

/// A safeguarding lead confirms or refuses an appointment to a post that reaches concerns about staff or
/// emergency access. Nobody decides their own.
pub async fn decide_appointment(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    Form(form): Form<DecisionForm>,
) -> AppResult<Response> {
    let id: PostHolderId = id.parse().map_err(|_| AppError::NotFound)?;
    let confirm = form.confirm()?;
    let mut tx = state.store.write(&member.scope).await?;
    tx.decide_appointment(id, confirm).await?;
    tx.commit().await?;
    Ok(decided(confirm).into_response())
}
