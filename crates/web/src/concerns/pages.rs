//! Raising a concern (Notice), the reporter's receipts, and the safeguarding team's inbox. A reporter sees a
//! receipt and the status, never the content; only the safeguarding team opens a concern, and each opening
//! is audited as a read of case content.

use super::{ABOUT_STAFF, ConcernForm, NOT_OPEN, TEAM, category_label, chooses_from_register, raise};
use crate::AppState;
use crate::auth::Member;
use crate::error::{AppError, AppResult};
use crate::forms::{FormErrors, YES_NO};
use crate::layout::{Chrome, long_datetime, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::ConcernId;
use domain::concerns::{ConcernSettings, ConcernStatus, categories};
use domain::reach::{self, Readiness, Told};
use domain::roles::Role;
use serde::Deserialize;
use store::Page;
use store::attachments::AttachTo;
use store::concerns::{ConcernRecord, ConcernSummary};

#[derive(Template)]
#[template(path = "concerns/concern_new.html")]
struct NewConcernPage {
    chrome: Chrome,
    form: ConcernForm,
    errors: FormErrors,
    abouts: Vec<(&'static str, &'static str)>,
    categories: Vec<(String, String)>,
    yes_no: Vec<(&'static str, &'static str)>,
    /// The safeguarding team records concerns that reach them by other routes.
    team: bool,
    vias: Vec<(&'static str, &'static str)>,
    /// Learners' names from the people register, offered to staff as they type.
    learners: Vec<String>,
    /// When the draft shown was saved.
    draft_saved: Option<String>,
    /// Set while concerns cannot be raised here yet: the page says who to contact instead.
    not_open: Option<&'static str>,
}

async fn new_page(
    state: &AppState,
    member: &Member,
    form: ConcernForm,
    errors: FormErrors,
    draft_saved: Option<String>,
) -> AppResult<Response> {
    let scope = &member.scope;
    let offered = state.store.concern_settings(scope).await?.offered();
    let learners = if chooses_from_register(scope) { state.store.learner_names(scope).await? } else { Vec::new() };
    let open = reach::readiness(&state.store.reach(scope).await?) == Readiness::Open;
    render(&NewConcernPage {
        chrome: Chrome::member(state, "Raise a concern", &member.session, "/concerns/new").await?.with_errors(&errors),
        form,
        errors,
        abouts: vec![("someone", "Someone else"), ("me", "Me")],
        categories: offered.into_iter().map(|c| (c.id, c.label)).collect(),
        yes_no: YES_NO.to_vec(),
        team: scope.has_role(Role::SafeguardingLead),
        vias: domain::concerns::RECEIVED_VIA.to_vec(),
        learners,
        draft_saved,
        not_open: (!open).then_some(NOT_OPEN),
    })
}

/// The form, starting from the person's draft if they have one.
pub async fn new_show(State(state): State<AppState>, member: Member) -> AppResult<Response> {
    let draft = state.store.concern_draft(&member.scope).await?;
    let (form, saved) = match draft {
        Some((answers, saved)) => {
            (serde_urlencoded::from_str(&answers).unwrap_or_default(), Some(long_datetime(saved)))
        }
        None => (ConcernForm::default(), None),
    };
    new_page(&state, &member, form, FormErrors::default(), saved).await
}

pub async fn new_submit(
    State(state): State<AppState>,
    member: Member,
    Form(form): Form<ConcernForm>,
) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    // Only the safeguarding team records how a concern reached them; for anyone else it was raised here.
    let form = if member.scope.has_role(Role::SafeguardingLead) {
        form
    } else {
        ConcernForm { received_via: String::new(), ..form }
    };
    let offered = state.store.concern_settings(&member.scope).await?.offered();
    let Some(concern) = form.parse(&offered, &mut errors) else {
        return new_page(&state, &member, form, errors, None).await;
    };
    let raised = raise(&state, &member.scope, concern).await?;
    let (reference, told) = (raised.reference, raised.told.as_str());
    Ok(Redirect::to(&format!("/concerns?raised={reference}&told={told}")).into_response())
}

/// Saves the form as a draft: as the person types (from the page's script), or when they ask to (without
/// it). Only they can see it, and raising the concern removes it.
pub async fn save_draft(
    State(state): State<AppState>,
    member: Member,
    Form(form): Form<ConcernForm>,
) -> AppResult<Response> {
    let answers = serde_urlencoded::to_string(&form).map_err(|e| AppError::Internal(format!("draft: {e}")))?;
    let mut tx = state.store.write(&member.scope).await?;
    tx.save_concern_draft(&answers).await?;
    tx.commit().await?;
    Ok(Redirect::to("/concerns/new").into_response())
}

struct ReceiptRow {
    id: ConcernId,
    open: bool,
    reference: String,
    category: String,
    raised: String,
    status: &'static str,
}

fn receipt(c: &ConcernSummary) -> ReceiptRow {
    ReceiptRow {
        id: c.id,
        open: c.status != ConcernStatus::Closed,
        reference: c.reference.clone(),
        category: category_label(&c.category),
        raised: long_datetime(c.raised_at),
        status: c.status.label(),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReceiptsQuery {
    raised: String,
    told: String,
    attached: bool,
}

#[derive(Template)]
#[template(path = "concerns/concerns.html")]
struct ReceiptsPage {
    chrome: Chrome,
    raised: Option<String>,
    /// Who was alerted, in words that claim nothing that did not happen.
    told: Vec<&'static str>,
    attached: bool,
    rows: Vec<ReceiptRow>,
}

/// The reporter's receipts: reference, kind, when, and status. Never the content.
pub async fn mine(
    State(state): State<AppState>,
    member: Member,
    Query(query): Query<ReceiptsQuery>,
) -> AppResult<Response> {
    let rows = state.store.my_concerns(&member.scope).await?.iter().map(receipt).collect();
    render(&ReceiptsPage {
        chrome: Chrome::member(&state, "Concerns you have raised", &member.session, "/concerns").await?,
        raised: Some(query.raised).filter(|r| r.starts_with("C-") && r.len() < 20),
        told: Told::parse(&query.told).map_or_else(Vec::new, |told| who_was_told(told, state.config.sends_email)),
        attached: query.attached,
        rows,
    })
}

/// What the receipt says about who was alerted: the truth, whether or not email is set up.
fn who_was_told(told: Told, sends_email: bool) -> Vec<&'static str> {
    let email = if sends_email {
        "They have been emailed, and it is waiting in Vigil for them."
    } else {
        "Email is not set up here, so nobody has been emailed: they will see it when they next sign in to \
         Vigil. If it is urgent, phone them now (the contact details are on this page)."
    };
    let who = match told {
        Told::Team => "Your concern has gone to the safeguarding team.",
        Told::SeniorLeader => "Your concern has gone to the senior leader for safeguarding, not the safeguarding team.",
        Told::Leadership => {
            "No safeguarding lead or deputy can receive it today, so it has gone to the senior leader and the \
             board's safeguarding lead, who will make sure someone handles it."
        }
        Told::Nobody => {
            return vec![
                "Your concern is saved, but nobody who receives concerns can be reached today. Phone the \
                 safeguarding contact on this page now. If someone is in immediate danger, call 999.",
            ];
        }
    };
    vec![who, email]
}

struct InboxRow {
    id: ConcernId,
    reference: String,
    category: String,
    raised: String,
    status: &'static str,
    urgent: bool,
    /// Who it is about, in the team's words.
    about: String,
    reporter: String,
    /// How long it has waited to be acknowledged, while it waits.
    waited: Option<String>,
    /// Waiting beyond the organisation's time to acknowledge.
    overdue: bool,
    case_reference: Option<String>,
}

/// A wait in words: "25 minutes", "3 hours", "2 days".
fn waited(time: time::Duration) -> String {
    let plural = |n: i64, unit: &str| if n == 1 { format!("1 {unit}") } else { format!("{n} {unit}s") };
    match (time.whole_days(), time.whole_hours(), time.whole_minutes()) {
        (days, _, _) if days >= 1 => plural(days, "day"),
        (_, hours, _) if hours >= 1 => plural(hours, "hour"),
        (_, _, minutes) => plural(minutes.max(1), "minute"),
    }
}

#[derive(Template)]
#[template(path = "concerns/safeguarding.html")]
struct InboxPage {
    chrome: Chrome,
    rows: Vec<InboxRow>,
    page: Page<()>,
    base: &'static str,
    page_prefix: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct InboxQuery {
    page: u32,
}

/// The safeguarding team's list: urgent and unhandled first. Names and content stay on each concern's page.
pub async fn inbox(
    State(state): State<AppState>,
    member: Member,
    Query(query): Query<InboxQuery>,
) -> AppResult<Response> {
    inbox_at(&state, &member, &query, TEAM).await
}

/// The senior leader's list of concerns about staff or the safeguarding team (empty for anyone else).
pub async fn about_staff(
    State(state): State<AppState>,
    member: Member,
    Query(query): Query<InboxQuery>,
) -> AppResult<Response> {
    inbox_at(&state, &member, &query, ABOUT_STAFF).await
}

async fn inbox_at(state: &AppState, member: &Member, query: &InboxQuery, base: &'static str) -> AppResult<Response> {
    let concerns = state.store.concern_inbox(&member.scope, query.page, 50).await?;
    let settings = state.store.concern_settings(&member.scope).await?;
    let now = state.store.now();
    let rows = concerns
        .items
        .iter()
        .map(|entry| {
            let c = &entry.summary;
            let waiting = (c.status == ConcernStatus::Received).then(|| now - c.raised_at);
            InboxRow {
                id: c.id,
                reference: c.reference.clone(),
                category: category_label(&c.category),
                raised: long_datetime(c.raised_at),
                status: c.status.label(),
                urgent: c.immediate_danger && c.status != ConcernStatus::Closed,
                about: entry.about.clone().unwrap_or_else(|| "The person who raised it".into()),
                reporter: entry.reporter_name.clone().unwrap_or_else(|| "Recorded by the team".into()),
                waited: waiting.map(waited),
                overdue: waiting.is_some_and(|w| w > settings.escalates_after(c.immediate_danger)),
                case_reference: entry.case_reference.clone(),
            }
        })
        .collect();
    let title = if base == TEAM { "Safeguarding concerns" } else { "Concerns about staff or the safeguarding team" };
    render(&InboxPage {
        chrome: Chrome::member(state, title, &member.session, base).await?,
        rows,
        page: concerns.numbers(),
        base,
        page_prefix: format!("{base}?"),
    })
}

#[derive(Template)]
#[template(path = "concerns/concern.html")]
struct ConcernPage {
    chrome: Chrome,
    base: &'static str,
    concern: ConcernRecord,
    category: String,
    raised: String,
    status: &'static str,
    received: bool,
    via: &'static str,
    /// Who has opened the concern, and when: this opening included.
    viewers: Vec<(String, String)>,
    /// The cases opened from it that the person reaches.
    cases: Vec<(domain::CaseId, String)>,
}

fn concern_id(raw: &str) -> AppResult<ConcernId> {
    raw.parse().map_err(|_| AppError::NotFound)
}

/// One concern, opened: the read is audited as case content.
pub async fn show(State(state): State<AppState>, member: Member, Path(id): Path<String>) -> AppResult<Response> {
    show_at(&state, &member, &id, TEAM).await
}

/// One concern about staff or the safeguarding team, opened by the senior leader.
pub async fn show_about_staff(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> AppResult<Response> {
    show_at(&state, &member, &id, ABOUT_STAFF).await
}

async fn show_at(state: &AppState, member: &Member, id: &str, base: &'static str) -> AppResult<Response> {
    let id = concern_id(id)?;
    let concern = state.store.open_concern(&member.scope, id).await?;
    let viewers = state
        .store
        .concern_viewers(&member.scope, id)
        .await?
        .into_iter()
        .map(|(who, at)| (who, long_datetime(at)))
        .collect();
    render(&ConcernPage {
        viewers,
        cases: state.store.cases_from_concern(&member.scope, id).await?,
        chrome: Chrome::member(state, &concern.summary.reference, &member.session, base).await?,
        base,
        category: category_label(&concern.summary.category),
        raised: long_datetime(concern.summary.raised_at),
        status: concern.summary.status.label(),
        received: concern.summary.status == ConcernStatus::Received,
        via: domain::concerns::RECEIVED_VIA
            .iter()
            .find(|(id, _)| *id == concern.received_via)
            .map_or("Raised in Vigil", |(_, label)| label),
        concern,
    })
}

pub async fn acknowledge(State(state): State<AppState>, member: Member, Path(id): Path<String>) -> AppResult<Response> {
    acknowledge_at(&state, &member, &id).await
}

pub async fn acknowledge_about_staff(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> AppResult<Response> {
    acknowledge_at(&state, &member, &id).await
}

async fn acknowledge_at(state: &AppState, member: &Member, id: &str) -> AppResult<Response> {
    let id = concern_id(id)?;
    let mut tx = state.store.write(&member.scope).await?;
    let case = tx.acknowledge_concern(id).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/cases/{case}")).into_response())
}

fn always_offered(id: &str) -> bool {
    domain::concerns::ALWAYS_OFFERED.contains(&id)
}

/// The concern settings form, as typed: `offered` lists the categories ticked.
#[derive(Debug, Default)]
pub struct SettingsForm {
    acknowledge_within_hours: String,
    danger_escalates_after_minutes: String,
    offered: Vec<String>,
}

impl SettingsForm {
    /// Reads the form's fields, where `offered` repeats once for each box ticked.
    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut form = Self::default();
        for (name, value) in pairs {
            match name.as_str() {
                "acknowledge_within_hours" => form.acknowledge_within_hours = value,
                "danger_escalates_after_minutes" => form.danger_escalates_after_minutes = value,
                "offered" => form.offered.push(value),
                _ => {}
            }
        }
        form
    }

    /// The settings, with every category not ticked hidden.
    fn parse(&self, errors: &mut FormErrors) -> Option<ConcernSettings> {
        let hidden: Vec<String> = categories()
            .into_iter()
            .map(|c| c.id)
            .filter(|id| !self.offered.contains(id) && !always_offered(id))
            .collect();
        ConcernSettings::parse(&self.acknowledge_within_hours, &self.danger_escalates_after_minutes, &hidden)
            .map_err(|(field, message)| errors.add(field, message))
            .ok()
    }
}

#[derive(Template)]
#[template(path = "concerns/concern_settings.html")]
struct SettingsPage {
    chrome: Chrome,
    hours: String,
    minutes: String,
    /// Every category: id, label, whether offered, whether it must be.
    categories: Vec<(String, String, bool, bool)>,
    errors: FormErrors,
    saved: bool,
}

async fn settings_page(
    state: &AppState,
    member: &Member,
    form: SettingsForm,
    errors: FormErrors,
    saved: bool,
) -> AppResult<Response> {
    let offered = &form.offered;
    render(&SettingsPage {
        chrome: Chrome::member(state, "How concerns are raised", &member.session, TEAM).await?.with_errors(&errors),
        hours: form.acknowledge_within_hours.clone(),
        minutes: form.danger_escalates_after_minutes.clone(),
        categories: categories()
            .into_iter()
            .map(|c| {
                let fixed = always_offered(&c.id);
                (c.id.clone(), c.label, fixed || offered.contains(&c.id), fixed)
            })
            .collect(),
        errors,
        saved,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SettingsQuery {
    saved: bool,
}

/// The safeguarding team's settings for concerns: the categories offered and the time to acknowledge.
pub async fn settings_show(
    State(state): State<AppState>,
    member: Member,
    Query(query): Query<SettingsQuery>,
) -> AppResult<Response> {
    let settings = state.store.concern_settings(&member.scope).await?;
    let form = SettingsForm {
        acknowledge_within_hours: settings.acknowledge_within_hours.to_string(),
        danger_escalates_after_minutes: settings.danger_escalates_after_minutes.to_string(),
        offered: settings.offered().into_iter().map(|c| c.id).collect(),
    };
    settings_page(&state, &member, form, FormErrors::default(), query.saved).await
}

pub async fn settings_submit(
    State(state): State<AppState>,
    member: Member,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let form = SettingsForm::from_pairs(pairs);
    let mut errors = FormErrors::default();
    let Some(settings) = form.parse(&mut errors) else {
        return settings_page(&state, &member, form, errors, false).await;
    };
    let mut tx = state.store.write(&member.scope).await?;
    tx.record_concern_settings(&settings).await?;
    tx.commit().await?;
    Ok(Redirect::to("/safeguarding/settings?saved=true").into_response())
}

async fn attach_page(state: &AppState, member: &Member, id: ConcernId, errors: FormErrors) -> AppResult<Response> {
    render(&crate::uploads::AttachPage {
        chrome: Chrome::member(state, "Add a file to your concern", &member.session, "/concerns/new")
            .await?
            .with_errors(&errors),
        caption: "Concerns you have raised".into(),
        intro: "It goes to the safeguarding team with your concern. You will not be able to open it again here.",
        action: format!("/concerns/{id}/attach"),
        back: "/concerns".into(),
        errors,
    })
}

/// The person who raised a concern adds a photo or document to it.
pub async fn attach_show(State(state): State<AppState>, member: Member, Path(id): Path<String>) -> AppResult<Response> {
    let id = concern_id(&id)?;
    let open =
        state.store.my_concerns(&member.scope).await?.iter().any(|c| c.id == id && c.status != ConcernStatus::Closed);
    if !open {
        return Err(AppError::NotFound);
    }
    attach_page(&state, &member, id, FormErrors::default()).await
}

pub async fn attach_submit(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    form: axum::extract::Multipart,
) -> AppResult<Response> {
    let id = concern_id(&id)?;
    match crate::uploads::receive_file(&state, &member.scope, AttachTo::Concern(id), form).await? {
        None => Ok(Redirect::to("/concerns?attached=true").into_response()),
        Some(errors) => attach_page(&state, &member, id, errors).await,
    }
}
