//! Demo cases in every state, recorded by the demo safeguarding lead through the same store calls as the
//! pages: one concern is left in the inbox unacknowledged; cases are open with support and a task, referred
//! and awaiting feedback, in Channel with a panel's plan, restricted and waiting for triage, and closed (one
//! after a Prevent referral that found no clear ideology, as most do).

use anyhow::{Context, Result};
use domain::ConcernId;
use domain::cases::{
    AgeGroup, Closure, Decision, Feedback, KeyContext, NewAction, NewEntry, NewReferral, Referral, RiskLevel, Triage,
};
use domain::concerns::NewConcern;
use domain::text::Email;
use store::{OrgScope, Store, WriteTx};
use time::Duration;

/// Builds the cases from the concerns raised by [`super::raise_concerns`] (in its order), acting as the
/// lead through an API token that is revoked at the end.
pub async fn build(
    store: &Store,
    operator: &OrgScope,
    lead: &str,
    officer: &str,
    concerns: &[ConcernId],
) -> Result<()> {
    let lead_id = store.member_by_email(operator, &Email::parse(lead)?).await?.context("the demo lead")?;
    let officer = store.member_by_email(operator, &Email::parse(officer)?).await?.context("the demo officer")?;
    let mut tx = store.write(operator).await?;
    let (token_id, token) = tx.create_api_token(lead_id, "demo cases").await?;
    tx.commit().await?;
    let scope = store.api_scope(&token).await?.context("the demo lead's scope")?;
    let today = store.now().date();
    let (ari, kit, call) = (concerns[0], concerns[2], concerns[3]);

    let mut tx = store.write(&scope).await?;
    // Ari: open, with internal support, a task for the officer, and a review date that has passed.
    let case = tx.acknowledge_concern(ari).await?;
    tx.record_triage(case, &triage(RiskLevel::Medium, "Attendance, the coach's notes, a call with Ari", "")).await?;
    tx.record_context(case, &context("", "Yes"), AgeGroup::Adult, Some(today - Duration::days(3))).await?;
    tx.record_decision(
        case,
        &decision(
            "internal_support",
            "Ari wants support at work and agreed to a wellbeing plan; no sign of risk to others.",
        ),
    )
    .await?;
    tx.add_entry(
        case,
        &entry("voice", today - Duration::days(6), "Ari said: \"I just want someone at work to know I'm struggling.\""),
        None,
    )
    .await?;
    tx.add_action(
        case,
        &NewAction {
            what: "Agree reduced hours with the employer for two weeks".into(),
            due_on: today + Duration::days(2),
        },
        officer,
    )
    .await?;

    // Kit: a Prevent referral (with children's social care in parallel) awaiting feedback.
    let case = tx.acknowledge_concern(kit).await?;
    let mut checked =
        triage(RiskLevel::High, "The group chat, attendance, and what the tutor heard", "Local authority Prevent lead");
    checked.prevent_type = "mixed_unclear_unstable".into();
    tx.record_triage(case, &checked).await?;
    tx.record_context(
        case,
        &context("Parent: Morgan Evans", "No"),
        AgeGroup::Under18,
        Some(today + Duration::days(14)),
    )
    .await?;
    tx.record_decision(
        case,
        &decision(
            "prevent",
            "Praise of violence and a stated wish to see others hurt; advice from the Prevent lead was to refer.",
        ),
    )
    .await?;
    tx.record_decision(
        case,
        &decision("childrens_social_care", "Kit is 17; a referral to children's social care in parallel, as advised."),
    )
    .await?;
    tx.record_referral(
        case,
        &prevent_referral(
            "The local authority's Prevent referral form, by secure email",
            today - Duration::days(2),
            "PRV-2611-0193",
            "yes",
            "Children's social care (front door), same day",
            "The concern, the chronology, attendance and the tutor's account",
        ),
    )
    .await?;

    // The employer's call: open, monitoring, with the information shared recorded.
    let case = tx.acknowledge_concern(call).await?;
    tx.record_triage(
        case,
        &triage(RiskLevel::Medium, "Spoke to the apprentice privately; they do not want the police involved", ""),
    )
    .await?;
    tx.record_decision(case, &decision("monitor", "An adult with no care and support needs who declined a referral; not in immediate danger. Signposted to the local domestic abuse service.")).await?;
    tx.record_disclosure(
        case,
        &domain::cases::NewDisclosure {
            recipient: "The employer's HR manager".into(),
            shared: "That the apprentice needs flexibility for appointments; nothing of what they disclosed".into(),
            purpose: "To make the workplace adjustments the apprentice asked for".into(),
            lawful_basis: "legitimate_interests".into(),
            shared_on: today - Duration::days(1),
        },
        lead_id,
    )
    .await?;

    // Closed: early help for a younger learner, and a Prevent referral the police closed with no further
    // action, as most are.
    let food = recorded(
        &mut tx,
        "Rory Baker",
        "Rory often arrives hungry and said there is no food at home at the end of the month.",
        "neglect",
    )
    .await?;
    let case = tx.acknowledge_concern(food).await?;
    tx.record_triage(case, &triage(RiskLevel::Low, "Spoke with Rory and, with his agreement, his mum", "")).await?;
    tx.record_context(case, &context("Mum: Dana Baker", "No"), AgeGroup::Under18, None).await?;
    tx.record_decision(
        case,
        &decision("early_help", "The family asked for help with money; no sign of harm beyond that."),
    )
    .await?;
    tx.close_case(
        case,
        &Closure {
            outcome: "Early help in place; breakfast club and a hardship grant.".into(),
            review_on: Some(today + Duration::days(90)),
        },
    )
    .await?;
    let online = recorded(
        &mut tx,
        "Lee Parry",
        "Lee has been sharing memes from a channel that mocks disabled people and talks about 'taking action'.",
        "prevent",
    )
    .await?;
    let case = tx.acknowledge_concern(online).await?;
    tx.record_triage(
        case,
        &triage(RiskLevel::Medium, "The posts, and a conversation with Lee about them", "Police Prevent team"),
    )
    .await?;
    tx.record_decision(case, &decision("prevent", "Unclear intent; police advised a referral so they could check."))
        .await?;
    let referral = tx
        .record_referral(
            case,
            &prevent_referral(
                "Police Prevent mailbox",
                today - Duration::days(40),
                "CTP-77310",
                "not_applicable",
                "",
                "The concern and the posts",
            ),
        )
        .await?;
    tx.record_feedback(
        case,
        referral,
        &Feedback {
            outcome: "no_further_action".into(),
            feedback: "No clear ideology; signposted to the provider's own support.".into(),
            channel_consent: "not_applicable".into(),
            consent_by: String::new(),
        },
    )
    .await?;
    tx.record_decision(
        case,
        &decision("internal_support", "Sessions with the tutor on online harms and respect at work."),
    )
    .await?;
    tx.close_case(
        case,
        &Closure { outcome: "Police closed the referral; Lee completed the sessions.".into(), review_on: None },
    )
    .await?;

    // Open after a Prevent referral that led to Channel: the apprentice consented, the panel met, and the
    // provider owns an action from it.
    let forum = recorded(
        &mut tx,
        "Dani Hughes",
        "Dani has been repeating things from an online forum about a group of people being 'the enemy' and asked a tutor how to find more.",
        "prevent",
    )
    .await?;
    let case = tx.acknowledge_concern(forum).await?;
    tx.record_triage(
        case,
        &triage(RiskLevel::Medium, "A conversation with Dani, and the tutor's notes", "Local authority Prevent lead"),
    )
    .await?;
    tx.record_context(case, &context("", "No"), AgeGroup::Adult, Some(today + Duration::days(30))).await?;
    tx.record_decision(case, &decision("prevent", "Growing interest and a wish to find more; advice was to refer."))
        .await?;
    let referral = tx
        .record_referral(
            case,
            &prevent_referral(
                "The local authority's Prevent referral form",
                today - Duration::days(60),
                "PRV-2609-0411",
                "not_applicable",
                "",
                "The concern, the chronology and attendance",
            ),
        )
        .await?;
    let channel = Feedback {
        outcome: "channel".into(),
        feedback: "Adopted as a Channel case; a mentor is arranged.".into(),
        channel_consent: "given".into(),
        consent_by: "learner".into(),
    };
    tx.record_feedback(case, referral, &channel).await?;
    let panel = "Channel panel: support plan agreed (mentoring, and a work placement review). Next review in 6 months.";
    tx.add_entry(case, &entry("panel", today - Duration::days(20), panel), None).await?;
    let mentoring = NewAction {
        what: "Book the mentoring room at the centre each fortnight".into(),
        due_on: today + Duration::days(5),
    };
    tx.add_action(case, &mentoring, officer).await?;

    // Restricted: the learner is a relative of a member of the team, so only the lead sees the case.
    let related = recorded(
        &mut tx,
        "Casey Morgan",
        "Casey told the assessor that a relative at home hits them when drunk.",
        "physical",
    )
    .await?;
    let case = tx.acknowledge_concern(related).await?;
    tx.restrict_case(case, true).await?;
    tx.record_context(case, &KeyContext::default(), AgeGroup::Under18, Some(today + Duration::days(1))).await?;
    tx.commit().await?;

    let mut tx = store.write(&scope).await?;
    tx.revoke_own_api_token(token_id).await?;
    tx.commit().await?;
    Ok(())
}

/// A concern the team records from a conversation.
async fn recorded(tx: &mut WriteTx<'_>, about: &str, what: &str, category: &str) -> Result<ConcernId> {
    let concern = NewConcern {
        about: Some(about.into()),
        what_happened: what.into(),
        when_and_where: "Told to the safeguarding lead in person".into(),
        category: category.into(),
        immediate_danger: false,
        told_in_person: true,
        about_staff: false,
        received_via: "in_person".into(),
        person: None,
    };
    Ok(tx.raise_concern(&concern).await?.0)
}

fn triage(risk: RiskLevel, checked: &str, advice_from: &str) -> Triage {
    Triage {
        risk,
        checked: checked.into(),
        advice_from: advice_from.into(),
        advice_named: false,
        options: "No further action; monitor; support here; a referral".into(),
        prevent_type: String::new(),
    }
}

fn decision(decision: &str, reason: &str) -> Decision {
    Decision { decision: decision.into(), reason: reason.into() }
}

fn context(parent_carer: &str, ehcp: &str) -> KeyContext {
    KeyContext { parent_carer: parent_carer.into(), ehcp: ehcp.to_lowercase(), ..KeyContext::default() }
}

fn entry(kind: &str, occurred_on: time::Date, text: &str) -> NewEntry {
    NewEntry { kind: kind.into(), occurred_on, text: text.into() }
}

/// A Prevent referral the learner was told about, shared on the public-task basis.
fn prevent_referral(
    route: &str,
    sent_on: time::Date,
    reference: &str,
    parent_told: &str,
    parallel: &str,
    shared: &str,
) -> NewReferral {
    let referral = Referral {
        agency: "prevent".into(),
        route: route.into(),
        sent_on,
        reference: reference.into(),
        learner_told: true,
        parent_told: parent_told.into(),
        not_told_why: String::new(),
        parallel: parallel.into(),
    };
    NewReferral { referral, shared: shared.into(), lawful_basis: "public_task".into() }
}
