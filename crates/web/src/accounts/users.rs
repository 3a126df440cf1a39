//! Accounts and roles: administrators list members, invite people, give and remove roles, and disable
//! accounts. Granting a safeguarding role may wait for a safeguarding lead (see `store::accounts`).

use crate::AppState;
use crate::auth::Member;
use crate::error::{AppError, AppResult};
use crate::forms::FormErrors;
use crate::layout::{Chrome, long_date, long_datetime, render};
use crate::mail;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::AccountId;
use domain::roles::Role;
use domain::text::{Email, parse_date};
use serde::Deserialize;
use store::Page;
use store::StoreError;
use store::accounts::{AccountReset, ChangeOutcome, GrantOutcome, Member as MemberRow};
use time::Date;

const PER_PAGE: u32 = 50;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PageQuery {
    page: u32,
    notice: String,
}

struct RoleLabel {
    id: &'static str,
    label: String,
    ends_on: Option<String>,
}

struct Row {
    id: AccountId,
    name: String,
    email: String,
    roles: Vec<RoleLabel>,
    disabled: bool,
}

#[derive(Template)]
#[template(path = "accounts/users.html")]
struct UsersPage {
    chrome: Chrome,
    rows: Vec<Row>,
    invitations: Vec<InvitationRow>,
    page: Page<()>,
    notice: Option<&'static str>,
}

fn notice(key: &str) -> Option<&'static str> {
    match key {
        "invited" => Some("Invitation emailed. The link in it works for 7 days."),
        "cancelled" => Some("Invitation cancelled: its link no longer works."),
        "awaiting" => Some("Requested. The role takes effect when a safeguarding lead confirms it."),
        "granted" => Some("Role given."),
        "removed" => Some("Role removed."),
        "disabled" => Some("Account disabled. Its sessions and API tokens have ended."),
        "enabled" => Some("Account enabled."),
        "reset" => Some("Done. They have been signed out everywhere."),
        "link_sent" => Some("A password reset link has been emailed to them."),
        _ => None,
    }
}

fn role_labels(member: &MemberRow, lead_title: &str) -> Vec<RoleLabel> {
    member
        .roles
        .iter()
        .map(|held| RoleLabel {
            id: held.role.as_str(),
            label: held.role.label(lead_title),
            ends_on: held.ends_on.map(long_date),
        })
        .collect()
}

/// An invitation not yet accepted, with what can be done about it.
struct InvitationRow {
    id: domain::InvitationId,
    email: String,
    role: String,
    expires: String,
}

pub async fn list(
    State(state): State<AppState>,
    member: Member,
    Query(query): Query<PageQuery>,
) -> AppResult<Response> {
    let org = state.store.organisation(&member.scope).await?;
    let lead_title = org.nation.vocabulary().lead_title;
    let members = state.store.members_page(&member.scope, query.page, PER_PAGE).await?;
    let invitations = state
        .store
        .pending_invitations(&member.scope)
        .await?
        .into_iter()
        .map(|i| InvitationRow {
            id: i.id,
            email: i.email,
            role: i.role.label(lead_title),
            expires: long_datetime(i.expires_at),
        })
        .collect();
    let rows = members
        .items
        .iter()
        .map(|m| Row {
            id: m.account_id,
            name: m.display_name.clone(),
            email: m.email.clone(),
            roles: role_labels(m, lead_title),
            disabled: m.disabled_at.is_some(),
        })
        .collect();
    render(&UsersPage {
        chrome: Chrome::member(&state, "Accounts and roles", &member.session, "/users").await?,
        rows,
        invitations,
        page: members.numbers(),
        notice: notice(&query.notice),
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct InviteForm {
    email: String,
    role: String,
    ends_on: String,
}

#[derive(Template)]
#[template(path = "accounts/invite.html")]
struct InvitePage {
    chrome: Chrome,
    form: InviteForm,
    errors: FormErrors,
    roles: Vec<(&'static str, String)>,
    sends_email: bool,
}

async fn role_options(state: &AppState, member: &Member) -> AppResult<Vec<(&'static str, String)>> {
    let org = state.store.organisation(&member.scope).await?;
    let lead_title = org.nation.vocabulary().lead_title;
    Ok(Role::ALL.iter().filter(|r| r.granted_directly()).map(|r| (r.as_str(), r.label(lead_title))).collect())
}

async fn invite_page(state: &AppState, member: &Member, form: InviteForm, errors: FormErrors) -> AppResult<Response> {
    render(&InvitePage {
        chrome: Chrome::member(state, "Invite someone", &member.session, "/users").await?.with_errors(&errors),
        form,
        roles: role_options(state, member).await?,
        errors,
        sends_email: state.config.sends_email,
    })
}

/// The invitation form, with the email filled in when coming from a person in the register.
pub async fn invite_show(
    State(state): State<AppState>,
    member: Member,
    Query(prefill): Query<InviteForm>,
) -> AppResult<Response> {
    invite_page(&state, &member, InviteForm { email: prefill.email, ..InviteForm::default() }, FormErrors::default())
        .await
}

/// Parses the optional end date of a role.
fn ends_on(errors: &mut FormErrors, raw: &str) -> Option<Date> {
    if raw.trim().is_empty() { None } else { errors.check("ends_on", parse_date(raw)) }
}

pub async fn invite_submit(
    State(state): State<AppState>,
    member: Member,
    Form(form): Form<InviteForm>,
) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    let email = errors.check("email", Email::parse(&form.email));
    let role = errors.check("role", Role::parse(&form.role));
    let ends = ends_on(&mut errors, &form.ends_on);
    let (Some(email), Some(role)) = (email, role) else {
        return invite_page(&state, &member, form, errors).await;
    };
    if !errors.is_empty() {
        return invite_page(&state, &member, form, errors).await;
    }
    let org = state.store.organisation(&member.scope).await?;
    let mut tx = state.store.write(&member.scope).await?;
    match tx.invite(&email, role, ends).await {
        Ok(token) => send_invitation(&state, &member, tx, &org.name, email.as_str(), &token).await,
        Err(StoreError::Invalid { field, message }) => {
            drop(tx);
            errors.add(field, message);
            invite_page(&state, &member, form, errors).await
        }
        Err(e) => Err(AppError::from(e)),
    }
}

#[derive(Template)]
#[template(path = "accounts/invitation_link.html")]
struct InvitationLinkPage {
    chrome: Chrome,
    email: String,
    link: String,
}

/// Emails an invitation's link, or, with no mail server, says so and shows the link to give the person:
/// the page never claims an email that cannot go.
async fn send_invitation(
    state: &AppState,
    member: &Member,
    mut tx: store::WriteTx<'_>,
    org_name: &str,
    email: &str,
    token: &str,
) -> AppResult<Response> {
    let link = format!("{}/invitations/{token}", state.config.public_url);
    let composed = mail::invitation(org_name, &link);
    tx.queue_mail(email, composed.subject, &composed.body).await?;
    tx.commit().await?;
    if state.config.sends_email {
        return Ok(Redirect::to("/users?notice=invited").into_response());
    }
    render(&InvitationLinkPage {
        chrome: Chrome::member(state, "Give them their invitation link", &member.session, "/users").await?,
        email: email.to_owned(),
        link,
    })
}

fn invitation_id(id: &str) -> AppResult<domain::InvitationId> {
    id.parse().map_err(|_| AppError::NotFound)
}

/// A new link for an open invitation (the old one stops working), emailed or shown as when inviting.
pub async fn resend_invitation(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let org = state.store.organisation(&member.scope).await?;
    let mut tx = state.store.write(&member.scope).await?;
    let (email, token) = tx.reissue_invitation(invitation_id(&id)?).await?;
    send_invitation(&state, &member, tx, &org.name, &email, &token).await
}

pub async fn cancel_invitation(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let mut tx = state.store.write(&member.scope).await?;
    tx.cancel_invitation(invitation_id(&id)?).await?;
    tx.commit().await?;
    Ok(Redirect::to("/users?notice=cancelled").into_response())
}

#[derive(Template)]
#[template(path = "accounts/user.html")]
struct UserPage {
    chrome: Chrome,
    person: MemberRow,
    roles: Vec<RoleLabel>,
    options: Vec<(&'static str, String)>,
    errors: FormErrors,
    is_self: bool,
}

async fn user_page(state: &AppState, member: &Member, id: AccountId, errors: FormErrors) -> AppResult<Response> {
    let person = state.store.member(&member.scope, id).await?;
    let org = state.store.organisation(&member.scope).await?;
    let roles = role_labels(&person, org.nation.vocabulary().lead_title);
    render(&UserPage {
        chrome: Chrome::member(state, &person.display_name, &member.session, "/users").await?.with_errors(&errors),
        roles,
        options: role_options(state, member).await?,
        is_self: member.scope.actor().account == Some(id),
        person,
        errors,
    })
}

fn account_id(raw: &str) -> AppResult<AccountId> {
    raw.parse().map_err(|_| AppError::NotFound)
}

pub async fn detail(State(state): State<AppState>, member: Member, Path(id): Path<String>) -> AppResult<Response> {
    user_page(&state, &member, account_id(&id)?, FormErrors::default()).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct GrantForm {
    role: String,
    ends_on: String,
}

pub async fn grant(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    Form(form): Form<GrantForm>,
) -> AppResult<Response> {
    let id = account_id(&id)?;
    let mut errors = FormErrors::default();
    let role = errors.check("role", Role::parse(&form.role));
    let ends = ends_on(&mut errors, &form.ends_on);
    let Some(role) = role.filter(|_| errors.is_empty()) else {
        return user_page(&state, &member, id, errors).await;
    };
    let mut tx = state.store.write(&member.scope).await?;
    match tx.grant_role(id, role, ends).await {
        Ok(outcome) => {
            if outcome == GrantOutcome::AwaitingConfirmation {
                super::notify_leads(&state, &member.scope, &mut tx).await?;
            }
            tx.commit().await?;
            let notice = if outcome == GrantOutcome::Granted { "granted" } else { "awaiting" };
            Ok(Redirect::to(&format!("/users?notice={notice}")).into_response())
        }
        Err(StoreError::Conflict(message)) => {
            drop(tx);
            errors.add("role", message);
            user_page(&state, &member, id, errors).await
        }
        Err(e) => Err(AppError::from(e)),
    }
}

pub async fn revoke(
    State(state): State<AppState>,
    member: Member,
    Path((id, role)): Path<(String, String)>,
) -> AppResult<Response> {
    let id = account_id(&id)?;
    let role = Role::parse(&role).map_err(|_| AppError::NotFound)?;
    let mut tx = state.store.write(&member.scope).await?;
    tx.revoke_role(id, role).await?;
    tx.commit().await?;
    Ok(Redirect::to("/users?notice=removed").into_response())
}

pub async fn disable(State(state): State<AppState>, member: Member, Path(id): Path<String>) -> AppResult<Response> {
    let mut tx = state.store.write(&member.scope).await?;
    tx.disable_member(account_id(&id)?).await?;
    tx.commit().await?;
    Ok(Redirect::to("/users?notice=disabled").into_response())
}

pub async fn enable(State(state): State<AppState>, member: Member, Path(id): Path<String>) -> AppResult<Response> {
    let mut tx = state.store.write(&member.scope).await?;
    tx.enable_member(account_id(&id)?).await?;
    tx.commit().await?;
    Ok(Redirect::to("/users?notice=enabled").into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EmailForm {
    email: String,
}

pub async fn reset_password(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> AppResult<Response> {
    reset(&state, &member, account_id(&id)?, AccountReset::Password).await
}

pub async fn reset_second_factor(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> AppResult<Response> {
    reset(&state, &member, account_id(&id)?, AccountReset::SecondFactor).await
}

pub async fn change_email(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    Form(form): Form<EmailForm>,
) -> AppResult<Response> {
    let id = account_id(&id)?;
    let mut errors = FormErrors::default();
    match errors.check("email", Email::parse(&form.email)) {
        Some(email) => reset(&state, &member, id, AccountReset::Email(email)).await,
        None => user_page(&state, &member, id, errors).await,
    }
}

/// Applies or requests an administrator's change to someone's sign-in details.
async fn reset(state: &AppState, member: &Member, id: AccountId, change: AccountReset) -> AppResult<Response> {
    let mut tx = state.store.write(&member.scope).await?;
    let outcome = match tx.reset_account(id, change).await {
        Ok(outcome) => outcome,
        Err(StoreError::Conflict(message)) => {
            drop(tx);
            let mut errors = FormErrors::default();
            errors.add("email", message);
            return user_page(state, member, id, errors).await;
        }
        Err(StoreError::Invalid { field, message }) => {
            drop(tx);
            let mut errors = FormErrors::default();
            errors.add(field, message);
            return user_page(state, member, id, errors).await;
        }
        Err(e) => return Err(AppError::from(e)),
    };
    let notice = match outcome {
        ChangeOutcome::AwaitingConfirmation => {
            super::notify_leads(state, &member.scope, &mut tx).await?;
            "awaiting"
        }
        ChangeOutcome::Done { password_link: Some(token) } => {
            let person = state.store.member(&member.scope, id).await?;
            send_password_link(state, &mut tx, &person.email, &token).await?;
            "link_sent"
        }
        ChangeOutcome::Done { password_link: None } => "reset",
    };
    tx.commit().await?;
    Ok(Redirect::to(&format!("/users?notice={notice}")).into_response())
}

/// Queues the password-reset email with the change that created its link.
pub async fn send_password_link(
    state: &AppState,
    tx: &mut store::WriteTx<'_>,
    email: &str,
    token: &str,
) -> AppResult<()> {
    let composed = mail::password_reset(&format!("{}/password-reset/{token}", state.config.public_url));
    tx.queue_mail(email, composed.subject, &composed.body).await?;
    Ok(())
}
