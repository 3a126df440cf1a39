//! Safeguarding concerns: raising one (page and API alike), the safeguarding team's inbox, acknowledging, and the organisation's concern settings.

mod api;
mod pages;

use crate::AppState;
use crate::error::AppResult;
use crate::forms::FormErrors;
use crate::mail;
use crate::routes::{Routes, routes};
use domain::ConcernId;
use domain::concerns::{Answers, Category, NewConcern, parse_concern};
use domain::roles::Role;
use serde::{Deserialize, Serialize};
use store::OrgScope;

/// A category's label, from the categories offered.
pub(crate) fn category_label(id: &str) -> String {
    domain::concerns::categories().into_iter().find(|c| c.id == id).map_or_else(|| id.to_owned(), |c| c.label)
}

/// The OpenAPI paths of this capability's handlers.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    api::create,
    api::mine,
    api::inbox,
    api::acknowledge,
    api::settings,
    api::record_settings,
    api::add_file,
))]
struct Api;

/// This capability's part of the OpenAPI document.
pub(crate) fn api_document() -> utoipa::openapi::OpenApi {
    <Api as utoipa::OpenApi>::openapi()
}

/// This capability's rows of the route table.
pub(crate) fn routes() -> Routes {
    routes! {
        GET  "/concerns/new"                                   RaiseConcern             Page => pages::new_show;
        POST "/concerns/new"                                   RaiseConcern             Page => pages::new_submit;
        POST "/concerns/draft"                                 RaiseConcern             Page => pages::save_draft;
        GET  "/concerns/{id}/attach"                           RaiseConcern             Page => pages::attach_show;
        POST "/concerns/{id}/attach"                           RaiseConcern             Page => pages::attach_submit;
        GET  "/concerns"                                       RaiseConcern             Page => pages::mine;
        GET  "/safeguarding"                                   HandleConcerns           Page => pages::inbox;
        GET  "/safeguarding/settings"                          HandleConcerns           Page => pages::settings_show;
        POST "/safeguarding/settings"                          HandleConcerns           Page => pages::settings_submit;
        GET  "/safeguarding/concerns/{id}"                     HandleConcerns           Page => pages::show;
        POST "/safeguarding/concerns/{id}/acknowledge"         HandleConcerns           Page => pages::acknowledge;
        GET  "/concerns/about-staff"                           HandleConcernsAboutStaff Page => pages::about_staff;
        GET  "/concerns/about-staff/concerns/{id}"             HandleConcernsAboutStaff Page => pages::show_about_staff;
        POST "/concerns/about-staff/concerns/{id}/acknowledge" HandleConcernsAboutStaff Page => pages::acknowledge_about_staff;
        POST "/api/v1/concerns"                                RaiseConcern             Api  => api::create;
        GET  "/api/v1/concerns"                                RaiseConcern             Api  => api::mine;
        GET  "/api/v1/concerns/inbox"                          HandleConcerns           Api  => api::inbox;
        GET  "/api/v1/concern-settings"                        HandleConcerns           Api  => api::settings;
        PUT  "/api/v1/concern-settings"                        HandleConcerns           Api  => api::record_settings;
        POST "/api/v1/concerns/{id}/acknowledge"               HandleConcerns           Api  => api::acknowledge;
        POST "/api/v1/concerns/{id}/files"                     RaiseConcern             Api  => api::add_file;
    }
}

/// Where the safeguarding team handles concerns.
pub(crate) const TEAM: &str = "/safeguarding";
/// Where the senior leader handles concerns about staff or the safeguarding team.
pub(crate) const ABOUT_STAFF: &str = "/concerns/about-staff";

/// The concern form, as typed. A draft is this, saved as the person types.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ConcernForm {
    pub about: String,
    pub about_name: String,
    pub what_happened: String,
    pub when_and_where: String,
    pub category: String,
    pub immediate_danger: String,
    pub told_in_person: String,
    pub about_staff: String,
    /// Only on the safeguarding team's form: how the concern reached them.
    pub received_via: String,
}

impl ConcernForm {
    /// The one check of a concern against the categories offered, for the page and the API.
    pub fn parse(&self, offered: &[Category], errors: &mut FormErrors) -> Option<NewConcern> {
        let answers = Answers {
            about: &self.about,
            about_name: &self.about_name,
            what_happened: &self.what_happened,
            when_and_where: &self.when_and_where,
            category: &self.category,
            immediate_danger: &self.immediate_danger,
            told_in_person: &self.told_in_person,
            about_staff: &self.about_staff,
            received_via: &self.received_via,
        };
        parse_concern(answers, offered, |field, message| errors.add(field, message))
    }
}

/// Raises a concern and alerts the safeguarding leads at once, by an email with no names or content.
/// Answers the receipt's reference.
/// A concern about a learner named by staff (who choose from the people register) is linked to their record,
/// so that the case starts from it; a concern an apprentice raises about themselves is linked to theirs.
/// Its handling escalates to the deputies if nobody acknowledges it in the organisation's time.
pub async fn raise(state: &AppState, scope: &OrgScope, concern: NewConcern) -> AppResult<(ConcernId, String)> {
    let person = match &concern.about {
        Some(name) if chooses_from_register(scope) => state.store.learner_named(scope, name).await?,
        None if scope.has_role(Role::Apprentice) => own_record(state, scope).await?,
        _ => None,
    };
    let concern = NewConcern { person, ..concern };
    let recipients = state.store.concern_recipients(scope, concern.about_staff).await?;
    let settings = state.store.concern_settings(scope).await?;
    let mut tx = state.store.write(scope).await?;
    let (id, reference) = tx.raise_concern(&concern).await?;
    let escalate_at = state.store.now() + settings.acknowledge_within();
    tx.enqueue_job(store::jobs::JobKind::EscalateConcern, &id.to_string(), escalate_at).await?;
    let base = if concern.about_staff { ABOUT_STAFF } else { TEAM };
    let composed = mail::new_concern(&format!("{}{base}", state.config.public_url), concern.immediate_danger);
    for recipient in recipients {
        tx.queue_mail(&recipient, composed.subject, &composed.body).await?;
    }
    tx.commit().await?;
    Ok((id, reference))
}

/// Staff and the safeguarding team choose who a concern is about from the people register.
fn chooses_from_register(scope: &OrgScope) -> bool {
    [Role::Staff, Role::SafeguardingLead, Role::SafeguardingOfficer].iter().any(|r| scope.has_role(*r))
}

async fn own_record(state: &AppState, scope: &OrgScope) -> AppResult<Option<domain::PersonId>> {
    let Some(account) = scope.actor().account else { return Ok(None) };
    let email = state.store.member(scope, account).await?.email;
    Ok(state.store.person_by_email(scope, &email).await?)
}
