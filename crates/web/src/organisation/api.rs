//! The organisation profile, sites and departments as JSON, validated by the same code as the pages.

use super::{ProfileForm, SiteForm, review_due};
use crate::AppState;
use crate::api::rfc3339;
use crate::api::{ApiJson, ApiQuery, AsAt, Paged, Paging, iso_date};
use crate::auth::ApiCaller;
use crate::error::{AppError, AppResult};
use crate::forms::FormErrors;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::SiteId;
use domain::profile::yes_no;
use domain::text::Name;
use serde::{Deserialize, Serialize};
use store::profile::ProfileVersion;
use store::sites::{Department, Showing, Site};
use utoipa::{IntoParams, ToSchema};

/// The profile as recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileView {
    /// When this version was recorded (RFC 3339).
    pub recorded_at: String,
    /// `england` or `wales`.
    pub nation: String,
    /// `independent_training_provider`, `employer_provider`, `fe_college` or `other`.
    pub provider_type: String,
    pub enrols_under_18: bool,
    /// `none`, `up_to_100k` or `over_100k`.
    pub subcontracting: String,
    pub has_premises: bool,
    pub local_authorities: Vec<String>,
    /// The rule sets that follow from the profile.
    pub rules: Vec<RuleView>,
    /// The date the next yearly review is due (`YYYY-MM-DD`).
    pub review_due: String,
}

/// A rule set that applies, and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct RuleView {
    pub rule: String,
    pub because: String,
}

/// A new version of the profile.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ProfileBody {
    pub nation: String,
    pub provider_type: String,
    pub enrols_under_18: bool,
    pub subcontracting: String,
    pub has_premises: bool,
    #[serde(default)]
    pub local_authorities: Vec<String>,
}

fn profile_view(version: &ProfileVersion) -> ProfileView {
    let p = &version.profile;
    ProfileView {
        recorded_at: rfc3339(version.recorded_at),
        nation: p.nation.as_str().into(),
        provider_type: p.provider_type.as_str().into(),
        enrols_under_18: p.enrols_under_18,
        subcontracting: p.subcontracting.as_str().into(),
        has_premises: p.has_premises,
        local_authorities: p.local_authorities.clone(),
        rules: p.rule_sets().into_iter().map(|a| RuleView { rule: a.rule.into(), because: a.because.into() }).collect(),
        review_due: review_due(version).to_string(),
    }
}

#[utoipa::path(get, path = "/api/v1/profile", tag = "organisation", params(AsAt),
    responses((status = 200, body = ProfileView), (status = 404, body = crate::api::ErrorBody, description = "No profile recorded by then")),
    security(("bearer" = [])))]
pub async fn profile(
    State(state): State<AppState>,
    ApiCaller(scope): ApiCaller,
    ApiQuery(query): ApiQuery<AsAt>,
) -> AppResult<Json<ProfileView>> {
    let version = state.store.profile_as_at(&scope, query.as_at).await?.ok_or(AppError::NotFound)?;
    Ok(Json(profile_view(&version)))
}

#[utoipa::path(put, path = "/api/v1/profile", tag = "organisation", request_body = ProfileBody,
    responses((status = 200, body = ProfileView), (status = 422, body = crate::api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn record_profile(
    State(state): State<AppState>,
    ApiCaller(scope): ApiCaller,
    ApiJson(body): ApiJson<ProfileBody>,
) -> AppResult<Json<ProfileView>> {
    let form = ProfileForm {
        nation: body.nation,
        provider_type: body.provider_type,
        enrols_under_18: yes_no(body.enrols_under_18).into(),
        subcontracting: body.subcontracting,
        has_premises: yes_no(body.has_premises).into(),
        local_authorities: body.local_authorities.join("\n"),
    };
    let mut errors = FormErrors::default();
    let profile = form.parse(&mut errors).ok_or(errors)?;
    let mut tx = state.store.write(&scope).await?;
    tx.record_profile(&profile).await?;
    tx.commit().await?;
    let version = state.store.profile_as_at(&scope, None).await?.ok_or(AppError::NotFound)?;
    Ok(Json(profile_view(&version)))
}

/// A site.
#[derive(Debug, Serialize, ToSchema)]
pub struct SiteView {
    pub id: String,
    pub name: String,
    /// `main_site`, `training_centre`, `office`, `employer_workplace` or `other`.
    pub kind: String,
    pub address: String,
    pub postcode: String,
    pub shared_with: String,
    pub let_to_others: bool,
    pub created_at: String,
    pub retired_at: Option<String>,
}

/// A site's details.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SiteBody {
    pub name: String,
    pub kind: String,
    pub address: String,
    pub postcode: String,
    #[serde(default)]
    pub shared_with: String,
    pub let_to_others: bool,
}

impl SiteBody {
    fn parse(self) -> AppResult<store::sites::SiteDetails> {
        let form = SiteForm {
            name: self.name,
            kind: self.kind,
            address: self.address,
            postcode: self.postcode,
            shared_with: self.shared_with,
            let_to_others: yes_no(self.let_to_others).into(),
        };
        let mut errors = FormErrors::default();
        form.parse(&mut errors).ok_or_else(|| errors.into())
    }
}

fn site_view(site: Site) -> SiteView {
    SiteView {
        id: site.id.to_string(),
        name: site.name,
        kind: site.kind.as_str().into(),
        address: site.address,
        postcode: site.postcode,
        shared_with: site.shared_with,
        let_to_others: site.let_to_others,
        created_at: rfc3339(site.created_at),
        retired_at: site.retired_at.map(rfc3339),
    }
}

/// Which sites to list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct SiteFilter {
    /// The sites in use at the end of this day (`YYYY-MM-DD`).
    #[param(required = false, value_type = Option<String>, format = Date)]
    #[serde(with = "iso_date::option")]
    pub as_at: Option<time::Date>,
    /// Include retired sites (ignored with `as_at`).
    #[param(required = false)]
    pub include_retired: bool,
}

fn site_id(raw: &str) -> AppResult<SiteId> {
    raw.parse().map_err(|_| AppError::NotFound)
}

#[utoipa::path(get, path = "/api/v1/sites", tag = "organisation", params(Paging, SiteFilter),
    responses((status = 200, body = Paged<SiteView>)), security(("bearer" = [])))]
pub async fn sites(
    State(state): State<AppState>,
    ApiCaller(scope): ApiCaller,
    ApiQuery(paging): ApiQuery<Paging>,
    ApiQuery(filter): ApiQuery<SiteFilter>,
) -> AppResult<Json<Paged<SiteView>>> {
    let showing = match (filter.as_at, filter.include_retired) {
        (Some(day), _) => Showing::AsAt(day),
        (None, true) => Showing::All,
        (None, false) => Showing::Current,
    };
    let (page, per_page) = paging.checked()?;
    let page = state.store.sites_page(&scope, showing, page, per_page).await?;
    Ok(Json(Paged::from(page, site_view)))
}

#[utoipa::path(post, path = "/api/v1/sites", tag = "organisation", request_body = SiteBody,
    responses((status = 201, body = SiteView), (status = 422, body = crate::api::ErrorBody)), security(("bearer" = [])))]
pub async fn add_site(
    State(state): State<AppState>,
    ApiCaller(scope): ApiCaller,
    ApiJson(body): ApiJson<SiteBody>,
) -> AppResult<(StatusCode, Json<SiteView>)> {
    let details = body.parse()?;
    let mut tx = state.store.write(&scope).await?;
    let id = tx.add_site(&details).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(site_view(state.store.site(&scope, id).await?))))
}

#[utoipa::path(get, path = "/api/v1/sites/{id}", tag = "organisation", params(("id" = String, Path)),
    responses((status = 200, body = SiteView), (status = 404, body = crate::api::ErrorBody)), security(("bearer" = [])))]
pub async fn site(
    State(state): State<AppState>,
    ApiCaller(scope): ApiCaller,
    Path(id): Path<String>,
) -> AppResult<Json<SiteView>> {
    Ok(Json(site_view(state.store.site(&scope, site_id(&id)?).await?)))
}

#[utoipa::path(put, path = "/api/v1/sites/{id}", tag = "organisation", params(("id" = String, Path)), request_body = SiteBody,
    responses((status = 200, body = SiteView), (status = 404, body = crate::api::ErrorBody), (status = 422, body = crate::api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn update_site(
    State(state): State<AppState>,
    ApiCaller(scope): ApiCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<SiteBody>,
) -> AppResult<Json<SiteView>> {
    let id = site_id(&id)?;
    let details = body.parse()?;
    let mut tx = state.store.write(&scope).await?;
    tx.update_site(id, &details).await?;
    tx.commit().await?;
    Ok(Json(site_view(state.store.site(&scope, id).await?)))
}

#[utoipa::path(post, path = "/api/v1/sites/{id}/retire", tag = "organisation", params(("id" = String, Path)),
    responses((status = 200, body = SiteView), (status = 404, body = crate::api::ErrorBody)), security(("bearer" = [])))]
pub async fn retire_site(
    State(state): State<AppState>,
    ApiCaller(scope): ApiCaller,
    Path(id): Path<String>,
) -> AppResult<Json<SiteView>> {
    let id = site_id(&id)?;
    let mut tx = state.store.write(&scope).await?;
    tx.retire_site(id).await?;
    tx.commit().await?;
    Ok(Json(site_view(state.store.site(&scope, id).await?)))
}

/// A department.
#[derive(Debug, Serialize, ToSchema)]
pub struct DepartmentView {
    pub id: String,
    pub name: String,
    pub created_at: String,
    pub retired_at: Option<String>,
}

fn department_view(d: Department) -> DepartmentView {
    DepartmentView {
        id: d.id.to_string(),
        name: d.name,
        created_at: rfc3339(d.created_at),
        retired_at: d.retired_at.map(rfc3339),
    }
}

/// The departments.
#[derive(Debug, Serialize, ToSchema)]
pub struct DepartmentList {
    pub items: Vec<DepartmentView>,
}

/// A new department.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DepartmentBody {
    pub name: String,
}

#[utoipa::path(get, path = "/api/v1/departments", tag = "organisation", params(AsAt),
    responses((status = 200, body = DepartmentList)), security(("bearer" = [])))]
pub async fn departments(
    State(state): State<AppState>,
    ApiCaller(scope): ApiCaller,
    ApiQuery(query): ApiQuery<AsAt>,
) -> AppResult<Json<DepartmentList>> {
    let showing = query.as_at.map_or(Showing::Current, Showing::AsAt);
    let items = state.store.departments(&scope, showing).await?.into_iter().map(department_view).collect();
    Ok(Json(DepartmentList { items }))
}

#[utoipa::path(post, path = "/api/v1/departments", tag = "organisation", request_body = DepartmentBody,
    responses((status = 201, body = DepartmentView), (status = 422, body = crate::api::ErrorBody)), security(("bearer" = [])))]
pub async fn add_department(
    State(state): State<AppState>,
    ApiCaller(scope): ApiCaller,
    ApiJson(body): ApiJson<DepartmentBody>,
) -> AppResult<(StatusCode, Json<DepartmentView>)> {
    let name =
        Name::parse(&body.name).map_err(|e| AppError::Invalid { field: "name".into(), message: e.to_string() })?;
    let mut tx = state.store.write(&scope).await?;
    let id = tx.add_department(&name).await?;
    tx.commit().await?;
    let created = state
        .store
        .departments(&scope, Showing::Current)
        .await?
        .into_iter()
        .find(|d| d.id == id)
        .ok_or(AppError::NotFound)?;
    Ok((StatusCode::CREATED, Json(department_view(created))))
}
