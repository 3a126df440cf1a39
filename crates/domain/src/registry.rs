//! The role registry: the safeguarding posts an organisation fills, with dates. The source asks for a single
//! point of contact for Prevent, usually the safeguarding lead, known to all staff and apprentices, with
//! deputies, and for co-ordination across departments.

use crate::org::Vocabulary;
use crate::text::Invalid;
use serde::Serialize;

/// A post in the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Post {
    /// The Designated Safeguarding Lead (Person, in Wales), who is also the Prevent single point of contact.
    Dsl,
    DeputyDsl,
    /// The board member who leads on safeguarding.
    BoardSafeguardingLead,
    /// The senior leader who receives concerns about staff or about the safeguarding team.
    SeniorLeader,
    /// A department's named Prevent contact, part of the co-ordination arrangement.
    DepartmentPreventContact,
}

impl Post {
    pub const ALL: [Post; 5] =
        [Post::Dsl, Post::DeputyDsl, Post::BoardSafeguardingLead, Post::SeniorLeader, Post::DepartmentPreventContact];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Post::Dsl => "dsl",
            Post::DeputyDsl => "deputy_dsl",
            Post::BoardSafeguardingLead => "board_safeguarding_lead",
            Post::SeniorLeader => "senior_leader",
            Post::DepartmentPreventContact => "department_prevent_contact",
        }
    }

    /// Parses the identifier used in forms and the API.
    ///
    /// # Errors
    /// When the text names no post.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        Self::ALL.into_iter().find(|p| p.as_str() == raw.trim()).ok_or(Invalid("Select a post"))
    }

    /// The post's name in the organisation's vocabulary.
    #[must_use]
    pub fn label(self, vocabulary: &Vocabulary) -> String {
        match self {
            Post::Dsl => format!("{} and Prevent single point of contact", vocabulary.lead_title),
            Post::DeputyDsl => format!("Deputy {}", vocabulary.lead_title),
            Post::BoardSafeguardingLead => "Board member for safeguarding".into(),
            Post::SeniorLeader => "Senior leader for concerns about staff or the safeguarding team".into(),
            Post::DepartmentPreventContact => "Department Prevent contact".into(),
        }
    }

    /// Holding the post grants the `safeguarding_lead` account role for its dates.
    #[must_use]
    pub fn grants_safeguarding_lead(self) -> bool {
        matches!(self, Post::Dsl | Post::DeputyDsl)
    }

    /// Holding the post reaches concerns about staff or emergency access to cases, so an appointment waits
    /// for a safeguarding lead's confirmation (never the appointee's own) before it counts.
    #[must_use]
    pub fn needs_confirmation(self) -> bool {
        matches!(self, Post::BoardSafeguardingLead | Post::SeniorLeader)
    }

    /// Only one person holds the post at a time (a new holder's start ends the previous holder's term).
    #[must_use]
    pub fn single_holder(self) -> bool {
        matches!(self, Post::Dsl | Post::BoardSafeguardingLead | Post::SeniorLeader)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::Nation;

    #[test]
    fn posts_follow_the_nation() {
        assert!(Post::Dsl.label(Nation::Wales.vocabulary()).starts_with("Designated Safeguarding Person"));
        assert_eq!(Post::DeputyDsl.label(Nation::England.vocabulary()), "Deputy Designated Safeguarding Lead");
        for post in Post::ALL {
            assert_eq!(Post::parse(post.as_str()).unwrap(), post);
        }
        assert!(Post::DeputyDsl.grants_safeguarding_lead() && !Post::SeniorLeader.grants_safeguarding_lead());
    }
}
