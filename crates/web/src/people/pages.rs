//! The people register: list and search, one person, archive a leaver, add one person, import from CSV
//! (check, preview, confirm: all or nothing), export to CSV, and an apprentice's or employer's own record.

use crate::AppState;
use crate::auth::Member;
use crate::error::{AppError, AppResult};
use crate::forms::FormErrors;
use crate::layout::{Chrome, long_date, render};
use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use domain::PersonId;
use domain::audit::AuditEvent;
use domain::people::{
    COLUMNS, EXAMPLE, ImportError, Known, PersonDetails, PersonKind, parse_import, parse_person, spreadsheet_safe,
    under_18,
};
use domain::policy::Action;
use domain::text::parse_date;
use serde::Deserialize;
use std::collections::HashMap;
use store::Page;
use store::StoreError;
use store::people::{PeopleFilter, Person};

const PER_PAGE: u32 = 50;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    page: u32,
    kind: String,
    search: String,
    archived: String,
    notice: String,
    created: usize,
    updated: usize,
}

struct Row {
    id: PersonId,
    name: String,
    kind: &'static str,
    detail: String,
    left: Option<String>,
    under_18: bool,
}

#[derive(Template)]
#[template(path = "people/people.html")]
struct PeoplePage {
    chrome: Chrome,
    rows: Vec<Row>,
    page: Page<()>,
    kinds: Vec<(&'static str, &'static str)>,
    query: ListQuery,
    /// The list's address with its filters, to which pagination adds `page=`.
    page_prefix: String,
    can_manage: bool,
    notice: Option<String>,
}

fn row(person: &Person, today: time::Date) -> Row {
    let d = &person.details;
    Row {
        id: person.id,
        name: person.full_name(),
        kind: d.kind.label(),
        detail: match d.kind {
            PersonKind::Apprentice => [d.programme.as_str(), d.employer.as_str()]
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(", "),
            _ => d.role_title.clone(),
        },
        left: d.end_date.filter(|end| *end < today).map(long_date),
        under_18: under_18(d.date_of_birth, today),
    }
}

pub async fn list(
    State(state): State<AppState>,
    member: Member,
    Query(query): Query<ListQuery>,
) -> AppResult<Response> {
    let filter = PeopleFilter {
        kind: PersonKind::parse(&query.kind).ok(),
        include_archived: query.archived == "show",
        search: Some(query.search.clone()),
    };
    let people = state.store.people_page(&member.scope, &filter, query.page, PER_PAGE).await?;
    let today = state.store.now().date();
    let notice = match query.notice.as_str() {
        "added" => Some("Person added.".to_owned()),
        "archived" => Some("Archived. They stay in the register's history.".to_owned()),
        "imported" => Some(format!("Imported: {} new, {} updated.", query.created, query.updated)),
        _ => None,
    };
    render(&PeoplePage {
        chrome: Chrome::member(&state, "People", &member.session, "/people").await?,
        rows: people.items.iter().map(|p| row(p, today)).collect(),
        page: people.numbers(),
        kinds: PersonKind::ALL.iter().map(|k| (k.as_str(), k.label())).collect(),
        page_prefix: format!(
            "/people?{}&",
            serde_urlencoded::to_string([
                ("kind", &query.kind),
                ("search", &query.search),
                ("archived", &query.archived)
            ])
            .unwrap_or_default()
        ),
        query,
        can_manage: Action::ManagePeople.allows(member.scope.roles()),
        notice,
    })
}

#[derive(Template)]
#[template(path = "people/person.html")]
struct PersonPage {
    chrome: Chrome,
    person: Person,
    facts: Vec<(&'static str, String)>,
    errors: FormErrors,
    can_manage: bool,
    left: bool,
}

/// What the page shows of a person, by kind: nothing an apprentice's record does not need.
fn facts(person: &Person, today: time::Date) -> Vec<(&'static str, String)> {
    let d = &person.details;
    let date = |day: Option<time::Date>| day.map(long_date).unwrap_or_default();
    let mut facts = vec![("Kind", d.kind.label().to_owned()), ("Email", d.email.clone().unwrap_or_default())];
    match d.kind {
        PersonKind::Apprentice => {
            facts.push(("ULN", d.uln.clone().unwrap_or_default()));
            facts.push(("Programme", d.programme.clone()));
            facts.push(("Level", d.level.clone()));
            facts.push(("Employer", d.employer.clone()));
            facts.push(("Workplace contact", d.workplace_contact.clone()));
            facts.push(("Date of birth", date(d.date_of_birth)));
            if under_18(d.date_of_birth, today) {
                facts.push(("Under 18", "Yes".into()));
                facts.push(("Parent or carer", d.parent_carer_contact.clone()));
            }
            facts.push(("Planned end", date(d.planned_end_date)));
            facts.push(("Home local authority", d.home_local_authority.clone()));
            facts.push(("Workplace local authority", d.workplace_local_authority.clone()));
        }
        _ => {
            facts.push(("Role", d.role_title.clone()));
            facts.push(("Line manager", person.line_manager_name.clone().unwrap_or_default()));
        }
    }
    facts.push(("Department", d.department.clone().unwrap_or_default()));
    facts.push(("Site", d.site.clone().unwrap_or_default()));
    facts.push(("Started", date(d.start_date)));
    facts.push(("Left", date(d.end_date)));
    facts.retain(|(_, value)| !value.is_empty());
    facts
}

fn person_id(raw: &str) -> AppResult<PersonId> {
    raw.parse().map_err(|_| AppError::NotFound)
}

async fn person_page(state: &AppState, member: &Member, id: PersonId, errors: FormErrors) -> AppResult<Response> {
    let person = state.store.person(&member.scope, id).await?;
    let today = state.store.now().date();
    render(&PersonPage {
        chrome: Chrome::member(state, &person.full_name(), &member.session, "/people").await?.with_errors(&errors),
        facts: facts(&person, today),
        left: person.details.end_date.is_some(),
        person,
        errors,
        can_manage: Action::ManagePeople.allows(member.scope.roles()),
    })
}

pub async fn detail(State(state): State<AppState>, member: Member, Path(id): Path<String>) -> AppResult<Response> {
    let id = person_id(&id)?;
    person_page(&state, &member, id, FormErrors::default()).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ArchiveForm {
    end_date: String,
}

pub async fn archive(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    Form(form): Form<ArchiveForm>,
) -> AppResult<Response> {
    let id = person_id(&id)?;
    let mut errors = FormErrors::default();
    let Some(end) = errors.check("end_date", parse_date(&form.end_date)) else {
        return person_page(&state, &member, id, errors).await;
    };
    let mut tx = state.store.write(&member.scope).await?;
    tx.archive_person(id, end).await?;
    tx.commit().await?;
    Ok(Redirect::to("/people?notice=archived").into_response())
}

/// A person typed into the form: the template's columns, as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(transparent)]
pub struct PersonForm(HashMap<String, String>);

impl PersonForm {
    /// What was typed in a field, for showing it again.
    pub fn value(&self, field: &str) -> &str {
        self.0.get(field).map_or("", String::as_str)
    }

    fn cells(&self) -> HashMap<&'static str, String> {
        COLUMNS.iter().map(|(column, _)| (*column, self.value(column).to_owned())).collect()
    }

    fn from_person(person: &Person) -> Self {
        let d = &person.details;
        let date = |day: Option<time::Date>| day.map(|d| d.to_string()).unwrap_or_default();
        let pairs = [
            ("kind", d.kind.as_str().to_owned()),
            ("given_name", d.given_name.clone()),
            ("family_name", d.family_name.clone()),
            ("email", d.email.clone().unwrap_or_default()),
            ("uln", d.uln.clone().unwrap_or_default()),
            ("role_title", d.role_title.clone()),
            ("department", d.department.clone().unwrap_or_default()),
            ("site", d.site.clone().unwrap_or_default()),
            ("line_manager_email", d.line_manager_email.clone().unwrap_or_default()),
            ("start_date", date(d.start_date)),
            ("end_date", date(d.end_date)),
            ("programme", d.programme.clone()),
            ("level", d.level.clone()),
            ("employer", d.employer.clone()),
            ("workplace_contact", d.workplace_contact.clone()),
            ("planned_end_date", date(d.planned_end_date)),
            ("date_of_birth", date(d.date_of_birth)),
            ("parent_carer_contact", d.parent_carer_contact.clone()),
            ("home_local_authority", d.home_local_authority.clone()),
            ("workplace_local_authority", d.workplace_local_authority.clone()),
        ];
        Self(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
    }
}

/// The form's fields after `kind`: column, label, hint, width. Apprentices' fields come second.
const FIELDS: &[(&str, &str, &str, &str)] = &[
    ("given_name", "Given name", "", "20"),
    ("family_name", "Family name", "", "20"),
    ("email", "Email address", "Required for staff and board members", ""),
    ("role_title", "Job role, board position or organisation (optional)", "", ""),
    ("department", "Department (optional)", "The name of a department in Vigil", "20"),
    ("site", "Site (optional)", "The name of a site in Vigil", "20"),
    ("line_manager_email", "Line manager's email (optional)", "Another member of staff in the register", ""),
    ("start_date", "Start date (optional)", "For example, 01/09/2026", "10"),
    ("end_date", "Left on (optional)", "Only if they have left: they are then archived", "10"),
];
const APPRENTICE_FIELDS: &[(&str, &str, &str, &str)] = &[
    ("uln", "Unique learner number (ULN)", "10 digits", "10"),
    ("date_of_birth", "Date of birth", "For example, 14/02/2009", "10"),
    ("programme", "Programme or standard (optional)", "", ""),
    ("level", "Level (optional)", "2 to 7", "5"),
    ("employer", "Employer (optional)", "", ""),
    ("workplace_contact", "Workplace contact (optional)", "Name and phone or email", ""),
    ("planned_end_date", "Planned end (optional)", "For example, 31/08/2028", "10"),
    ("parent_carer_contact", "Parent or carer contact, while under 18 (optional)", "Name and phone or email", ""),
    ("home_local_authority", "Home local authority (optional)", "", "20"),
    ("workplace_local_authority", "Workplace local authority (optional)", "", "20"),
];

#[derive(Template)]
#[template(path = "people/person_form.html")]
struct PersonFormPage {
    chrome: Chrome,
    form: PersonForm,
    errors: FormErrors,
    kinds: Vec<(&'static str, &'static str)>,
    fields: &'static [(&'static str, &'static str, &'static str, &'static str)],
    apprentice_fields: &'static [(&'static str, &'static str, &'static str, &'static str)],
    action: String,
    heading: &'static str,
}

async fn form_page(
    state: &AppState,
    member: &Member,
    action: String,
    form: PersonForm,
    errors: FormErrors,
) -> AppResult<Response> {
    let heading = if action == "/people/new" { "Add a person" } else { "Change a person's details" };
    render(&PersonFormPage {
        chrome: Chrome::member(state, heading, &member.session, "/people").await?.with_errors(&errors),
        form,
        errors,
        kinds: PersonKind::ALL.iter().map(|k| (k.as_str(), k.label())).collect(),
        fields: FIELDS,
        apprentice_fields: APPRENTICE_FIELDS,
        action,
        heading,
    })
}

/// The one check of a person typed into the form: the import's rules for one row.
async fn check_form(
    state: &AppState,
    member: &Member,
    form: &PersonForm,
) -> AppResult<Result<PersonDetails, FormErrors>> {
    let names = state.store.known_names(&member.scope).await?;
    let known = Known { departments: &names.departments, sites: &names.sites, staff_emails: &names.staff_emails };
    Ok(parse_person(&form.cells(), state.store.now().date(), &known).map_err(|problems| form_errors(&problems)))
}

pub async fn new_show(State(state): State<AppState>, member: Member) -> AppResult<Response> {
    form_page(&state, &member, "/people/new".into(), PersonForm::default(), FormErrors::default()).await
}

pub async fn new_submit(
    State(state): State<AppState>,
    member: Member,
    Form(form): Form<PersonForm>,
) -> AppResult<Response> {
    let details = match check_form(&state, &member, &form).await? {
        Ok(details) => details,
        Err(errors) => return form_page(&state, &member, "/people/new".into(), form, errors).await,
    };
    let mut tx = state.store.write(&member.scope).await?;
    let outcome = tx.import_people(std::slice::from_ref(&details)).await;
    let mut errors = FormErrors::default();
    match outcome {
        Ok(summary) if summary.created == 1 => {
            tx.commit().await?;
            return Ok(Redirect::to("/people?notice=added").into_response());
        }
        Ok(_) => errors.add("email", "Someone in the register already has this email address or ULN"),
        Err(StoreError::Invalid { field, message }) => errors.add(field, message),
        Err(e) => return Err(e.into()),
    }
    drop(tx);
    form_page(&state, &member, "/people/new".into(), form, errors).await
}

pub async fn edit_show(State(state): State<AppState>, member: Member, Path(id): Path<String>) -> AppResult<Response> {
    let person = state.store.person(&member.scope, person_id(&id)?).await?;
    form_page(
        &state,
        &member,
        format!("/people/{}/edit", person.id),
        PersonForm::from_person(&person),
        FormErrors::default(),
    )
    .await
}

pub async fn edit_submit(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    Form(form): Form<PersonForm>,
) -> AppResult<Response> {
    // A person nobody holds is "not found" before any check of what was typed.
    let id = state.store.person(&member.scope, person_id(&id)?).await?.id;
    let action = format!("/people/{id}/edit");
    let details = match check_form(&state, &member, &form).await? {
        Ok(details) => details,
        Err(errors) => return form_page(&state, &member, action, form, errors).await,
    };
    let mut tx = state.store.write(&member.scope).await?;
    match tx.edit_person(id, &details).await {
        Ok(()) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/people/{id}")).into_response())
        }
        Err(StoreError::Invalid { field, message }) => {
            drop(tx);
            let mut errors = FormErrors::default();
            errors.add(field, message);
            form_page(&state, &member, action, form, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

fn form_errors(problems: &[ImportError]) -> FormErrors {
    let mut errors = FormErrors::default();
    for problem in problems {
        errors.add(problem.column, problem.message.clone());
    }
    errors
}

/// The import template: the header and one example row.
pub fn template_csv() -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record(COLUMNS.iter().map(|(c, _)| *c));
    let _ = writer.write_record(EXAMPLE);
    String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
}

fn csv_download(body: String, filename: &str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

pub async fn template(_: Member) -> Response {
    csv_download(template_csv(), "vigil-people-template.csv")
}

/// The register as CSV in the template's columns, so it can be edited and imported again. Cells a
/// spreadsheet would run as formulas are neutralised. The export is audited.
pub async fn export(State(state): State<AppState>, member: Member) -> AppResult<Response> {
    let people = state.store.all_people(&member.scope).await?;
    state
        .store
        .record_read(&member.scope, AuditEvent::new("people.exported", "organisation", member.scope.org().0))
        .await?;
    Ok(csv_download(people_csv(&people), "vigil-people.csv"))
}

/// People as CSV, one row each, in the template's columns.
pub fn people_csv(people: &[Person]) -> String {
    let date = |d: Option<time::Date>| d.map(|d| d.to_string()).unwrap_or_default();
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record(COLUMNS.iter().map(|(c, _)| *c));
    for person in people {
        let d = &person.details;
        let cells = [
            d.kind.as_str().to_owned(),
            d.given_name.clone(),
            d.family_name.clone(),
            d.email.clone().unwrap_or_default(),
            d.uln.clone().unwrap_or_default(),
            d.role_title.clone(),
            d.department.clone().unwrap_or_default(),
            d.site.clone().unwrap_or_default(),
            d.line_manager_email.clone().unwrap_or_default(),
            date(d.start_date),
            date(d.end_date),
            d.programme.clone(),
            d.level.clone(),
            d.employer.clone(),
            d.workplace_contact.clone(),
            date(d.planned_end_date),
            date(d.date_of_birth),
            d.parent_carer_contact.clone(),
            d.home_local_authority.clone(),
            d.workplace_local_authority.clone(),
        ];
        let _ = writer.write_record(cells.iter().map(|c| spreadsheet_safe(c)));
    }
    String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
}

#[derive(Template)]
#[template(path = "people/people_import.html")]
struct ImportPage {
    chrome: Chrome,
    errors: FormErrors,
    problems: Vec<ImportError>,
    preview: Vec<PersonDetails>,
    total: usize,
    created: usize,
    updated: usize,
    upload: String,
    columns: Vec<(&'static str, &'static str)>,
}

async fn import_page(
    state: &AppState,
    member: &Member,
    errors: FormErrors,
    problems: Vec<ImportError>,
) -> AppResult<Response> {
    render(&ImportPage {
        chrome: Chrome::member(state, "Import people", &member.session, "/people").await?.with_errors(&errors),
        errors,
        problems,
        preview: Vec::new(),
        total: 0,
        created: 0,
        updated: 0,
        upload: String::new(),
        columns: COLUMNS.to_vec(),
    })
}

pub async fn import_show(State(state): State<AppState>, member: Member) -> AppResult<Response> {
    import_page(&state, &member, FormErrors::default(), Vec::new()).await
}

/// Checks an uploaded CSV and shows what it would do. Nothing is imported yet: the file is kept, encrypted,
/// and imported only when the person confirms.
pub async fn import_check(State(state): State<AppState>, member: Member, mut form: Multipart) -> AppResult<Response> {
    let upload = crate::uploads::uploaded_file(&mut form, "people.csv").await;
    let mut errors = FormErrors::default();
    let Some((name, bytes)) = upload else {
        errors.add("file", "Select a CSV file");
        return import_page(&state, &member, errors, Vec::new()).await;
    };
    let Ok(text) = String::from_utf8(bytes.clone()) else {
        errors.add("file", "The selected file must be a CSV file saved as UTF-8");
        return import_page(&state, &member, errors, Vec::new()).await;
    };
    let names = state.store.known_names(&member.scope).await?;
    let known = Known { departments: &names.departments, sites: &names.sites, staff_emails: &names.staff_emails };
    let people = match parse_import(&text, state.store.now().date(), &known) {
        Ok(people) => people,
        Err(problems) => {
            errors.add(
                "file",
                format!(
                    "The file has {} {}: nothing has been imported",
                    problems.len(),
                    if problems.len() == 1 { "problem" } else { "problems" }
                ),
            );
            return import_page(&state, &member, errors, problems).await;
        }
    };
    let mut tx = state.store.write(&member.scope).await?;
    let stored = match tx.store_file(&name, &bytes, true).await {
        Ok(stored) => stored,
        Err(StoreError::Invalid { message, .. }) => {
            drop(tx);
            errors.add("file", message);
            return import_page(&state, &member, errors, Vec::new()).await;
        }
        Err(e) => return Err(e.into()),
    };
    tx.commit().await?;
    let existing = existing_matches(&state, &member, &people).await?;
    render(&ImportPage {
        chrome: Chrome::member(&state, "Check the import", &member.session, "/people").await?,
        errors,
        problems: Vec::new(),
        total: people.len(),
        created: people.len() - existing,
        updated: existing,
        preview: people.into_iter().take(10).collect(),
        upload: stored.id,
        columns: Vec::new(),
    })
}

/// How many of the imported people are already in the register (by email or ULN).
async fn existing_matches(state: &AppState, member: &Member, people: &[PersonDetails]) -> AppResult<usize> {
    let register = state.store.all_people(&member.scope).await?;
    let emails: std::collections::HashSet<&str> = register.iter().filter_map(|p| p.details.email.as_deref()).collect();
    let ulns: std::collections::HashSet<&str> = register.iter().filter_map(|p| p.details.uln.as_deref()).collect();
    Ok(people
        .iter()
        .filter(|p| {
            p.email.as_deref().is_some_and(|e| emails.contains(e)) || p.uln.as_deref().is_some_and(|u| ulns.contains(u))
        })
        .count())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ConfirmForm {
    upload: String,
}

/// Imports a checked file: checked again (the register may have changed), then all of it or none.
pub async fn import_confirm(
    State(state): State<AppState>,
    member: Member,
    Form(form): Form<ConfirmForm>,
) -> AppResult<Response> {
    let (_, bytes) = state.store.read_file(&member.scope, &form.upload).await?;
    let text = String::from_utf8(bytes).map_err(|_| AppError::NotFound)?;
    let names = state.store.known_names(&member.scope).await?;
    let known = Known { departments: &names.departments, sites: &names.sites, staff_emails: &names.staff_emails };
    let people = match parse_import(&text, state.store.now().date(), &known) {
        Ok(people) => people,
        Err(problems) => {
            let mut errors = FormErrors::default();
            errors.add("file", "The register has changed since the file was checked: check it again");
            return import_page(&state, &member, errors, problems).await;
        }
    };
    let mut tx = state.store.write(&member.scope).await?;
    let summary = tx.import_people(&people).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/people?notice=imported&created={}&updated={}", summary.created, summary.updated))
        .into_response())
}

#[derive(Template)]
#[template(path = "people/my_record.html")]
struct MyRecordPage {
    chrome: Chrome,
    facts: Vec<(&'static str, String)>,
}

/// An apprentice's or employer's own record, as the register holds it.
pub async fn my_record(State(state): State<AppState>, member: Member) -> AppResult<Response> {
    let person = state.store.own_person(&member.scope).await?;
    let today = state.store.now().date();
    render(&MyRecordPage {
        chrome: Chrome::member(&state, "Your record", &member.session, "/my-record").await?,
        facts: person.map(|p| facts(&p, today)).unwrap_or_default(),
    })
}
