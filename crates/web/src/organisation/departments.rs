//! Departments: added and retired, listed now or as at a past date.

use crate::AppState;
use crate::auth::Member;
use crate::error::{AppError, AppResult};
use crate::forms::AsAtQuery;
use crate::forms::FormErrors;
use crate::layout::{Chrome, long_date, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::DepartmentId;
use domain::policy::Action;
use serde::Deserialize;
use store::StoreError;
use store::sites::Showing;

struct Row {
    id: DepartmentId,
    name: String,
    added: String,
}

#[derive(Template)]
#[template(path = "organisation/departments.html")]
struct DepartmentsPage {
    chrome: Chrome,
    errors: FormErrors,
    rows: Vec<Row>,
    typed_name: String,
    as_at: String,
    as_at_label: Option<String>,
    can_manage: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DepartmentForm {
    name: String,
}

async fn page(
    state: &AppState,
    member: &Member,
    query: &AsAtQuery,
    name: String,
    mut errors: FormErrors,
) -> AppResult<Response> {
    let day = query.day(&mut errors);
    let departments = state.store.departments(&member.scope, day.map_or(Showing::Current, Showing::AsAt)).await?;
    render(&DepartmentsPage {
        chrome: Chrome::member(state, "Departments", &member.session, "/organisation").await?.with_errors(&errors),
        errors,
        rows: departments
            .into_iter()
            .map(|d| Row { id: d.id, name: d.name, added: long_date(d.created_at.date()) })
            .collect(),
        typed_name: name,
        as_at: query.as_at.clone(),
        as_at_label: day.map(long_date),
        can_manage: Action::ManageOrganisation.allows(member.scope.roles()) && day.is_none(),
    })
}

pub async fn list(
    State(state): State<AppState>,
    member: Member,
    Query(query): Query<AsAtQuery>,
) -> AppResult<Response> {
    page(&state, &member, &query, String::new(), FormErrors::default()).await
}

pub async fn add(
    State(state): State<AppState>,
    member: Member,
    Form(form): Form<DepartmentForm>,
) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    if let Some(name) = errors.name("name", &form.name, "Enter the department's name") {
        let mut tx = state.store.write(&member.scope).await?;
        match tx.add_department(&name).await {
            Ok(_) => {
                tx.commit().await?;
                return Ok(Redirect::to("/departments").into_response());
            }
            Err(StoreError::Invalid { field, message }) => errors.add(field, message),
            Err(e) => return Err(AppError::from(e)),
        }
    }
    page(&state, &member, &AsAtQuery::default(), form.name, errors).await
}

#[derive(Template)]
#[template(path = "organisation/department.html")]
struct DepartmentPage {
    chrome: Chrome,
    errors: FormErrors,
    id: DepartmentId,
    name: String,
    typed_name: String,
    added: String,
    retired: Option<String>,
    can_manage: bool,
}

fn department_id(raw: &str) -> AppResult<DepartmentId> {
    raw.parse().map_err(|_| AppError::NotFound)
}

async fn department_page(
    state: &AppState,
    member: &Member,
    id: DepartmentId,
    typed: Option<String>,
    errors: FormErrors,
) -> AppResult<Response> {
    let department = state.store.department(&member.scope, id).await?;
    render(&DepartmentPage {
        chrome: Chrome::member(state, &department.name, &member.session, "/organisation").await?.with_errors(&errors),
        errors,
        id,
        typed_name: typed.unwrap_or_else(|| department.name.clone()),
        added: long_date(department.created_at.date()),
        retired: department.retired_at.map(|t| long_date(t.date())),
        can_manage: Action::ManageOrganisation.allows(member.scope.roles()) && department.retired_at.is_none(),
        name: department.name,
    })
}

pub async fn detail(State(state): State<AppState>, member: Member, Path(id): Path<String>) -> AppResult<Response> {
    department_page(&state, &member, department_id(&id)?, None, FormErrors::default()).await
}

pub async fn rename(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    Form(form): Form<DepartmentForm>,
) -> AppResult<Response> {
    let id = department_id(&id)?;
    let mut errors = FormErrors::default();
    if let Some(name) = errors.name("name", &form.name, "Enter the department's name") {
        let mut tx = state.store.write(&member.scope).await?;
        match tx.rename_department(id, &name).await {
            Ok(()) => {
                tx.commit().await?;
                return Ok(Redirect::to("/departments").into_response());
            }
            Err(StoreError::Invalid { field, message }) => errors.add(field, message),
            Err(e) => return Err(AppError::from(e)),
        }
    }
    department_page(&state, &member, id, Some(form.name), errors).await
}

pub async fn retire(State(state): State<AppState>, member: Member, Path(id): Path<String>) -> AppResult<Response> {
    let mut tx = state.store.write(&member.scope).await?;
    tx.retire_department(department_id(&id)?).await?;
    tx.commit().await?;
    Ok(Redirect::to("/departments").into_response())
}
