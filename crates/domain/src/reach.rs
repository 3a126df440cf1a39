//! Who a concern reaches: the rules that make sure no concern goes unseen. A concern goes to the
//! safeguarding leads who can act on it today; when none can, to the senior leader and the board's
//! safeguarding lead; and the person raising it is told which of these happened.

use crate::registry::Post;

/// A holder of a safeguarding post today, as far as reaching them goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub post: Post,
    /// The email address in the people register, if there is one.
    pub email: Option<String>,
    /// Whether the holder has an enabled account here with a confirmed second factor: they can sign in
    /// and read what is sent to them.
    pub can_sign_in: bool,
    /// Whether the holder has an account here at all (invited and accepted).
    pub has_account: bool,
    /// Whether the holder is recorded as away today.
    pub away: bool,
}

impl Holder {
    fn is_lead(&self) -> bool {
        matches!(self.post, Post::Dsl | Post::DeputyDsl)
    }

    fn available(&self) -> bool {
        self.can_sign_in && !self.away
    }
}

/// Whether concerns can be raised in Vigil yet, and if not, what is missing. Concerns open once at least
/// one safeguarding lead or deputy who can sign in holds the post: until then a concern would reach nobody.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readiness {
    Open,
    /// Nobody holds the lead's or a deputy's post.
    NoLead,
    /// A lead or deputy is appointed, but none has an account here (their invitation is not accepted).
    LeadHasNoAccount,
    /// A lead or deputy has an account, but none has finished signing in with a second factor.
    LeadNotSignedIn,
}

impl Readiness {
    /// Why concerns cannot be raised yet, in words for the administrator.
    #[must_use]
    pub fn reason(self) -> Option<&'static str> {
        match self {
            Readiness::Open => None,
            Readiness::NoLead => Some("nobody has been appointed safeguarding lead or deputy in the role registry"),
            Readiness::LeadHasNoAccount => {
                Some("the safeguarding lead has no account yet: invite them, with the email in the people register")
            }
            Readiness::LeadNotSignedIn => {
                Some("the safeguarding lead has not yet signed in and set up their authenticator app")
            }
        }
    }
}

/// Whether concerns can be raised, from the holders of posts today.
#[must_use]
pub fn readiness(holders: &[Holder]) -> Readiness {
    let leads: Vec<&Holder> = holders.iter().filter(|h| h.is_lead()).collect();
    if leads.is_empty() {
        Readiness::NoLead
    } else if leads.iter().any(|h| h.can_sign_in) {
        Readiness::Open
    } else if leads.iter().any(|h| h.has_account) {
        Readiness::LeadNotSignedIn
    } else {
        Readiness::LeadHasNoAccount
    }
}

/// Who was told of a new concern, for the receipt: it must never claim what did not happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Told {
    /// Safeguarding leads or deputies who can sign in and are not away.
    Team,
    /// For a concern about staff or the team: the senior leader.
    SeniorLeader,
    /// Nobody in the usual place could receive it: the senior leader and the board's safeguarding lead.
    Leadership,
    /// Nobody at all could be alerted.
    Nobody,
}

impl Told {
    pub const ALL: [Told; 4] = [Told::Team, Told::SeniorLeader, Told::Leadership, Told::Nobody];

    /// The identifier used in links and the API.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Told::Team => "team",
            Told::SeniorLeader => "senior_leader",
            Told::Leadership => "leadership",
            Told::Nobody => "nobody",
        }
    }

    /// Parses [`Told::as_str`]'s identifier.
    #[must_use]
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == raw)
    }
}

/// Who a new concern alerts, and which group that is.
#[must_use]
pub fn recipients(holders: &[Holder], about_staff: bool) -> (Told, Vec<String>) {
    let emails = |keep: &dyn Fn(&Holder) -> bool| -> Vec<String> {
        let mut emails: Vec<String> = holders.iter().filter(|h| keep(h)).filter_map(|h| h.email.clone()).collect();
        emails.sort();
        emails.dedup();
        emails
    };
    let (told, first) = if about_staff {
        (Told::SeniorLeader, emails(&|h| h.post == Post::SeniorLeader && h.available()))
    } else {
        (Told::Team, emails(&|h| h.is_lead() && h.available()))
    };
    if !first.is_empty() {
        return (told, first);
    }
    let leadership = emails(&|h| matches!(h.post, Post::SeniorLeader | Post::BoardSafeguardingLead) && !h.away);
    if leadership.is_empty() { (Told::Nobody, Vec::new()) } else { (Told::Leadership, leadership) }
}

/// Who a concern still waiting to be acknowledged escalates to: the deputies (or, with none available,
/// every lead); for a concern about staff, the board's safeguarding lead. A concern about someone in
/// immediate danger escalates to the senior leader as well. When none of them can be reached, it goes to
/// the senior leader and the board's safeguarding lead.
#[must_use]
pub fn escalation(holders: &[Holder], about_staff: bool, immediate_danger: bool) -> Vec<String> {
    let mut emails: Vec<String> = holders
        .iter()
        .filter(|h| !h.away)
        .filter(|h| match h.post {
            Post::DeputyDsl => !about_staff,
            Post::BoardSafeguardingLead => about_staff,
            Post::SeniorLeader => immediate_danger && !about_staff,
            Post::Dsl | Post::DepartmentPreventContact => false,
        })
        .filter_map(|h| h.email.clone())
        .collect();
    if emails.is_empty() && !about_staff {
        emails = holders.iter().filter(|h| h.is_lead() && !h.away).filter_map(|h| h.email.clone()).collect();
    }
    if emails.is_empty() {
        emails = holders
            .iter()
            .filter(|h| matches!(h.post, Post::SeniorLeader | Post::BoardSafeguardingLead))
            .filter_map(|h| h.email.clone())
            .collect();
    }
    emails.sort();
    emails.dedup();
    emails
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holder(post: Post, email: &str, can_sign_in: bool, away: bool) -> Holder {
        Holder { post, email: Some(email.into()), can_sign_in, has_account: can_sign_in, away }
    }

    #[test]
    fn concerns_open_only_once_a_lead_can_sign_in() {
        assert_eq!(readiness(&[]), Readiness::NoLead);
        let senior = holder(Post::SeniorLeader, "s@x", true, false);
        assert_eq!(readiness(std::slice::from_ref(&senior)), Readiness::NoLead);
        let invited = Holder { has_account: false, ..holder(Post::Dsl, "d@x", false, false) };
        assert_eq!(readiness(&[invited.clone(), senior.clone()]), Readiness::LeadHasNoAccount);
        let accepted = Holder { has_account: true, ..invited };
        assert_eq!(readiness(&[accepted, senior]), Readiness::LeadNotSignedIn);
        assert_eq!(readiness(&[holder(Post::DeputyDsl, "d@x", true, true)]), Readiness::Open);
    }

    #[test]
    fn a_concern_goes_to_the_leads_who_can_act_and_otherwise_to_the_leadership() {
        let lead = holder(Post::Dsl, "lead@x", true, false);
        let deputy_away = holder(Post::DeputyDsl, "deputy@x", true, true);
        let senior = holder(Post::SeniorLeader, "senior@x", true, false);
        let board = holder(Post::BoardSafeguardingLead, "board@x", false, false);
        let all = [lead.clone(), deputy_away.clone(), senior.clone(), board.clone()];
        assert_eq!(recipients(&all, false), (Told::Team, vec!["lead@x".into()]));
        assert_eq!(recipients(&all, true), (Told::SeniorLeader, vec!["senior@x".into()]));
        let lead_away = Holder { away: true, ..lead };
        let nobody_in = [lead_away, deputy_away, senior, board.clone()];
        assert_eq!(recipients(&nobody_in, false), (Told::Leadership, vec!["board@x".into(), "senior@x".into()]));
        assert_eq!(recipients(&[board], true), (Told::Leadership, vec!["board@x".into()]));
        assert_eq!(recipients(&[], false), (Told::Nobody, Vec::new()));
    }

    #[test]
    fn escalation_reaches_the_senior_leader_for_immediate_danger() {
        let all = [
            holder(Post::Dsl, "lead@x", true, false),
            holder(Post::DeputyDsl, "deputy@x", true, false),
            holder(Post::SeniorLeader, "senior@x", true, false),
            holder(Post::BoardSafeguardingLead, "board@x", true, false),
        ];
        assert_eq!(escalation(&all, false, false), vec!["deputy@x".to_owned()]);
        assert_eq!(escalation(&all, false, true), vec!["deputy@x".to_owned(), "senior@x".to_owned()]);
        assert_eq!(escalation(&all, true, true), vec!["board@x".to_owned()]);
        assert_eq!(escalation(&all[..1], false, false), vec!["lead@x".to_owned()]);
        assert_eq!(escalation(&all[2..3], true, false), vec!["senior@x".to_owned()]);
    }
}
