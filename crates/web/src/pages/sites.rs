//! Sites: buildings and land, listed now or as at a past date, added, changed and retired.

use crate::AppState;
use crate::auth::Member;
use crate::error::{AppError, AppResult};
use crate::forms::{FormErrors, YES_NO};
use crate::layout::{Chrome, long_date, render};
use crate::pages::profile::AsAtQuery;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::SiteId;
use domain::policy::Action;
use domain::profile::{SiteKind, parse_postcode, parse_yes_no};
use serde::Deserialize;
use store::Page;
use store::StoreError;
use store::sites::{Showing, Site, SiteDetails};

const PER_PAGE: u32 = 50;

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

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    page: u32,
    as_at: String,
    retired: String,
    notice: String,
}

struct Row {
    id: SiteId,
    name: String,
    kind: &'static str,
    postcode: String,
    retired: Option<String>,
}

#[derive(Template)]
#[template(path = "sites.html")]
struct SitesPage {
    chrome: Chrome,
    errors: FormErrors,
    rows: Vec<Row>,
    page: Page<()>,
    as_at: String,
    as_at_label: Option<String>,
    retired: bool,
    can_manage: bool,
    notice: Option<&'static str>,
    /// The list's address with its filters, to which pagination adds `page=`.
    page_prefix: String,
}

pub async fn list(
    State(state): State<AppState>,
    member: Member,
    Query(query): Query<ListQuery>,
) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    let day = AsAtQuery { as_at: query.as_at.clone(), notice: String::new() }.day(&mut errors);
    let retired = query.retired == "show";
    let showing = match (day, retired) {
        (Some(day), _) => Showing::AsAt(day),
        (None, true) => Showing::All,
        (None, false) => Showing::Current,
    };
    let sites = state.store.sites_page(&member.scope, showing, query.page, PER_PAGE).await?;
    let rows = sites
        .items
        .iter()
        .map(|s| Row {
            id: s.id,
            name: s.name.clone(),
            kind: s.kind.label(),
            postcode: s.postcode.clone(),
            retired: s.retired_at.map(|t| long_date(t.date())),
        })
        .collect();
    render(&SitesPage {
        chrome: Chrome::member(&state, "Sites", &member.session, "/organisation").await?.with_errors(&errors),
        errors,
        rows,
        page: sites.numbers(),
        as_at: query.as_at.clone(),
        as_at_label: day.map(long_date),
        page_prefix: format!(
            "/sites?{}&",
            serde_urlencoded::to_string([("as_at", query.as_at.as_str()), ("retired", query.retired.as_str())])
                .unwrap_or_default()
        ),
        retired,
        can_manage: Action::ManageOrganisation.allows(member.scope.roles()),
        notice: match query.notice.as_str() {
            "added" => Some("Site added."),
            "changed" => Some("Site changed."),
            "retired" => Some("Site retired. It stays in the history."),
            _ => None,
        },
    })
}

#[derive(Template)]
#[template(path = "site.html")]
struct SitePage {
    chrome: Chrome,
    site: Site,
    kind: &'static str,
    added: String,
    retired: Option<String>,
    can_manage: bool,
}

fn site_id(raw: &str) -> AppResult<SiteId> {
    raw.parse().map_err(|_| AppError::NotFound)
}

pub async fn detail(State(state): State<AppState>, member: Member, Path(id): Path<String>) -> AppResult<Response> {
    let site = state.store.site(&member.scope, site_id(&id)?).await?;
    render(&SitePage {
        chrome: Chrome::member(&state, &site.name, &member.session, "/organisation").await?,
        kind: site.kind.label(),
        added: long_date(site.created_at.date()),
        retired: site.retired_at.map(|t| long_date(t.date())),
        can_manage: Action::ManageOrganisation.allows(member.scope.roles()) && site.retired_at.is_none(),
        site,
    })
}

#[derive(Template)]
#[template(path = "site_form.html")]
struct SiteFormPage {
    chrome: Chrome,
    form: SiteForm,
    errors: FormErrors,
    action: String,
    heading: &'static str,
    kinds: Vec<(&'static str, &'static str)>,
    yes_no: Vec<(&'static str, &'static str)>,
}

async fn form_page(
    state: &AppState,
    member: &Member,
    action: String,
    form: SiteForm,
    errors: FormErrors,
) -> AppResult<Response> {
    let heading = if action == "/sites/new" { "Add a site" } else { "Change a site" };
    render(&SiteFormPage {
        chrome: Chrome::member(state, heading, &member.session, "/organisation").await?.with_errors(&errors),
        form,
        errors,
        action,
        heading,
        kinds: SiteKind::ALL.iter().map(|k| (k.as_str(), k.label())).collect(),
        yes_no: YES_NO.to_vec(),
    })
}

pub async fn new_show(State(state): State<AppState>, member: Member) -> AppResult<Response> {
    form_page(&state, &member, "/sites/new".into(), SiteForm::default(), FormErrors::default()).await
}

pub async fn new_submit(
    State(state): State<AppState>,
    member: Member,
    Form(form): Form<SiteForm>,
) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    let Some(details) = form.parse(&mut errors) else {
        return form_page(&state, &member, "/sites/new".into(), form, errors).await;
    };
    let mut tx = state.store.write(&member.scope).await?;
    tx.add_site(&details).await?;
    tx.commit().await?;
    Ok(Redirect::to("/sites?notice=added").into_response())
}

pub async fn edit_show(State(state): State<AppState>, member: Member, Path(id): Path<String>) -> AppResult<Response> {
    let site = state.store.site(&member.scope, site_id(&id)?).await?;
    form_page(&state, &member, format!("/sites/{}/edit", site.id), SiteForm::from_site(&site), FormErrors::default())
        .await
}

pub async fn edit_submit(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    Form(form): Form<SiteForm>,
) -> AppResult<Response> {
    // A site nobody holds is "not found" before any check of what was typed.
    let id = state.store.site(&member.scope, site_id(&id)?).await?.id;
    let mut errors = FormErrors::default();
    let Some(details) = form.parse(&mut errors) else {
        return form_page(&state, &member, format!("/sites/{id}/edit"), form, errors).await;
    };
    let mut tx = state.store.write(&member.scope).await?;
    tx.update_site(id, &details).await?;
    tx.commit().await?;
    Ok(Redirect::to("/sites?notice=changed").into_response())
}

pub async fn retire(State(state): State<AppState>, member: Member, Path(id): Path<String>) -> AppResult<Response> {
    let mut tx = state.store.write(&member.scope).await?;
    match tx.retire_site(site_id(&id)?).await {
        Ok(()) => {}
        Err(StoreError::NotFound) => return Err(AppError::NotFound),
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    Ok(Redirect::to("/sites?notice=retired").into_response())
}
