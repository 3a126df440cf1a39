//! The home page: what each person should do first, by role, with empty states that say so.

use crate::AppState;
use crate::auth::Member;
use crate::error::AppResult;
use crate::layout::{Chrome, long_date, render};
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use domain::reach;
use domain::registry::Post;
use domain::roles::Role;

#[derive(Template)]
#[template(path = "home/home.html")]
struct HomePage {
    chrome: Chrome,
    display_name: String,
    lead_title: &'static str,
    regulator: &'static str,
    roles: Vec<String>,
    is_admin: bool,
    has_people: bool,
    /// The set-up steps that decide whether a concern reaches anyone, for the administrator.
    ready: SetUp,
    /// Why concerns cannot be raised yet, if they cannot.
    not_open: Option<&'static str>,
    is_lead: bool,
    confirmations: usize,
    tasks: Vec<TaskRow>,
    /// Concerns waiting for the actor (a lead, or the senior leader for concerns about staff), and how many are urgent.
    concerns_waiting: i64,
    concerns_urgent: i64,
    concerns_link: &'static str,
    /// The senior leader named in the registry today, who may use break-glass when no lead is available.
    may_break_glass: bool,
}

/// Where set-up stands on the steps without which a concern would reach nobody.
#[derive(Default)]
struct SetUp {
    lead: bool,
    lead_account: bool,
    lead_signed_in: bool,
    deputy: bool,
    colleagues: bool,
}

impl SetUp {
    fn from(holders: &[reach::Holder], members: i64) -> Self {
        let leads = || holders.iter().filter(|h| matches!(h.post, Post::Dsl | Post::DeputyDsl));
        Self {
            lead: holders.iter().any(|h| h.post == Post::Dsl),
            lead_account: leads().any(|h| h.has_account),
            lead_signed_in: leads().any(|h| h.can_sign_in),
            deputy: holders.iter().any(|h| h.post == Post::DeputyDsl),
            // Someone beyond the administrator and the lead.
            colleagues: members > 2,
        }
    }
}

/// A task as the home page lists it.
pub struct TaskRow {
    pub title: String,
    pub link: String,
    pub due: String,
    pub overdue: bool,
}

pub async fn show(State(state): State<AppState>, member: Member) -> AppResult<Response> {
    let org = state.store.organisation(&member.scope).await?;
    let vocabulary = org.nation.vocabulary();
    let is_lead = member.scope.has_role(Role::SafeguardingLead);
    let confirmations = if is_lead {
        state.store.pending_confirmations(&member.scope).await?.len()
            + state.store.pending_appointments(&member.scope).await?.len()
    } else {
        0
    };
    let today = state.store.now().date();
    let holders = state.store.reach(&member.scope).await?;
    let is_admin = member.scope.has_role(Role::Admin);
    let ready = if is_admin {
        let members = state.store.members_up_to(&member.scope, 3).await?;
        SetUp::from(&holders, members)
    } else {
        SetUp::default()
    };
    let (concerns_waiting, concerns_urgent) = state.store.concerns_waiting(&member.scope).await?;
    let tasks = state
        .store
        .my_tasks(&member.scope)
        .await?
        .into_iter()
        .map(|t| TaskRow { overdue: t.is_overdue(today), title: t.title, due: long_date(t.due_on), link: t.link })
        .collect();
    render(&HomePage {
        chrome: Chrome::member(&state, "Home", &member.session, "/").await?,
        display_name: member.session.display_name.clone(),
        lead_title: vocabulary.lead_title,
        regulator: vocabulary.regulator,
        roles: member.scope.roles().iter().map(|r| r.label(vocabulary.lead_title)).collect(),
        is_admin,
        has_people: state.store.people_page(&member.scope, &store::people::PeopleFilter::default(), 1, 1).await?.total
            > 0,
        ready,
        not_open: reach::readiness(&holders).reason(),
        is_lead,
        confirmations,
        tasks,
        concerns_waiting,
        concerns_urgent,
        concerns_link: if is_lead { "/safeguarding" } else { "/concerns/about-staff" },
        may_break_glass: !is_lead && state.store.may_break_glass(&member.scope).await?,
    })
}
