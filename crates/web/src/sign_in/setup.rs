//! First-run set-up: whoever has the one-time code the server printed creates the organisation and its
//! first administrator, who then enrols a second factor.

use crate::AppState;
use crate::auth::redirect_with_session;
use crate::error::{AppError, AppResult};
use crate::forms::FormErrors;
use crate::layout::{Chrome, render};
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use domain::org::{Nation, ProviderType, Ukprn};
use domain::text::{Email, Name, NewPassword};
use serde::Deserialize;
use store::StoreError;
use store::accounts::NewAccount;
use store::orgs::NewOrganisation;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SetupForm {
    setup_code: String,
    org_name: String,
    ukprn: String,
    nation: String,
    provider_type: String,
    admin_name: String,
    admin_email: String,
    password: String,
}

#[derive(Template)]
#[template(path = "sign_in/setup.html")]
struct SetupPage {
    chrome: Chrome,
    form: SetupForm,
    errors: FormErrors,
    nations: Vec<(&'static str, &'static str)>,
    provider_types: Vec<(&'static str, &'static str)>,
}

fn page(form: SetupForm, errors: FormErrors) -> AppResult<Response> {
    render(&SetupPage {
        chrome: Chrome::public("Set up Vigil").with_errors(&errors),
        form,
        errors,
        nations: vec![
            ("england", "England: Ofsted inspects, under Keeping Children Safe in Education"),
            ("wales", "Wales: Estyn inspects, under Keeping Learners Safe"),
        ],
        provider_types: ProviderType::ALL.iter().map(|t| (t.as_str(), t.label())).collect(),
    })
}

pub async fn show(State(state): State<AppState>) -> AppResult<Response> {
    if !state.store.needs_setup().await? {
        return Ok(Redirect::to("/sign-in").into_response());
    }
    page(SetupForm::default(), FormErrors::default())
}

pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<SetupForm>,
) -> AppResult<Response> {
    if !state.store.needs_setup().await? {
        return Ok(Redirect::to("/sign-in").into_response());
    }
    let mut errors = FormErrors::default();
    if form.setup_code.trim().is_empty() {
        errors.add("setup_code", "Enter the set-up code the server printed when it started");
    }
    let name = errors.check("org_name", Name::parse(&form.org_name));
    let ukprn = errors.check("ukprn", Ukprn::parse(&form.ukprn));
    let nation = errors.check("nation", Nation::parse(&form.nation));
    let provider_type = errors.check("provider_type", ProviderType::parse(&form.provider_type));
    let admin_name = errors.check("admin_name", Name::parse(&form.admin_name));
    let admin_email = errors.check("admin_email", Email::parse(&form.admin_email));
    let password = errors.check("password", NewPassword::parse(&form.password));
    let (Some(name), Some(ukprn), Some(nation), Some(provider_type), Some(display_name), Some(email), Some(password)) =
        (name, ukprn, nation, provider_type, admin_name, admin_email, password)
    else {
        return page(form, errors);
    };
    let org = NewOrganisation { name, ukprn, nation, provider_type, slug: None };
    let admin = NewAccount { email, display_name, password };
    let agent = user_agent(&headers);
    match state.store.complete_setup(form.setup_code.trim(), &org, &admin, &agent).await {
        Ok(token) => Ok(redirect_with_session("/sign-in/enrol", &token)),
        Err(StoreError::Conflict(message)) => {
            errors.add("setup_code", message);
            page(form, errors)
        }
        Err(StoreError::Invalid { message, .. }) => {
            errors.add("admin_email", message);
            page(form, errors)
        }
        Err(e) => Err(AppError::from(e)),
    }
}

/// The browser's description of itself, for the "your sessions" list.
pub fn user_agent(headers: &HeaderMap) -> String {
    headers.get(axum::http::header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("Unknown browser").to_owned()
}
