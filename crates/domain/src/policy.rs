//! The one access policy: every action the product offers, and who may take it.
//!
//! The web layer's route table names an [`Action`] for every route; the router asks [`Action::access`]
//! before any handler runs. The match below is exhaustive, so an action cannot exist without a rule.

use crate::roles::Role;

/// Something a person or integration does, named once and used by routes, tests and documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Health checks, static assets, the OpenAPI document.
    ViewPublic,
    /// Sign in, reset a password, accept an invitation, set up a new instance.
    SignIn,
    /// Enter or enrol the second factor after a correct password.
    CompleteSecondFactor,
    /// Read the demonstration outbox (only exists when mail is not configured).
    ReadDemoOutbox,
    /// See one's own home page, account, sessions and organisations.
    UseOwnAccount,
    /// Change one's own password, end one's own sessions, sign out, switch organisation.
    ManageOwnAccount,
    /// See the organisation's accounts and their roles.
    ListAccounts,
    /// Invite a person, give or remove a role, disable or enable an account.
    ManageAccounts,
    /// Confirm or refuse a change to a safeguarding role or account that an administrator asked for.
    ConfirmSafeguardingChange,
    /// Browse the audit log. Events about case content are filtered by role in the store.
    ReadAuditLog,
    /// See the organisation profile, its sites and departments.
    ViewOrganisation,
    /// Change the organisation profile, its sites and departments.
    ManageOrganisation,
    /// Upload a file, and read back one's own uploads.
    UploadFiles,
    /// See the people register.
    ViewPeople,
    /// Add, import and archive people.
    ManagePeople,
    /// Export the people register (personal data leaves Vigil).
    ExportPeople,
    /// An apprentice or employer sees their own record in the register.
    ViewOwnRecord,
    /// See the role registry: who holds each safeguarding post, now and on past dates.
    ViewRegistry,
    /// Appoint people to posts, end terms, and record how to reach the safeguarding team.
    ManageRegistry,
    /// Raise a safeguarding concern, and see the receipts (never the content) of one's own concerns.
    RaiseConcern,
    /// Receive, open and handle concerns: the safeguarding leads (officers will see the cases assigned to
    /// them once cases can be assigned).
    HandleConcerns,
    /// Receive and open concerns about staff or the safeguarding team. Open to any member at the door; the
    /// store lets only the senior leader named in the role registry on the day see any.
    HandleConcernsAboutStaff,
    /// List, open and work on safeguarding cases. Open to any member at the door, because who sees a case
    /// is decided case by case in the store: the safeguarding leads see every case that is not restricted,
    /// officers the cases assigned to them, named people a restricted case, a colleague a case shared with
    /// them until the share ends, and a senior leader using break-glass. Anyone else sees an empty list and
    /// "not found".
    WorkOnCases,
    /// Open the safeguarding caseload when no lead is available: only the senior leader named in the role
    /// registry on the day, with a reason and a fresh second factor; the leads are told at once.
    BreakGlass,
}

/// Who may take an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Someone who has given a correct password but not yet their second factor.
    PasswordOnly,
    /// Any fully signed-in member of the organisation, whatever their roles.
    Member,
    /// A member holding at least one of these roles.
    Roles(&'static [Role]),
}

impl Action {
    /// The rule for this action.
    #[must_use]
    pub fn access(self) -> Access {
        match self {
            Action::ViewPublic | Action::SignIn | Action::ReadDemoOutbox => Access::Public,
            Action::CompleteSecondFactor => Access::PasswordOnly,
            Action::UseOwnAccount | Action::ManageOwnAccount | Action::UploadFiles => Access::Member,
            Action::ListAccounts | Action::ManageAccounts => Access::Roles(&[Role::Admin]),
            Action::ConfirmSafeguardingChange => Access::Roles(&[Role::SafeguardingLead]),
            Action::ReadAuditLog => Access::Roles(&[Role::Admin, Role::SafeguardingLead]),
            Action::ViewOrganisation => Access::Roles(&[
                Role::Admin,
                Role::Leader,
                Role::Board,
                Role::SafeguardingLead,
                Role::SafeguardingOfficer,
                Role::Staff,
                Role::Inspector,
            ]),
            Action::ManageOrganisation => Access::Roles(&[Role::Admin, Role::Leader]),
            Action::ViewPeople => {
                Access::Roles(&[Role::Admin, Role::Leader, Role::SafeguardingLead, Role::SafeguardingOfficer])
            }
            Action::ManagePeople | Action::ExportPeople => Access::Roles(&[Role::Admin]),
            Action::ViewOwnRecord => Access::Roles(&[Role::Apprentice, Role::Employer]),
            Action::ViewRegistry => Access::Roles(&[
                Role::Admin,
                Role::Leader,
                Role::Board,
                Role::SafeguardingLead,
                Role::SafeguardingOfficer,
                Role::Staff,
                Role::Inspector,
            ]),
            Action::ManageRegistry => Access::Roles(&[Role::Admin, Role::Leader, Role::SafeguardingLead]),
            Action::RaiseConcern | Action::HandleConcernsAboutStaff | Action::WorkOnCases | Action::BreakGlass => {
                Access::Member
            }
            Action::HandleConcerns => Access::Roles(&[Role::SafeguardingLead]),
        }
    }

    /// Whether the action needs a second factor given in the last few minutes
    /// ([`crate::security::FRESH_SECOND_FACTOR`]). An API token can never take such an action.
    #[must_use]
    pub fn needs_fresh_second_factor(self) -> bool {
        matches!(self, Action::ConfirmSafeguardingChange | Action::ExportPeople | Action::BreakGlass)
    }

    /// Whether a fully signed-in member with `roles` may take this action.
    #[must_use]
    pub fn allows(self, roles: &[Role]) -> bool {
        match self.access() {
            Access::Public | Access::Member => true,
            Access::PasswordOnly => false,
            Access::Roles(allowed) => roles.iter().any(|r| allowed.contains(r)),
        }
    }
}

/// Roles that may read events about safeguarding case content in the audit log.
#[must_use]
pub fn reads_case_audit(roles: &[Role]) -> bool {
    roles.iter().any(|r| r.is_safeguarding())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn administrators_manage_accounts_but_leads_confirm() {
        assert!(Action::ManageAccounts.allows(&[Role::Admin]));
        assert!(!Action::ManageAccounts.allows(&[Role::SafeguardingLead, Role::Leader]));
        assert!(Action::ConfirmSafeguardingChange.allows(&[Role::SafeguardingLead]));
        assert!(!Action::ConfirmSafeguardingChange.allows(&[Role::Admin]));
        assert!(!Action::ListAccounts.allows(&[]));
        assert!(Action::UseOwnAccount.allows(&[]));
    }

    #[test]
    fn only_the_safeguarding_team_reads_case_audit() {
        assert!(reads_case_audit(&[Role::SafeguardingOfficer]));
        assert!(!reads_case_audit(&[Role::Admin, Role::Leader, Role::Board]));
    }
}
