//! Sites: buildings and land, listed now or as at a past date, added, changed and retired.

use super::SiteForm;
use crate::AppState;
use crate::auth::Member;
use crate::error::{AppError, AppResult};
use crate::forms::AsAtQuery;
use crate::forms::{FormErrors, YES_NO};
use crate::layout::{Chrome, long_date, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::SiteId;
use domain::policy::Action;
use domain::profile::SiteKind;
use serde::Deserialize;
use store::Page;
use store::StoreError;
use store::sites::{Showing, Site};

const PER_PAGE: u32 = 50;

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
#[template(path = "organisation/sites.html")]
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
#[template(path = "organisation/site.html")]
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
#[template(path = "organisation/site_form.html")]
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
