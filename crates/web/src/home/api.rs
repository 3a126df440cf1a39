//! `GET /api/v1/tasks`: the caller's tasks, overdue or due within 14 days.

use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::AppResult;
use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

/// One thing the caller must do.
#[derive(Debug, Serialize, ToSchema)]
pub struct Task {
    /// Where it comes from, like `profile_review` or `invitation_expiry`.
    pub source: String,
    /// What to do, in neutral words.
    pub title: String,
    /// `YYYY-MM-DD`.
    pub due_on: String,
    pub overdue: bool,
    /// The page where it is done, relative to Vigil's address.
    pub link: String,
}

/// The caller's tasks, soonest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskList {
    pub items: Vec<Task>,
}

#[utoipa::path(get, path = "/api/v1/tasks", tag = "tasks",
    responses((status = 200, body = TaskList), (status = 401, body = crate::api::ErrorBody)), security(("bearer" = [])))]
pub async fn mine(State(state): State<AppState>, ApiCaller(scope): ApiCaller) -> AppResult<Json<TaskList>> {
    let today = state.store.now().date();
    let items = state
        .store
        .my_tasks(&scope)
        .await?
        .into_iter()
        .map(|t| Task {
            source: t.source.into(),
            overdue: t.is_overdue(today),
            title: t.title,
            due_on: t.due_on.to_string(),
            link: t.link,
        })
        .collect();
    Ok(Json(TaskList { items }))
}
