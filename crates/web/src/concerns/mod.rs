//! Safeguarding concerns: raising one (page and API alike), the safeguarding team's inbox, acknowledging, and the organisation's concern settings.

mod api;
mod pages;

use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::forms::FormErrors;
use crate::mail;
use crate::routes::{Routes, routes};
use domain::ConcernId;
use domain::concerns::{Answers, Category, NewConcern, parse_concern};
use domain::reach::{self, Readiness, Told};
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

/// A concern as raised: its id, the receipt's reference, and who was alerted.
pub struct Raised {
    pub id: ConcernId,
    pub reference: String,
    pub told: Told,
}

/// Why concerns cannot be raised in Vigil yet, for whoever tries: until a safeguarding lead who can sign
/// in holds the post, a concern would reach nobody.
pub(crate) const NOT_OPEN: &str = "Concerns cannot be raised in Vigil yet, because your organisation is still \
     setting it up: speak to your safeguarding lead or use the contact details on this page. If someone is in \
     immediate danger, call 999";

/// Raises a concern and alerts, by an email with no names or content, the safeguarding leads who can act on
/// it today (for a concern about staff, the senior leader), or, when none can, the senior leader and the
/// board's safeguarding lead. Refused until a lead who can sign in holds the post. Answers the receipt.
/// A concern about a learner named by staff (who choose from the people register) is linked to their record,
/// so that the case starts from it; a concern an apprentice raises about themselves is linked to theirs.
/// Its handling escalates to the deputies if nobody acknowledges it in the organisation's time (minutes, and
/// to the senior leader too, when someone is in immediate danger).
pub async fn raise(state: &AppState, scope: &OrgScope, concern: NewConcern) -> AppResult<Raised> {
    let holders = state.store.reach(scope).await?;
    if reach::readiness(&holders) != Readiness::Open {
        return Err(AppError::Conflict(NOT_OPEN));
    }
    let person = match &concern.about {
        Some(name) if chooses_from_register(scope) => state.store.learner_named(scope, name).await?,
        None if scope.has_role(Role::Apprentice) => own_record(state, scope).await?,
        _ => None,
    };
    let concern = NewConcern { person, ..concern };
    let (told, recipients) = reach::recipients(&holders, concern.about_staff);
    let settings = state.store.concern_settings(scope).await?;
    let mut tx = state.store.write(scope).await?;
    let (id, reference) = tx.raise_concern(&concern).await?;
    let escalate_at = state.store.now() + settings.escalates_after(concern.immediate_danger);
    tx.enqueue_job(store::jobs::JobKind::EscalateConcern, &id.to_string(), escalate_at).await?;
    let url = &state.config.public_url;
    let composed = match (told, concern.about_staff) {
        (Told::Leadership, false) => mail::concern_without_team(&format!("{url}/registry"), concern.immediate_danger),
        (_, true) => mail::new_concern(&format!("{url}{ABOUT_STAFF}"), concern.immediate_danger),
        _ => mail::new_concern(&format!("{url}{TEAM}"), concern.immediate_danger),
    };
    for recipient in recipients {
        tx.queue_mail(&recipient, composed.subject, &composed.body).await?;
    }
    tx.commit().await?;
    Ok(Raised { id, reference, told })
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
