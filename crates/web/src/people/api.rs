//! The people register as JSON: list, one person, and import from CSV with the same checks as the pages.

use crate::AppState;
use crate::api::{ApiQuery, Paged, Paging};
use crate::auth::ApiCaller;
use crate::error::{AppError, AppResult};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::people::{ImportError, Known, PersonKind, parse_import};
use serde::{Deserialize, Serialize};
use store::people::{PeopleFilter, Person};
use utoipa::{IntoParams, ToSchema};

/// A person in the register.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonView {
    pub id: String,
    /// `staff`, `board`, `apprentice` or `employer`.
    pub kind: String,
    pub given_name: String,
    pub family_name: String,
    pub email: Option<String>,
    pub uln: Option<String>,
    pub role_title: String,
    pub department: Option<String>,
    pub site: Option<String>,
    pub line_manager_email: Option<String>,
    pub programme: String,
    pub employer: String,
    /// `YYYY-MM-DD`.
    pub start_date: Option<String>,
    /// `YYYY-MM-DD`: set when the person has left.
    pub end_date: Option<String>,
    pub under_18: bool,
}

fn view(person: Person, today: time::Date) -> PersonView {
    let d = person.details;
    PersonView {
        id: person.id.to_string(),
        kind: d.kind.as_str().into(),
        under_18: domain::people::under_18(d.date_of_birth, today),
        given_name: d.given_name,
        family_name: d.family_name,
        email: d.email,
        uln: d.uln,
        role_title: d.role_title,
        department: d.department,
        site: d.site,
        line_manager_email: d.line_manager_email,
        programme: d.programme,
        employer: d.employer,
        start_date: d.start_date.map(|d| d.to_string()),
        end_date: d.end_date.map(|d| d.to_string()),
    }
}

/// Which people to list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct PeopleQuery {
    /// `staff`, `board`, `apprentice` or `employer`.
    #[param(required = false)]
    pub kind: String,
    /// Names or emails containing this.
    #[param(required = false)]
    pub search: String,
    /// Include people who have left.
    #[param(required = false)]
    pub include_archived: bool,
}

#[utoipa::path(get, path = "/api/v1/people", tag = "people", params(Paging, PeopleQuery),
    responses((status = 200, body = Paged<PersonView>), (status = 403, body = crate::api::ErrorBody)), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    ApiCaller(scope): ApiCaller,
    ApiQuery(paging): ApiQuery<Paging>,
    ApiQuery(query): ApiQuery<PeopleQuery>,
) -> AppResult<Json<Paged<PersonView>>> {
    let kind = if query.kind.is_empty() {
        None
    } else {
        Some(
            PersonKind::parse(&query.kind)
                .map_err(|e| AppError::BadRequest { field: "kind".into(), message: e.0.into() })?,
        )
    };
    let filter = PeopleFilter { kind, include_archived: query.include_archived, search: Some(query.search) };
    let today = state.store.now().date();
    let (page, per_page) = paging.checked()?;
    let page = state.store.people_page(&scope, &filter, page, per_page).await?;
    Ok(Json(Paged::from(page, |p| view(p, today))))
}

#[utoipa::path(get, path = "/api/v1/people/{id}", tag = "people", params(("id" = String, Path)),
    responses((status = 200, body = PersonView), (status = 404, body = crate::api::ErrorBody)), security(("bearer" = [])))]
pub async fn one(
    State(state): State<AppState>,
    ApiCaller(scope): ApiCaller,
    Path(id): Path<String>,
) -> AppResult<Json<PersonView>> {
    let id = id.parse().map_err(|_| AppError::NotFound)?;
    let today = state.store.now().date();
    Ok(Json(view(state.store.person(&scope, id).await?, today)))
}

/// What an import did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResult {
    pub created: usize,
    pub updated: usize,
}

/// Why an import was refused: every problem, by row and column. Nothing was imported.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportProblems {
    pub error: crate::api::ErrorDetail,
    pub problems: Vec<ImportProblem>,
}

/// One problem in an import.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportProblem {
    /// The row, counting the header as row 1.
    pub row: usize,
    pub column: String,
    pub message: String,
}

#[utoipa::path(post, path = "/api/v1/people/import", tag = "people",
    request_body(content = String, content_type = "text/csv", description = "A CSV file in the template's columns"),
    responses((status = 200, body = ImportResult), (status = 422, body = ImportProblems)), security(("bearer" = [])))]
pub async fn import(
    State(state): State<AppState>,
    ApiCaller(scope): ApiCaller,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let body = String::from_utf8(body.to_vec()).map_err(|_| crate::error::AppError::BadRequest {
        field: "body".into(),
        message: "The file is not UTF-8 text: save it as CSV UTF-8 (comma delimited) and try again".into(),
    })?;
    let names = state.store.known_names(&scope).await?;
    let known = Known { departments: &names.departments, sites: &names.sites, staff_emails: &names.staff_emails };
    match parse_import(&body, state.store.now().date(), &known) {
        Ok(people) => {
            let mut tx = state.store.write(&scope).await?;
            let summary = tx.import_people(&people).await?;
            tx.commit().await?;
            Ok(Json(ImportResult { created: summary.created, updated: summary.updated }).into_response())
        }
        Err(problems) => Ok((StatusCode::UNPROCESSABLE_ENTITY, Json(problems_body(&problems))).into_response()),
    }
}

fn problems_body(problems: &[ImportError]) -> ImportProblems {
    let first = problems.first();
    ImportProblems {
        error: crate::api::ErrorDetail {
            status: 422,
            field: first.map(|p| format!("row {} {}", p.row, p.column).trim().to_owned()),
            message: format!("The file has {} problems: nothing was imported", problems.len()),
            reference: None,
        },
        problems: problems
            .iter()
            .map(|p| ImportProblem { row: p.row, column: p.column.into(), message: p.message.clone() })
            .collect(),
    }
}
