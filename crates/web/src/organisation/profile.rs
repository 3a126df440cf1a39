//! The organisation profile: what decides which rules apply, as it is now or as it was on a past date, with
//! its history and its yearly review. This module, `sites` and `departments` are the reference for new
//! capabilities: store, domain, pages, API, audit, access rows, "as at" history, demo data and tests.

use super::{ProfileForm, review_due};
use crate::AppState;
use crate::auth::Member;
use crate::error::{AppError, AppResult};
use crate::forms::AsAtQuery;
use crate::forms::{FormErrors, YES_NO};
use crate::layout::{Chrome, long_date, render};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::org::{Nation, ProviderType};
use domain::policy::Action;
use domain::profile::{Applies, Profile, Subcontracting};
use store::sites::Showing;

struct Row {
    key: &'static str,
    value: String,
}

struct HistoryRow {
    date: String,
    iso: String,
}

#[derive(Template)]
#[template(path = "organisation/profile.html")]
struct ProfilePage {
    chrome: Chrome,
    errors: FormErrors,
    as_at: String,
    as_at_label: Option<String>,
    rows: Vec<Row>,
    rules: Vec<Applies>,
    recorded: Option<String>,
    review_due: Option<String>,
    review_overdue: bool,
    history: Vec<HistoryRow>,
    can_manage: bool,
    sites: i64,
    departments: usize,
    notice: Option<&'static str>,
}

fn rows(profile: &Profile) -> Vec<Row> {
    let yes_no = |b: bool| if b { "Yes" } else { "No" }.to_owned();
    vec![
        Row { key: "Nation", value: profile.nation.label().into() },
        Row { key: "Inspectorate", value: profile.nation.vocabulary().regulator.into() },
        Row { key: "Type of provider", value: profile.provider_type.label().into() },
        Row { key: "Learners under 18", value: yes_no(profile.enrols_under_18) },
        Row { key: "Sub-contracting", value: profile.subcontracting.label().into() },
        Row { key: "Premises of your own", value: yes_no(profile.has_premises) },
        Row {
            key: "Local authority areas",
            value: if profile.local_authorities.is_empty() {
                "None recorded".into()
            } else {
                profile.local_authorities.join(", ")
            },
        },
    ]
}

pub async fn show(
    State(state): State<AppState>,
    member: Member,
    Query(query): Query<AsAtQuery>,
) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    let day = query.day(&mut errors);
    let version = state.store.profile_as_at(&member.scope, day).await?;
    let history = state.store.profile_history(&member.scope).await?;
    let showing = day.map_or(Showing::Current, Showing::AsAt);
    let sites = state.store.sites_page(&member.scope, showing, 1, 1).await?.total;
    let departments = state.store.departments(&member.scope, showing).await?.len();
    let now = state.store.now().date();
    let current = history.first();
    let page = ProfilePage {
        chrome: Chrome::member(&state, "Organisation profile", &member.session, "/organisation")
            .await?
            .with_errors(&errors),
        as_at: query.as_at.clone(),
        as_at_label: day.map(long_date),
        rows: version.as_ref().map(|v| rows(&v.profile)).unwrap_or_default(),
        rules: version.as_ref().map(|v| v.profile.rule_sets()).unwrap_or_default(),
        recorded: version.as_ref().map(|v| long_date(v.recorded_at.date())),
        review_due: current.map(|v| long_date(review_due(v))),
        review_overdue: current.is_some_and(|v| review_due(v) <= now),
        history: history
            .iter()
            .map(|v| HistoryRow { date: long_date(v.recorded_at.date()), iso: v.recorded_at.date().to_string() })
            .collect(),
        can_manage: Action::ManageOrganisation.allows(member.scope.roles()),
        sites,
        departments,
        notice: match query.notice.as_str() {
            "saved" => Some("Profile saved."),
            "reviewed" => Some("Thank you: the profile is recorded as reviewed today."),
            _ => None,
        },
        errors,
    };
    render(&page)
}

#[derive(Template)]
#[template(path = "organisation/profile_edit.html")]
struct EditPage {
    chrome: Chrome,
    form: ProfileForm,
    errors: FormErrors,
    nations: Vec<(&'static str, &'static str)>,
    provider_types: Vec<(&'static str, &'static str)>,
    yes_no: Vec<(&'static str, &'static str)>,
    subcontracting: Vec<(&'static str, &'static str)>,
}

async fn edit_page(state: &AppState, member: &Member, form: ProfileForm, errors: FormErrors) -> AppResult<Response> {
    render(&EditPage {
        chrome: Chrome::member(state, "Change the organisation profile", &member.session, "/organisation")
            .await?
            .with_errors(&errors),
        form,
        errors,
        nations: Nation::ALL.iter().map(|n| (n.as_str(), n.label())).collect(),
        provider_types: ProviderType::ALL.iter().map(|t| (t.as_str(), t.label())).collect(),
        yes_no: YES_NO.to_vec(),
        subcontracting: Subcontracting::ALL.iter().map(|s| (s.as_str(), s.label())).collect(),
    })
}

pub async fn edit_show(State(state): State<AppState>, member: Member) -> AppResult<Response> {
    let form = match state.store.profile_as_at(&member.scope, None).await? {
        Some(version) => ProfileForm::from_profile(&version.profile),
        None => {
            let org = state.store.organisation(&member.scope).await?;
            ProfileForm {
                nation: org.nation.as_str().into(),
                provider_type: org.provider_type.as_str().into(),
                ..ProfileForm::default()
            }
        }
    };
    edit_page(&state, &member, form, FormErrors::default()).await
}

pub async fn edit_submit(
    State(state): State<AppState>,
    member: Member,
    Form(form): Form<ProfileForm>,
) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    let Some(profile) = form.parse(&mut errors) else {
        return edit_page(&state, &member, form, errors).await;
    };
    let mut tx = state.store.write(&member.scope).await?;
    tx.record_profile(&profile).await?;
    tx.commit().await?;
    Ok(Redirect::to("/organisation?notice=saved").into_response())
}

/// Records the profile again, unchanged: the yearly review.
pub async fn review(State(state): State<AppState>, member: Member) -> AppResult<Response> {
    let current = state.store.profile_as_at(&member.scope, None).await?;
    let Some(current) = current else {
        return Err(AppError::Conflict("Complete the organisation profile first"));
    };
    let mut tx = state.store.write(&member.scope).await?;
    tx.record_profile(&current.profile).await?;
    tx.commit().await?;
    Ok(Redirect::to("/organisation?notice=reviewed").into_response())
}
