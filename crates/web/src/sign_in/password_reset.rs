//! Password reset by an emailed one-time link. The request page answers the same whether or not the
//! address has an account, so it cannot be used to find out who has one.

use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::forms::FormErrors;
use crate::layout::{Chrome, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::text::{Email, NewPassword};
use serde::Deserialize;
use store::StoreError;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RequestForm {
    email: String,
}

#[derive(Template)]
#[template(path = "sign_in/password_reset_request.html")]
struct RequestPage {
    chrome: Chrome,
    form: RequestForm,
    errors: FormErrors,
    sent: bool,
}

pub async fn request_show() -> AppResult<Response> {
    render(&RequestPage {
        chrome: Chrome::public("Reset your password"),
        form: RequestForm::default(),
        errors: FormErrors::default(),
        sent: false,
    })
}

pub async fn request_submit(State(state): State<AppState>, Form(form): Form<RequestForm>) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    if errors.check("email", Email::parse(&form.email)).is_none() {
        return render(&RequestPage {
            chrome: Chrome::public("Reset your password").with_errors(&errors),
            form,
            errors,
            sent: false,
        });
    }
    state.store.request_password_reset(&form.email).await?;
    render(&RequestPage { chrome: Chrome::public("Check your email"), form, errors, sent: true })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResetForm {
    password: String,
}

#[derive(Template)]
#[template(path = "sign_in/password_reset.html")]
struct ResetPage {
    chrome: Chrome,
    token: String,
    errors: FormErrors,
}

pub async fn reset_show(Path(token): Path<String>) -> AppResult<Response> {
    render(&ResetPage { chrome: Chrome::public("Choose a new password"), token, errors: FormErrors::default() })
}

pub async fn reset_submit(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Form(form): Form<ResetForm>,
) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    if let Some(password) = errors.check("password", NewPassword::parse(&form.password)) {
        match state.store.reset_password(&token, &password).await {
            Ok(()) => return Ok(Redirect::to("/sign-in").into_response()),
            Err(StoreError::Conflict(message)) => errors.add("password", message),
            Err(e) => return Err(AppError::from(e)),
        }
    }
    render(&ResetPage { chrome: Chrome::public("Choose a new password").with_errors(&errors), token, errors })
}
