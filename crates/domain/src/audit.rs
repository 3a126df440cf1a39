//! What an audit event may say. Events carry ids and field names only, never people's names or narrative,
//! so that retention can delete a record without breaking the hash chain; the types below make anything
//! else impossible to write.

use std::collections::HashMap;
use std::sync::OnceLock;
use uuid::Uuid;

/// What each action means in words, for people reading the log; kept with the other versioned lists.
const DESCRIPTIONS: &str = include_str!("../../../frameworks/audit-events.csv");
/// The kinds of event the log can be narrowed to, by the start of their action.
const KINDS: &str = include_str!("../../../frameworks/audit-event-kinds.csv");

fn table(text: &'static str) -> Vec<(String, String)> {
    csv::Reader::from_reader(text.as_bytes())
        .deserialize::<(String, String)>()
        .map(|row| row.expect("the audit lists are valid CSV (a test reads them)"))
        .collect()
}

/// What an action means in words ("Raised a concern"), or the action itself for one not in the list.
#[must_use]
pub fn describe(action: &str) -> String {
    static TABLE: OnceLock<HashMap<String, String>> = OnceLock::new();
    let table = TABLE.get_or_init(|| table(DESCRIPTIONS).into_iter().collect());
    table.get(action).cloned().unwrap_or_else(|| action.to_owned())
}

/// The kinds of event, as (start of the action, label), for narrowing the log.
#[must_use]
pub fn kinds() -> Vec<(String, String)> {
    table(KINDS)
}

/// Whether an event is about safeguarding case content (only the safeguarding team sees those).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sensitivity {
    General,
    CaseContent,
}

impl Sensitivity {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Sensitivity::General => "general",
            Sensitivity::CaseContent => "case_content",
        }
    }
}

/// One thing that happened, as the audit log records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    /// A dotted name from the code, like `account.invited`.
    pub action: &'static str,
    /// The kind of record, like `account`.
    pub entity: &'static str,
    /// The record's id.
    pub entity_id: Option<Uuid>,
    /// The names of the fields that changed or were read.
    pub fields: Vec<&'static str>,
    pub sensitivity: Sensitivity,
}

impl AuditEvent {
    /// A general event about one record.
    #[must_use]
    pub fn new(action: &'static str, entity: &'static str, entity_id: impl Into<Option<Uuid>>) -> Self {
        Self { action, entity, entity_id: entity_id.into(), fields: Vec::new(), sensitivity: Sensitivity::General }
    }

    /// Names the fields the event touched.
    #[must_use]
    pub fn fields(mut self, fields: &[&'static str]) -> Self {
        self.fields = fields.to_vec();
        self
    }

    /// Marks the event as about case content.
    #[must_use]
    pub fn case_content(mut self) -> Self {
        self.sensitivity = Sensitivity::CaseContent;
        self
    }
}

#[cfg(test)]
mod description_tests {
    use super::*;

    #[test]
    fn actions_are_described_in_words() {
        assert_eq!(describe("concern.raised"), "Raised a concern");
        assert_eq!(describe("no.such"), "no.such");
        assert!(kinds().iter().any(|(prefix, label)| prefix == "case." && label == "Cases"));
    }
}
