//! The organisation scope every read and write of organisation data needs. Its fields are private and it
//! has no public constructor: only the authentication functions in [`crate::auth`] build one.

use domain::roles::Role;
use domain::{AccountId, OrgId};

/// How the actor proved who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActorKind {
    /// A person signed in to the web pages.
    Session,
    /// An integration using an API token.
    Token,
    /// Someone at the command line with access to the database.
    Operator,
    /// The server itself (scheduled work, demo data).
    System,
    /// Someone not yet signed in (set-up, sign-in attempts, accepting an invitation).
    Anonymous,
}

impl ActorKind {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::Session => "session",
            ActorKind::Token => "token",
            ActorKind::Operator => "operator",
            ActorKind::System => "system",
            ActorKind::Anonymous => "anonymous",
        }
    }
}

/// Who is acting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub kind: ActorKind,
    pub account: Option<AccountId>,
    pub roles: Vec<Role>,
}

/// One organisation and the actor working in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgScope {
    org: OrgId,
    actor: Actor,
}

impl OrgScope {
    pub(crate) fn new(org: OrgId, actor: Actor) -> Self {
        Self { org, actor }
    }

    #[must_use]
    pub fn org(&self) -> OrgId {
        self.org
    }

    #[must_use]
    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    #[must_use]
    pub fn roles(&self) -> &[Role] {
        &self.actor.roles
    }

    #[must_use]
    pub fn has_role(&self, role: Role) -> bool {
        self.actor.roles.contains(&role)
    }
}
