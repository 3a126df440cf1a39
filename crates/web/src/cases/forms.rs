//! One form for each thing recorded in a case. Every form is a [`CaseForm`]: its fields, its check (the
//! domain's parser) and its save (one store call), and through it a [`RecordForm`], which serves it as a
//! page and an API call alike. Each form has its API body beside it: typed JSON, named for what it is.

use crate::AppState;
use crate::api::iso_date;
use crate::error::{AppError, AppResult};
use crate::forms::{FormErrors, YES_NO};
use crate::layout::long_date;
use crate::record::{Field, FieldKind, Owner, RecordForm, Registration, field, options, register};
use domain::cases::{self as rules, AgeGroup, KeyContext, label_of};
use domain::org::Nation;
use domain::policy::Action;
use domain::{AccountId, CaseActionId, CaseEntryId, CaseId, ReferralId};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use store::cases::{CaseFacts, CaseFile, Reach};
use store::{OrgScope, StoreResult, WriteTx};
use time::Date;
use utoipa::ToSchema;
use uuid::Uuid;

/// Every form of a case, each named once.
pub(super) const FORMS: &[Registration] = &[
    register::<EntryForm>(),
    register::<TriageForm>(),
    register::<DecisionForm>(),
    register::<ActionForm>(),
    register::<ActionDoneForm>(),
    register::<ReferralForm>(),
    register::<FeedbackForm>(),
    register::<DisclosureForm>(),
    register::<ContextForm>(),
    register::<CloseForm>(),
    register::<ReopenForm>(),
    register::<AccessForm>(),
    register::<RestrictForm>(),
    register::<AnotherPersonForm>(),
];

fn vocabulary(list: &str, nation: Nation) -> Vec<(String, String)> {
    rules::terms(list).iter().map(|t| (t.id.clone(), t.label(nation).to_owned())).collect()
}

fn people(list: &[(AccountId, String)]) -> Vec<(String, String)> {
    let mut choices = vec![(String::new(), "Choose a person".to_owned())];
    choices.extend(list.iter().map(|(id, name)| (id.to_string(), name.clone())));
    choices
}

const DATE_HINT: &str = "For example, 27/3/2026";

/// How the API's typed values become the page's answers, for the one check.
fn yes_no(answer: Option<bool>) -> String {
    answer.map_or("", |yes| if yes { "yes" } else { "no" }).to_owned()
}

fn day(date: Option<Date>) -> String {
    date.map(|d| d.to_string()).unwrap_or_default()
}

fn id(id: Option<Uuid>) -> String {
    id.map(|id| id.to_string()).unwrap_or_default()
}

/// What every case form knows: the case's facts (no content), the nation's vocabulary and who can be chosen.
pub struct FormContext {
    pub id: CaseId,
    pub facts: CaseFacts,
    pub nation: Nation,
    /// The safeguarding leads and officers.
    pub team: Vec<(AccountId, String)>,
    /// Who can own an action: the safeguarding team, or only oneself below a manager.
    pub owners: Vec<(AccountId, String)>,
    pub colleagues: Vec<(AccountId, String)>,
    pub referrals: Vec<(ReferralId, String)>,
}

impl FormContext {
    async fn load(state: &AppState, scope: &OrgScope, id: CaseId, with_colleagues: bool) -> AppResult<Self> {
        let facts = state.store.case_facts(scope, id).await?;
        let nation = state.store.organisation(scope).await?.nation;
        let me = scope.actor().account;
        let team = state.store.safeguarding_team(scope).await?;
        let owners = team.iter().filter(|(a, _)| facts.reach == Reach::Manage || Some(*a) == me).cloned().collect();
        let referrals = state
            .store
            .referral_choices(scope, id)
            .await?
            .into_iter()
            .map(|(rid, agency, sent_on)| {
                (rid, format!("{}, sent {}", label_of("decision", &agency, nation), long_date(sent_on)))
            })
            .collect();
        let colleagues = if with_colleagues && facts.reach == Reach::Manage {
            state.store.colleagues(scope).await?
        } else {
            Vec::new()
        };
        Ok(Self { id, facts, nation, team, owners, colleagues, referrals })
    }
}

impl Owner for FormContext {
    fn caption(&self) -> String {
        format!("Case {}", self.facts.reference)
    }

    fn back(&self) -> (String, &'static str) {
        (format!("/cases/{}", self.id), "Back to the case")
    }
}

/// What recording something in a case answers: the case to read next.
#[derive(Debug, Serialize, ToSchema)]
pub struct Recorded {
    pub case: String,
}

/// One thing recorded in a case. Every case form is a [`RecordForm`] through this.
pub trait CaseForm: DeserializeOwned + Default + Send + Sync + 'static {
    type Parsed: Send + Sync;
    /// The API's body.
    type Json: DeserializeOwned + ToSchema + Into<Self> + Send + 'static;
    /// The page's path and the API's, each with `{id}` for the case.
    const PAGE: &'static str;
    /// What the success banner on the case page says once the form is saved.
    const SAVED: &'static str;
    /// The section of the case page shown after saving (its element id).
    const ANCHOR: &'static str;
    const API: &'static str;
    const TITLE: &'static str;
    const INTRO: &'static str;
    const SUBMIT: &'static str;
    const SUMMARY: &'static str;
    /// The least reach into the case that may use the form.
    const REACH: Reach = Reach::Work;
    /// Whether the form starts from what the case holds (opening it, an audited read).
    const PREFILLS: bool = false;
    /// Whether the form offers every colleague to choose from (loaded only for such a form).
    const CHOOSES_COLLEAGUES: bool = false;
    /// Whether the form has a page of its own.
    const SHOWN: bool = true;

    /// The answers the case holds now, for a form that [`CaseForm::PREFILLS`].
    fn from_case(_: &CaseFile) -> Self {
        Self::default()
    }

    /// The form as first shown, from the page's query string.
    fn from_query(_query: &str) -> Self {
        Self::default()
    }

    fn fields(&self, context: &FormContext) -> Vec<Field>;

    /// Checks the answers, recording each problem by field.
    fn check(&self, context: &FormContext, errors: &mut FormErrors) -> Option<Self::Parsed>;

    /// Saves in the transaction, and answers the case to show next.
    fn save(
        parsed: &Self::Parsed,
        tx: &mut WriteTx<'_>,
        context: &FormContext,
    ) -> impl Future<Output = StoreResult<CaseId>> + Send;
}

impl<F: CaseForm> RecordForm for F {
    type Context = FormContext;
    type Parsed = F::Parsed;
    type Json = F::Json;
    type Saved = Recorded;
    const PAGE: &'static str = F::PAGE;
    const SAVED: &'static str = F::SAVED;
    const API: &'static str = F::API;
    const ACTION: Action = Action::WorkOnCases;
    const TAG: &'static str = "cases";
    const SUMMARY: &'static str = F::SUMMARY;
    const TITLE: &'static str = F::TITLE;
    const INTRO: &'static str = F::INTRO;
    const SUBMIT: &'static str = F::SUBMIT;
    const SECTION: &'static str = "/cases";
    const SHOWN: bool = F::SHOWN;

    /// Answers "not found" to a caller who does not reach the case far enough.
    async fn load(state: &AppState, scope: &OrgScope, id: &str) -> AppResult<FormContext> {
        let context = FormContext::load(state, scope, case_id(id)?, F::CHOOSES_COLLEAGUES).await?;
        if context.facts.reach < F::REACH {
            return Err(AppError::NotFound);
        }
        Ok(context)
    }

    async fn start(state: &AppState, scope: &OrgScope, context: &FormContext, query: &str) -> AppResult<Self> {
        if F::PREFILLS {
            Ok(F::from_case(&state.store.open_case(scope, context.id).await?))
        } else {
            Ok(F::from_query(query))
        }
    }

    fn fields(&self, context: &FormContext) -> Vec<Field> {
        CaseForm::fields(self, context)
    }

    fn check(&self, context: &FormContext, errors: &mut FormErrors) -> Option<F::Parsed> {
        CaseForm::check(self, context, errors)
    }

    async fn save(parsed: &F::Parsed, tx: &mut WriteTx<'_>, context: &FormContext) -> StoreResult<Recorded> {
        Ok(Recorded { case: F::save(parsed, tx, context).await?.to_string() })
    }

    /// The case page at the section the form changed, with a banner saying what was saved.
    fn next_page(saved: &Recorded) -> String {
        let form = F::PAGE.trim_start_matches("/cases/{id}/");
        format!("/cases/{}?saved={form}#{}", saved.case, F::ANCHOR)
    }
}

pub(crate) fn case_id(raw: &str) -> AppResult<CaseId> {
    raw.parse().map_err(|_| AppError::NotFound)
}

/// A chronology entry, or a correction of one.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EntryForm {
    /// `fact`, `opinion`, `voice`, `meeting` or `panel`.
    pub kind: String,
    /// The day it happened: `2026-11-30` or `30/11/2026`.
    pub occurred_on: String,
    pub text: String,
    /// The id of the entry this corrects, if it is a correction.
    pub corrects: String,
}

/// A chronology entry, or a correction of one.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct NewEntry {
    /// `fact`, `opinion`, `voice`, `meeting` or `panel`.
    pub kind: String,
    /// The day it happened.
    #[serde(with = "iso_date::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub occurred_on: Option<Date>,
    pub text: String,
    /// The id of the entry this corrects, if it is a correction.
    pub corrects: Option<Uuid>,
}

impl From<NewEntry> for EntryForm {
    fn from(j: NewEntry) -> Self {
        Self { kind: j.kind, occurred_on: day(j.occurred_on), text: j.text, corrects: id(j.corrects) }
    }
}

impl CaseForm for EntryForm {
    type Parsed = (rules::NewEntry, Option<CaseEntryId>);
    type Json = NewEntry;
    const PAGE: &'static str = "/cases/{id}/entries";
    const SAVED: &'static str = "The entry has been added to the chronology";
    const ANCHOR: &'static str = "chronology";
    const API: &'static str = "/api/v1/cases/{id}/entries";
    const SUMMARY: &'static str = "Adds an entry to the chronology, or a correction of one.";
    const TITLE: &'static str = "Add to the chronology";
    const INTRO: &'static str = "Entries are never changed. To put one right, add a correction: both stay in the \
        chronology. Keep facts apart from opinions, and record the learner's own words and wishes.";
    const SUBMIT: &'static str = "Add the entry";

    /// A correction starts from `?corrects=<entry id>`.
    fn from_query(query: &str) -> Self {
        let corrects = form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == "corrects").map(|(_, v)| v);
        Self { corrects: corrects.map(std::borrow::Cow::into_owned).unwrap_or_default(), ..Self::default() }
    }

    fn fields(&self, _: &FormContext) -> Vec<Field> {
        vec![
            field(
                "kind",
                "What kind of entry is this?",
                "",
                FieldKind::Radios(options(rules::WRITTEN_ENTRIES)),
                &self.kind,
            ),
            field("occurred_on", "When did it happen?", DATE_HINT, FieldKind::Date, &self.occurred_on),
            field(
                "text",
                "Entry",
                "Who, what, where; what was said, in the person's words where possible",
                FieldKind::Area,
                &self.text,
            ),
            field("corrects", "", "", FieldKind::Hidden, &self.corrects),
        ]
    }

    fn check(&self, _: &FormContext, errors: &mut FormErrors) -> Option<Self::Parsed> {
        let corrects =
            if self.corrects.is_empty() {
                None
            } else {
                Some(errors.check(
                    "text",
                    self.corrects.parse::<CaseEntryId>().map_err(|_| "The entry to correct is not known"),
                )?)
            };
        let entry = rules::parse_entry(&self.kind, &self.occurred_on, &self.text, |f, m| errors.add(f, m))?;
        Some((entry, corrects))
    }

    async fn save(parsed: &Self::Parsed, tx: &mut WriteTx<'_>, context: &FormContext) -> StoreResult<CaseId> {
        tx.add_entry(context.id, &parsed.0, parsed.1).await?;
        Ok(context.id)
    }
}

/// Triage.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TriageForm {
    /// `low`, `medium` or `high`.
    pub risk: String,
    pub checked: String,
    /// Who advice was sought from; empty when none was.
    pub advice_from: String,
    /// `yes` or `no`: whether the person was named when advice was sought.
    pub advice_named: String,
    pub options: String,
    /// A Prevent concern type, or empty.
    pub prevent_type: String,
}

/// Triage: the risk level, what was checked, advice sought and the options considered.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Triage {
    /// `low`, `medium` or `high`.
    pub risk: String,
    pub checked: String,
    /// Who advice was sought from; empty when none was.
    pub advice_from: String,
    /// Whether the person was named when advice was sought (only when it was).
    pub advice_named: Option<bool>,
    pub options: String,
    /// A Prevent concern type from `frameworks/case-vocabulary.csv`, or empty.
    pub prevent_type: String,
}

impl From<Triage> for TriageForm {
    fn from(j: Triage) -> Self {
        Self {
            risk: j.risk,
            checked: j.checked,
            advice_from: j.advice_from,
            advice_named: yes_no(j.advice_named),
            options: j.options,
            prevent_type: j.prevent_type,
        }
    }
}

impl CaseForm for TriageForm {
    type Parsed = rules::Triage;
    type Json = Triage;
    const PAGE: &'static str = "/cases/{id}/triage";
    const SAVED: &'static str = "The triage has been saved: the case now waits for a decision";
    const ANCHOR: &'static str = "summary";
    const API: &'static str = "/api/v1/cases/{id}/triage";
    const SUMMARY: &'static str = "Records triage: risk level, checks, advice sought and options.";
    const TITLE: &'static str = "Triage";
    const INTRO: &'static str = "Record what you checked, any advice you sought and the options you considered. \
        You may seek advice from the local authority or police Prevent team without naming the person.";
    const SUBMIT: &'static str = "Record triage";

    fn fields(&self, context: &FormContext) -> Vec<Field> {
        let risks = rules::RiskLevel::ALL.iter().map(|r| (r.as_str().to_owned(), r.label().to_owned())).collect();
        vec![
            field("risk", "Risk level", "", FieldKind::Radios(risks), &self.risk),
            field(
                "checked",
                "What did you check?",
                "Records, the people who know the learner, the workplace",
                FieldKind::Area,
                &self.checked,
            ),
            field(
                "advice_from",
                "Who did you seek advice from? (optional)",
                "For example, the local authority Prevent lead",
                FieldKind::Text,
                &self.advice_from,
            ),
            field(
                "advice_named",
                "Did you name the person when you sought advice?",
                "Only if you sought advice",
                FieldKind::Radios(options(&YES_NO)),
                &self.advice_named,
            ),
            field("options", "Which options did you consider?", "", FieldKind::Area, &self.options),
            field(
                "prevent_type",
                "Prevent concern type (optional)",
                "Only the safeguarding team records this; most concerns show no clear ideology",
                FieldKind::Select(
                    [(String::new(), "Not a Prevent concern, or not recorded".to_owned())]
                        .into_iter()
                        .chain(vocabulary("prevent_type", context.nation))
                        .collect(),
                ),
                &self.prevent_type,
            ),
        ]
    }

    fn check(&self, _: &FormContext, errors: &mut FormErrors) -> Option<Self::Parsed> {
        let answers = rules::TriageAnswers {
            risk: &self.risk,
            checked: &self.checked,
            advice_from: &self.advice_from,
            advice_named: &self.advice_named,
            options: &self.options,
            prevent_type: &self.prevent_type,
        };
        rules::parse_triage(answers, |f, m| errors.add(f, m))
    }

    async fn save(parsed: &Self::Parsed, tx: &mut WriteTx<'_>, context: &FormContext) -> StoreResult<CaseId> {
        tx.record_triage(context.id, parsed).await?;
        Ok(context.id)
    }
}

/// A decision and its reason.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    /// A decision id from `frameworks/case-vocabulary.csv`, like `monitor` or `prevent`.
    pub decision: String,
    pub reason: String,
}

/// A decision and its reason.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct NewDecision {
    /// A decision id from `frameworks/case-vocabulary.csv`, like `monitor` or `prevent`.
    pub decision: String,
    pub reason: String,
}

impl From<NewDecision> for DecisionForm {
    fn from(j: NewDecision) -> Self {
        Self { decision: j.decision, reason: j.reason }
    }
}

impl CaseForm for DecisionForm {
    type Parsed = rules::Decision;
    type Json = NewDecision;
    const PAGE: &'static str = "/cases/{id}/decisions";
    const SAVED: &'static str = "The decision and its reason have been recorded";
    const ANCHOR: &'static str = "decisions";
    const API: &'static str = "/api/v1/cases/{id}/decisions";
    const SUMMARY: &'static str = "Records a decision with its reason.";
    const TITLE: &'static str = "Record a decision";
    const INTRO: &'static str = "Record each decision with its reason. A decision not to refer needs its reason as \
        much as a referral does. Social care routes depend on the learner's age group in key context.";
    const SUBMIT: &'static str = "Record the decision";

    fn fields(&self, context: &FormContext) -> Vec<Field> {
        vec![
            field(
                "decision",
                "Decision",
                "",
                FieldKind::Radios(vocabulary("decision", context.nation)),
                &self.decision,
            ),
            field("reason", "Reason", "Why this, and why not the other options", FieldKind::Area, &self.reason),
        ]
    }

    fn check(&self, context: &FormContext, errors: &mut FormErrors) -> Option<Self::Parsed> {
        let (age, staff) = (context.facts.age, context.facts.about_staff);
        rules::parse_decision(&self.decision, &self.reason, age, staff, |f, m| errors.add(f, m))
    }

    async fn save(parsed: &Self::Parsed, tx: &mut WriteTx<'_>, context: &FormContext) -> StoreResult<CaseId> {
        tx.record_decision(context.id, parsed).await?;
        Ok(context.id)
    }
}

/// An action with an owner and a due date.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ActionForm {
    pub what: String,
    /// The owner's account id, from the safeguarding team.
    pub owner: String,
    pub due_on: String,
}

/// An action with an owner and a due date.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct NewAction {
    pub what: String,
    /// The owner's account id, from the safeguarding team.
    pub owner: Option<Uuid>,
    #[serde(with = "iso_date::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub due_on: Option<Date>,
}

impl From<NewAction> for ActionForm {
    fn from(j: NewAction) -> Self {
        Self { what: j.what, owner: id(j.owner), due_on: day(j.due_on) }
    }
}

impl CaseForm for ActionForm {
    type Parsed = (rules::NewAction, AccountId);
    type Json = NewAction;
    const PAGE: &'static str = "/cases/{id}/actions";
    const SAVED: &'static str = "The action has been added, and is now its owner's task";
    const ANCHOR: &'static str = "actions";
    const API: &'static str = "/api/v1/cases/{id}/actions";
    const SUMMARY: &'static str = "Adds an action with an owner and a due date.";
    const TITLE: &'static str = "Add an action";
    const INTRO: &'static str = "The owner sees a \"safeguarding task\" in their tasks, with a link to this case and \
        nothing of its content.";
    const SUBMIT: &'static str = "Add the action";

    fn fields(&self, context: &FormContext) -> Vec<Field> {
        vec![
            field("what", "What needs doing?", "", FieldKind::Area, &self.what),
            field("owner", "Who will do it?", "", FieldKind::Select(people(&context.owners)), &self.owner),
            field("due_on", "When is it due?", DATE_HINT, FieldKind::Date, &self.due_on),
        ]
    }

    fn check(&self, _: &FormContext, errors: &mut FormErrors) -> Option<Self::Parsed> {
        let owner = self.owner.parse::<AccountId>().map_err(|_| errors.add("owner", "Choose who will do it")).ok();
        let action = rules::parse_action(&self.what, &self.due_on, |f, m| errors.add(f, m))?;
        Some((action, owner?))
    }

    async fn save(parsed: &Self::Parsed, tx: &mut WriteTx<'_>, context: &FormContext) -> StoreResult<CaseId> {
        tx.add_action(context.id, &parsed.0, parsed.1).await?;
        Ok(context.id)
    }
}

/// Marks an action done.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ActionDoneForm {
    /// The action's id.
    pub action: String,
}

/// An action marked done.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ActionDone {
    /// The action's id, from the case's `actions`.
    pub action: Option<Uuid>,
}

impl From<ActionDone> for ActionDoneForm {
    fn from(j: ActionDone) -> Self {
        Self { action: id(j.action) }
    }
}

impl CaseForm for ActionDoneForm {
    type Parsed = CaseActionId;
    type Json = ActionDone;
    const PAGE: &'static str = "/cases/{id}/actions/done";
    const SAVED: &'static str = "The action is marked as done";
    const ANCHOR: &'static str = "actions";
    const API: &'static str = "/api/v1/cases/{id}/actions/done";
    const SUMMARY: &'static str = "Marks an action done.";
    const SHOWN: bool = false;
    const TITLE: &'static str = "Mark an action done";
    const INTRO: &'static str = "";
    const SUBMIT: &'static str = "Mark done";

    fn fields(&self, _: &FormContext) -> Vec<Field> {
        vec![field("action", "", "", FieldKind::Hidden, &self.action)]
    }

    fn check(&self, _: &FormContext, errors: &mut FormErrors) -> Option<Self::Parsed> {
        errors.check("action", self.action.parse::<CaseActionId>().map_err(|_| "Choose an action"))
    }

    async fn save(parsed: &Self::Parsed, tx: &mut WriteTx<'_>, context: &FormContext) -> StoreResult<CaseId> {
        tx.complete_action(context.id, *parsed).await?;
        Ok(context.id)
    }
}

/// A referral to another agency, and what was shared with it.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReferralForm {
    /// `prevent`, `police`, `childrens_social_care`, `adult_social_care`, `early_help` or `lado`.
    pub agency: String,
    pub route: String,
    pub sent_on: String,
    pub reference: String,
    /// `yes` or `no`.
    pub learner_told: String,
    /// `yes`, `no` or `not_applicable` (an adult).
    pub parent_told: String,
    pub not_told_why: String,
    pub parallel: String,
    pub shared: String,
    /// A lawful basis id, like `public_task`.
    pub lawful_basis: String,
}

/// A referral to another agency, and what was shared with it.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct NewReferral {
    /// `prevent`, `police`, `childrens_social_care`, `adult_social_care`, `early_help` or `lado`.
    pub agency: String,
    pub route: String,
    #[serde(with = "iso_date::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub sent_on: Option<Date>,
    pub reference: String,
    /// Whether the learner was told.
    pub learner_told: Option<bool>,
    /// `yes`, `no` or `not_applicable` (an adult).
    pub parent_told: String,
    pub not_told_why: String,
    pub parallel: String,
    pub shared: String,
    /// A lawful basis id, like `public_task`.
    pub lawful_basis: String,
}

impl From<NewReferral> for ReferralForm {
    fn from(j: NewReferral) -> Self {
        Self {
            agency: j.agency,
            route: j.route,
            sent_on: day(j.sent_on),
            reference: j.reference,
            learner_told: yes_no(j.learner_told),
            parent_told: j.parent_told,
            not_told_why: j.not_told_why,
            parallel: j.parallel,
            shared: j.shared,
            lawful_basis: j.lawful_basis,
        }
    }
}

impl CaseForm for ReferralForm {
    type Parsed = rules::NewReferral;
    type Json = NewReferral;
    const PAGE: &'static str = "/cases/{id}/referrals";
    const SAVED: &'static str = "The referral has been recorded";
    const ANCHOR: &'static str = "referrals";
    const API: &'static str = "/api/v1/cases/{id}/referrals";
    const SUMMARY: &'static str = "Records a referral and what it shared.";
    const TITLE: &'static str = "Record a referral";
    const INTRO: &'static str = "Tell the learner (and a parent or carer of a learner under 18) unless that would \
        increase the risk; if you did not, say why. A referral needs no consent. What you shared goes into the \
        information-sharing log.";
    const SUBMIT: &'static str = "Record the referral";

    fn fields(&self, context: &FormContext) -> Vec<Field> {
        let agencies = vocabulary("decision", context.nation)
            .into_iter()
            .filter(|(id, _)| rules::REFERRALS.contains(&id.as_str()))
            .collect();
        let parent = options(&[("yes", "Yes"), ("no", "No"), ("not_applicable", "Not applicable: an adult")]);
        vec![
            field("agency", "Who did you refer to?", "", FieldKind::Radios(agencies), &self.agency),
            field(
                "route",
                "How did you send it?",
                "For example, the police Prevent mailbox or the local authority portal",
                FieldKind::Text,
                &self.route,
            ),
            field("sent_on", "When did you send it?", DATE_HINT, FieldKind::Date, &self.sent_on),
            field("reference", "Their reference (optional)", "", FieldKind::Text, &self.reference),
            field("learner_told", "Was the learner told?", "", FieldKind::Radios(options(&YES_NO)), &self.learner_told),
            field("parent_told", "Was a parent or carer told?", "", FieldKind::Radios(parent), &self.parent_told),
            field(
                "not_told_why",
                "If not, why not?",
                "Needed when the learner or a parent or carer was not told",
                FieldKind::Area,
                &self.not_told_why,
            ),
            field(
                "parallel",
                "Other referrals made alongside (optional)",
                "For example, to children's social care",
                FieldKind::Area,
                &self.parallel,
            ),
            field("shared", "What information did you share?", "", FieldKind::Area, &self.shared),
            field(
                "lawful_basis",
                "Lawful basis for sharing",
                "",
                FieldKind::Radios(vocabulary("lawful_basis", context.nation)),
                &self.lawful_basis,
            ),
        ]
    }

    fn check(&self, context: &FormContext, errors: &mut FormErrors) -> Option<Self::Parsed> {
        let answers = rules::ReferralAnswers {
            agency: &self.agency,
            route: &self.route,
            sent_on: &self.sent_on,
            reference: &self.reference,
            learner_told: &self.learner_told,
            parent_told: &self.parent_told,
            not_told_why: &self.not_told_why,
            parallel: &self.parallel,
            shared: &self.shared,
            lawful_basis: &self.lawful_basis,
        };
        rules::parse_referral(answers, context.facts.age, |f, m| errors.add(f, m))
    }

    async fn save(parsed: &Self::Parsed, tx: &mut WriteTx<'_>, context: &FormContext) -> StoreResult<CaseId> {
        tx.record_referral(context.id, parsed).await?;
        Ok(context.id)
    }
}

/// Feedback on a referral, and Channel consent.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FeedbackForm {
    /// The referral's id.
    pub referral: String,
    /// An outcome id, like `awaiting`, `no_feedback`, `signposted` or `channel`.
    pub outcome: String,
    pub feedback: String,
    /// `not_applicable`, `not_asked`, `given` or `refused`.
    pub channel_consent: String,
    /// `learner` or `parent`, when consent was given or refused.
    pub consent_by: String,
}

/// Feedback on a referral, and Channel consent.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Feedback {
    /// The referral's id, from the case's `referrals`.
    pub referral: Option<Uuid>,
    /// An outcome id, like `awaiting`, `no_feedback`, `signposted` or `channel`.
    pub outcome: String,
    pub feedback: String,
    /// `not_applicable`, `not_asked`, `given` or `refused`.
    pub channel_consent: String,
    /// `learner` or `parent`, when consent was given or refused.
    pub consent_by: String,
}

impl From<Feedback> for FeedbackForm {
    fn from(j: Feedback) -> Self {
        Self {
            referral: id(j.referral),
            outcome: j.outcome,
            feedback: j.feedback,
            channel_consent: j.channel_consent,
            consent_by: j.consent_by,
        }
    }
}

impl CaseForm for FeedbackForm {
    type Parsed = (ReferralId, rules::Feedback);
    type Json = Feedback;
    const PAGE: &'static str = "/cases/{id}/feedback";
    const SAVED: &'static str = "The feedback on the referral has been recorded";
    const ANCHOR: &'static str = "referrals";
    const API: &'static str = "/api/v1/cases/{id}/feedback";
    const SUMMARY: &'static str = "Records a referral's outcome and Channel consent.";
    const TITLE: &'static str = "Record feedback on a referral";
    const INTRO: &'static str = "Feedback is not always possible. Channel support is voluntary: record consent (a \
        parent's or carer's for a learner under 18) here, apart from the referral, which needed none. Record \
        panel meetings and reviews in the chronology, and the actions the panel gives you as actions.";
    const SUBMIT: &'static str = "Record feedback";

    fn fields(&self, context: &FormContext) -> Vec<Field> {
        let referrals = context.referrals.iter().map(|(id, label)| (id.to_string(), label.clone())).collect();
        let by = options(&[("learner", "The learner"), ("parent", "A parent or carer")]);
        vec![
            field("referral", "Which referral?", "", FieldKind::Radios(referrals), &self.referral),
            field("outcome", "Outcome", "", FieldKind::Radios(vocabulary("outcome", context.nation)), &self.outcome),
            field("feedback", "Feedback received (optional)", "", FieldKind::Area, &self.feedback),
            field(
                "channel_consent",
                "Channel consent",
                "",
                FieldKind::Radios(options(rules::CONSENT)),
                &self.channel_consent,
            ),
            field(
                "consent_by",
                "Who gave or refused consent?",
                "Only when consent was given or refused",
                FieldKind::Radios(by),
                &self.consent_by,
            ),
        ]
    }

    fn check(&self, context: &FormContext, errors: &mut FormErrors) -> Option<Self::Parsed> {
        let referral =
            self.referral.parse::<ReferralId>().map_err(|_| errors.add("referral", "Choose the referral")).ok();
        let feedback = rules::parse_feedback(
            &self.outcome,
            &self.feedback,
            &self.channel_consent,
            &self.consent_by,
            context.facts.age,
            |f, m| errors.add(f, m),
        )?;
        Some((referral?, feedback))
    }

    async fn save(parsed: &Self::Parsed, tx: &mut WriteTx<'_>, context: &FormContext) -> StoreResult<CaseId> {
        tx.record_feedback(context.id, parsed.0, &parsed.1).await?;
        Ok(context.id)
    }
}

/// A disclosure for the information-sharing log.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DisclosureForm {
    /// The account id of the member of the safeguarding team who authorised the disclosure.
    pub authorised_by: String,
    pub recipient: String,
    pub shared: String,
    pub purpose: String,
    /// A lawful basis id, like `public_task`.
    pub lawful_basis: String,
    pub shared_on: String,
}

/// A disclosure for the information-sharing log.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct NewDisclosure {
    /// The account id of the member of the safeguarding team who authorised it.
    pub authorised_by: Option<Uuid>,
    pub recipient: String,
    pub shared: String,
    pub purpose: String,
    /// A lawful basis id, like `public_task`.
    pub lawful_basis: String,
    #[serde(with = "iso_date::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub shared_on: Option<Date>,
}

impl From<NewDisclosure> for DisclosureForm {
    fn from(j: NewDisclosure) -> Self {
        Self {
            authorised_by: id(j.authorised_by),
            recipient: j.recipient,
            shared: j.shared,
            purpose: j.purpose,
            lawful_basis: j.lawful_basis,
            shared_on: day(j.shared_on),
        }
    }
}

impl CaseForm for DisclosureForm {
    type Parsed = (rules::NewDisclosure, AccountId);
    type Json = NewDisclosure;
    const PAGE: &'static str = "/cases/{id}/disclosures";
    const SAVED: &'static str = "The information shared has been logged";
    const ANCHOR: &'static str = "sharing";
    const API: &'static str = "/api/v1/cases/{id}/disclosures";
    const SUMMARY: &'static str = "Records a disclosure in the information-sharing log.";
    const TITLE: &'static str = "Record information shared";
    const INTRO: &'static str = "Record every disclosure: who to, what, why and on what lawful basis. You are \
        asked who authorised it. Share only what is necessary and proportionate.";
    const SUBMIT: &'static str = "Record the disclosure";

    fn fields(&self, context: &FormContext) -> Vec<Field> {
        vec![
            field(
                "recipient",
                "Who did you share it with?",
                "Their name, role and organisation",
                FieldKind::Text,
                &self.recipient,
            ),
            field("shared", "What did you share?", "", FieldKind::Area, &self.shared),
            field("purpose", "Why?", "", FieldKind::Area, &self.purpose),
            field(
                "lawful_basis",
                "Lawful basis for sharing",
                "",
                FieldKind::Radios(vocabulary("lawful_basis", context.nation)),
                &self.lawful_basis,
            ),
            field("shared_on", "When?", DATE_HINT, FieldKind::Date, &self.shared_on),
            field(
                "authorised_by",
                "Who authorised it?",
                "The member of the safeguarding team who decided it could be shared",
                FieldKind::Select(people(&context.team)),
                &self.authorised_by,
            ),
        ]
    }

    fn check(&self, _: &FormContext, errors: &mut FormErrors) -> Option<Self::Parsed> {
        let answers = rules::DisclosureAnswers {
            recipient: &self.recipient,
            shared: &self.shared,
            purpose: &self.purpose,
            lawful_basis: &self.lawful_basis,
            shared_on: &self.shared_on,
        };
        let by = self
            .authorised_by
            .parse::<AccountId>()
            .map_err(|_| errors.add("authorised_by", "Choose who authorised it"));
        let disclosure = rules::parse_disclosure(answers, |f, m| errors.add(f, m))?;
        Some((disclosure, by.ok()?))
    }

    async fn save(parsed: &Self::Parsed, tx: &mut WriteTx<'_>, context: &FormContext) -> StoreResult<CaseId> {
        tx.record_disclosure(context.id, &parsed.0, parsed.1).await?;
        Ok(context.id)
    }
}

/// Key context, the learner's age group and the next review date.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ContextForm {
    /// `under_18`, `adult`, `adult_care_needs` or `unknown`, on the date of the concern.
    pub age_group: String,
    pub parent_carer: String,
    pub social_worker: String,
    /// `yes`, `no`, or empty for not known.
    pub care_leaver: String,
    /// `yes`, `no`, or empty for not known: an education, health and care plan.
    pub ehcp: String,
    pub workplace_contact: String,
    pub review_on: String,
}

/// Key context, the learner's age group and the next review date.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CaseContext {
    /// `under_18`, `adult`, `adult_care_needs` or `unknown`, on the date of the concern.
    pub age_group: String,
    pub parent_carer: String,
    pub social_worker: String,
    /// Whether the learner is a care leaver; absent or null for not known.
    pub care_leaver: Option<bool>,
    /// Whether the learner has an education, health and care plan; absent or null for not known.
    pub ehcp: Option<bool>,
    pub workplace_contact: String,
    #[serde(with = "iso_date::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub review_on: Option<Date>,
}

impl From<CaseContext> for ContextForm {
    fn from(j: CaseContext) -> Self {
        Self {
            age_group: j.age_group,
            parent_carer: j.parent_carer,
            social_worker: j.social_worker,
            care_leaver: yes_no(j.care_leaver),
            ehcp: yes_no(j.ehcp),
            workplace_contact: j.workplace_contact,
            review_on: day(j.review_on),
        }
    }
}

impl CaseForm for ContextForm {
    type Parsed = (KeyContext, AgeGroup, Option<time::Date>);
    type Json = CaseContext;
    const PAGE: &'static str = "/cases/{id}/context";
    const SAVED: &'static str = "The key context, age group and review date have been saved";
    const ANCHOR: &'static str = "summary";
    const API: &'static str = "/api/v1/cases/{id}/context";
    const SUMMARY: &'static str = "Records key context, the age group and the review date.";
    const TITLE: &'static str = "Key context";
    const INTRO: &'static str = "The people around the learner, and when to review this case next. Open cases past \
        their review date head the list of cases.";
    const SUBMIT: &'static str = "Save key context";
    const PREFILLS: bool = true;

    fn from_case(case: &CaseFile) -> Self {
        let context = case.context.clone();
        Self {
            age_group: case.age.as_str().to_owned(),
            parent_carer: context.parent_carer,
            social_worker: context.social_worker,
            care_leaver: context.care_leaver,
            ehcp: context.ehcp,
            workplace_contact: context.workplace_contact,
            review_on: case
                .summary
                .review_on
                .map(|d| format!("{}/{}/{}", d.day(), u8::from(d.month()), d.year()))
                .unwrap_or_default(),
        }
    }

    fn fields(&self, _: &FormContext) -> Vec<Field> {
        let ages = AgeGroup::ALL.iter().map(|a| (a.as_str().to_owned(), a.label().to_owned())).collect::<Vec<_>>();
        let known = options(&[("yes", "Yes"), ("no", "No"), ("", "Not known")]);
        vec![
            field(
                "age_group",
                "The learner's age on the date of the concern",
                "",
                FieldKind::Radios(ages),
                &self.age_group,
            ),
            field(
                "parent_carer",
                "Parent or carer (optional)",
                "Name and how to reach them",
                FieldKind::Text,
                &self.parent_carer,
            ),
            field("social_worker", "Social worker (optional)", "", FieldKind::Text, &self.social_worker),
            field(
                "care_leaver",
                "Is the learner a care leaver?",
                "",
                FieldKind::Radios(known.clone()),
                &self.care_leaver,
            ),
            field(
                "ehcp",
                "Does the learner have an education, health and care plan?",
                "",
                FieldKind::Radios(known),
                &self.ehcp,
            ),
            field(
                "workplace_contact",
                "Workplace contact (optional)",
                "The employer's contact for this apprentice",
                FieldKind::Text,
                &self.workplace_contact,
            ),
            field("review_on", "Review this case by (optional)", DATE_HINT, FieldKind::Date, &self.review_on),
        ]
    }

    fn check(&self, _: &FormContext, errors: &mut FormErrors) -> Option<Self::Parsed> {
        let context = KeyContext {
            parent_carer: self.parent_carer.clone(),
            social_worker: self.social_worker.clone(),
            care_leaver: self.care_leaver.clone(),
            ehcp: self.ehcp.clone(),
            workplace_contact: self.workplace_contact.clone(),
        };
        let review_on = if self.review_on.trim().is_empty() {
            Some(None)
        } else {
            errors.check("review_on", domain::text::parse_date(&self.review_on)).map(Some)
        };
        let (context, age) = rules::parse_context(&context, &self.age_group, |f, m| errors.add(f, m))?;
        Some((context, age, review_on?))
    }

    async fn save(parsed: &Self::Parsed, tx: &mut WriteTx<'_>, context: &FormContext) -> StoreResult<CaseId> {
        tx.record_context(context.id, &parsed.0, parsed.1, parsed.2).await?;
        Ok(context.id)
    }
}

/// Closing a case.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CloseForm {
    pub outcome: String,
    /// When to look at the case again, if at all.
    pub review_on: String,
}

/// Closing a case.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Closure {
    pub outcome: String,
    /// When to look at the case again, if at all.
    #[serde(with = "iso_date::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub review_on: Option<Date>,
}

impl From<Closure> for CloseForm {
    fn from(j: Closure) -> Self {
        Self { outcome: j.outcome, review_on: day(j.review_on) }
    }
}

impl CaseForm for CloseForm {
    type Parsed = rules::Closure;
    type Json = Closure;
    const PAGE: &'static str = "/cases/{id}/close";
    const SAVED: &'static str = "The case has been closed";
    const ANCHOR: &'static str = "summary";
    const API: &'static str = "/api/v1/cases/{id}/close";
    const SUMMARY: &'static str = "Closes the case with its outcome.";
    const TITLE: &'static str = "Close the case";
    const INTRO: &'static str = "The person who raised the concern will see it as closed once every case from it \
        is closed. A case can be reopened.";
    const SUBMIT: &'static str = "Close the case";

    fn fields(&self, _: &FormContext) -> Vec<Field> {
        vec![
            field("outcome", "Outcome", "What happened, and what support is in place", FieldKind::Area, &self.outcome),
            field("review_on", "Review by (optional)", DATE_HINT, FieldKind::Date, &self.review_on),
        ]
    }

    fn check(&self, _: &FormContext, errors: &mut FormErrors) -> Option<Self::Parsed> {
        rules::parse_closure(&self.outcome, &self.review_on, |f, m| errors.add(f, m))
    }

    async fn save(parsed: &Self::Parsed, tx: &mut WriteTx<'_>, context: &FormContext) -> StoreResult<CaseId> {
        tx.close_case(context.id, parsed).await?;
        Ok(context.id)
    }
}

/// Reopening a closed case.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReopenForm {
    pub why: String,
}

/// Reopening a closed case.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Reopening {
    pub why: String,
}

impl From<Reopening> for ReopenForm {
    fn from(j: Reopening) -> Self {
        Self { why: j.why }
    }
}

impl CaseForm for ReopenForm {
    type Parsed = String;
    type Json = Reopening;
    const PAGE: &'static str = "/cases/{id}/reopen";
    const SAVED: &'static str = "The case has been reopened";
    const ANCHOR: &'static str = "summary";
    const API: &'static str = "/api/v1/cases/{id}/reopen";
    const SUMMARY: &'static str = "Reopens a closed case, saying why.";
    const TITLE: &'static str = "Reopen the case";
    const INTRO: &'static str = "";
    const SUBMIT: &'static str = "Reopen the case";

    fn fields(&self, _: &FormContext) -> Vec<Field> {
        vec![field("why", "Why are you reopening it?", "", FieldKind::Area, &self.why)]
    }

    fn check(&self, _: &FormContext, errors: &mut FormErrors) -> Option<Self::Parsed> {
        let mut check = rules::Checker::new(|f, m| errors.add(f, m));
        let why = check.required("why", &self.why, "Say why you are reopening the case");
        check.finish(why)
    }

    async fn save(parsed: &Self::Parsed, tx: &mut WriteTx<'_>, context: &FormContext) -> StoreResult<CaseId> {
        tx.reopen_case(context.id, parsed).await?;
        Ok(context.id)
    }
}

/// Giving a colleague access to a case.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AccessForm {
    /// The colleague's account id.
    pub account: String,
    /// `assigned` (an officer works on it), `named` (on a restricted case) or `shared` (they read it until
    /// `until`).
    pub kind: String,
    /// The last day of a share, within 30 days.
    pub until: String,
}

/// Access to a case for a colleague.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Access {
    /// The colleague's account id.
    pub account: Option<Uuid>,
    /// `assigned` (an officer works on it), `named` (on a restricted case) or `shared` (they read it until `until`).
    pub kind: String,
    /// The last day of a share, within 30 days.
    #[serde(with = "iso_date::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub until: Option<Date>,
}

impl From<Access> for AccessForm {
    fn from(j: Access) -> Self {
        Self { account: id(j.account), kind: j.kind, until: day(j.until) }
    }
}

const ACCESS_KINDS: &[(&str, &str)] = &[
    ("assigned", "Assign to a safeguarding officer: they work on the case"),
    ("named", "Name on the case: they see it even when it is restricted, and decide who else does"),
    ("shared", "Share with a colleague until a date: they read it, and change nothing"),
];

impl CaseForm for AccessForm {
    type Parsed = (AccountId, String, Option<time::OffsetDateTime>);
    type Json = Access;
    const PAGE: &'static str = "/cases/{id}/access";
    const SAVED: &'static str = "Who can see this case has been changed";
    const ANCHOR: &'static str = "access";
    const API: &'static str = "/api/v1/cases/{id}/access";
    const SUMMARY: &'static str = "Assigns an officer, names a person on the case, or shares it until a date.";
    const TITLE: &'static str = "Give a colleague access";
    const INTRO: &'static str = "Administrators, leaders and the board never see case content unless they are given \
        access here. Every opening of the case is recorded.";
    const SUBMIT: &'static str = "Give access";
    const REACH: Reach = Reach::Manage;
    const CHOOSES_COLLEAGUES: bool = true;

    fn fields(&self, context: &FormContext) -> Vec<Field> {
        vec![
            field("account", "Who?", "", FieldKind::Select(people(&context.colleagues)), &self.account),
            field("kind", "What access?", "", FieldKind::Radios(options(ACCESS_KINDS)), &self.kind),
            field("until", "Until (for a share)", DATE_HINT, FieldKind::Date, &self.until),
        ]
    }

    fn check(&self, _: &FormContext, errors: &mut FormErrors) -> Option<Self::Parsed> {
        let account = self.account.parse::<AccountId>().map_err(|_| errors.add("account", "Choose a colleague")).ok();
        if !ACCESS_KINDS.iter().any(|(k, _)| *k == self.kind) {
            errors.add("kind", "Choose what access to give");
        }
        let until = match (self.kind.as_str(), self.until.trim()) {
            ("shared", "") => {
                errors.add("until", "Enter the last day of the share");
                None
            }
            ("shared", raw) => errors
                .check("until", domain::text::parse_date(raw))
                .map(|day| Some(day.next_day().unwrap_or(day).midnight().assume_utc())),
            _ => Some(None),
        };
        if !errors.is_empty() {
            return None;
        }
        Some((account?, self.kind.clone(), until?))
    }

    async fn save(parsed: &Self::Parsed, tx: &mut WriteTx<'_>, context: &FormContext) -> StoreResult<CaseId> {
        tx.give_access(context.id, parsed.0, &parsed.1, parsed.2).await?;
        Ok(context.id)
    }
}

/// Restricting a case, or lifting the restriction.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RestrictForm {
    /// `yes` to restrict the case to the people named on it.
    pub restricted: String,
}

/// Restricting a case to the people named on it, or lifting that.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Restriction {
    /// Whether the case is restricted.
    pub restricted: Option<bool>,
}

impl From<Restriction> for RestrictForm {
    fn from(j: Restriction) -> Self {
        Self { restricted: yes_no(j.restricted) }
    }
}

impl CaseForm for RestrictForm {
    type Parsed = bool;
    type Json = Restriction;
    const PAGE: &'static str = "/cases/{id}/restrict";
    const SAVED: &'static str = "The case's restriction has been changed";
    const ANCHOR: &'static str = "access";
    const API: &'static str = "/api/v1/cases/{id}/restrict";
    const SUMMARY: &'static str = "Restricts the case to the people named on it, or lifts that.";
    const TITLE: &'static str = "Restrict the case";
    const INTRO: &'static str = "A restricted case is seen only by the people named on it, for example when a \
        member of the safeguarding team has a conflict of interest. You are named on it when you restrict it.";
    const SUBMIT: &'static str = "Save";
    const REACH: Reach = Reach::Manage;

    fn fields(&self, _: &FormContext) -> Vec<Field> {
        vec![field(
            "restricted",
            "Restrict this case to the people named on it?",
            "",
            FieldKind::Radios(options(&YES_NO)),
            &self.restricted,
        )]
    }

    fn check(&self, _: &FormContext, errors: &mut FormErrors) -> Option<Self::Parsed> {
        let mut check = rules::Checker::new(|f, m| errors.add(f, m));
        let restricted = check.yes_no("restricted", &self.restricted, "Select yes or no");
        check.finish(restricted)
    }

    async fn save(parsed: &Self::Parsed, tx: &mut WriteTx<'_>, context: &FormContext) -> StoreResult<CaseId> {
        tx.restrict_case(context.id, *parsed).await?;
        Ok(context.id)
    }
}

/// Another person involved in the same incident: a file of their own, linked through the concern.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AnotherPersonForm {
    pub name: String,
}

/// Another person involved in the same incident.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct AnotherPerson {
    /// Their name.
    pub name: String,
}

impl From<AnotherPerson> for AnotherPersonForm {
    fn from(j: AnotherPerson) -> Self {
        Self { name: j.name }
    }
}

impl CaseForm for AnotherPersonForm {
    type Parsed = String;
    type Json = AnotherPerson;
    const PAGE: &'static str = "/cases/{id}/another-person";
    const SAVED: &'static str = "A case for another person in this incident has been opened";
    const ANCHOR: &'static str = "summary";
    const API: &'static str = "/api/v1/cases/{id}/another-person";
    const SUMMARY: &'static str = "Opens a linked case for another person in the same incident.";
    const TITLE: &'static str = "Open a case for another person in this incident";
    const INTRO: &'static str = "Each person keeps a separate file. The cases are linked, and nothing in one is \
        copied into the other.";
    const SUBMIT: &'static str = "Open their case";
    const REACH: Reach = Reach::Manage;

    fn fields(&self, _: &FormContext) -> Vec<Field> {
        vec![field("name", "Their name", "", FieldKind::Text, &self.name)]
    }

    fn check(&self, _: &FormContext, errors: &mut FormErrors) -> Option<Self::Parsed> {
        errors.name("name", &self.name, "Enter their name").map(|n| n.as_str().to_owned())
    }

    async fn save(parsed: &Self::Parsed, tx: &mut WriteTx<'_>, context: &FormContext) -> StoreResult<CaseId> {
        tx.open_linked_case(context.id, parsed).await
    }
}
