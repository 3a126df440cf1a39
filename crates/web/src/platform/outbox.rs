//! The demonstration outbox: in demo mode, mail is read here instead of needing a mail server.
//! Outside demo mode the page does not exist.

use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::layout::{Chrome, long_datetime, render};
use askama::Template;
use axum::extract::State;
use axum::response::Response;

struct Row {
    to: String,
    subject: String,
    body: String,
    at: String,
}

#[derive(Template)]
#[template(path = "platform/outbox.html")]
struct OutboxPage {
    chrome: Chrome,
    rows: Vec<Row>,
}

pub async fn show(State(state): State<AppState>) -> AppResult<Response> {
    if !state.config.demo {
        return Err(AppError::NotFound);
    }
    let rows = state
        .store
        .outbox(50)
        .await?
        .into_iter()
        .map(|m| Row { to: m.recipient, subject: m.subject, body: m.body, at: long_datetime(m.created_at) })
        .collect();
    render(&OutboxPage { chrome: Chrome::public("Demo outbox"), rows })
}
