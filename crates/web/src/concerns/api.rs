//! `/api/v1/concerns`: raise a concern, and list one's own receipts (never the content).

use super::{ConcernForm, raise};
use crate::AppState;
use crate::api::ApiJson;
use crate::auth::ApiCaller;
use crate::error::AppResult;
use crate::forms::FormErrors;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::profile::yes_no;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A concern to raise.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ConcernBody {
    /// Who it is about, by name; omit or `null` when it is about the person raising it.
    #[serde(default)]
    pub about: Option<String>,
    /// What was seen or heard, in the person's own words where possible.
    pub what_happened: String,
    #[serde(default)]
    pub when_and_where: String,
    /// A category id from `frameworks/concern-categories.csv`, like `online` or `other`.
    pub category: String,
    pub immediate_danger: bool,
    pub told_in_person: bool,
    /// About a member of staff or the safeguarding team: it goes to the senior leader instead.
    #[serde(default)]
    pub about_staff: bool,
}

/// A receipt: what the person who raised a concern may see of it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Receipt {
    pub id: String,
    pub reference: String,
    pub category: String,
    /// `received`, `being_handled` or `closed`.
    pub status: String,
    /// RFC 3339.
    pub raised_at: String,
}

/// The receipt for a concern just raised, with who was alerted.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewReceipt {
    #[serde(flatten)]
    pub receipt: Receipt,
    /// Who was alerted: `team` (the safeguarding leads), `senior_leader` (a concern about staff),
    /// `leadership` (no lead or deputy could receive it, so the senior leader and the board's safeguarding
    /// lead), or `nobody` (phone the safeguarding contact now).
    pub told: String,
    /// Whether they were emailed: without a mail server they see it when they next sign in.
    pub emailed: bool,
}

/// The caller's receipts, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct Receipts {
    pub items: Vec<Receipt>,
}

#[utoipa::path(post, path = "/api/v1/concerns", tag = "concerns", request_body = ConcernBody,
    responses((status = 201, body = NewReceipt),
        (status = 409, description = "Concerns cannot be raised here yet: no safeguarding lead who can sign in holds the post", body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody)), security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    ApiCaller(scope): ApiCaller,
    ApiJson(body): ApiJson<ConcernBody>,
) -> AppResult<(StatusCode, Json<NewReceipt>)> {
    let form = ConcernForm {
        about: if body.about.is_some() { "someone" } else { "me" }.into(),
        about_name: body.about.unwrap_or_default(),
        what_happened: body.what_happened,
        when_and_where: body.when_and_where,
        category: body.category.clone(),
        immediate_danger: yes_no(body.immediate_danger).into(),
        told_in_person: yes_no(body.told_in_person).into(),
        about_staff: yes_no(body.about_staff).into(),
        received_via: String::new(),
    };
    let mut errors = FormErrors::default();
    let offered = state.store.concern_settings(&scope).await?.offered();
    let concern = form.parse(&offered, &mut errors).ok_or(errors)?;
    let raised = raise(&state, &scope, concern).await?;
    let receipt = Receipt {
        id: raised.id.to_string(),
        reference: raised.reference,
        category: body.category,
        status: "received".into(),
        raised_at: crate::api::rfc3339(state.store.now()),
    };
    let emailed = state.config.sends_email && raised.told != domain::reach::Told::Nobody;
    Ok((StatusCode::CREATED, Json(NewReceipt { receipt, told: raised.told.as_str().into(), emailed })))
}

#[utoipa::path(get, path = "/api/v1/concerns", tag = "concerns",
    responses((status = 200, body = Receipts)), security(("bearer" = [])))]
pub async fn mine(State(state): State<AppState>, ApiCaller(scope): ApiCaller) -> AppResult<Json<Receipts>> {
    let items = state
        .store
        .my_concerns(&scope)
        .await?
        .into_iter()
        .map(|c| Receipt {
            id: c.id.to_string(),
            reference: c.reference,
            category: c.category,
            status: c.status.as_str().into(),
            raised_at: crate::api::rfc3339(c.raised_at),
        })
        .collect();
    Ok(Json(Receipts { items }))
}

/// A concern waiting for, or in the hands of, the safeguarding team: no content.
#[derive(Debug, Serialize, ToSchema)]
pub struct InboxItem {
    /// The case it opened, once acknowledged.
    pub case_reference: Option<String>,
    pub id: String,
    pub reference: String,
    pub category: String,
    /// `received`, `being_handled` or `closed`.
    pub status: String,
    pub immediate_danger: bool,
    /// RFC 3339.
    pub raised_at: String,
}

#[utoipa::path(get, path = "/api/v1/concerns/inbox", tag = "concerns", params(crate::api::Paging),
    responses((status = 200, body = crate::api::Paged<InboxItem>), (status = 403, body = crate::api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn inbox(
    State(state): State<AppState>,
    ApiCaller(scope): ApiCaller,
    crate::api::ApiQuery(paging): crate::api::ApiQuery<crate::api::Paging>,
) -> AppResult<Json<crate::api::Paged<InboxItem>>> {
    let (page, per_page) = paging.checked()?;
    let page = state.store.concern_inbox(&scope, page, per_page).await?;
    Ok(Json(crate::api::Paged::from(page, |entry| InboxItem {
        id: entry.summary.id.to_string(),
        reference: entry.summary.reference,
        category: entry.summary.category,
        status: entry.summary.status.as_str().into(),
        immediate_danger: entry.summary.immediate_danger,
        raised_at: crate::api::rfc3339(entry.summary.raised_at),
        case_reference: entry.case_reference,
    })))
}

/// The case opened when a concern is acknowledged.
#[derive(Debug, Serialize, ToSchema)]
pub struct Acknowledged {
    pub case: String,
}

#[utoipa::path(post, path = "/api/v1/concerns/{id}/acknowledge", tag = "concerns",
    params(("id" = String, Path, description = "The concern's id")),
    responses((status = 201, body = Acknowledged), (status = 404, body = crate::api::ErrorBody)), security(("bearer" = [])))]
pub async fn acknowledge(
    State(state): State<AppState>,
    ApiCaller(scope): ApiCaller,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> AppResult<(StatusCode, Json<Acknowledged>)> {
    let id: domain::ConcernId = id.parse().map_err(|_| crate::error::AppError::NotFound)?;
    let mut tx = state.store.write(&scope).await?;
    let case = tx.acknowledge_concern(id).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Acknowledged { case: case.to_string() })))
}

/// How concerns are raised in the organisation.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SettingsBody {
    /// Hours a concern may wait to be acknowledged before it escalates to the deputies, from 1 to 72.
    #[schema(minimum = 1, maximum = 72)]
    pub acknowledge_within_hours: u8,
    /// Minutes a concern about someone in immediate danger may wait to be acknowledged before it escalates
    /// to the senior leader (and the deputies), from 1 to 60; 15 when left out.
    #[serde(default = "default_danger_minutes")]
    #[schema(minimum = 1, maximum = 60)]
    pub danger_escalates_after_minutes: u8,
    /// Category ids reporters are not offered; never `prevent` or `other`.
    #[serde(default)]
    pub hidden_categories: Vec<String>,
}

fn default_danger_minutes() -> u8 {
    domain::concerns::ConcernSettings::default().danger_escalates_after_minutes
}

#[utoipa::path(get, path = "/api/v1/concern-settings", tag = "concerns",
    responses((status = 200, body = SettingsBody), (status = 403, body = crate::api::ErrorBody)), security(("bearer" = [])))]
pub async fn settings(State(state): State<AppState>, ApiCaller(scope): ApiCaller) -> AppResult<Json<SettingsBody>> {
    let settings = state.store.concern_settings(&scope).await?;
    Ok(Json(SettingsBody {
        acknowledge_within_hours: settings.acknowledge_within_hours,
        danger_escalates_after_minutes: settings.danger_escalates_after_minutes,
        hidden_categories: settings.hidden_categories,
    }))
}

#[utoipa::path(put, path = "/api/v1/concern-settings", tag = "concerns", request_body = SettingsBody,
    responses((status = 200, body = SettingsBody), (status = 422, body = crate::api::ErrorBody)), security(("bearer" = [])))]
pub async fn record_settings(
    State(state): State<AppState>,
    ApiCaller(scope): ApiCaller,
    ApiJson(body): ApiJson<SettingsBody>,
) -> AppResult<Json<SettingsBody>> {
    let settings = domain::concerns::ConcernSettings::parse(
        &body.acknowledge_within_hours.to_string(),
        &body.danger_escalates_after_minutes.to_string(),
        &body.hidden_categories,
    )
    .map_err(|(field, message)| crate::error::AppError::Invalid { field: field.into(), message: message.into() })?;
    let mut tx = state.store.write(&scope).await?;
    tx.record_concern_settings(&settings).await?;
    tx.commit().await?;
    Ok(Json(body))
}

/// The person who raised a concern adds a file to it (multipart, the file in `file`), while it is open.
/// They cannot read it back.
#[utoipa::path(post, path = "/api/v1/concerns/{id}/files", tag = "concerns",
    params(("id" = String, Path, description = "The concern's id, from the receipt")),
    request_body(content = crate::platform::files::Upload, content_type = "multipart/form-data"),
    responses((status = 201, body = AddedFile), (status = 404, body = crate::api::ErrorBody), (status = 422, body = crate::api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn add_file(
    State(state): State<AppState>,
    ApiCaller(scope): ApiCaller,
    axum::extract::Path(id): axum::extract::Path<String>,
    mut form: axum::extract::Multipart,
) -> AppResult<(StatusCode, Json<AddedFile>)> {
    let id: domain::ConcernId = id.parse().map_err(|_| crate::error::AppError::NotFound)?;
    let (name, bytes) = crate::uploads::uploaded(&mut form).await?;
    let mut tx = state.store.write(&scope).await?;
    tx.attach_to_concern(id, &name, &bytes).await?;
    tx.commit().await?;
    let added =
        AddedFile { concern: id.to_string(), filename: domain::files::clean_filename(&name), size: bytes.len() };
    Ok((StatusCode::CREATED, Json(added)))
}

/// A file added to a concern, which its reporter cannot read back.
#[derive(Debug, Serialize, ToSchema)]
pub struct AddedFile {
    pub concern: String,
    pub filename: String,
    /// In bytes.
    pub size: usize,
}
