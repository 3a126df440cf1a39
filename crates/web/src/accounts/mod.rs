//! Accounts: the administrator's users and roles, confirmations of safeguarding changes, and each person's own account, sessions and tokens.

mod api;
mod confirmations;
mod me;
mod own;
mod users;

use crate::AppState;
use crate::error::AppResult;
use crate::mail;
use crate::routes::{Routes, routes};

/// Tells the safeguarding leads, without names, that a change waits for their confirmation.
pub(crate) async fn notify_leads(
    state: &AppState,
    scope: &store::OrgScope,
    tx: &mut store::WriteTx<'_>,
) -> AppResult<()> {
    let composed = mail::confirmation_waiting(&format!("{}/confirmations", state.config.public_url));
    for lead in state.store.safeguarding_lead_emails(scope).await? {
        tx.queue_mail(&lead, composed.subject, &composed.body).await?;
    }
    Ok(())
}

/// The OpenAPI paths of this capability's handlers.
#[derive(utoipa::OpenApi)]
#[openapi(paths(me::me, api::list,))]
struct Api;

/// This capability's part of the OpenAPI document.
pub(crate) fn api_document() -> utoipa::openapi::OpenApi {
    <Api as utoipa::OpenApi>::openapi()
}

/// This capability's rows of the route table.
pub(crate) fn routes() -> Routes {
    routes! {
        GET  "/session/keep-alive"             UseOwnAccount             Page => own::keep_alive;
        POST "/sign-out"                       ManageOwnAccount          Page => own::sign_out;
        GET  "/account"                        UseOwnAccount             Page => own::show;
        POST "/account/sessions/{id}/end"      ManageOwnAccount          Page => own::end_session;
        POST "/account/tokens/{id}/revoke"     ManageOwnAccount          Page => own::revoke_token;
        POST "/account/organisation"           ManageOwnAccount          Page => own::switch_organisation;
        GET  "/account/password"               UseOwnAccount             Page => own::password_show;
        POST "/account/password"               ManageOwnAccount          Page => own::password_submit;
        GET  "/users"                          ListAccounts              Page => users::list;
        GET  "/users/invite"                   ManageAccounts            Page => users::invite_show;
        POST "/users/invite"                   ManageAccounts            Page => users::invite_submit;
        POST "/users/invitations/{id}/resend"  ManageAccounts            Page => users::resend_invitation;
        POST "/users/invitations/{id}/cancel"  ManageAccounts            Page => users::cancel_invitation;
        GET  "/users/{id}"                     ListAccounts              Page => users::detail;
        POST "/users/{id}/roles"               ManageAccounts            Page => users::grant;
        POST "/users/{id}/roles/{role}/remove" ManageAccounts            Page => users::revoke;
        POST "/users/{id}/disable"             ManageAccounts            Page => users::disable;
        POST "/users/{id}/reset-password"      ManageAccounts            Page => users::reset_password;
        POST "/users/{id}/reset-second-factor" ManageAccounts            Page => users::reset_second_factor;
        POST "/users/{id}/email"               ManageAccounts            Page => users::change_email;
        POST "/users/{id}/enable"              ManageAccounts            Page => users::enable;
        GET  "/confirmations"                  ConfirmSafeguardingChange Page => confirmations::list;
        POST "/confirmations/{id}"             ConfirmSafeguardingChange Page => confirmations::decide;
        POST "/confirmations/appointments/{id}" ConfirmSafeguardingChange Page => confirmations::decide_appointment;
        GET  "/api/v1/me"                      UseOwnAccount             Api  => me::me;
        GET  "/api/v1/users"                   ListAccounts              Api  => api::list;
    }
}
