//! Form handling shared by every page: errors by field for the GOV.UK error summary, and parsing helpers
//! that keep what the person typed.

use domain::text::parse_date;
use serde::Deserialize;
use time::Date;

/// Whether a choice is the one selected, whatever string types the two come as (for the radios and
/// select macros).
pub fn same(value: &impl AsRef<str>, selected: &impl AsRef<str>) -> bool {
    value.as_ref() == selected.as_ref()
}

/// The options of a yes/no question, for the radios macro.
pub const YES_NO: [(&str, &str); 2] = [("yes", "Yes"), ("no", "No")];

/// Errors found in a submitted form, in the order of its fields.
#[derive(Debug, Default)]
pub struct FormErrors(Vec<(&'static str, String)>);

impl FormErrors {
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        if self.get(field).is_none() {
            self.0.push((field, message.into()));
        }
    }

    /// Records the error of a parse, and answers the value when it parsed.
    pub fn check<T, E: std::fmt::Display>(&mut self, field: &'static str, parsed: Result<T, E>) -> Option<T> {
        parsed.map_err(|e| self.add(field, e.to_string())).ok()
    }

    /// Parses a required name, with a message for an empty one that says what is missing.
    pub fn name(&mut self, field: &'static str, raw: &str, when_empty: &'static str) -> Option<domain::text::Name> {
        if raw.trim().is_empty() {
            self.add(field, when_empty);
            return None;
        }
        self.check(field, domain::text::Name::parse(raw))
    }

    /// The error for a field, for the message by the field.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, m)| m.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The errors, for the summary at the top of the page.
    pub fn all(&self) -> &[(&'static str, String)] {
        &self.0
    }
}

/// For the API: the first error of a form becomes the JSON error naming its field.
impl From<FormErrors> for crate::error::AppError {
    fn from(errors: FormErrors) -> Self {
        let (field, message) = errors.0.into_iter().next().unwrap_or(("body", "The request is not valid".into()));
        crate::error::AppError::Invalid { field: field.into(), message }
    }
}

/// A page's "as at" date: `?as_at=` a past day, typed as a person would.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AsAtQuery {
    pub as_at: String,
    pub notice: String,
}

impl AsAtQuery {
    /// The date asked for, if any and if valid.
    pub fn day(&self, errors: &mut FormErrors) -> Option<Date> {
        if self.as_at.trim().is_empty() { None } else { errors.check("as_at", parse_date(&self.as_at)) }
    }
}
