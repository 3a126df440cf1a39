//! One way to record a thing, for every capability. A [`RecordForm`] says what its form asks (its
//! fields), how the answers are checked (a domain parser, recording each problem by field) and how they
//! are saved (one `WriteTx` method). From that one description come its page (shown, and posted with
//! every problem by its field and the typing kept), its API call (typed JSON into the same check and
//! save), its rows of the route table ([`rows`]) and its part of the OpenAPI document
//! ([`api_document`]). A form cannot behave differently on a page and through the API, and it is named
//! once: in its capability's list of forms.

use crate::AppState;
use crate::api::{ApiJson, ErrorBody};
use crate::auth::{ApiCaller, Member};
use crate::error::AppResult;
use crate::forms::FormErrors;
use crate::layout::{Chrome, render};
use crate::routes::{Route, Routes, Surface};
use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use domain::policy::Action;
use serde::Serialize;
use serde::de::DeserializeOwned;
use store::{OrgScope, StoreError, StoreResult, WriteTx};
use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn, PathItem};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{
    ComponentsBuilder, ContentBuilder, OpenApi, OpenApiBuilder, PathsBuilder, Ref, Required, ResponseBuilder,
};
use utoipa::{PartialSchema, ToSchema};

/// How a form field is shown.
pub enum FieldKind {
    Text,
    Date,
    Area,
    Radios(Vec<(String, String)>),
    Select(Vec<(String, String)>),
    Hidden,
}

/// One field of a form, with what the person typed.
pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub kind: FieldKind,
    pub value: String,
}

pub fn field(name: &'static str, label: &'static str, hint: &'static str, kind: FieldKind, value: &str) -> Field {
    Field { name, label, hint, kind, value: value.to_owned() }
}

/// Choices from a list of `(value, label)`.
pub fn options(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(id, label)| ((*id).to_owned(), (*label).to_owned())).collect()
}

/// What a form belongs to, as its page shows it.
pub trait Owner: Send + Sync {
    /// Shown above the form's title, like "Case VC-2026-0001".
    fn caption(&self) -> String;
    /// The page to go back to, and its link text.
    fn back(&self) -> (String, &'static str);
}

/// One kind of thing recorded about a record, through a page and the API alike.
pub trait RecordForm: DeserializeOwned + Default + Send + Sync + 'static {
    /// What the form needs to show and check itself, loaded once per request. Loading it decides who
    /// may use the form: anyone else gets "not found".
    type Context: Owner;
    /// The checked answers, in the domain's types.
    type Parsed: Send + Sync;
    /// What the API takes: typed JSON (booleans, ISO 8601 dates, UUIDs), turned into the same answers
    /// the page's fields hold, so that one check decides both.
    type Json: DeserializeOwned + ToSchema + Into<Self> + Send + 'static;
    /// What saving answers: the API's body, and where the page goes next.
    type Saved: Serialize + ToSchema + Send + 'static;

    /// The page's path, with `{id}` for the record it belongs to.
    const PAGE: &'static str;
    /// The API's path, with `{id}`.
    const API: &'static str;
    const ACTION: Action;
    /// The OpenAPI tag, and what the API call does.
    const TAG: &'static str;
    const SUMMARY: &'static str;
    const TITLE: &'static str;
    const INTRO: &'static str;
    const SUBMIT: &'static str;
    /// The navigation section the page sits in.
    const SECTION: &'static str;
    /// What the success banner says once the form is saved.
    const SAVED: &'static str;
    /// Whether the form has a page of its own, or is only a button on another page.
    const SHOWN: bool = true;

    /// Loads the context for the record with this id.
    fn load(state: &AppState, scope: &OrgScope, id: &str) -> impl Future<Output = AppResult<Self::Context>> + Send;

    /// The form as first shown; `query` is the page's query string.
    fn start(
        _state: &AppState,
        _scope: &OrgScope,
        _context: &Self::Context,
        _query: &str,
    ) -> impl Future<Output = AppResult<Self>> + Send {
        async { Ok(Self::default()) }
    }

    fn fields(&self, context: &Self::Context) -> Vec<Field>;

    /// Checks the answers, recording each problem by field.
    fn check(&self, context: &Self::Context, errors: &mut FormErrors) -> Option<Self::Parsed>;

    /// Saves in the transaction.
    fn save(
        parsed: &Self::Parsed,
        tx: &mut WriteTx<'_>,
        context: &Self::Context,
    ) -> impl Future<Output = StoreResult<Self::Saved>> + Send;

    /// The page to show after saving.
    fn next_page(saved: &Self::Saved) -> String;
}

#[derive(Template)]
#[template(path = "record_form.html")]
struct RecordPage {
    chrome: Chrome,
    caption: String,
    intro: &'static str,
    action: String,
    submit: &'static str,
    fields: Vec<Field>,
    back: (String, &'static str),
    errors: FormErrors,
}

async fn page<F: RecordForm>(
    state: &AppState,
    member: &Member,
    id: &str,
    context: &F::Context,
    form: &F,
    errors: FormErrors,
) -> AppResult<Response> {
    render(&RecordPage {
        chrome: Chrome::member(state, F::TITLE, &member.session, F::SECTION).await?.with_errors(&errors),
        caption: context.caption(),
        intro: F::INTRO,
        action: F::PAGE.replace("{id}", id),
        submit: F::SUBMIT,
        fields: form.fields(context),
        back: context.back(),
        errors,
    })
}

/// Shows the form.
async fn show<F: RecordForm>(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> AppResult<Response> {
    let context = F::load(&state, &member.scope, &id).await?;
    let form = F::start(&state, &member.scope, &context, query.as_deref().unwrap_or_default()).await?;
    page(&state, &member, &id, &context, &form, FormErrors::default()).await
}

/// Saves the form, or shows it again with its problems and everything typed kept.
async fn submit<F: RecordForm>(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    Form(form): Form<F>,
) -> AppResult<Response> {
    let context = F::load(&state, &member.scope, &id).await?;
    let mut errors = FormErrors::default();
    let Some(parsed) = form.check(&context, &mut errors) else {
        return page(&state, &member, &id, &context, &form, errors).await;
    };
    match save::<F>(&state, &member.scope, &context, &parsed).await {
        Ok(saved) => Ok(Redirect::to(&F::next_page(&saved)).into_response()),
        Err(StoreError::Invalid { field, message }) => {
            errors.add(field, message);
            page(&state, &member, &id, &context, &form, errors).await
        }
        // The record's state refuses it: shown by the first field, so the summary links somewhere.
        Err(StoreError::Conflict(message)) => {
            errors.add(form.fields(&context).first().map_or("body", |f| f.name), message);
            page(&state, &member, &id, &context, &form, errors).await
        }
        Err(other) => Err(other.into()),
    }
}

/// Records through the API: 201 with what was saved, 400 for JSON of the wrong shape, 422 for an answer
/// the check refuses, 409 when the record's state refuses it; each error names its field.
async fn record<F: RecordForm>(
    State(state): State<AppState>,
    ApiCaller(scope): ApiCaller,
    Path(id): Path<String>,
    ApiJson(json): ApiJson<F::Json>,
) -> AppResult<(StatusCode, Json<F::Saved>)> {
    let context = F::load(&state, &scope, &id).await?;
    let form: F = json.into();
    let mut errors = FormErrors::default();
    let parsed = form.check(&context, &mut errors).ok_or(errors)?;
    let saved = save::<F>(&state, &scope, &context, &parsed).await?;
    Ok((StatusCode::CREATED, Json(saved)))
}

/// The one save, for pages and the API.
async fn save<F: RecordForm>(
    state: &AppState,
    scope: &OrgScope,
    context: &F::Context,
    parsed: &F::Parsed,
) -> StoreResult<F::Saved> {
    let mut tx = state.store.write(scope).await?;
    let saved = F::save(parsed, &mut tx, context).await?;
    tx.commit().await?;
    Ok(saved)
}

/// The form's rows of the route table: its page (shown and posted) and its API call.
pub fn rows<F: RecordForm>() -> Routes {
    let row = |method: Method, path, surface| Route { method, path, action: F::ACTION, surface };
    let mut rows = Vec::new();
    if F::SHOWN {
        rows.push((row(Method::GET, F::PAGE, Surface::Page), axum::routing::get(show::<F>)));
    }
    rows.push((row(Method::POST, F::PAGE, Surface::Page), axum::routing::post(submit::<F>)));
    rows.push((row(Method::POST, F::API, Surface::Api), axum::routing::post(record::<F>)));
    rows
}

/// The form's part of the OpenAPI document: its API call, its body and its answer.
pub fn api_document<F: RecordForm>() -> OpenApi {
    let body = |name: &str| ContentBuilder::new().schema(Some(Ref::from_schema_name(name))).build();
    let error = |description: &str| {
        ResponseBuilder::new().description(description).content("application/json", body(&ErrorBody::name())).build()
    };
    let operation = OperationBuilder::new()
        .tag(F::TAG)
        .summary(Some(F::SUMMARY))
        .parameter(
            ParameterBuilder::new()
                .name("id")
                .parameter_in(ParameterIn::Path)
                .required(Required::True)
                .description(Some("The id of the record it belongs to")),
        )
        .request_body(Some(
            RequestBodyBuilder::new()
                .content("application/json", body(&F::Json::name()))
                .required(Some(Required::True))
                .build(),
        ))
        .response(
            "201",
            ResponseBuilder::new().description("Recorded").content("application/json", body(&F::Saved::name())).build(),
        )
        .response("400", error("The body is not JSON of the right shape; the field is named"))
        .response("404", error("No such record, or the caller does not reach it"))
        .response("409", error("The record's state does not allow it"))
        .response("422", error("An answer is refused; the field is named"))
        .security(SecurityRequirement::new("bearer", Vec::<String>::new()));
    let mut schemas = Vec::new();
    F::Json::schemas(&mut schemas);
    F::Saved::schemas(&mut schemas);
    schemas.push((F::Json::name().into_owned(), F::Json::schema()));
    schemas.push((F::Saved::name().into_owned(), F::Saved::schema()));
    OpenApiBuilder::new()
        .paths(PathsBuilder::new().path(F::API, PathItem::new(HttpMethod::Post, operation)))
        .components(Some(ComponentsBuilder::new().schemas_from_iter(schemas).build()))
        .build()
}

/// A form, for a capability's list of the forms it offers.
pub struct Registration {
    pub rows: fn() -> Routes,
    pub api: fn() -> OpenApi,
    /// The form's page, and what the banner says once it is saved.
    pub page: &'static str,
    pub saved: &'static str,
}

/// Registers a form: its rows and its part of the document come from the one type.
#[must_use]
pub const fn register<F: RecordForm>() -> Registration {
    Registration { rows: rows::<F>, api: api_document::<F>, page: F::PAGE, saved: F::SAVED }
}
