//! Signing in: email and password, then the authenticator code (or a recovery code), or enrolment of an
//! authenticator when the person's roles require one and they have none yet.

use crate::AppState;
use crate::auth::{Member, Pending, redirect_with_session};
use crate::error::{AppError, AppResult};
use crate::forms::FormErrors;
use crate::layout::{Chrome, render};
use crate::sign_in::setup::user_agent;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use store::StoreError;
use store::auth::{NextStep, PasswordOutcome};
use store::totp;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SignInForm {
    email: String,
    password: String,
}

#[derive(Template)]
#[template(path = "sign_in/sign_in.html")]
struct SignInPage {
    chrome: Chrome,
    form: SignInForm,
    errors: FormErrors,
    setup_needed: bool,
}

pub async fn show(State(state): State<AppState>) -> AppResult<Response> {
    let setup_needed = state.store.needs_setup().await?;
    sign_in_page(SignInForm::default(), FormErrors::default(), setup_needed)
}

fn sign_in_page(form: SignInForm, errors: FormErrors, setup_needed: bool) -> AppResult<Response> {
    render(&SignInPage { chrome: Chrome::public("Sign in").with_errors(&errors), form, errors, setup_needed })
}

pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    if form.email.trim().is_empty() {
        errors.add("email", "Enter your email address");
    }
    if form.password.is_empty() {
        errors.add("password", "Enter your password");
    }
    if !errors.is_empty() {
        return sign_in_page(form, errors, false);
    }
    match state.store.sign_in_password(&form.email, &form.password, &user_agent(&headers)).await? {
        PasswordOutcome::Accepted { token, next } => Ok(redirect_with_session(
            match next {
                NextStep::EnterCode => "/sign-in/code",
                NextStep::EnrolSecondFactor => "/sign-in/enrol",
                NextStep::SignedIn => "/",
            },
            &token,
        )),
        PasswordOutcome::Rejected => {
            errors.add(
                "email",
                "Enter a correct email address and password. After several wrong attempts, sign-in pauses for a \
                 few minutes: if you are sure they are right, wait 15 minutes or reset your password",
            );
            sign_in_page(form, errors, false)
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CodeForm {
    code: String,
}

#[derive(Template)]
#[template(path = "sign_in/sign_in_code.html")]
struct CodePage {
    chrome: Chrome,
    errors: FormErrors,
    recovery: bool,
}

pub async fn code_show(Pending(session): Pending) -> AppResult<Response> {
    if !session.has_second_factor {
        return Ok(Redirect::to("/sign-in/enrol").into_response());
    }
    render(&CodePage {
        chrome: Chrome::pending("Enter your code", &session),
        errors: FormErrors::default(),
        recovery: false,
    })
}

pub async fn code_submit(
    State(state): State<AppState>,
    Pending(session): Pending,
    Form(form): Form<CodeForm>,
) -> AppResult<Response> {
    let result = state.store.sign_in_code(&session, &form.code).await;
    second_factor_answer(result, &session, false)
}

pub async fn recovery_show(Pending(session): Pending) -> AppResult<Response> {
    render(&CodePage {
        chrome: Chrome::pending("Use a recovery code", &session),
        errors: FormErrors::default(),
        recovery: true,
    })
}

pub async fn recovery_submit(
    State(state): State<AppState>,
    Pending(session): Pending,
    Form(form): Form<CodeForm>,
) -> AppResult<Response> {
    let result = state.store.sign_in_recovery_code(&session, &form.code).await;
    second_factor_answer(result, &session, true)
}

fn second_factor_answer(
    result: Result<String, StoreError>,
    session: &store::auth::Session,
    recovery: bool,
) -> AppResult<Response> {
    match result {
        Ok(token) => Ok(redirect_with_session("/", &token)),
        Err(StoreError::Conflict(message)) => {
            let mut errors = FormErrors::default();
            errors.add("code", message);
            let title = if recovery { "Use a recovery code" } else { "Enter your code" };
            render(&CodePage { chrome: Chrome::pending(title, session).with_errors(&errors), errors, recovery })
        }
        Err(e) => Err(AppError::from(e)),
    }
}

#[derive(Template)]
#[template(path = "sign_in/enrol.html")]
struct EnrolPage {
    chrome: Chrome,
    errors: FormErrors,
    secret: String,
    url: String,
    /// The key as a QR code, an SVG drawn here: the key never leaves the server for a QR service.
    qr: String,
}

impl EnrolPage {
    fn new(session: &store::auth::Session, secret: String, errors: FormErrors) -> Self {
        let url = totp::provisioning_url(&secret, &session.email);
        let qr = qrcode::QrCode::new(url.as_bytes())
            .map(|code| {
                code.render::<qrcode::render::svg::Color<'_>>().min_dimensions(200, 200).quiet_zone(true).build()
            })
            .unwrap_or_default();
        Self {
            chrome: Chrome::pending("Set up your authenticator app", session).with_errors(&errors),
            errors,
            secret,
            url,
            qr,
        }
    }
}

#[derive(Template)]
#[template(path = "sign_in/recovery_codes.html")]
struct RecoveryCodesPage {
    chrome: Chrome,
    codes: Vec<String>,
}

impl RecoveryCodesPage {
    /// The codes as a text file to download, in a link of its own: they are shown once and never stored
    /// in clear, so the server could not send them again.
    fn download(&self) -> String {
        let text = format!("Vigil recovery codes: each signs you in once.\n\n{}\n", self.codes.join("\n"));
        format!(
            "data:text/plain;charset=utf-8,{}",
            url::form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>().replace('+', "%20")
        )
    }
}

pub async fn enrol_show(State(state): State<AppState>, Pending(session): Pending) -> AppResult<Response> {
    if session.has_second_factor {
        return Ok(Redirect::to("/sign-in/code").into_response());
    }
    let secret = state.store.begin_enrolment(&session).await?;
    render(&EnrolPage::new(&session, secret, FormErrors::default()))
}

pub async fn enrol_submit(
    State(state): State<AppState>,
    Pending(session): Pending,
    Form(form): Form<CodeForm>,
) -> AppResult<Response> {
    match state.store.confirm_enrolment(&session, &form.code).await {
        Ok((token, codes)) => {
            let mut response =
                render(&RecoveryCodesPage { chrome: Chrome::pending("Save your recovery codes", &session), codes })?;
            if let Ok(value) = crate::auth::session_cookie(&token).parse() {
                response.headers_mut().insert(axum::http::header::SET_COOKIE, value);
            }
            Ok(response)
        }
        Err(StoreError::Conflict(message)) => {
            let mut errors = FormErrors::default();
            errors.add("code", message);
            let secret = state.store.begin_enrolment(&session).await?;
            render(&EnrolPage::new(&session, secret, errors))
        }
        Err(e) => Err(AppError::from(e)),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AgainForm {
    code: String,
    next: String,
}

#[derive(Template)]
#[template(path = "sign_in/sign_in_again.html")]
struct AgainPage {
    chrome: Chrome,
    errors: FormErrors,
    next: String,
}

/// Where to go back to after a fresh second factor: a path of this site only. The value is parsed as a
/// browser would parse it (dropping tabs and newlines, reading a backslash as `/`), and kept only if it is a path
/// that stays on this site; what is answered is the parsed path, percent-encoded, never the raw text.
fn local_path(next: &str) -> String {
    let site = url::Url::parse("http://vigil.invalid/").expect("a fixed, valid URL");
    match site.join(next) {
        // A path that parses to `//…` is another site's address to a browser, however it was written.
        Ok(url) if next.starts_with('/') && url.origin() == site.origin() && !url.path().starts_with("//") => {
            match url.query() {
                Some(query) => format!("{}?{query}", url.path()),
                None => url.path().to_owned(),
            }
        }
        _ => "/".into(),
    }
}

pub async fn again_show(
    State(state): State<AppState>,
    member: Member,
    Query(form): Query<AgainForm>,
) -> AppResult<Response> {
    let chrome = Chrome::member(&state, "Confirm it is you", &member.session, "").await?;
    render(&AgainPage { chrome, errors: FormErrors::default(), next: local_path(&form.next) })
}

pub async fn again_submit(
    State(state): State<AppState>,
    member: Member,
    Form(form): Form<AgainForm>,
) -> AppResult<Response> {
    let next = local_path(&form.next);
    match state.store.refresh_second_factor(&member.session, &form.code).await {
        Ok(()) => Ok(Redirect::to(&next).into_response()),
        Err(StoreError::Conflict(message)) => {
            let mut errors = FormErrors::default();
            errors.add("code", message);
            let chrome = Chrome::member(&state, "Confirm it is you", &member.session, "").await?.with_errors(&errors);
            render(&AgainPage { chrome, errors, next })
        }
        Err(e) => Err(AppError::from(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_a_path_of_this_site_follows_a_fresh_second_factor() {
        assert_eq!(local_path("/cases/1?tab=chronology"), "/cases/1?tab=chronology");
        assert_eq!(local_path("/a b"), "/a%20b");
        for hostile in
            ["//evil.example", "/\t/evil.example", "/\n/x", "/\\evil.example", "https://evil.example/", "x", ""]
        {
            assert_eq!(local_path(hostile), "/", "{hostile:?}");
        }
    }
}
