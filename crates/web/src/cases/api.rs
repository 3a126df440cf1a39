//! `/api/v1/cases`: the safeguarding team's cases, over the same store calls and the same form checks as the
//! pages; every form of a case is served here too, by [`crate::record`]. A caller who does not reach a case gets 404, as for a missing one.

use super::forms::Recorded;
use crate::AppState;
use crate::api::{ApiQuery, Paged, Paging, rfc3339};
use crate::auth::ApiCaller;
use crate::error::{AppError, AppResult};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::CaseId;
use serde::{Deserialize, Serialize};
use store::cases::{CaseFile, CaseFilter, CaseSummary};
use utoipa::{IntoParams, ToSchema};

/// A case in a list: no names, no content.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseItem {
    pub id: String,
    pub reference: String,
    pub category: String,
    /// `triage`, `open`, `referred` or `closed`.
    pub status: String,
    /// `low`, `medium` or `high`; absent before triage.
    pub risk: Option<String>,
    pub restricted: bool,
    /// ISO 8601 date.
    pub review_on: Option<String>,
    pub opened_at: String,
}

fn item(c: CaseSummary) -> CaseItem {
    CaseItem {
        id: c.id.to_string(),
        reference: c.reference,
        category: c.category,
        status: c.status.as_str().into(),
        risk: c.risk.map(|r| r.as_str().into()),
        restricted: c.restricted,
        review_on: c.review_on.map(|d| d.to_string()),
        opened_at: rfc3339(c.opened_at),
    }
}

/// Which cases to list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct CasesQuery {
    /// `open` (the default), `past_review` or `closed`.
    #[param(required = false)]
    pub show: String,
}

#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", params(Paging, CasesQuery),
    responses((status = 200, body = Paged<CaseItem>), (status = 400, body = crate::api::ErrorBody)), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    ApiCaller(scope): ApiCaller,
    ApiQuery(paging): ApiQuery<Paging>,
    ApiQuery(query): ApiQuery<CasesQuery>,
) -> AppResult<Json<Paged<CaseItem>>> {
    let filter = match query.show.as_str() {
        "" | "open" => CaseFilter::Open,
        "past_review" => CaseFilter::PastReview,
        "closed" => CaseFilter::Closed,
        _ => {
            return Err(AppError::BadRequest {
                field: "show".into(),
                message: "Use open, past_review or closed".into(),
            });
        }
    };
    let (page, per_page) = paging.checked()?;
    let page = state.store.cases_page(&scope, filter, page, per_page).await?;
    // The API's list carries no names: who a case is about is on the case itself.
    Ok(Json(Paged::from(page, |entry| item(entry.summary))))
}

/// An entry in a case's chronology.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntryJson {
    pub id: String,
    pub kind: String,
    pub occurred_on: String,
    pub text: String,
    /// The entry this one corrects.
    pub corrects: Option<String>,
    pub author: Option<String>,
    pub written_at: String,
}

/// A decision and its reason.
#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionJson {
    pub decision: String,
    pub reason: String,
    pub decided_by: Option<String>,
    pub decided_at: String,
}

/// An action.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActionJson {
    pub id: String,
    pub what: String,
    pub owner: String,
    pub due_on: String,
    pub done: bool,
}

/// A referral, its outcome and Channel consent.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralJson {
    pub id: String,
    pub agency: String,
    pub route: String,
    pub sent_on: String,
    pub reference: String,
    pub learner_told: bool,
    pub parent_told: String,
    pub not_told_why: String,
    pub parallel: String,
    pub outcome: String,
    pub feedback: String,
    pub channel_consent: String,
    pub consent_by: String,
}

/// An entry in the information-sharing log.
#[derive(Debug, Serialize, ToSchema)]
pub struct DisclosureJson {
    pub recipient: String,
    pub shared: String,
    pub purpose: String,
    pub lawful_basis: String,
    pub shared_on: String,
    pub authorised_by: Option<String>,
}

/// The concern a case was opened from.
#[derive(Debug, Serialize, ToSchema)]
pub struct RaisedJson {
    pub reference: String,
    pub what_happened: String,
    pub when_and_where: String,
    pub immediate_danger: bool,
    pub raised_by: Option<String>,
}

/// The people around the learner.
#[derive(Debug, Serialize, ToSchema)]
pub struct KeyContextJson {
    pub parent_carer: String,
    pub social_worker: String,
    /// `yes`, `no`, or empty for not known.
    pub care_leaver: String,
    /// `yes`, `no`, or empty for not known.
    pub ehcp: String,
    pub workplace_contact: String,
}

/// A whole case. Reading it is recorded in the audit log as a read of case content.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseJson {
    #[serde(flatten)]
    pub summary: CaseItem,
    pub subject: String,
    pub about_staff: bool,
    /// `under_18`, `adult`, `adult_care_needs` or `unknown`.
    pub age_group: String,
    pub prevent_type: String,
    pub key_context: KeyContextJson,
    pub outcome: Option<String>,
    pub concern: RaisedJson,
    pub chronology: Vec<EntryJson>,
    pub decisions: Vec<DecisionJson>,
    pub actions: Vec<ActionJson>,
    pub referrals: Vec<ReferralJson>,
    pub disclosures: Vec<DisclosureJson>,
    /// The other cases from the same incident that the caller reaches.
    pub incident: Vec<String>,
    /// Files added to the case, or to its concern by the person who raised it.
    pub files: Vec<FileJson>,
}

/// A file of a case; fetch it from `GET /api/v1/cases/{id}/file?file=…`.
#[derive(Debug, Serialize, ToSchema)]
pub struct FileJson {
    pub id: String,
    /// The name the person gave it.
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub added_at: String,
}

fn whole(case: CaseFile) -> CaseJson {
    let raised = case.raised;
    CaseJson {
        summary: item(case.summary),
        subject: case.subject,
        about_staff: case.about_staff,
        age_group: case.age.as_str().into(),
        prevent_type: case.prevent_type,
        key_context: KeyContextJson {
            parent_carer: case.context.parent_carer,
            social_worker: case.context.social_worker,
            care_leaver: case.context.care_leaver,
            ehcp: case.context.ehcp,
            workplace_contact: case.context.workplace_contact,
        },
        outcome: case.outcome,
        concern: RaisedJson {
            reference: raised.summary.reference,
            what_happened: raised.what_happened,
            when_and_where: raised.when_and_where,
            immediate_danger: raised.summary.immediate_danger,
            raised_by: raised.reporter_name,
        },
        chronology: case
            .entries
            .into_iter()
            .map(|e| EntryJson {
                id: e.id.to_string(),
                kind: e.kind,
                occurred_on: e.occurred_on.to_string(),
                text: e.text,
                corrects: e.corrects.map(|c| c.to_string()),
                author: e.author,
                written_at: rfc3339(e.written_at),
            })
            .collect(),
        decisions: case
            .decisions
            .into_iter()
            .map(|d| DecisionJson {
                decision: d.decision,
                reason: d.reason,
                decided_by: d.decided_by,
                decided_at: rfc3339(d.decided_at),
            })
            .collect(),
        actions: case
            .actions
            .into_iter()
            .map(|a| ActionJson {
                id: a.id.to_string(),
                what: a.what,
                owner: a.owner,
                due_on: a.due_on.to_string(),
                done: a.done,
            })
            .collect(),
        referrals: case
            .referrals
            .into_iter()
            .map(|r| ReferralJson {
                id: r.id.to_string(),
                agency: r.referral.agency,
                route: r.referral.route,
                sent_on: r.referral.sent_on.to_string(),
                reference: r.referral.reference,
                learner_told: r.referral.learner_told,
                parent_told: r.referral.parent_told,
                not_told_why: r.referral.not_told_why,
                parallel: r.referral.parallel,
                outcome: r.feedback.outcome,
                feedback: r.feedback.feedback,
                channel_consent: r.feedback.channel_consent,
                consent_by: r.feedback.consent_by,
            })
            .collect(),
        disclosures: case
            .disclosures
            .into_iter()
            .map(|d| DisclosureJson {
                recipient: d.disclosure.recipient,
                shared: d.disclosure.shared,
                purpose: d.disclosure.purpose,
                lawful_basis: d.disclosure.lawful_basis,
                shared_on: d.disclosure.shared_on.to_string(),
                authorised_by: d.authorised_by,
            })
            .collect(),
        incident: case.incident.into_iter().map(|(id, _)| id.to_string()).collect(),
        files: case
            .attachments
            .into_iter()
            .map(|f| FileJson {
                id: f.id,
                name: f.name,
                content_type: f.content_type,
                size: f.size,
                added_at: rfc3339(f.added_at),
            })
            .collect(),
    }
}

#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases", params(("id" = String, Path, description = "The case's id")),
    responses((status = 200, body = CaseJson), (status = 404, body = crate::api::ErrorBody)), security(("bearer" = [])))]
pub async fn one(
    State(state): State<AppState>,
    ApiCaller(scope): ApiCaller,
    Path(id): Path<String>,
) -> AppResult<Json<CaseJson>> {
    let id: CaseId = id.parse().map_err(|_| AppError::NotFound)?;
    Ok(Json(whole(state.store.open_case(&scope, id).await?)))
}

/// Adds a file to a case: a multipart body with the file in `file`. Encrypted when stored.
#[utoipa::path(post, path = "/api/v1/cases/{id}/files", tag = "cases", params(("id" = String, Path, description = "The case's id")),
    request_body(content = crate::platform::files::Upload, content_type = "multipart/form-data"),
    responses((status = 201, body = Recorded), (status = 404, body = crate::api::ErrorBody), (status = 422, body = crate::api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn add_file(
    State(state): State<AppState>,
    ApiCaller(scope): ApiCaller,
    Path(id): Path<String>,
    mut form: axum::extract::Multipart,
) -> AppResult<(StatusCode, Json<Recorded>)> {
    let case: CaseId = id.parse().map_err(|_| AppError::NotFound)?;
    let (name, bytes) = crate::uploads::uploaded(&mut form).await?;
    let mut tx = state.store.write(&scope).await?;
    tx.attach_to_case(case, &name, &bytes).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Recorded { case: case.to_string() })))
}

/// Which file of a case.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct FileQuery {
    /// The file's id, from the case's `files`.
    pub file: String,
}

/// One file of a case, as an attachment; the read is audited.
#[utoipa::path(get, path = "/api/v1/cases/{id}/file", tag = "cases", params(("id" = String, Path, description = "The case's id"), FileQuery),
    responses((status = 200, description = "The file, as an attachment"), (status = 404, body = crate::api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn file(
    State(state): State<AppState>,
    ApiCaller(scope): ApiCaller,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<FileQuery>,
) -> AppResult<axum::response::Response> {
    let case: CaseId = id.parse().map_err(|_| AppError::NotFound)?;
    let (file, bytes) = state.store.open_attachment(&scope, case, &query.file).await?;
    Ok(crate::uploads::as_attachment(&file.name, &file.content_type, bytes))
}
