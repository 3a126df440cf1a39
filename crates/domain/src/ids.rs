//! Typed identifiers. Every id is a UUIDv7 so that ids sort by creation time on both databases.

use std::fmt;
use std::str::FromStr;

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub uuid::Uuid);

        impl $name {
            /// A fresh, time-ordered id.
            #[must_use]
            pub fn new() -> Self {
                Self(uuid::Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                uuid::Uuid::parse_str(s).map(Self)
            }
        }
    )*};
}

id_type!(
    /// An organisation (a tenant).
    OrgId,
    /// A sign-in identity. One account may be a member of several organisations.
    AccountId,
    /// An account's membership of one organisation.
    MembershipId,
    /// A grant of one role within one organisation.
    RoleGrantId,
    /// An API token.
    TokenId,
    /// An invitation to join an organisation.
    InvitationId,
    /// An audit event.
    AuditEventId,
    /// A change that waits for a safeguarding lead's confirmation.
    ConfirmationId,
    /// An email in the outbox.
    MailId,
    /// A version of an organisation's profile.
    ProfileVersionId,
    /// A site: a building or land.
    SiteId,
    /// A department.
    DepartmentId,
    /// A person in the people register.
    PersonId,
    /// One term of a person in a registry post.
    PostHolderId,
    /// A safeguarding concern.
    ConcernId,
    /// A safeguarding case: one person's file, opened from a concern.
    CaseId,
    /// An entry in a case's chronology.
    CaseEntryId,
    /// An action in a case, with an owner and a due date.
    CaseActionId,
    /// A referral made from a case.
    ReferralId,
    /// An entry in a case's information-sharing log.
    DisclosureId,
);
