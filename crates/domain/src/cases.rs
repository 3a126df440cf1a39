//! Safeguarding cases (Check and Share): one person's file, opened from a concern. The chronology is
//! append-only, decisions carry their reasons (including the reason not to refer), referrals and every
//! disclosure are recorded, and the case's status moves only through [`CaseStatus::next`].
//! The words for decisions, referral outcomes and lawful bases are data (`frameworks/case-vocabulary.csv`),
//! in each nation's vocabulary, with their sources.

use crate::org::Nation;
use crate::text::{Invalid, parse_date};
use serde::Serialize;
use time::Date;

/// One term of the case vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Term {
    pub id: String,
    england: String,
    wales: String,
    /// When the term may be chosen: empty for always, else an [`AgeGroup`] or `about_staff`.
    pub condition: String,
    pub source: String,
}

impl Term {
    /// The term in the organisation's nation's words.
    #[must_use]
    pub fn label(&self, nation: Nation) -> &str {
        match nation {
            Nation::England => &self.england,
            Nation::Wales => &self.wales,
        }
    }
}

const VOCABULARY: &str = include_str!("../../../frameworks/case-vocabulary.csv");

/// The terms of one list (`decision`, `outcome`, `lawful_basis` or `prevent_type`), in the file's order.
#[must_use]
pub fn terms(list: &str) -> Vec<Term> {
    let mut reader = csv::Reader::from_reader(VOCABULARY.as_bytes());
    reader
        .records()
        .filter_map(Result::ok)
        .filter(|r| &r[0] == list)
        .map(|r| Term {
            id: r[1].to_owned(),
            england: r[2].to_owned(),
            wales: r[3].to_owned(),
            condition: r[4].to_owned(),
            source: r[5].to_owned(),
        })
        .collect()
}

/// The label of `id` in `list`, or the id itself for a term no longer in the list.
#[must_use]
pub fn label_of(list: &str, id: &str, nation: Nation) -> String {
    terms(list).iter().find(|t| t.id == id).map_or_else(|| id.to_owned(), |t| t.label(nation).to_owned())
}

/// Decisions that send the case to another agency, so a referral follows.
pub const REFERRALS: &[&str] =
    &["early_help", "childrens_social_care", "adult_social_care", "lado", "prevent", "police"];

/// How old the person was on the date of the concern, as far as the decisions that depend on it go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AgeGroup {
    Unknown,
    Under18,
    Adult,
    /// An adult with care and support needs (Care Act 2014; Social Services and Well-being (Wales) Act 2014).
    AdultCareNeeds,
}

impl AgeGroup {
    pub const ALL: [AgeGroup; 4] = [AgeGroup::Under18, AgeGroup::Adult, AgeGroup::AdultCareNeeds, AgeGroup::Unknown];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            AgeGroup::Unknown => "unknown",
            AgeGroup::Under18 => "under_18",
            AgeGroup::Adult => "adult",
            AgeGroup::AdultCareNeeds => "adult_care_needs",
        }
    }

    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            AgeGroup::Unknown => "Not known yet",
            AgeGroup::Under18 => "Under 18 on the date of the concern",
            AgeGroup::Adult => "18 or over",
            AgeGroup::AdultCareNeeds => "18 or over, with care and support needs",
        }
    }

    /// Parses a stored or submitted age group.
    ///
    /// # Errors
    /// When the text names no age group.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        Self::ALL.into_iter().find(|a| a.as_str() == raw).ok_or(Invalid("Select the person's age group"))
    }
}

/// How worried the safeguarding lead is, after triage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    Low,
    Medium,
    High,
}

impl RiskLevel {
    pub const ALL: [RiskLevel; 3] = [RiskLevel::Low, RiskLevel::Medium, RiskLevel::High];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            RiskLevel::Low => "low",
            RiskLevel::Medium => "medium",
            RiskLevel::High => "high",
        }
    }

    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            RiskLevel::Low => "Low",
            RiskLevel::Medium => "Medium",
            RiskLevel::High => "High",
        }
    }

    /// Parses a stored or submitted risk level.
    ///
    /// # Errors
    /// When the text names no risk level.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        Self::ALL.into_iter().find(|r| r.as_str() == raw).ok_or(Invalid("Select the risk level"))
    }
}

/// Where a case is. It moves only by [`CaseStatus::next`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// Opened from a concern; nothing decided yet.
    Triage,
    /// Decided, with support or monitoring in place inside the organisation.
    Open,
    /// Referred to another agency and waiting for its feedback.
    Referred,
    Closed,
}

/// Something that happens in a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseEvent {
    /// Something recorded that does not move the case: triage, an entry, an action, a disclosure, key
    /// context, feedback still awaited.
    Record,
    /// A decision recorded, with its reason.
    Decide,
    /// A referral recorded as sent.
    Refer,
    /// The agency's feedback arrived (or was recorded as not coming).
    Feedback,
    Close,
    Reopen,
}

impl CaseStatus {
    pub const ALL: [CaseStatus; 4] = [CaseStatus::Triage, CaseStatus::Open, CaseStatus::Referred, CaseStatus::Closed];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Triage => "triage",
            CaseStatus::Open => "open",
            CaseStatus::Referred => "referred",
            CaseStatus::Closed => "closed",
        }
    }

    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            CaseStatus::Triage => "Waiting for triage",
            CaseStatus::Open => "Open: being handled",
            CaseStatus::Referred => "Referred, awaiting feedback",
            CaseStatus::Closed => "Closed",
        }
    }

    /// The status in words, saying whether a case waiting for triage has had it: a triaged case waits for
    /// a decision, which opens it.
    #[must_use]
    pub fn describe(self, triaged: bool) -> &'static str {
        match self {
            CaseStatus::Triage if triaged => "Triaged: waiting for a decision",
            other => other.label(),
        }
    }

    /// Parses a stored status.
    ///
    /// # Errors
    /// When the text names no status.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw).ok_or(Invalid("Unknown case status"))
    }

    /// The status after `event`, or why the event cannot happen now. A closed case takes nothing but
    /// reopening; closing needs a decision first (checked by the store, which knows the decisions).
    ///
    /// # Errors
    /// When the event does not apply in this status.
    pub fn next(self, event: CaseEvent) -> Result<CaseStatus, Invalid> {
        use CaseEvent as E;
        use CaseStatus as S;
        match (self, event) {
            (S::Closed, E::Reopen) => Ok(S::Open),
            (S::Closed, _) => Err(Invalid("This case is closed. Reopen it first")),
            (_, E::Reopen) => Err(Invalid("This case is not closed")),
            (status, E::Record) => Ok(status),
            (S::Triage, E::Decide) => Ok(S::Open),
            (status, E::Decide) => Ok(status),
            (_, E::Refer) => Ok(S::Referred),
            (S::Referred, E::Feedback) => Ok(S::Open),
            (status, E::Feedback) => Ok(status),
            (_, E::Close) => Ok(S::Closed),
        }
    }
}

/// The kinds of chronology entry a person writes. Other entries are written by Vigil when a decision,
/// referral, disclosure or closure is recorded, so the chronology tells the whole story in order.
pub const WRITTEN_ENTRIES: &[(&str, &str)] = &[
    ("fact", "Fact: what happened, was seen or was said"),
    ("opinion", "Professional opinion"),
    ("voice", "The learner's voice and wishes"),
    ("meeting", "Multi-agency meeting"),
    ("panel", "Channel panel or review"),
];

/// Every kind of chronology entry, with its heading.
pub const ENTRY_KINDS: &[(&str, &str)] = &[
    ("fact", "Fact"),
    ("opinion", "Professional opinion"),
    ("voice", "The learner's voice and wishes"),
    ("meeting", "Multi-agency meeting"),
    ("panel", "Channel panel or review"),
    ("opened", "Case opened"),
    ("triage", "Triage"),
    ("decision", "Decision"),
    ("referral", "Referral"),
    ("feedback", "Referral feedback"),
    ("sharing", "Information shared"),
    ("closure", "Case closed"),
    ("reopened", "Case reopened"),
];

/// The heading of an entry kind.
#[must_use]
pub fn entry_heading(kind: &str) -> &'static str {
    ENTRY_KINDS.iter().find(|(k, _)| *k == kind).map_or("Entry", |(_, h)| h)
}

/// The longest text any case field accepts.
pub const MAX_TEXT: usize = 20_000;

/// How long break-glass access lasts.
pub const BREAK_GLASS_FOR: time::Duration = time::Duration::hours(4);

/// The longest a case may be shared with a colleague.
pub const LONGEST_SHARE: time::Duration = time::Duration::days(30);

/// Collects problems by field while answers are parsed, so one pass names every problem.
pub struct Checker<F: FnMut(&'static str, &'static str)> {
    problem: F,
    failed: bool,
}

impl<F: FnMut(&'static str, &'static str)> Checker<F> {
    pub fn new(problem: F) -> Self {
        Self { problem, failed: false }
    }

    /// Records a problem with a field.
    pub fn fail(&mut self, field: &'static str, message: &'static str) {
        self.failed = true;
        (self.problem)(field, message);
    }

    /// Text that must be given.
    pub fn required(&mut self, field: &'static str, raw: &str, missing: &'static str) -> String {
        let text = self.optional(field, raw);
        if text.is_empty() {
            self.fail(field, missing);
        }
        text
    }

    /// Text that may be empty.
    pub fn optional(&mut self, field: &'static str, raw: &str) -> String {
        let text = raw.trim();
        if text.chars().count() > MAX_TEXT {
            self.fail(field, "This must be 20,000 characters or fewer");
        }
        text.to_owned()
    }

    /// A date that must be given.
    pub fn date(&mut self, field: &'static str, raw: &str, missing: &'static str) -> Option<Date> {
        if raw.trim().is_empty() {
            self.fail(field, missing);
            return None;
        }
        self.optional_date(field, raw)
    }

    /// A date that may be empty.
    pub fn optional_date(&mut self, field: &'static str, raw: &str) -> Option<Date> {
        if raw.trim().is_empty() {
            return None;
        }
        match parse_date(raw) {
            Ok(date) => Some(date),
            Err(Invalid(message)) => {
                self.fail(field, message);
                None
            }
        }
    }

    /// One of `options`' ids.
    pub fn choice(&mut self, field: &'static str, raw: &str, options: &[&str], missing: &'static str) -> String {
        if !options.contains(&raw) {
            self.fail(field, missing);
        }
        raw.to_owned()
    }

    /// `yes` or `no`.
    pub fn yes_no(&mut self, field: &'static str, raw: &str, missing: &'static str) -> bool {
        self.choice(field, raw, &["yes", "no"], missing) == "yes"
    }

    /// The parsed value when nothing failed.
    pub fn finish<T>(self, value: T) -> Option<T> {
        (!self.failed).then_some(value)
    }
}

fn ids(list: &str) -> Vec<String> {
    terms(list).into_iter().map(|t| t.id).collect()
}

/// Whether a decision may be chosen for this person: social care routes depend on age and needs on the
/// date of the concern, and the route for allegations against staff on the case being about staff.
///
/// # Errors
/// Why the decision does not apply.
pub fn decision_applies(decision: &Term, age: AgeGroup, about_staff: bool) -> Result<(), Invalid> {
    match decision.condition.as_str() {
        "under_18" if age != AgeGroup::Under18 => {
            Err(Invalid("This route is only for a learner under 18 on the date of the concern"))
        }
        "adult_care_needs" if age != AgeGroup::AdultCareNeeds => {
            Err(Invalid("This route is only for an adult with care and support needs"))
        }
        "about_staff" if !about_staff => Err(Invalid("This route is only for allegations against staff")),
        _ => Ok(()),
    }
}

/// A chronology entry, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEntry {
    pub kind: String,
    pub occurred_on: Date,
    pub text: String,
}

/// Checks a written chronology entry.
pub fn parse_entry(
    kind: &str,
    occurred_on: &str,
    text: &str,
    problem: impl FnMut(&'static str, &'static str),
) -> Option<NewEntry> {
    let mut check = Checker::new(problem);
    let kinds: Vec<&str> = WRITTEN_ENTRIES.iter().map(|(k, _)| *k).collect();
    let kind = check.choice("kind", kind, &kinds, "Select the kind of entry");
    let occurred_on = check.date("occurred_on", occurred_on, "Enter the date it happened");
    let text = check.required("text", text, "Write the entry");
    check.finish((kind, occurred_on, text)).and_then(|(kind, on, text)| Some(NewEntry { kind, occurred_on: on?, text }))
}

/// Triage: what was checked, the advice sought, the options considered and the risk level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Triage {
    pub risk: RiskLevel,
    pub checked: String,
    /// Who advice was sought from; empty when none was sought.
    pub advice_from: String,
    /// Whether the person was named when advice was sought.
    pub advice_named: bool,
    pub options: String,
    /// The Prevent concern type (a `prevent_type` term, or empty), recorded only by the safeguarding team,
    /// never asked of the reporter.
    pub prevent_type: String,
}

/// Triage answers, as typed.
#[derive(Debug, Clone, Copy, Default)]
pub struct TriageAnswers<'a> {
    pub risk: &'a str,
    pub checked: &'a str,
    pub advice_from: &'a str,
    pub advice_named: &'a str,
    pub options: &'a str,
    pub prevent_type: &'a str,
}

/// Checks triage.
pub fn parse_triage(answers: TriageAnswers<'_>, problem: impl FnMut(&'static str, &'static str)) -> Option<Triage> {
    let mut check = Checker::new(problem);
    let risk = RiskLevel::parse(answers.risk);
    if let Err(Invalid(message)) = risk {
        check.fail("risk", message);
    }
    let checked = check.required("checked", answers.checked, "Say what you checked");
    let advice_from = check.optional("advice_from", answers.advice_from);
    let advice_named = !advice_from.is_empty()
        && check.yes_no("advice_named", answers.advice_named, "Say whether you named the person");
    let options = check.required("options", answers.options, "Say which options you considered");
    // Empty when it is not a Prevent concern, or no type is recorded.
    let mut types = ids("prevent_type");
    types.push(String::new());
    let types: Vec<&str> = types.iter().map(String::as_str).collect();
    let prevent_type = check.choice("prevent_type", answers.prevent_type, &types, "Select a Prevent concern type");
    check.finish(()).and(Some(Triage { risk: risk.ok()?, checked, advice_from, advice_named, options, prevent_type }))
}

/// A decision with its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub decision: String,
    pub reason: String,
}

/// Checks a decision for a person of `age` on a case `about_staff`.
pub fn parse_decision(
    decision: &str,
    reason: &str,
    age: AgeGroup,
    about_staff: bool,
    problem: impl FnMut(&'static str, &'static str),
) -> Option<Decision> {
    let mut check = Checker::new(problem);
    match terms("decision").into_iter().find(|t| t.id == decision) {
        None => check.fail("decision", "Select a decision"),
        Some(term) => {
            if let Err(Invalid(message)) = decision_applies(&term, age, about_staff) {
                check.fail("decision", message);
            }
        }
    }
    let reason = check.required("reason", reason, "Give the reason for the decision, including a reason not to refer");
    check.finish(Decision { decision: decision.to_owned(), reason })
}

/// An action with an owner and a due date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAction {
    pub what: String,
    pub due_on: Date,
}

/// Checks an action (its owner is checked by the store, which knows the team).
pub fn parse_action(what: &str, due_on: &str, problem: impl FnMut(&'static str, &'static str)) -> Option<NewAction> {
    let mut check = Checker::new(problem);
    let what = check.required("what", what, "Say what needs doing");
    let due_on = check.date("due_on", due_on, "Enter the date it is due");
    check.finish(()).and(Some(NewAction { what, due_on: due_on? }))
}

/// A referral to another agency, as the case records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Referral {
    /// A referral decision's id (see [`REFERRALS`]).
    pub agency: String,
    /// How it was sent: the local route (a portal, a mailbox, a phone line).
    pub route: String,
    pub sent_on: Date,
    pub reference: String,
    pub learner_told: bool,
    /// `yes`, `no`, or `not_applicable` for an adult.
    pub parent_told: String,
    /// Why the learner or parent was not told; required when either was not.
    pub not_told_why: String,
    /// Other referrals made alongside, such as to children's social care.
    pub parallel: String,
}

/// A referral as it is made: the referral, and what it shared, for the information-sharing log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReferral {
    pub referral: Referral,
    pub shared: String,
    pub lawful_basis: String,
}

/// Referral answers, as typed.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReferralAnswers<'a> {
    pub agency: &'a str,
    pub route: &'a str,
    pub sent_on: &'a str,
    pub reference: &'a str,
    pub learner_told: &'a str,
    pub parent_told: &'a str,
    pub not_told_why: &'a str,
    pub parallel: &'a str,
    pub shared: &'a str,
    pub lawful_basis: &'a str,
}

/// Checks a referral for a person of `age`.
pub fn parse_referral(
    answers: ReferralAnswers<'_>,
    age: AgeGroup,
    problem: impl FnMut(&'static str, &'static str),
) -> Option<NewReferral> {
    let mut check = Checker::new(problem);
    let agency = check.choice("agency", answers.agency, REFERRALS, "Select who you referred to");
    let route = check.required("route", answers.route, "Say how you sent it, for example the local authority portal");
    let sent_on = check.date("sent_on", answers.sent_on, "Enter the date you sent it");
    let reference = check.optional("reference", answers.reference);
    let learner_told = check.yes_no("learner_told", answers.learner_told, "Say whether the learner was told");
    let parent_options: &[&str] =
        if age == AgeGroup::Under18 { &["yes", "no"] } else { &["yes", "no", "not_applicable"] };
    let parent_told =
        check.choice("parent_told", answers.parent_told, parent_options, "Say whether a parent or carer was told");
    let not_told_why = check.optional("not_told_why", answers.not_told_why);
    if (!learner_told || parent_told == "no") && not_told_why.is_empty() {
        check.fail("not_told_why", "Say why the learner or their parent or carer was not told");
    }
    let parallel = check.optional("parallel", answers.parallel);
    let shared = check.required("shared", answers.shared, "Say what information you shared");
    let bases = ids("lawful_basis");
    let bases: Vec<&str> = bases.iter().map(String::as_str).collect();
    let lawful_basis =
        check.choice("lawful_basis", answers.lawful_basis, &bases, "Select the lawful basis for sharing");
    let referral =
        Referral { agency, route, sent_on: sent_on?, reference, learner_told, parent_told, not_told_why, parallel };
    check.finish(()).and(Some(NewReferral { referral, shared, lawful_basis }))
}

/// Feedback on a referral, and Channel consent (recorded apart from the referral, which needs none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feedback {
    pub outcome: String,
    pub feedback: String,
    /// `not_applicable`, `not_asked`, `given` or `refused`.
    pub channel_consent: String,
    /// Who gave or refused it: `learner` or `parent` (a parent's for a child).
    pub consent_by: String,
}

/// Channel consent answers.
pub const CONSENT: &[(&str, &str)] = &[
    ("not_applicable", "Not a Channel case"),
    ("not_asked", "Not asked yet"),
    ("given", "Given"),
    ("refused", "Refused"),
];

/// Checks feedback for a person of `age`.
pub fn parse_feedback(
    outcome: &str,
    feedback: &str,
    channel_consent: &str,
    consent_by: &str,
    age: AgeGroup,
    problem: impl FnMut(&'static str, &'static str),
) -> Option<Feedback> {
    let mut check = Checker::new(problem);
    let outcomes = ids("outcome");
    let outcomes: Vec<&str> = outcomes.iter().map(String::as_str).collect();
    let outcome = check.choice("outcome", outcome, &outcomes, "Select the outcome");
    let feedback = check.optional("feedback", feedback);
    let consents: Vec<&str> = CONSENT.iter().map(|(c, _)| *c).collect();
    let channel_consent =
        check.choice("channel_consent", channel_consent, &consents, "Select where Channel consent is");
    let consent_by = if matches!(channel_consent.as_str(), "given" | "refused") {
        let by = check.choice("consent_by", consent_by, &["learner", "parent"], "Say who gave or refused consent");
        if age == AgeGroup::Under18 && by == "learner" {
            check.fail("consent_by", "For a learner under 18, a parent or carer gives Channel consent");
        }
        by
    } else {
        String::new()
    };
    check.finish(Feedback { outcome, feedback, channel_consent, consent_by })
}

/// A disclosure for the information-sharing log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDisclosure {
    pub recipient: String,
    pub shared: String,
    pub purpose: String,
    pub lawful_basis: String,
    pub shared_on: Date,
}

/// Disclosure answers, as typed.
#[derive(Debug, Clone, Copy, Default)]
pub struct DisclosureAnswers<'a> {
    pub recipient: &'a str,
    pub shared: &'a str,
    pub purpose: &'a str,
    pub lawful_basis: &'a str,
    pub shared_on: &'a str,
}

/// Checks a disclosure (who authorised it is checked by the store).
pub fn parse_disclosure(
    answers: DisclosureAnswers<'_>,
    problem: impl FnMut(&'static str, &'static str),
) -> Option<NewDisclosure> {
    let mut check = Checker::new(problem);
    let recipient = check.required("recipient", answers.recipient, "Say who you shared it with");
    let shared = check.required("shared", answers.shared, "Say what you shared");
    let purpose = check.required("purpose", answers.purpose, "Say why you shared it");
    let bases = ids("lawful_basis");
    let bases: Vec<&str> = bases.iter().map(String::as_str).collect();
    let lawful_basis =
        check.choice("lawful_basis", answers.lawful_basis, &bases, "Select the lawful basis for sharing");
    let shared_on = check.date("shared_on", answers.shared_on, "Enter the date you shared it");
    check.finish(()).and(Some(NewDisclosure { recipient, shared, purpose, lawful_basis, shared_on: shared_on? }))
}

/// Key context: who else is around the person. Kept sealed with the case.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct KeyContext {
    pub parent_carer: String,
    pub social_worker: String,
    /// `yes`, `no` or empty for not known.
    pub care_leaver: String,
    pub ehcp: String,
    pub workplace_contact: String,
}

/// Checks key context and the person's age group.
pub fn parse_context(
    context: &KeyContext,
    age: &str,
    problem: impl FnMut(&'static str, &'static str),
) -> Option<(KeyContext, AgeGroup)> {
    let mut check = Checker::new(problem);
    let age = AgeGroup::parse(age);
    if let Err(Invalid(message)) = age {
        check.fail("age_group", message);
    }
    let known = ["yes", "no", ""];
    let parsed = KeyContext {
        parent_carer: check.optional("parent_carer", &context.parent_carer),
        social_worker: check.optional("social_worker", &context.social_worker),
        care_leaver: check.choice("care_leaver", &context.care_leaver, &known, "Select yes, no or not known"),
        ehcp: check.choice("ehcp", &context.ehcp, &known, "Select yes, no or not known"),
        workplace_contact: check.optional("workplace_contact", &context.workplace_contact),
    };
    check.finish(()).and(Some((parsed, age.ok()?)))
}

/// Closing a case: the outcome, and when to look at it again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closure {
    pub outcome: String,
    pub review_on: Option<Date>,
}

/// Checks a closure.
pub fn parse_closure(
    outcome: &str,
    review_on: &str,
    problem: impl FnMut(&'static str, &'static str),
) -> Option<Closure> {
    let mut check = Checker::new(problem);
    let outcome = check.required("outcome", outcome, "Record the outcome");
    let review_on = check.optional_date("review_on", review_on);
    check.finish(Closure { outcome, review_on })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_list_is_data_with_sources_in_both_nations() {
        for list in ["decision", "outcome", "lawful_basis", "prevent_type"] {
            let terms = terms(list);
            assert!(terms.len() >= 5, "{list}");
            assert!(terms.iter().all(|t| !t.source.is_empty() && !t.label(Nation::Wales).is_empty()));
        }
        let ids = ids("decision");
        assert!(REFERRALS.iter().all(|r| ids.iter().any(|id| id == r)), "every referral route is a decision");
        assert_ne!(label_of("decision", "lado", Nation::England), label_of("decision", "lado", Nation::Wales));
    }

    #[test]
    fn the_status_moves_only_through_the_machine() {
        use CaseEvent as E;
        use CaseStatus as S;
        assert_eq!(S::Triage.next(E::Record), Ok(S::Triage));
        assert_eq!(S::Triage.next(E::Decide), Ok(S::Open));
        assert_eq!(S::Open.next(E::Refer), Ok(S::Referred));
        assert_eq!(S::Referred.next(E::Decide), Ok(S::Referred));
        assert_eq!(S::Referred.next(E::Feedback), Ok(S::Open));
        assert_eq!(S::Open.next(E::Close), Ok(S::Closed));
        assert!(S::Closed.next(E::Decide).is_err());
        assert!(S::Closed.next(E::Record).is_err(), "a closed case takes nothing but reopening");
        assert!(S::Open.next(E::Reopen).is_err());
        assert_eq!(S::Closed.next(E::Reopen), Ok(S::Open));
    }

    #[test]
    fn social_care_routes_depend_on_age_and_allegations_on_staff() {
        let decision = |id: &str, age, staff| {
            let mut problems = Vec::new();
            let parsed = parse_decision(id, "Because", age, staff, |_, m| problems.push(m));
            (parsed.is_some(), problems)
        };
        assert!(decision("childrens_social_care", AgeGroup::Under18, false).0);
        let (ok, problems) = decision("childrens_social_care", AgeGroup::Adult, false);
        assert!(!ok && problems[0].contains("under 18"));
        assert!(!decision("adult_social_care", AgeGroup::Adult, false).0);
        assert!(decision("adult_social_care", AgeGroup::AdultCareNeeds, false).0);
        assert!(!decision("lado", AgeGroup::Adult, false).0);
        assert!(decision("lado", AgeGroup::Adult, true).0);
        let mut fields = Vec::new();
        assert!(parse_decision("no_further_action", " ", AgeGroup::Adult, false, |f, _| fields.push(f)).is_none());
        assert_eq!(fields, ["reason"], "the reason not to refer is required too");
    }

    #[test]
    fn a_referral_says_why_nobody_was_told_and_channel_consent_is_a_parents_for_a_child() {
        let answers = ReferralAnswers {
            agency: "prevent",
            route: "Police Prevent mailbox",
            sent_on: "03/11/2026",
            learner_told: "no",
            parent_told: "not_applicable",
            shared: "The concern and chronology",
            lawful_basis: "public_task",
            ..ReferralAnswers::default()
        };
        let mut fields = Vec::new();
        assert!(parse_referral(answers, AgeGroup::Under18, |f, _| fields.push(f)).is_none());
        assert_eq!(fields, ["parent_told", "not_told_why"]);
        let told = ReferralAnswers { learner_told: "yes", ..answers };
        assert!(parse_referral(told, AgeGroup::Adult, |_, m| panic!("{m}")).is_some());
        let mut fields = Vec::new();
        assert!(parse_feedback("channel", "", "given", "learner", AgeGroup::Under18, |f, _| fields.push(f)).is_none());
        assert_eq!(fields, ["consent_by"]);
        assert!(parse_feedback("channel", "", "given", "parent", AgeGroup::Under18, |_, m| panic!("{m}")).is_some());
    }
}
