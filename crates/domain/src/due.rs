//! Things that fall due: one shape for every source (reviews, expiries, actions, attestations, contacts),
//! so that each person's tasks, the home page, the API and the weekly digest treat them alike.
//! Titles are neutral: never a learner's name or case content.

use crate::AccountId;
use crate::roles::Role;
use serde::Serialize;
use time::{Date, Duration};

/// How far ahead a task counts as "due soon".
pub const DUE_SOON: Duration = Duration::days(14);

/// Who must act.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Owner {
    /// One person.
    Account(AccountId),
    /// Anyone holding one of these roles.
    Roles(&'static [Role]),
}

/// One thing that falls due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DueItem {
    /// Where it comes from, like `profile_review`.
    pub source: &'static str,
    /// What to do, in neutral words: never a name or case content (a case's reference is neither).
    pub title: String,
    pub due_on: Date,
    /// The page where it is done.
    pub link: String,
    pub owner: Owner,
}

impl DueItem {
    /// Whether the person with this account and these roles must act on it.
    #[must_use]
    pub fn is_for(&self, account: Option<AccountId>, roles: &[Role]) -> bool {
        match &self.owner {
            Owner::Account(owner) => Some(*owner) == account,
            Owner::Roles(owners) => roles.iter().any(|r| owners.contains(r)),
        }
    }

    #[must_use]
    pub fn is_overdue(&self, today: Date) -> bool {
        self.due_on < today
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn items_belong_to_their_owners() {
        let me = AccountId::new();
        let mine = DueItem {
            source: "x",
            title: "x".into(),
            due_on: date!(2026 - 12 - 01),
            link: "/".into(),
            owner: Owner::Account(me),
        };
        assert!(mine.is_for(Some(me), &[]));
        assert!(!mine.is_for(Some(AccountId::new()), &[Role::Admin]));
        let admins = DueItem { owner: Owner::Roles(&[Role::Admin]), ..mine };
        assert!(admins.is_for(None, &[Role::Admin]));
        assert!(!admins.is_for(Some(me), &[Role::Staff]));
        assert!(admins.is_overdue(date!(2026 - 12 - 02)));
        assert!(!admins.is_overdue(date!(2026 - 12 - 01)));
    }
}
