//! Account roles within one organisation. The identifiers are used in the API and on the command line.

use crate::text::Invalid;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Leader,
    Board,
    SafeguardingLead,
    SafeguardingOfficer,
    Staff,
    Apprentice,
    Employer,
    Subcontractor,
    Inspector,
}

impl Role {
    pub const ALL: [Role; 10] = [
        Role::Admin,
        Role::Leader,
        Role::Board,
        Role::SafeguardingLead,
        Role::SafeguardingOfficer,
        Role::Staff,
        Role::Apprentice,
        Role::Employer,
        Role::Subcontractor,
        Role::Inspector,
    ];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Leader => "leader",
            Role::Board => "board",
            Role::SafeguardingLead => "safeguarding_lead",
            Role::SafeguardingOfficer => "safeguarding_officer",
            Role::Staff => "staff",
            Role::Apprentice => "apprentice",
            Role::Employer => "employer",
            Role::Subcontractor => "subcontractor",
            Role::Inspector => "inspector",
        }
    }

    /// Parses a role identifier.
    ///
    /// # Errors
    /// When the text names no role.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        Self::ALL.into_iter().find(|r| r.as_str() == raw.trim()).ok_or(Invalid("Select a role"))
    }

    /// The role's name on pages. The safeguarding lead's title follows the nation, so it is passed in.
    #[must_use]
    pub fn label(self, lead_title: &str) -> String {
        match self {
            Role::Admin => "Administrator".into(),
            Role::Leader => "Leader".into(),
            Role::Board => "Board member".into(),
            Role::SafeguardingLead => format!("{lead_title} or deputy"),
            Role::SafeguardingOfficer => "Safeguarding officer".into(),
            Role::Staff => "Staff".into(),
            Role::Apprentice => "Apprentice".into(),
            Role::Employer => "Employer".into(),
            Role::Subcontractor => "Sub-contractor".into(),
            Role::Inspector => "Inspector".into(),
        }
    }

    /// Roles whose holders must use a second factor: they manage accounts or read case files.
    #[must_use]
    pub fn requires_totp(self) -> bool {
        matches!(self, Role::Admin | Role::SafeguardingLead | Role::SafeguardingOfficer)
    }

    /// Roles that read safeguarding case content. Granting one needs a lead's confirmation after set-up.
    #[must_use]
    pub fn is_safeguarding(self) -> bool {
        matches!(self, Role::SafeguardingLead | Role::SafeguardingOfficer)
    }

    /// Whether an administrator gives the role directly. The safeguarding lead's role follows the lead and
    /// deputy posts in the role registry instead, which is its single source (the operator's command line
    /// may still grant it, to bootstrap an instance).
    #[must_use]
    pub fn granted_directly(self) -> bool {
        self != Role::SafeguardingLead
    }

    /// The inspector role is time-boxed: every grant of it has an end date.
    #[must_use]
    pub fn requires_end_date(self) -> bool {
        self == Role::Inspector
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()).unwrap(), role);
            assert_eq!(serde_json::to_string(&role).ok(), Some(format!("\"{}\"", role.as_str())));
        }
        assert!(Role::parse("root").is_err());
    }
}
