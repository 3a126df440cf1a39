//! The role registry: who holds each safeguarding post now or on a past date, appointments and ends of
//! terms, how to reach the team in and out of hours, and the public contact card.

use crate::AppState;
use crate::auth::Member;
use crate::error::{AppError, AppResult};
use crate::forms::AsAtQuery;
use crate::forms::{FormErrors, YES_NO};
use crate::layout::{Chrome, ContactCard, long_date, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::policy::Action;
use domain::registry::Post;
use domain::text::{Email, parse_date};
use domain::{DepartmentId, PostHolderId};
use serde::Deserialize;
use store::StoreError;
use store::registry::{Appointed, ContactSettings, Holding};
use store::sites::Showing;

struct HoldingRow {
    id: PostHolderId,
    /// Leads and deputies can be recorded as away, for the "no cover" alert.
    covers: bool,
    away: bool,
    /// The appointment waits for a safeguarding lead's confirmation.
    pending: bool,
    post: String,
    name: String,
    email: String,
    department: String,
    from: String,
    until: String,
}

fn rows(holdings: &[Holding], vocabulary: &domain::org::Vocabulary) -> Vec<HoldingRow> {
    holdings
        .iter()
        .map(|h| HoldingRow {
            id: h.id,
            covers: h.post.grants_safeguarding_lead(),
            away: h.away,
            pending: h.pending,
            post: h.post.label(vocabulary),
            name: h.name.clone(),
            email: h.email.clone().unwrap_or_default(),
            department: h.department.clone().unwrap_or_default(),
            from: long_date(h.starts_on),
            until: h.ends_on.map(long_date).unwrap_or_default(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "registry/registry.html")]
struct RegistryPage {
    chrome: Chrome,
    errors: FormErrors,
    as_at: String,
    as_at_label: Option<String>,
    current: Vec<HoldingRow>,
    history: Vec<HoldingRow>,
    can_manage: bool,
    notice: Option<&'static str>,
    org_slug: String,
    public_card: bool,
    /// Each department and its Prevent contact, if it has one: the co-ordination arrangement.
    coordination: Vec<(String, Option<String>)>,
}

pub async fn show(
    State(state): State<AppState>,
    member: Member,
    Query(query): Query<AsAtQuery>,
) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    let day = query.day(&mut errors);
    let org = state.store.organisation(&member.scope).await?;
    let vocabulary = org.nation.vocabulary();
    let current = state.store.holders_on(&member.scope, day.unwrap_or(state.store.now().date())).await?;
    let history = state.store.post_history(&member.scope).await?;
    let settings = state.store.contact_settings(&member.scope).await?;
    let departments = state.store.departments(&member.scope, day.map_or(Showing::Current, Showing::AsAt)).await?;
    let coordination = departments
        .into_iter()
        .map(|d| {
            let contact = current
                .iter()
                .find(|h| h.post == Post::DepartmentPreventContact && h.department.as_deref() == Some(d.name.as_str()))
                .map(|h| h.name.clone());
            (d.name, contact)
        })
        .collect();
    render(&RegistryPage {
        chrome: Chrome::member(&state, "Role registry", &member.session, "/registry").await?.with_errors(&errors),
        errors,
        as_at: query.as_at.clone(),
        as_at_label: day.map(long_date),
        current: rows(&current, vocabulary),
        history: rows(&history, vocabulary),
        can_manage: Action::ManageRegistry.allows(member.scope.roles()),
        notice: match query.notice.as_str() {
            "appointed" => Some("Appointed."),
            "awaiting" => Some(
                "The appointment is recorded. It counts once a safeguarding lead confirms it on their Confirmations page.",
            ),
            "ended" => Some("The term has been ended."),
            "contact" => Some("Contact details saved."),
            "absence" => Some("The absence is recorded."),
            _ => None,
        },
        org_slug: org.slug,
        public_card: settings.public_card,
        coordination,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AppointForm {
    post: String,
    email: String,
    department: String,
    starts_on: String,
    ends_on: String,
}

#[derive(Template)]
#[template(path = "registry/appoint.html")]
struct AppointPage {
    /// Staff and board members in the register, as (name, email), offered as the person types.
    people: Vec<(String, String)>,
    chrome: Chrome,
    form: AppointForm,
    errors: FormErrors,
    posts: Vec<(&'static str, String)>,
    departments: Vec<(String, String)>,
}

async fn appoint_page(state: &AppState, member: &Member, form: AppointForm, errors: FormErrors) -> AppResult<Response> {
    let org = state.store.organisation(&member.scope).await?;
    let vocabulary = org.nation.vocabulary();
    let departments = state.store.departments(&member.scope, Showing::Current).await?;
    render(&AppointPage {
        chrome: Chrome::member(state, "Appoint to a post", &member.session, "/registry").await?.with_errors(&errors),
        form,
        errors,
        posts: Post::ALL.iter().map(|p| (p.as_str(), p.label(vocabulary))).collect(),
        departments: departments.into_iter().map(|d| (d.id.to_string(), d.name)).collect(),
        people: state.store.appointable_people(&member.scope).await?,
    })
}

pub async fn appoint_show(State(state): State<AppState>, member: Member) -> AppResult<Response> {
    appoint_page(&state, &member, AppointForm::default(), FormErrors::default()).await
}

pub async fn appoint_submit(
    State(state): State<AppState>,
    member: Member,
    Form(form): Form<AppointForm>,
) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    let post = errors.check("post", Post::parse(&form.post));
    let email = errors.check("email", Email::parse(&form.email));
    let starts_on = errors.check("starts_on", parse_date(&form.starts_on));
    let ends_on =
        if form.ends_on.trim().is_empty() { None } else { errors.check("ends_on", parse_date(&form.ends_on)) };
    let department: Option<DepartmentId> = form.department.parse().ok();
    let person = match &email {
        Some(email) => state.store.person_by_email(&member.scope, email.as_str()).await?,
        None => None,
    };
    if email.is_some() && person.is_none() {
        errors.add("email", "No one in the people register has this email address: add them to the register first");
    }
    let (Some(post), Some(person), Some(starts_on)) = (post, person, starts_on) else {
        return appoint_page(&state, &member, form, errors).await;
    };
    if !errors.is_empty() {
        return appoint_page(&state, &member, form, errors).await;
    }
    let mut tx = state.store.write(&member.scope).await?;
    match tx.appoint(post, person, department, starts_on, ends_on).await {
        Ok(Appointed::Done(_)) => {
            tx.commit().await?;
            Ok(Redirect::to("/registry?notice=appointed").into_response())
        }
        Ok(Appointed::AwaitingConfirmation(_)) => {
            crate::accounts::notify_leads(&state, &member.scope, &mut tx).await?;
            tx.commit().await?;
            Ok(Redirect::to("/registry?notice=awaiting").into_response())
        }
        Err(StoreError::Invalid { field, message }) => {
            drop(tx);
            errors.add(field, message);
            appoint_page(&state, &member, form, errors).await
        }
        Err(StoreError::Conflict(message)) => {
            drop(tx);
            errors.add("post", message);
            appoint_page(&state, &member, form, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EndForm {
    ends_on: String,
}

pub async fn end(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    Form(form): Form<EndForm>,
) -> AppResult<Response> {
    let id: PostHolderId = id.parse().map_err(|_| AppError::NotFound)?;
    let ends_on =
        parse_date(&form.ends_on).map_err(|e| AppError::Invalid { field: "ends_on".into(), message: e.0.into() })?;
    let mut tx = state.store.write(&member.scope).await?;
    tx.end_term(id, ends_on).await?;
    tx.commit().await?;
    Ok(Redirect::to("/registry?notice=ended").into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AbsenceForm {
    away_from: String,
    away_until: String,
}

pub async fn absence(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    Form(form): Form<AbsenceForm>,
) -> AppResult<Response> {
    let id: PostHolderId = id.parse().map_err(|_| AppError::NotFound)?;
    let invalid =
        |field: &str, e: domain::text::Invalid| AppError::Invalid { field: field.into(), message: e.0.into() };
    let from = parse_date(&form.away_from).map_err(|e| invalid("away_from", e))?;
    let until = parse_date(&form.away_until).map_err(|e| invalid("away_until", e))?;
    let mut tx = state.store.write(&member.scope).await?;
    tx.record_absence(id, from, until).await?;
    tx.commit().await?;
    Ok(Redirect::to("/registry?notice=absence").into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ContactForm {
    team_mailbox: String,
    team_phone: String,
    out_of_hours: String,
    public_card: String,
}

#[derive(Template)]
#[template(path = "registry/contact_settings.html")]
struct ContactPage {
    chrome: Chrome,
    form: ContactForm,
    errors: FormErrors,
    yes_no: Vec<(&'static str, &'static str)>,
}

async fn contact_page(state: &AppState, member: &Member, form: ContactForm, errors: FormErrors) -> AppResult<Response> {
    render(&ContactPage {
        chrome: Chrome::member(state, "How to reach the safeguarding team", &member.session, "/registry")
            .await?
            .with_errors(&errors),
        form,
        errors,
        yes_no: YES_NO.to_vec(),
    })
}

pub async fn contact_show(State(state): State<AppState>, member: Member) -> AppResult<Response> {
    let current = state.store.contact_settings(&member.scope).await?;
    let form = ContactForm {
        team_mailbox: current.team_mailbox,
        team_phone: current.team_phone,
        out_of_hours: current.out_of_hours,
        public_card: domain::profile::yes_no(current.public_card).into(),
    };
    contact_page(&state, &member, form, FormErrors::default()).await
}

pub async fn contact_submit(
    State(state): State<AppState>,
    member: Member,
    Form(form): Form<ContactForm>,
) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    let mailbox = if form.team_mailbox.trim().is_empty() {
        Some(String::new())
    } else {
        errors.check("team_mailbox", Email::parse(&form.team_mailbox)).map(|e| e.as_str().to_owned())
    };
    for (field, value, limit) in [("team_phone", &form.team_phone, 50), ("out_of_hours", &form.out_of_hours, 500)] {
        if value.chars().count() > limit {
            errors.add(field, format!("Must be {limit} characters or fewer"));
        }
    }
    let public = errors.check(
        "public_card",
        domain::profile::parse_yes_no(&form.public_card, "Select yes to show the contact card on a public page"),
    );
    let (Some(team_mailbox), Some(public_card)) = (mailbox, public) else {
        return contact_page(&state, &member, form, errors).await;
    };
    if !errors.is_empty() {
        return contact_page(&state, &member, form, errors).await;
    }
    let settings = ContactSettings {
        team_mailbox,
        team_phone: form.team_phone.trim().to_owned(),
        out_of_hours: form.out_of_hours.trim().to_owned(),
        public_card,
    };
    let mut tx = state.store.write(&member.scope).await?;
    tx.set_contact_settings(&settings).await?;
    tx.commit().await?;
    Ok(Redirect::to("/registry?notice=contact").into_response())
}

#[derive(Template)]
#[template(path = "registry/public_contact.html")]
struct PublicContactPage {
    chrome: Chrome,
    org_name: String,
    card: ContactCard,
}

/// The contact card for apprentices and employers who are not signed in, when the organisation shows it.
pub async fn public(State(state): State<AppState>, Path(slug): Path<String>) -> AppResult<Response> {
    let (org, holders, settings) = state.store.public_contact_card(&slug).await?.ok_or(AppError::NotFound)?;
    render(&PublicContactPage {
        chrome: Chrome::public(&format!("Safeguarding contacts: {}", org.name)),
        card: ContactCard::new(org.nation.vocabulary().lead_title, &holders, settings),
        org_name: org.name,
    })
}
