//! Raising a safeguarding concern (Notice): anyone raises one quickly, in the person's own words where
//! possible. Prevent is one category among many, and the reporter is never asked about an ideology.
//! Categories are data (`frameworks/concern-categories.csv`, each with its source).

use crate::text::Invalid;
use serde::Serialize;

/// A category of concern, from the versioned list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Category {
    pub id: String,
    pub label: String,
    pub source: String,
}

const CATEGORIES: &str = include_str!("../../../frameworks/concern-categories.csv");

/// The categories, in the list's order.
///
/// # Panics
/// Never at run time: the list is embedded and checked by a test.
#[must_use]
pub fn categories() -> Vec<Category> {
    let mut reader = csv::Reader::from_reader(CATEGORIES.as_bytes());
    reader
        .records()
        .filter_map(Result::ok)
        .map(|r| Category { id: r[0].to_owned(), label: r[1].to_owned(), source: r[2].to_owned() })
        .collect()
}

/// Where a concern is in its handling, as the reporter sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConcernStatus {
    Received,
    BeingHandled,
    Closed,
}

impl ConcernStatus {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            ConcernStatus::Received => "received",
            ConcernStatus::BeingHandled => "being_handled",
            ConcernStatus::Closed => "closed",
        }
    }

    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            ConcernStatus::Received => "Received",
            ConcernStatus::BeingHandled => "Being handled",
            ConcernStatus::Closed => "Closed",
        }
    }

    /// Parses a stored status.
    ///
    /// # Errors
    /// When the text names no status.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        [ConcernStatus::Received, ConcernStatus::BeingHandled, ConcernStatus::Closed]
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or(Invalid("Unknown status"))
    }
}

/// A concern as raised, validated. Its text is sealed before it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewConcern {
    /// Who it is about, as the reporter names them; `None` when it is about the reporter.
    pub about: Option<String>,
    /// What was seen or heard, in the person's own words where possible.
    pub what_happened: String,
    /// When and where, if known.
    pub when_and_where: String,
    pub category: String,
    pub immediate_danger: bool,
    pub told_in_person: bool,
    /// About a member of staff or the safeguarding team: it goes to the senior leader instead of the team.
    pub about_staff: bool,
    /// `vigil` when raised here by the reporter, else how it reached the team (see [`RECEIVED_VIA`]).
    pub received_via: String,
    /// The person in the people register it is about, when the reporter chose them from it.
    pub person: Option<crate::PersonId>,
}

/// How a concern reached the safeguarding team, when the team records it themselves.
pub const RECEIVED_VIA: &[(&str, &str)] =
    &[("in_person", "Told in person"), ("phone", "A phone call"), ("email", "An email"), ("agency", "Another agency")];

/// How an organisation has set up concerns: which categories reporters are offered, and how long a concern
/// may wait to be acknowledged before it escalates to the deputies (and becomes a task for every lead), and
/// how many minutes one about someone in immediate danger may wait before it escalates to the senior leader.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConcernSettings {
    pub acknowledge_within_hours: u8,
    pub danger_escalates_after_minutes: u8,
    /// Category ids from the versioned list that reporters are not offered.
    pub hidden_categories: Vec<String>,
}

impl Default for ConcernSettings {
    fn default() -> Self {
        Self { acknowledge_within_hours: 4, danger_escalates_after_minutes: 15, hidden_categories: Vec::new() }
    }
}

/// Categories every organisation offers: Prevent is part of safeguarding, and nobody must be stuck for a
/// category.
pub const ALWAYS_OFFERED: [&str; 2] = ["prevent", "other"];

impl ConcernSettings {
    #[must_use]
    pub fn acknowledge_within(&self) -> time::Duration {
        time::Duration::hours(i64::from(self.acknowledge_within_hours))
    }

    /// How long a concern may wait to be acknowledged before it escalates: minutes when someone is in
    /// immediate danger, hours otherwise.
    #[must_use]
    pub fn escalates_after(&self, immediate_danger: bool) -> time::Duration {
        if immediate_danger {
            time::Duration::minutes(i64::from(self.danger_escalates_after_minutes))
        } else {
            self.acknowledge_within()
        }
    }

    /// The categories reporters are offered, in the list's order.
    #[must_use]
    pub fn offered(&self) -> Vec<Category> {
        categories().into_iter().filter(|c| !self.hidden_categories.contains(&c.id)).collect()
    }

    /// Checks settings as typed: hours from 1 to 72, minutes from 1 to 60, and hidden categories from the
    /// list (never Prevent or Something else).
    ///
    /// # Errors
    /// The field at fault and why.
    pub fn parse(hours: &str, minutes: &str, hidden: &[String]) -> Result<Self, (&'static str, &'static str)> {
        let hours = hours
            .trim()
            .parse::<u8>()
            .ok()
            .filter(|h| (1..=72).contains(h))
            .ok_or(("acknowledge_within_hours", "Enter a number of hours from 1 to 72"))?;
        let minutes = minutes
            .trim()
            .parse::<u8>()
            .ok()
            .filter(|m| (1..=60).contains(m))
            .ok_or(("danger_escalates_after_minutes", "Enter a number of minutes from 1 to 60"))?;
        let known = categories();
        let mut hidden_categories = Vec::new();
        for id in hidden.iter().filter(|id| !id.is_empty()) {
            if ALWAYS_OFFERED.contains(&id.as_str()) {
                return Err(("hidden_categories", "Prevent and Something else are always offered"));
            }
            if !known.iter().any(|c| &c.id == id) {
                return Err(("hidden_categories", "Choose categories from the list"));
            }
            hidden_categories.push(id.clone());
        }
        Ok(Self { acknowledge_within_hours: hours, danger_escalates_after_minutes: minutes, hidden_categories })
    }
}

/// The longest account accepted (about six pages).
pub const MAX_ACCOUNT: usize = 20_000;

/// A concern's answers, as typed.
#[derive(Debug, Clone, Copy, Default)]
pub struct Answers<'a> {
    /// `me` or `someone`.
    pub about: &'a str,
    pub about_name: &'a str,
    pub what_happened: &'a str,
    pub when_and_where: &'a str,
    pub category: &'a str,
    pub immediate_danger: &'a str,
    pub told_in_person: &'a str,
    /// `yes` when it is about a member of staff or the safeguarding team.
    pub about_staff: &'a str,
    /// Empty when the reporter raises it; how it reached the team when the team records it.
    pub received_via: &'a str,
}

/// Checks a concern's answers against the categories offered, recording each problem by field through
/// `problem`.
pub fn parse_concern(
    answers: Answers<'_>,
    offered: &[Category],
    mut problem: impl FnMut(&'static str, &'static str),
) -> Option<NewConcern> {
    let Answers {
        about: about_kind,
        about_name,
        what_happened,
        when_and_where,
        category,
        immediate_danger,
        told_in_person,
        about_staff,
        received_via,
    } = answers;
    let via_known = received_via.is_empty() || RECEIVED_VIA.iter().any(|(id, _)| *id == received_via);
    if !via_known {
        problem("received_via", "Select how the concern reached you");
    }
    let about = match about_kind {
        "me" => Some(None),
        "someone" if about_name.trim().is_empty() => {
            problem("about_name", "Enter the name of the person you are worried about");
            None
        }
        "someone" if about_name.chars().count() > 200 => {
            problem("about_name", "Name must be 200 characters or fewer");
            None
        }
        "someone" => Some(Some(about_name.trim().to_owned())),
        _ => {
            problem("about", "Select who the concern is about");
            None
        }
    };
    let account = what_happened.trim();
    if account.is_empty() {
        problem("what_happened", "Tell us what you saw or heard");
    } else if account.chars().count() > MAX_ACCOUNT {
        problem("what_happened", "What you saw or heard must be 20,000 characters or fewer");
    }
    if when_and_where.chars().count() > 1000 {
        problem("when_and_where", "When and where must be 1,000 characters or fewer");
    }
    let category_known = offered.iter().any(|c| c.id == category);
    if !category_known {
        problem("category", "Select the kind of concern, or Something else");
    }
    let danger = match immediate_danger {
        "yes" => Some(true),
        "no" => Some(false),
        _ => {
            problem("immediate_danger", "Select yes if anyone is in immediate danger");
            None
        }
    };
    let told = match told_in_person {
        "yes" => Some(true),
        "no" => Some(false),
        _ => {
            problem("told_in_person", "Select yes if you have already told the safeguarding team in person");
            None
        }
    };
    if account.is_empty()
        || account.chars().count() > MAX_ACCOUNT
        || when_and_where.chars().count() > 1000
        || !category_known
    {
        return None;
    }
    Some(NewConcern {
        about: about?,
        what_happened: account.to_owned(),
        when_and_where: when_and_where.trim().to_owned(),
        category: category.to_owned(),
        immediate_danger: danger?,
        told_in_person: told?,
        about_staff: about_staff == "yes",
        received_via: if received_via.is_empty() { "vigil".into() } else { received_via.to_owned() },
        person: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_are_data_with_sources() {
        let list = categories();
        assert!(list.len() >= 10);
        assert!(list.iter().all(|c| !c.source.is_empty()));
        assert!(list.iter().any(|c| c.id == "prevent"));
        assert!(list.iter().any(|c| c.id == "other"));
    }

    #[test]
    fn settings_keep_prevent_and_something_else_offered() {
        assert!(ConcernSettings::parse("0", "15", &[]).is_err());
        assert!(ConcernSettings::parse("4", "15", &["prevent".into()]).is_err());
        let settings = ConcernSettings::parse("2", "15", &["bullying".into(), String::new()]).unwrap();
        assert_eq!(settings.acknowledge_within(), time::Duration::hours(2));
        assert!(!settings.offered().iter().any(|c| c.id == "bullying"));
    }

    #[test]
    fn every_missing_answer_is_named() {
        let mut problems = Vec::new();
        let answers = Answers { about: "someone", category: "ideology", ..Answers::default() };
        let parsed = parse_concern(answers, &categories(), |field, _| problems.push(field));
        assert!(parsed.is_none());
        assert_eq!(problems, ["about_name", "what_happened", "category", "immediate_danger", "told_in_person"]);
        let answers = Answers {
            about: "me",
            what_happened: "  They said …  ",
            category: "online",
            immediate_danger: "no",
            told_in_person: "yes",
            ..Answers::default()
        };
        let ok = parse_concern(answers, &categories(), |_, _| panic!("no problems"));
        assert_eq!(ok.unwrap().what_happened, "They said …");
    }
}
