//! `GET /api/v1/users`: the organisation's accounts and their roles, for administrators.

use crate::AppState;
use crate::api::{ApiQuery, Paged, Paging};
use crate::auth::ApiCaller;
use crate::error::AppResult;
use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

/// An account in the organisation.
#[derive(Debug, Serialize, ToSchema)]
pub struct User {
    pub account_id: String,
    pub email: String,
    pub display_name: String,
    pub roles: Vec<UserRole>,
    pub second_factor: bool,
    pub disabled: bool,
}

/// A role in force, with its end date if it has one.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserRole {
    pub role: String,
    /// `YYYY-MM-DD`.
    pub ends_on: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(Paging),
    responses((status = 200, body = Paged<User>), (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    ApiCaller(scope): ApiCaller,
    ApiQuery(paging): ApiQuery<Paging>,
) -> AppResult<Json<Paged<User>>> {
    let (page, per_page) = paging.checked()?;
    let page = state.store.members_page(&scope, page, per_page).await?;
    Ok(Json(Paged::from(page, |m| User {
        account_id: m.account_id.to_string(),
        email: m.email,
        display_name: m.display_name,
        roles: m
            .roles
            .into_iter()
            .map(|r| UserRole { role: r.role.as_str().into(), ends_on: r.ends_on.map(|d| d.to_string()) })
            .collect(),
        second_factor: m.second_factor,
        disabled: m.disabled_at.is_some(),
    })))
}
