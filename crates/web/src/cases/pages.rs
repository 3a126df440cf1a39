//! Safeguarding cases (Check and Share): the list, the case page, its printable chronology, who has viewed
//! it, its files, and break-glass. What is recorded in a case is recorded through the forms in
//! [`crate::cases::forms`].

use crate::AppState;
use crate::auth::Member;
use crate::cases::forms::case_id;
use crate::error::{AppError, AppResult};
use crate::forms::FormErrors;
use crate::layout::{Chrome, long_date, long_datetime, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::CaseId;
use domain::cases::{self as rules, CaseStatus, label_of};
use domain::org::Nation;
use domain::registry::Post;
use serde::Deserialize;
use store::Page;
use store::cases::{CaseFile, CaseFilter, Reach};

struct CaseRow {
    id: CaseId,
    reference: String,
    /// Who the case is about.
    about: String,
    category: String,
    status: &'static str,
    risk: &'static str,
    review: String,
    overdue: bool,
    restricted: bool,
}

#[derive(Template)]
#[template(path = "cases/cases.html")]
struct CasesPage {
    chrome: Chrome,
    tabs: Vec<(&'static str, &'static str, bool)>,
    rows: Vec<CaseRow>,
    page: Page<()>,
    page_prefix: String,
    break_glass: Option<String>,
    /// Whether the reader handles concerns (the leads): only then does the empty list point to them.
    handles_concerns: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CasesQuery {
    show: String,
    page: u32,
}

/// The cases the person reaches: none for anyone outside the safeguarding team unless given access.
pub async fn list(
    State(state): State<AppState>,
    member: Member,
    Query(query): Query<CasesQuery>,
) -> AppResult<Response> {
    let filter = match query.show.as_str() {
        "past_review" => CaseFilter::PastReview,
        "closed" => CaseFilter::Closed,
        _ => CaseFilter::Open,
    };
    let cases = state.store.cases_page(&member.scope, filter, query.page, 50).await?;
    let today = state.store.now().date();
    let rows = cases
        .items
        .iter()
        .map(|entry| (&entry.summary, &entry.subject))
        .map(|(c, subject)| CaseRow {
            about: subject.clone(),
            id: c.id,
            reference: c.reference.clone(),
            category: crate::concerns::category_label(&c.category),
            status: c.status.describe(c.risk.is_some()),
            risk: c.risk.map_or("Not triaged", |r| r.label()),
            review: c.review_on.map(long_date).unwrap_or_default(),
            overdue: c.status != CaseStatus::Closed && c.review_on.is_some_and(|d| d < today),
            restricted: c.restricted,
        })
        .collect();
    let tabs = vec![
        ("", "Open", filter == CaseFilter::Open),
        ("past_review", "Past their review date", filter == CaseFilter::PastReview),
        ("closed", "Closed", filter == CaseFilter::Closed),
    ];
    render(&CasesPage {
        chrome: Chrome::member(&state, "Safeguarding cases", &member.session, "/cases").await?,
        tabs,
        rows,
        page: cases.numbers(),
        page_prefix: format!("/cases?show={}&", query.show),
        break_glass: state.store.break_glass_until(&member.scope).await?.map(long_datetime),
        handles_concerns: domain::policy::Action::HandleConcerns.allows(member.scope.roles()),
    })
}

#[derive(Template)]
#[template(path = "cases/case.html")]
struct CasePage {
    chrome: Chrome,
    case: CaseFile,
    view: CaseView,
    /// What was just saved, for the success banner.
    saved: Option<&'static str>,
}

/// A case's words for the page and the print, in the organisation's vocabulary.
struct CaseView {
    status: &'static str,
    risk: &'static str,
    age: &'static str,
    category: String,
    prevent_type: String,
    review: String,
    opened: String,
    closed: bool,
    works: bool,
    manages: bool,
    entries: Vec<EntryView>,
    decisions: Vec<(String, String, String)>,
    actions: Vec<(String, String, String, String, bool)>,
    referrals: Vec<ReferralView>,
    disclosures: Vec<(String, String, String, String, String, String)>,
    access: Vec<(String, String)>,
    /// Channel panel meetings and reviews, from the chronology.
    panels: Vec<(String, String)>,
}

struct EntryView {
    id: String,
    heading: &'static str,
    on: String,
    text: String,
    author: String,
    written: String,
    corrected: bool,
    corrects: bool,
    /// Entries people write can be corrected; Vigil's own entries follow from records with forms of their own.
    correctable: bool,
}

struct ReferralView {
    agency: String,
    sent: String,
    route: String,
    reference: String,
    told: String,
    parallel: String,
    outcome: String,
    feedback: String,
    consent: String,
}

impl CaseView {
    fn new(case: &CaseFile, nation: Nation) -> Self {
        let entries = case
            .entries
            .iter()
            .map(|e| EntryView {
                id: e.id.to_string(),
                heading: rules::entry_heading(&e.kind),
                on: long_date(e.occurred_on),
                text: e.text.clone(),
                author: e.author.clone().unwrap_or_else(|| "Vigil".into()),
                written: long_datetime(e.written_at),
                corrected: e.corrected,
                corrects: e.corrects.is_some(),
                correctable: rules::WRITTEN_ENTRIES.iter().any(|(kind, _)| *kind == e.kind),
            })
            .collect();
        let referrals = case
            .referrals
            .iter()
            .map(|r| {
                let told = match (r.referral.learner_told, r.referral.parent_told.as_str()) {
                    (true, "yes") => "The learner and a parent or carer were told".to_owned(),
                    (true, _) => "The learner was told".to_owned(),
                    (false, "yes") => "A parent or carer was told; the learner was not".to_owned(),
                    (false, _) => "The learner was not told".to_owned(),
                };
                let told = if r.referral.not_told_why.is_empty() {
                    told
                } else {
                    format!("{told}: {}", r.referral.not_told_why)
                };
                let consent = rules::CONSENT
                    .iter()
                    .find(|(c, _)| *c == r.feedback.channel_consent)
                    .map_or("", |(_, label)| label);
                let consent = if r.feedback.consent_by.is_empty() {
                    consent.to_owned()
                } else {
                    format!(
                        "{consent}, by {}",
                        if r.feedback.consent_by == "parent" { "a parent or carer" } else { "the learner" }
                    )
                };
                ReferralView {
                    agency: label_of("decision", &r.referral.agency, nation),
                    sent: long_date(r.referral.sent_on),
                    route: r.referral.route.clone(),
                    reference: r.referral.reference.clone(),
                    told,
                    parallel: r.referral.parallel.clone(),
                    outcome: label_of("outcome", &r.feedback.outcome, nation),
                    feedback: r.feedback.feedback.clone(),
                    consent,
                }
            })
            .collect();
        let panels = case
            .entries
            .iter()
            .filter(|e| e.kind == "panel")
            .map(|e| (long_date(e.occurred_on), e.text.clone()))
            .collect();
        Self {
            panels,
            status: case.summary.status.describe(case.summary.risk.is_some()),
            risk: case.summary.risk.map_or("Not triaged yet", |r| r.label()),
            age: case.age.label(),
            category: crate::concerns::category_label(&case.summary.category),
            prevent_type: if case.prevent_type.is_empty() {
                String::new()
            } else {
                label_of("prevent_type", &case.prevent_type, nation)
            },
            review: case.summary.review_on.map_or_else(|| "Not set".into(), long_date),
            opened: long_datetime(case.summary.opened_at),
            closed: case.summary.status == CaseStatus::Closed,
            works: case.reach >= Reach::Work,
            manages: case.reach == Reach::Manage,
            entries,
            decisions: case
                .decisions
                .iter()
                .map(|d| {
                    let by = d.decided_by.clone().unwrap_or_default();
                    (
                        label_of("decision", &d.decision, nation),
                        d.reason.clone(),
                        format!("{by}, {}", long_datetime(d.decided_at)),
                    )
                })
                .collect(),
            actions: case
                .actions
                .iter()
                .map(|a| (a.id.to_string(), a.what.clone(), a.owner.clone(), long_date(a.due_on), a.done))
                .collect(),
            referrals,
            disclosures: case
                .disclosures
                .iter()
                .map(|d| {
                    let x = &d.disclosure;
                    (
                        long_date(x.shared_on),
                        x.recipient.clone(),
                        x.shared.clone(),
                        x.purpose.clone(),
                        label_of("lawful_basis", &x.lawful_basis, nation),
                        d.authorised_by.clone().unwrap_or_default(),
                    )
                })
                .collect(),
            access: case
                .access
                .iter()
                .map(|a| {
                    let kind = match (a.kind.as_str(), a.expires_at) {
                        ("assigned", _) => "Assigned".to_owned(),
                        ("named", _) => "Named on the case".to_owned(),
                        (_, until) => format!("Can read it until {}", until.map(long_datetime).unwrap_or_default()),
                    };
                    (a.name.clone(), kind)
                })
                .collect(),
        }
    }
}

async fn opened(state: &AppState, member: &Member, id: &str) -> AppResult<(CaseFile, CaseView)> {
    let case = state.store.open_case(&member.scope, case_id(id)?).await?;
    let nation = state.store.organisation(&member.scope).await?.nation;
    let view = CaseView::new(&case, nation);
    Ok((case, view))
}

/// A case, opened: the read is audited as case content.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CaseQuery {
    /// The form just saved (its page after the case's id, like `entries`), for the success banner.
    saved: String,
}

pub async fn show(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    Query(query): Query<CaseQuery>,
) -> AppResult<Response> {
    let (case, view) = opened(&state, &member, &id).await?;
    let saved = super::forms::FORMS
        .iter()
        .find(|form| form.page.strip_prefix("/cases/{id}/") == Some(query.saved.as_str()))
        .map(|form| form.saved);
    render(&CasePage {
        chrome: Chrome::member(&state, &format!("Case {}", case.summary.reference), &member.session, "/cases").await?,
        case,
        view,
        saved,
    })
}

#[derive(Template)]
#[template(path = "cases/case_print.html")]
struct PrintPage {
    chrome: Chrome,
    case: CaseFile,
    view: CaseView,
    printed: String,
    organisation: String,
}

/// The chronology for print: headers on every page, each section on a page of its own.
pub async fn print(State(state): State<AppState>, member: Member, Path(id): Path<String>) -> AppResult<Response> {
    let (case, view) = opened(&state, &member, &id).await?;
    render(&PrintPage {
        chrome: Chrome::member(
            &state,
            &format!("Chronology of case {}", case.summary.reference),
            &member.session,
            "/cases",
        )
        .await?,
        organisation: state.store.organisation(&member.scope).await?.name,
        printed: long_datetime(state.store.now()),
        case,
        view,
    })
}

#[derive(Template)]
#[template(path = "cases/case_viewers.html")]
struct ViewersPage {
    chrome: Chrome,
    case_id: CaseId,
    viewers: Vec<(String, String, &'static str)>,
}

/// Who has opened a case, and when.
pub async fn viewers(State(state): State<AppState>, member: Member, Path(id): Path<String>) -> AppResult<Response> {
    let id = case_id(&id)?;
    let viewers = state
        .store
        .case_viewers(&member.scope, id)
        .await?
        .into_iter()
        .map(|(who, at, file)| (who, long_datetime(at), if file { "opened a file" } else { "opened the case" }))
        .collect();
    render(&ViewersPage {
        chrome: Chrome::member(&state, "Who has viewed this case", &member.session, "/cases").await?,
        case_id: id,
        viewers,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BreakGlassForm {
    reason: String,
}

#[derive(Template)]
#[template(path = "cases/break_glass.html")]
struct BreakGlassPage {
    chrome: Chrome,
    allowed: bool,
    until: Option<String>,
    /// The lead and deputies in the registry today, and whether each is recorded as away.
    cover: Vec<(String, bool)>,
    form: BreakGlassForm,
    errors: FormErrors,
}

async fn break_glass_page(
    state: &AppState,
    member: &Member,
    form: BreakGlassForm,
    errors: FormErrors,
) -> AppResult<Response> {
    render(&BreakGlassPage {
        chrome: Chrome::member(state, "Emergency access to safeguarding cases", &member.session, "/cases")
            .await?
            .with_errors(&errors),
        allowed: state.store.may_break_glass(&member.scope).await?,
        until: state.store.break_glass_until(&member.scope).await?.map(long_datetime),
        cover: state
            .store
            .holders_on(&member.scope, state.store.now().date())
            .await?
            .into_iter()
            .filter(|h| matches!(h.post, Post::Dsl | Post::DeputyDsl))
            .map(|h| (h.name, h.away))
            .collect(),
        form,
        errors,
    })
}

/// Break-glass: for the senior leader named in the role registry today, when no lead is available.
pub async fn break_glass_show(State(state): State<AppState>, member: Member) -> AppResult<Response> {
    break_glass_page(&state, &member, BreakGlassForm::default(), FormErrors::default()).await
}

/// Opens the caseload for a few hours with a reason, and tells the leads at once by an email with no
/// content.
pub async fn break_glass_submit(
    State(state): State<AppState>,
    member: Member,
    Form(form): Form<BreakGlassForm>,
) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    let mut check = rules::Checker::new(|f, m| errors.add(f, m));
    let reason = check.required("reason", &form.reason, "Say why you need access now");
    let Some(reason) = check.finish(reason) else {
        return break_glass_page(&state, &member, form, errors).await;
    };
    let leads = state.store.safeguarding_lead_emails(&member.scope).await?;
    let mut tx = state.store.write(&member.scope).await?;
    let until = tx.break_glass(&reason).await?;
    let composed = crate::mail::break_glass(&member.session.display_name, &long_datetime(until));
    for lead in leads {
        tx.queue_mail(&lead, composed.subject, &composed.body).await?;
    }
    tx.commit().await?;
    Ok(Redirect::to("/cases").into_response())
}

async fn case_attach_page(state: &AppState, member: &Member, id: CaseId, errors: FormErrors) -> AppResult<Response> {
    let facts = state.store.case_facts(&member.scope, id).await?;
    if facts.reach < Reach::Work {
        return Err(AppError::NotFound);
    }
    render(&crate::uploads::AttachPage {
        chrome: Chrome::member(state, "Add a file to the case", &member.session, "/cases").await?.with_errors(&errors),
        caption: format!("Case {}", facts.reference),
        intro: "Only people who reach this case can open it, and each opening is recorded.",
        action: format!("/cases/{id}/attach"),
        back: format!("/cases/{id}"),
        errors,
    })
}

/// The team adds a file to a case.
pub async fn attach_show(State(state): State<AppState>, member: Member, Path(id): Path<String>) -> AppResult<Response> {
    case_attach_page(&state, &member, case_id(&id)?, FormErrors::default()).await
}

pub async fn attach_submit(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    form: axum::extract::Multipart,
) -> AppResult<Response> {
    let id = case_id(&id)?;
    let to = store::attachments::AttachTo::Case(id);
    match crate::uploads::receive_file(&state, &member.scope, to, form).await? {
        None => Ok(Redirect::to(&format!("/cases/{id}")).into_response()),
        Some(errors) => case_attach_page(&state, &member, id, errors).await,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FileQuery {
    file: String,
}

/// One file of a case, always as a download; the read is audited.
pub async fn attachment(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    Query(query): Query<FileQuery>,
) -> AppResult<Response> {
    let (file, bytes) = state.store.open_attachment(&member.scope, case_id(&id)?, &query.file).await?;
    Ok(crate::uploads::as_attachment(&file.name, &file.content_type, bytes))
}
