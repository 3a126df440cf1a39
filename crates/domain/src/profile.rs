//! The organisation profile: the facts that decide which rules apply to a provider, and its sites.
//! The source asks leaders to know their premises, their sub-contracting and their learners; the 2023
//! guidance brings sub-contractors paid more than £100,000 under the duty themselves.

use crate::org::{Nation, ProviderType};
use crate::text::Invalid;
use serde::{Deserialize, Serialize};

/// How much of its delivery a provider sub-contracts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Subcontracting {
    None,
    /// Every sub-contract is worth £100,000 or less.
    UpTo100k,
    /// At least one sub-contract is worth more than £100,000.
    Over100k,
}

impl Subcontracting {
    pub const ALL: [Subcontracting; 3] = [Subcontracting::None, Subcontracting::UpTo100k, Subcontracting::Over100k];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Subcontracting::None => "none",
            Subcontracting::UpTo100k => "up_to_100k",
            Subcontracting::Over100k => "over_100k",
        }
    }

    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Subcontracting::None => "We do not sub-contract",
            Subcontracting::UpTo100k => "We sub-contract, and no sub-contract is worth more than £100,000",
            Subcontracting::Over100k => "At least one sub-contract is worth more than £100,000",
        }
    }

    /// Parses the identifier used in forms and the API.
    ///
    /// # Errors
    /// When the text names no option.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw.trim()).ok_or(Invalid("Select how you sub-contract"))
    }
}

/// Parses `yes` or `no`.
///
/// # Errors
/// When the text is neither.
pub fn parse_yes_no(raw: &str, message: &'static str) -> Result<bool, Invalid> {
    match raw.trim() {
        "yes" => Ok(true),
        "no" => Ok(false),
        _ => Err(Invalid(message)),
    }
}

/// The stored and typed form of a yes/no answer: the inverse of [`parse_yes_no`].
#[must_use]
pub fn yes_no(value: bool) -> &'static str {
    if value { "yes" } else { "no" }
}

/// The profile as recorded at one time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Profile {
    pub nation: Nation,
    pub provider_type: ProviderType,
    pub enrols_under_18: bool,
    pub subcontracting: Subcontracting,
    pub has_premises: bool,
    /// The local authority areas the provider works in, by name.
    pub local_authorities: Vec<String>,
}

/// The profile is reviewed every year.
pub const REVIEW_EVERY: time::Duration = time::Duration::days(365);

/// When the next review of a profile recorded at `recorded` falls due.
#[must_use]
pub fn review_due(recorded: time::OffsetDateTime) -> time::Date {
    (recorded + REVIEW_EVERY).date()
}

/// A rule set that applies to a provider, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Applies {
    pub rule: &'static str,
    pub because: &'static str,
}

impl Profile {
    /// Local authority names, one per line or separated by commas, trimmed and without repeats.
    ///
    /// # Errors
    /// When a name is longer than 100 characters or there are more than 400.
    pub fn parse_local_authorities(raw: &str) -> Result<Vec<String>, Invalid> {
        let mut names: Vec<String> = Vec::new();
        for name in raw.split(['\n', ',']).map(str::trim).filter(|n| !n.is_empty()) {
            if name.chars().count() > 100 {
                return Err(Invalid("Each local authority name must be 100 characters or fewer"));
            }
            if !names.iter().any(|n| n.eq_ignore_ascii_case(name)) {
                names.push(name.to_owned());
            }
        }
        if names.len() > 400 {
            return Err(Invalid("Enter 400 local authorities or fewer"));
        }
        Ok(names)
    }

    /// Which rule sets apply, and why: the Prevent duty always; the statutory safeguarding guidance of the
    /// nation when under-18s are enrolled; the inspectorate of the nation; and the duty reaching
    /// sub-contractors paid more than £100,000.
    #[must_use]
    pub fn rule_sets(&self) -> Vec<Applies> {
        let mut rules = vec![Applies {
            rule: "Prevent duty (Counter-Terrorism and Security Act 2015, section 26)",
            because: "It applies to every further education and skills provider",
        }];
        match (self.nation, self.enrols_under_18) {
            (Nation::England, true) => rules.push(Applies {
                rule: "Keeping Children Safe in Education",
                because: "You enrol learners under 18 in England",
            }),
            (Nation::Wales, true) => rules.push(Applies {
                rule: "Keeping Learners Safe and the Wales Safeguarding Procedures",
                because: "You enrol learners under 18 in Wales",
            }),
            _ => {}
        }
        rules.push(match self.nation {
            Nation::England => Applies { rule: "Ofsted inspection", because: "You deliver in England" },
            Nation::Wales => Applies { rule: "Estyn inspection", because: "You deliver in Wales" },
        });
        if self.subcontracting == Subcontracting::Over100k {
            rules.push(Applies {
                rule: "Prevent duty for your sub-contractors",
                because: "A sub-contractor paid more than £100,000 is under the duty itself",
            });
        }
        if self.has_premises {
            rules.push(Applies {
                rule: "Premises: site security, lettings and external speakers",
                because: "You have premises of your own",
            });
        }
        rules
    }
}

/// What a site is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SiteKind {
    MainSite,
    TrainingCentre,
    Office,
    EmployerWorkplace,
    Other,
}

impl SiteKind {
    pub const ALL: [SiteKind; 5] =
        [SiteKind::MainSite, SiteKind::TrainingCentre, SiteKind::Office, SiteKind::EmployerWorkplace, SiteKind::Other];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            SiteKind::MainSite => "main_site",
            SiteKind::TrainingCentre => "training_centre",
            SiteKind::Office => "office",
            SiteKind::EmployerWorkplace => "employer_workplace",
            SiteKind::Other => "other",
        }
    }

    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            SiteKind::MainSite => "Main site or campus",
            SiteKind::TrainingCentre => "Training centre",
            SiteKind::Office => "Office",
            SiteKind::EmployerWorkplace => "Employer's workplace",
            SiteKind::Other => "Other",
        }
    }

    /// Parses the identifier used in forms and the API.
    ///
    /// # Errors
    /// When the text names no kind of site.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw.trim()).ok_or(Invalid("Select what kind of site it is"))
    }
}

/// A UK postcode, upper-cased with one space before the inward code.
///
/// # Errors
/// When the text is not shaped like a postcode.
pub fn parse_postcode(raw: &str) -> Result<String, Invalid> {
    let compact: String = raw.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
    let shaped = (5..=7).contains(&compact.len())
        && compact.chars().all(|c| c.is_ascii_alphanumeric())
        && compact.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && compact.chars().rev().take(2).all(|c| c.is_ascii_alphabetic())
        && compact.chars().rev().nth(2).is_some_and(|c| c.is_ascii_digit());
    if !shaped {
        return Err(Invalid("Enter a real postcode, like CF10 1AA"));
    }
    let (outward, inward) = compact.split_at(compact.len() - 3);
    Ok(format!("{outward} {inward}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile() -> Profile {
        Profile {
            nation: Nation::England,
            provider_type: ProviderType::IndependentTrainingProvider,
            enrols_under_18: false,
            subcontracting: Subcontracting::None,
            has_premises: false,
            local_authorities: Vec::new(),
        }
    }

    #[test]
    fn rules_follow_the_facts() {
        let names = |p: &Profile| p.rule_sets().iter().map(|a| a.rule).collect::<Vec<_>>();
        assert_eq!(
            names(&profile()),
            ["Prevent duty (Counter-Terrorism and Security Act 2015, section 26)", "Ofsted inspection"]
        );
        let wales = Profile {
            nation: Nation::Wales,
            enrols_under_18: true,
            subcontracting: Subcontracting::Over100k,
            ..profile()
        };
        let rules = names(&wales);
        assert!(rules.contains(&"Keeping Learners Safe and the Wales Safeguarding Procedures"));
        assert!(rules.contains(&"Estyn inspection"));
        assert!(rules.contains(&"Prevent duty for your sub-contractors"));
        let england = Profile { enrols_under_18: true, has_premises: true, ..profile() };
        assert!(names(&england).contains(&"Keeping Children Safe in Education"));
        assert!(names(&england).iter().any(|r| r.starts_with("Premises")));
    }

    #[test]
    fn local_authorities_are_listed_once() {
        assert_eq!(Profile::parse_local_authorities("Cardiff\n cardiff, Newport\n\n").unwrap(), ["Cardiff", "Newport"]);
    }

    #[test]
    fn postcodes_are_normalised() {
        assert_eq!(parse_postcode("cf101aa").unwrap(), "CF10 1AA");
        assert_eq!(parse_postcode(" SW1A 2AA ").unwrap(), "SW1A 2AA");
        for bad in ["", "12345", "CF10", "CF10 1A1", "CF10-1AA"] {
            assert!(parse_postcode(bad).is_err(), "{bad}");
        }
    }
}
