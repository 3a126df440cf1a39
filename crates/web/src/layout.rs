//! What every page shows around its content: the header, navigation for the person's roles, the CSRF
//! token for forms, and the idle-timeout warning.

use crate::AppState;
use crate::error::{AppError, AppResult};
use askama::Template;
use axum::response::{Html, IntoResponse, Response};
use domain::policy::Action;
use domain::security::SESSION_IDLE_WARNING;
use store::auth::Session;

/// One link in the navigation.
pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

/// Who to go to about a safeguarding or Prevent concern: on every signed-in page, and on the public card.
#[derive(Default)]
pub struct ContactCard {
    /// "Designated Safeguarding Lead" or "Designated Safeguarding Person".
    pub lead_title: &'static str,
    /// Name, email, and whether away today, of the lead.
    pub lead: Option<(String, String, bool)>,
    pub deputies: Vec<(String, String, bool)>,
    pub team_mailbox: String,
    pub team_phone: String,
    pub out_of_hours: String,
}

impl ContactCard {
    /// The card from today's post holders and the contact settings.
    pub fn new(
        lead_title: &'static str,
        holders: &[store::registry::Holding],
        settings: store::registry::ContactSettings,
    ) -> Self {
        use domain::registry::Post;
        let person = |h: &store::registry::Holding| (h.name.clone(), h.email.clone().unwrap_or_default(), h.away);
        Self {
            lead_title,
            lead: holders.iter().find(|h| h.post == Post::Dsl).map(person),
            deputies: holders.iter().filter(|h| h.post == Post::DeputyDsl).map(person).collect(),
            team_mailbox: settings.team_mailbox,
            team_phone: settings.team_phone,
            out_of_hours: settings.out_of_hours,
        }
    }
}

/// The parts of the layout that depend on who is signed in.
pub struct Chrome {
    pub title: String,
    pub display_name: Option<String>,
    pub org_name: Option<String>,
    pub nav: Vec<NavItem>,
    pub csrf: String,
    /// Seconds until the idle-timeout warning; zero when nobody is signed in.
    pub idle_warning_after: i64,
    /// Whether the page shows form errors (the title then starts with "Error:").
    pub has_errors: bool,
    /// The safeguarding contact card, for signed-in members.
    pub contact: Option<ContactCard>,
}

impl Chrome {
    /// Marks the page as showing form errors.
    pub fn with_errors(mut self, errors: &crate::forms::FormErrors) -> Self {
        self.has_errors = !errors.is_empty();
        self
    }

    /// The layout for someone not signed in.
    pub fn public(title: &str) -> Self {
        Self {
            title: title.to_owned(),
            display_name: None,
            org_name: None,
            nav: Vec::new(),
            csrf: String::new(),
            idle_warning_after: 0,
            has_errors: false,
            contact: None,
        }
    }

    /// The layout for a session at the password stage (second factor still to come).
    pub fn pending(title: &str, session: &Session) -> Self {
        Self { csrf: session.csrf_token.clone(), ..Self::public(title) }
    }

    /// The layout for a signed-in member, with the navigation their roles allow.
    pub async fn member(state: &AppState, title: &str, session: &Session, current: &str) -> AppResult<Self> {
        let scope = session.scope.as_ref().ok_or(AppError::Forbidden)?;
        let org = state.store.organisation(scope).await?;
        let holders = state.store.holders_on(scope, state.store.now().date()).await?;
        let settings = state.store.contact_settings(scope).await?;
        let contact = ContactCard::new(org.nation.vocabulary().lead_title, &holders, settings);
        let nav = NAVIGATION
            .iter()
            .filter(|(_, _, action)| shown(*action, scope.roles()))
            .map(|(href, label, _)| NavItem { href, label, current: *href == current })
            .collect();
        Ok(Self {
            title: title.to_owned(),
            display_name: Some(session.display_name.clone()),
            org_name: Some(org.name),
            nav,
            csrf: session.csrf_token.clone(),
            idle_warning_after: SESSION_IDLE_WARNING.whole_seconds(),
            has_errors: false,
            contact: Some(contact),
        })
    }
}

/// The navigation, each link shown only to those whose roles allow its action.
const NAVIGATION: &[(&str, &str, Action)] = &[
    ("/", "Home", Action::UseOwnAccount),
    ("/concerns/new", "Raise a concern", Action::RaiseConcern),
    ("/concerns", "Concerns you have raised", Action::RaiseConcern),
    ("/safeguarding", "Safeguarding", Action::HandleConcerns),
    ("/cases", "Cases", Action::WorkOnCases),
    ("/organisation", "Organisation", Action::ViewOrganisation),
    ("/registry", "Role registry", Action::ViewRegistry),
    ("/people", "People", Action::ViewPeople),
    ("/my-record", "Your record", Action::ViewOwnRecord),
    ("/users", "Accounts", Action::ListAccounts),
    ("/confirmations", "Confirmations", Action::ConfirmSafeguardingChange),
    ("/audit", "Audit log", Action::ReadAuditLog),
    ("/account", "Your account", Action::UseOwnAccount),
];

/// Whether a navigation link shows. Cases are open to every member at the door (the store decides case by
/// case), but the link is only for the safeguarding team: anyone else reaches a shared case from its link.
fn shown(action: Action, roles: &[domain::roles::Role]) -> bool {
    match action {
        Action::WorkOnCases => roles.iter().any(|r| r.is_safeguarding()),
        other => other.allows(roles),
    }
}

/// Renders a page template.
pub fn render<T: Template>(template: &T) -> AppResult<Response> {
    template
        .render()
        .map(|html| Html(html).into_response())
        .map_err(|e| AppError::Internal(format!("template failed: {e}")))
}

/// Dates as GOV.UK writes them: "29 November 2026".
pub fn long_date(date: time::Date) -> String {
    format!("{} {} {}", date.day(), date.month(), date.year())
}

/// Date and time as GOV.UK writes them: "29 November 2026 at 2:05pm" (UTC).
pub fn long_datetime(at: time::OffsetDateTime) -> String {
    let (hour, minute) = (at.hour(), at.minute());
    let (h12, suffix) = match hour {
        0 => (12, "am"),
        1..=11 => (hour, "am"),
        12 => (12, "pm"),
        _ => (hour - 12, "pm"),
    };
    format!("{} at {h12}:{minute:02}{suffix}", long_date(at.date()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn dates_read_as_govuk_writes_them() {
        assert_eq!(long_date(datetime!(2026-11-29 0:00 UTC).date()), "29 November 2026");
        assert_eq!(long_datetime(datetime!(2026-11-29 14:05 UTC)), "29 November 2026 at 2:05pm");
        assert_eq!(long_datetime(datetime!(2026-11-29 0:30 UTC)), "29 November 2026 at 12:30am");
    }
}
