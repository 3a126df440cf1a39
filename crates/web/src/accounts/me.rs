//! `GET /api/v1/me`: who the token acts as, and in which organisation.

use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::{AppError, AppResult};
use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

/// The caller.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub account_id: String,
    pub email: String,
    pub display_name: String,
    pub organisation: MeOrganisation,
    /// The caller's account roles in this organisation.
    #[schema(example = json!(["admin"]))]
    pub roles: Vec<String>,
}

/// The organisation the token acts in.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeOrganisation {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub nation: String,
    pub regulator: String,
}

#[utoipa::path(get, path = "/api/v1/me", tag = "account",
    responses((status = 200, body = Me), (status = 401, body = crate::api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn me(State(state): State<AppState>, ApiCaller(scope): ApiCaller) -> AppResult<Json<Me>> {
    let account = scope.actor().account.ok_or(AppError::Forbidden)?;
    let member = state.store.member(&scope, account).await?;
    let org = state.store.organisation(&scope).await?;
    Ok(Json(Me {
        account_id: account.to_string(),
        email: member.email,
        display_name: member.display_name,
        organisation: MeOrganisation {
            id: org.id.to_string(),
            slug: org.slug,
            name: org.name,
            nation: org.nation.as_str().into(),
            regulator: org.nation.vocabulary().regulator.into(),
        },
        roles: scope.roles().iter().map(|r| r.as_str().to_owned()).collect(),
    }))
}
