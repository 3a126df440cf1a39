//! Accepting an invitation: a new person chooses their name and password; someone who already has a Vigil
//! account (in another organisation) confirms with their password.

use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::forms::FormErrors;
use crate::layout::{Chrome, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::text::{Email, Name, NewPassword};
use serde::Deserialize;
use store::StoreError;
use store::accounts::NewAccount;
use store::invitations::{Acceptance, Invitation};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AcceptForm {
    display_name: String,
    password: String,
}

#[derive(Template)]
#[template(path = "sign_in/invitation.html")]
struct InvitationPage {
    chrome: Chrome,
    token: String,
    invitation: Invitation,
    form: AcceptForm,
    errors: FormErrors,
}

async fn live(state: &AppState, token: &str) -> AppResult<Invitation> {
    state.store.invitation(token).await?.ok_or(AppError::Conflict(
        "This invitation has expired or has already been used. Ask your administrator for a new one.",
    ))
}

pub async fn show(State(state): State<AppState>, Path(token): Path<String>) -> AppResult<Response> {
    let invitation = live(&state, &token).await?;
    render(&InvitationPage {
        chrome: Chrome::public("Accept your invitation"),
        token,
        invitation,
        form: AcceptForm::default(),
        errors: FormErrors::default(),
    })
}

pub async fn submit(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Form(form): Form<AcceptForm>,
) -> AppResult<Response> {
    let invitation = live(&state, &token).await?;
    let mut errors = FormErrors::default();
    let acceptance = if invitation.account_exists {
        if form.password.is_empty() {
            errors.add("password", "Enter the password of your Vigil account");
        }
        Acceptance::ExistingAccount { password: form.password.clone() }
    } else {
        let name = errors.check("display_name", Name::parse(&form.display_name));
        let password = errors.check("password", NewPassword::parse(&form.password));
        let email = Email::parse(&invitation.email).map_err(|e| AppError::Internal(e.to_string()))?;
        match (name, password) {
            (Some(display_name), Some(password)) => {
                Acceptance::NewAccount(NewAccount { email, display_name, password })
            }
            _ => Acceptance::ExistingAccount { password: String::new() },
        }
    };
    if errors.is_empty() {
        match state.store.accept_invitation(&token, &acceptance).await {
            Ok(_) => return Ok(Redirect::to("/sign-in").into_response()),
            Err(StoreError::Conflict(message)) => errors.add("password", message),
            Err(e) => return Err(AppError::from(e)),
        }
    }
    render(&InvitationPage {
        chrome: Chrome::public("Accept your invitation").with_errors(&errors),
        token,
        invitation,
        form,
        errors,
    })
}
