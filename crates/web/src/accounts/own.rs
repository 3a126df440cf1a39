//! A person's own account: their sessions (with sign-out of any), password change, and sign-out.

use crate::AppState;
use crate::auth::{Member, cleared_cookie};
use crate::error::{AppError, AppResult};
use crate::forms::FormErrors;
use crate::layout::{Chrome, long_datetime, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use domain::text::NewPassword;
use serde::Deserialize;
use store::StoreError;

/// The idle-warning script calls this; the guard has already renewed the session.
pub async fn keep_alive(_: Member) -> StatusCode {
    StatusCode::NO_CONTENT
}

pub async fn sign_out(State(state): State<AppState>, member: Member) -> AppResult<Response> {
    let mut tx = state.store.write(&member.scope).await?;
    tx.end_own_session(&member.session.id).await?;
    tx.commit().await?;
    let mut response = Redirect::to("/sign-in").into_response();
    if let Ok(value) = cleared_cookie().parse() {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    Ok(response)
}

struct SessionRow {
    id: String,
    browser: String,
    signed_in: String,
    last_seen: String,
    current: bool,
}

struct TokenRow {
    id: String,
    name: String,
    created: String,
    last_used: String,
}

#[derive(Template)]
#[template(path = "accounts/account.html")]
struct AccountPage {
    chrome: Chrome,
    email: String,
    sessions: Vec<SessionRow>,
    second_factor: bool,
    tokens: Vec<TokenRow>,
    /// Other organisations the account can switch to: (id, name).
    other_orgs: Vec<(String, String)>,
}

pub async fn show(State(state): State<AppState>, member: Member) -> AppResult<Response> {
    let sessions = state
        .store
        .own_sessions(&member.session)
        .await?
        .into_iter()
        .map(|s| SessionRow {
            id: s.id,
            browser: s.user_agent,
            signed_in: long_datetime(s.created_at),
            last_seen: long_datetime(s.last_seen_at),
            current: s.current,
        })
        .collect();
    let tokens = state
        .store
        .own_api_tokens(&member.scope)
        .await?
        .into_iter()
        .map(|t| TokenRow {
            id: t.id.to_string(),
            name: t.name,
            created: long_datetime(t.created_at),
            last_used: t.last_used_at.map_or_else(|| "Never".into(), long_datetime),
        })
        .collect();
    let other_orgs = state
        .store
        .organisations_of(member.session.account)
        .await?
        .into_iter()
        .filter(|(id, _)| *id != member.scope.org())
        .map(|(id, name)| (id.to_string(), name))
        .collect();
    render(&AccountPage {
        chrome: Chrome::member(&state, "Your account", &member.session, "/account").await?,
        email: member.session.email.clone(),
        sessions,
        second_factor: member.session.has_second_factor,
        tokens,
        other_orgs,
    })
}

pub async fn end_session(State(state): State<AppState>, member: Member, Path(id): Path<String>) -> AppResult<Response> {
    let mut tx = state.store.write(&member.scope).await?;
    tx.end_own_session(&id).await?;
    tx.commit().await?;
    Ok(Redirect::to(if id == member.session.id { "/sign-in" } else { "/account" }).into_response())
}

pub async fn revoke_token(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id = id.parse().map_err(|_| AppError::NotFound)?;
    let mut tx = state.store.write(&member.scope).await?;
    tx.revoke_own_api_token(id).await?;
    tx.commit().await?;
    Ok(Redirect::to("/account").into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SwitchForm {
    org: String,
}

pub async fn switch_organisation(
    State(state): State<AppState>,
    member: Member,
    Form(form): Form<SwitchForm>,
) -> AppResult<Response> {
    let org = form.org.parse().map_err(|_| AppError::NotFound)?;
    state.store.switch_organisation(&member.session, org).await?;
    Ok(Redirect::to("/").into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
}

#[derive(Template)]
#[template(path = "accounts/password_change.html")]
struct PasswordPage {
    chrome: Chrome,
    errors: FormErrors,
}

pub async fn password_show(State(state): State<AppState>, member: Member) -> AppResult<Response> {
    render(&PasswordPage {
        chrome: Chrome::member(&state, "Change your password", &member.session, "/account").await?,
        errors: FormErrors::default(),
    })
}

pub async fn password_submit(
    State(state): State<AppState>,
    member: Member,
    Form(form): Form<PasswordForm>,
) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    if form.current_password.is_empty() {
        errors.add("current_password", "Enter your current password");
    }
    let new = errors.check("new_password", NewPassword::parse(&form.new_password));
    if let Some(new) = new.filter(|_| errors.is_empty()) {
        let mut tx = state.store.write(&member.scope).await?;
        match tx.change_own_password(&form.current_password, &new, &member.session.id).await {
            Ok(()) => {
                tx.commit().await?;
                return Ok(Redirect::to("/account").into_response());
            }
            Err(StoreError::Conflict(message)) => errors.add("current_password", message),
            Err(e) => return Err(AppError::from(e)),
        }
    }
    let chrome =
        Chrome::member(&state, "Change your password", &member.session, "/account").await?.with_errors(&errors);
    render(&PasswordPage { chrome, errors })
}
