//! What an audit event may say. Events carry ids and field names only, never people's names or narrative,
//! so that retention can delete a record without breaking the hash chain; the types below make anything
//! else impossible to write.

use uuid::Uuid;

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
