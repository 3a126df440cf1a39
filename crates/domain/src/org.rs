//! Organisations: the tenant, its nation (which sets the regulator and the safeguarding vocabulary) and its
//! identifiers.

use crate::text::Invalid;
use serde::{Deserialize, Serialize};

/// The nation an organisation works in. It decides the inspectorate and the safeguarding vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Nation {
    England,
    Wales,
}

impl Nation {
    pub const ALL: [Nation; 2] = [Nation::England, Nation::Wales];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Nation::England => "england",
            Nation::Wales => "wales",
        }
    }

    /// Parses the identifier used in forms, the API and the command line.
    ///
    /// # Errors
    /// When the text is not `england` or `wales`.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        match raw.trim().to_lowercase().as_str() {
            "england" => Ok(Nation::England),
            "wales" => Ok(Nation::Wales),
            _ => Err(Invalid("Select England or Wales")),
        }
    }

    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Nation::England => "England",
            Nation::Wales => "Wales",
        }
    }

    /// The vocabulary that follows from the nation.
    #[must_use]
    pub fn vocabulary(self) -> &'static Vocabulary {
        match self {
            Nation::England => &ENGLAND,
            Nation::Wales => &WALES,
        }
    }
}

/// Words that differ between England and Wales.
#[derive(Debug, PartialEq, Eq)]
pub struct Vocabulary {
    /// The inspectorate.
    pub regulator: &'static str,
    /// The statutory safeguarding guidance for education settings.
    pub guidance: &'static str,
    /// The title of the person who leads safeguarding.
    pub lead_title: &'static str,
    /// Its abbreviation.
    pub lead_abbreviation: &'static str,
}

/// Keeping Children Safe in Education names a Designated Safeguarding Lead; Ofsted inspects.
const ENGLAND: Vocabulary = Vocabulary {
    regulator: "Ofsted",
    guidance: "Keeping Children Safe in Education",
    lead_title: "Designated Safeguarding Lead",
    lead_abbreviation: "DSL",
};

/// Keeping Learners Safe names a Designated Safeguarding Person; Estyn inspects.
const WALES: Vocabulary = Vocabulary {
    regulator: "Estyn",
    guidance: "Keeping Learners Safe",
    lead_title: "Designated Safeguarding Person",
    lead_abbreviation: "DSP",
};

/// The kind of provider, as the apprenticeship provider register groups them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProviderType {
    IndependentTrainingProvider,
    EmployerProvider,
    FeCollege,
    Other,
}

impl ProviderType {
    pub const ALL: [ProviderType; 4] = [
        ProviderType::IndependentTrainingProvider,
        ProviderType::EmployerProvider,
        ProviderType::FeCollege,
        ProviderType::Other,
    ];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderType::IndependentTrainingProvider => "independent_training_provider",
            ProviderType::EmployerProvider => "employer_provider",
            ProviderType::FeCollege => "fe_college",
            ProviderType::Other => "other",
        }
    }

    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            ProviderType::IndependentTrainingProvider => "Independent training provider",
            ProviderType::EmployerProvider => "Employer provider",
            ProviderType::FeCollege => "Further education college",
            ProviderType::Other => "Other",
        }
    }

    /// Parses the identifier used in forms, the API and the command line.
    ///
    /// # Errors
    /// When the text names no provider type.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        Self::ALL.into_iter().find(|t| t.as_str() == raw.trim()).ok_or(Invalid("Select the type of provider"))
    }
}

/// A UK provider reference number: eight digits, starting with 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ukprn(String);

impl Ukprn {
    /// Parses a UKPRN.
    ///
    /// # Errors
    /// When the text is not eight digits starting with 1.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let value = raw.trim();
        if value.is_empty() {
            return Err(Invalid("Enter the UKPRN"));
        }
        if value.len() == 8 && value.starts_with('1') && value.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(value.to_owned()))
        } else {
            Err(Invalid("UKPRN must be 8 digits starting with 1, like 10012345"))
        }
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The short name of an organisation used on the command line: lower-case letters, digits and hyphens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Slug(String);

impl Slug {
    /// Parses a slug.
    ///
    /// # Errors
    /// When the text is empty, too long, or has other characters.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let value = raw.trim();
        let shaped = (2..=60).contains(&value.len())
            && value.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !value.starts_with('-')
            && !value.ends_with('-');
        if shaped {
            Ok(Self(value.to_owned()))
        } else {
            Err(Invalid("Slug must be 2 to 60 lower-case letters, digits and hyphens"))
        }
    }

    /// Derives a slug from an organisation's name: "St Mary's College" becomes `st-marys-college`.
    #[must_use]
    pub fn from_name(name: &str) -> Self {
        let mut slug = String::new();
        for c in name.to_lowercase().chars() {
            if c.is_ascii_alphanumeric() {
                slug.push(c);
            } else if (c.is_whitespace() || c == '-' || c == '_') && !slug.ends_with('-') && !slug.is_empty() {
                slug.push('-');
            }
        }
        let mut slug: String = slug.trim_matches('-').chars().take(50).collect();
        while slug.ends_with('-') {
            slug.pop();
        }
        if slug.len() < 2 {
            slug = format!("org-{slug}");
        }
        Self(slug)
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nation_sets_the_vocabulary() {
        assert_eq!(Nation::England.vocabulary().regulator, "Ofsted");
        assert_eq!(Nation::Wales.vocabulary().lead_abbreviation, "DSP");
        assert_eq!(Nation::parse("Wales").unwrap(), Nation::Wales);
        assert!(Nation::parse("scotland").is_err());
    }

    #[test]
    fn ukprn_is_eight_digits() {
        assert!(Ukprn::parse("10012345").is_ok());
        for bad in ["", "1001234", "100123456", "20012345", "1001234a"] {
            assert!(Ukprn::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn slugs_come_from_names() {
        assert_eq!(Slug::from_name("St Mary's College").as_str(), "st-marys-college");
        assert_eq!(Slug::from_name("  A  ").as_str(), "org-a");
        assert!(Slug::parse("Bad Slug").is_err());
        assert!(Slug::parse("good-slug-2").is_ok());
    }

    #[test]
    fn provider_types_round_trip() {
        for t in ProviderType::ALL {
            assert_eq!(ProviderType::parse(t.as_str()).unwrap(), t);
        }
    }
}
