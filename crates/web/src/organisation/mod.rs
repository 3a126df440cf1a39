//! The organisation: its profile, sites and departments, each viewable as at a past date.

mod api;
mod departments;
mod profile;
mod sites;

use crate::forms::FormErrors;
use crate::routes::{Routes, routes};
use domain::org::{Nation, ProviderType};
use domain::profile::{Profile, SiteKind, Subcontracting, parse_postcode, parse_yes_no, yes_no};
use serde::Deserialize;
use store::profile::ProfileVersion;
use store::sites::{Site, SiteDetails};
use time::Date;

/// The OpenAPI paths of this capability's handlers.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    api::profile,
    api::record_profile,
    api::sites,
    api::add_site,
    api::site,
    api::update_site,
    api::retire_site,
    api::departments,
    api::add_department,
))]
struct Api;

/// This capability's part of the OpenAPI document.
pub(crate) fn api_document() -> utoipa::openapi::OpenApi {
    <Api as utoipa::OpenApi>::openapi()
}

/// This capability's rows of the route table.
pub(crate) fn routes() -> Routes {
    routes! {
        GET  "/organisation"             ViewOrganisation   Page => profile::show;
        GET  "/organisation/edit"        ManageOrganisation Page => profile::edit_show;
        POST "/organisation/edit"        ManageOrganisation Page => profile::edit_submit;
        POST "/organisation/review"      ManageOrganisation Page => profile::review;
        GET  "/sites"                    ViewOrganisation   Page => sites::list;
        GET  "/sites/new"                ManageOrganisation Page => sites::new_show;
        POST "/sites/new"                ManageOrganisation Page => sites::new_submit;
        GET  "/sites/{id}"               ViewOrganisation   Page => sites::detail;
        GET  "/sites/{id}/edit"          ManageOrganisation Page => sites::edit_show;
        POST "/sites/{id}/edit"          ManageOrganisation Page => sites::edit_submit;
        POST "/sites/{id}/retire"        ManageOrganisation Page => sites::retire;
        GET  "/departments"              ViewOrganisation   Page => departments::list;
        POST "/departments"              ManageOrganisation Page => departments::add;
        GET  "/departments/{id}"         ViewOrganisation   Page => departments::detail;
        POST "/departments/{id}/rename"  ManageOrganisation Page => departments::rename;
        POST "/departments/{id}/retire"  ManageOrganisation Page => departments::retire;
        GET  "/api/v1/profile"           ViewOrganisation   Api  => api::profile;
        PUT  "/api/v1/profile"           ManageOrganisation Api  => api::record_profile;
        GET  "/api/v1/sites"             ViewOrganisation   Api  => api::sites;
        POST "/api/v1/sites"             ManageOrganisation Api  => api::add_site;
        GET  "/api/v1/sites/{id}"        ViewOrganisation   Api  => api::site;
        PUT  "/api/v1/sites/{id}"        ManageOrganisation Api  => api::update_site;
        POST "/api/v1/sites/{id}/retire" ManageOrganisation Api  => api::retire_site;
        GET  "/api/v1/departments"       ViewOrganisation   Api  => api::departments;
        POST "/api/v1/departments"       ManageOrganisation Api  => api::add_department;
    }
}

/// The profile form: every field as typed, so that a form with errors shows the typing again.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProfileForm {
    pub nation: String,
    pub provider_type: String,
    pub enrols_under_18: String,
    pub subcontracting: String,
    pub has_premises: String,
    pub local_authorities: String,
}

impl ProfileForm {
    /// The one validation of a profile, for pages and the API.
    pub fn parse(&self, errors: &mut FormErrors) -> Option<Profile> {
        let nation = errors.check("nation", Nation::parse(&self.nation));
        let provider_type = errors.check("provider_type", ProviderType::parse(&self.provider_type));
        let under_18 = errors
            .check("enrols_under_18", parse_yes_no(&self.enrols_under_18, "Select yes if you enrol learners under 18"));
        let subcontracting = errors.check("subcontracting", Subcontracting::parse(&self.subcontracting));
        let premises = errors
            .check("has_premises", parse_yes_no(&self.has_premises, "Select yes if you have premises of your own"));
        let local_authorities =
            errors.check("local_authorities", Profile::parse_local_authorities(&self.local_authorities));
        Some(Profile {
            nation: nation?,
            provider_type: provider_type?,
            enrols_under_18: under_18?,
            subcontracting: subcontracting?,
            has_premises: premises?,
            local_authorities: local_authorities?,
        })
    }

    fn from_profile(profile: &Profile) -> Self {
        Self {
            nation: profile.nation.as_str().into(),
            provider_type: profile.provider_type.as_str().into(),
            enrols_under_18: yes_no(profile.enrols_under_18).into(),
            subcontracting: profile.subcontracting.as_str().into(),
            has_premises: yes_no(profile.has_premises).into(),
            local_authorities: profile.local_authorities.join("\n"),
        }
    }
}

/// When the next review of a recorded version falls due.
pub fn review_due(version: &ProfileVersion) -> Date {
    domain::profile::review_due(version.recorded_at)
}

/// The site form, as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SiteForm {
    pub name: String,
    pub kind: String,
    pub address: String,
    pub postcode: String,
    pub shared_with: String,
    pub let_to_others: String,
}

impl SiteForm {
    /// The one validation of a site, for pages and the API.
    pub fn parse(&self, errors: &mut FormErrors) -> Option<SiteDetails> {
        let name = errors.name("name", &self.name, "Enter the site's name");
        let kind = errors.check("kind", SiteKind::parse(&self.kind));
        let address = self.address.trim();
        if address.is_empty() {
            errors.add("address", "Enter the site's address");
        } else if address.chars().count() > 500 {
            errors.add("address", "Address must be 500 characters or fewer");
        }
        let postcode = errors.check("postcode", parse_postcode(&self.postcode));
        let shared_with = self.shared_with.trim();
        if shared_with.chars().count() > 500 {
            errors.add("shared_with", "Who else uses the site must be 500 characters or fewer");
        }
        let let_to_others = errors.check(
            "let_to_others",
            parse_yes_no(&self.let_to_others, "Select yes if the site is let or hired to others"),
        );
        if !errors.is_empty() {
            return None;
        }
        Some(SiteDetails {
            name: name?,
            kind: kind?,
            address: address.to_owned(),
            postcode: postcode?,
            shared_with: shared_with.to_owned(),
            let_to_others: let_to_others?,
        })
    }

    fn from_site(site: &Site) -> Self {
        Self {
            name: site.name.clone(),
            kind: site.kind.as_str().into(),
            address: site.address.clone(),
            postcode: site.postcode.clone(),
            shared_with: site.shared_with.clone(),
            let_to_others: domain::profile::yes_no(site.let_to_others).into(),
        }
    }
}
