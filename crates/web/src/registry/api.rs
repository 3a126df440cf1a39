//! `GET /api/v1/roles`: the role registry on a date (distinct from the caller's account roles in `/me`).

use crate::AppState;
use crate::api::{ApiQuery, AsAt};
use crate::auth::ApiCaller;
use crate::error::AppResult;
use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

/// One person's term in a post.
#[derive(Debug, Serialize, ToSchema)]
pub struct PostHolderView {
    /// `dsl`, `deputy_dsl`, `board_safeguarding_lead`, `senior_leader` or `department_prevent_contact`.
    pub post: String,
    /// The post's name in the organisation's vocabulary.
    pub title: String,
    pub person_id: String,
    pub name: String,
    pub email: Option<String>,
    pub department: Option<String>,
    /// `YYYY-MM-DD`.
    pub starts_on: String,
    pub ends_on: Option<String>,
}

/// The post holders on the day asked for.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegistryView {
    /// `YYYY-MM-DD`.
    pub on: String,
    pub holders: Vec<PostHolderView>,
}

#[utoipa::path(get, path = "/api/v1/roles", tag = "registry", params(AsAt),
    responses((status = 200, body = RegistryView)), security(("bearer" = [])))]
pub async fn on_date(
    State(state): State<AppState>,
    ApiCaller(scope): ApiCaller,
    ApiQuery(query): ApiQuery<AsAt>,
) -> AppResult<Json<RegistryView>> {
    let on = query.as_at.unwrap_or(state.store.now().date());
    let org = state.store.organisation(&scope).await?;
    let holders = state
        .store
        .holders_on(&scope, on)
        .await?
        .into_iter()
        .map(|h| PostHolderView {
            post: h.post.as_str().into(),
            title: h.post.label(org.nation.vocabulary()),
            person_id: h.person.to_string(),
            name: h.name,
            email: h.email,
            department: h.department,
            starts_on: h.starts_on.to_string(),
            ends_on: h.ends_on.map(|d| d.to_string()),
        })
        .collect();
    Ok(Json(RegistryView { on: on.to_string(), holders }))
}
