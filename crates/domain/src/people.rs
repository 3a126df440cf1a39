//! The people register: staff, board members, apprentices and employers' contacts. A person is not an
//! account. Leavers are archived with an end date, never deleted. People are imported from CSV with the
//! template below, checked row by row, and imported only when every row is valid.

use crate::text::{Email, Invalid, Name, parse_date};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use time::Date;

/// What a person is to the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonKind {
    Staff,
    Board,
    Apprentice,
    Employer,
}

impl PersonKind {
    pub const ALL: [PersonKind; 4] =
        [PersonKind::Staff, PersonKind::Board, PersonKind::Apprentice, PersonKind::Employer];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            PersonKind::Staff => "staff",
            PersonKind::Board => "board",
            PersonKind::Apprentice => "apprentice",
            PersonKind::Employer => "employer",
        }
    }

    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            PersonKind::Staff => "Staff",
            PersonKind::Board => "Board member",
            PersonKind::Apprentice => "Apprentice",
            PersonKind::Employer => "Employer contact",
        }
    }

    /// Parses the identifier used in forms, CSV and the API.
    ///
    /// # Errors
    /// When the text names no kind of person.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == raw.trim().to_lowercase())
            .ok_or(Invalid("Kind must be staff, board, apprentice or employer"))
    }
}

/// A unique learner number: ten digits.
///
/// # Errors
/// When the text is not ten digits.
pub fn parse_uln(raw: &str) -> Result<String, Invalid> {
    let value = raw.trim();
    if value.len() == 10 && value.bytes().all(|b| b.is_ascii_digit()) && !value.starts_with('0') {
        Ok(value.to_owned())
    } else {
        Err(Invalid("ULN must be 10 digits, like 1234567890"))
    }
}

/// A date of birth: a real date in the past, of someone between 13 and 100.
///
/// # Errors
/// When the date is impossible, in the future or implausible.
pub fn parse_date_of_birth(raw: &str, today: Date) -> Result<Date, Invalid> {
    let day = parse_date(raw)?;
    if day >= today {
        return Err(Invalid("Date of birth must be in the past"));
    }
    if age_on(day, today) < 13 || age_on(day, today) > 100 {
        return Err(Invalid("Date of birth must be of someone aged 13 to 100"));
    }
    Ok(day)
}

/// Age in whole years on a day.
#[must_use]
pub fn age_on(born: Date, day: Date) -> i32 {
    let mut age = day.year() - born.year();
    if (day.month() as u8, day.day()) < (born.month() as u8, born.day()) {
        age -= 1;
    }
    age
}

/// Whether a person born on `born` is under 18 on `day`.
#[must_use]
pub fn under_18(born: Option<Date>, day: Date) -> bool {
    born.is_some_and(|b| age_on(b, day) < 18)
}

/// A person's details, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonDetails {
    pub kind: PersonKind,
    pub given_name: String,
    pub family_name: String,
    pub email: Option<String>,
    pub uln: Option<String>,
    /// Job role for staff; the position for board members; the organisation for employer contacts.
    pub role_title: String,
    pub department: Option<String>,
    pub site: Option<String>,
    pub line_manager_email: Option<String>,
    pub start_date: Option<Date>,
    pub end_date: Option<Date>,
    pub programme: String,
    pub level: String,
    pub employer: String,
    pub workplace_contact: String,
    pub planned_end_date: Option<Date>,
    pub date_of_birth: Option<Date>,
    pub parent_carer_contact: String,
    pub home_local_authority: String,
    pub workplace_local_authority: String,
}

/// The import template's columns, in order, with what each holds. `vigil import people --template`
/// prints these headers and an example row.
pub const COLUMNS: &[(&str, &str)] = &[
    ("kind", "staff, board, apprentice or employer (required)"),
    ("given_name", "required"),
    ("family_name", "required"),
    ("email", "required for staff and board members; matched on re-import"),
    ("uln", "unique learner number, 10 digits; required for apprentices; matched on re-import"),
    ("role_title", "job role, board position, or the employer contact's organisation"),
    ("department", "the name of a department in Vigil"),
    ("site", "the name of a site in Vigil"),
    ("line_manager_email", "the email of another member of staff"),
    ("start_date", "dd/mm/yyyy or yyyy-mm-dd"),
    ("end_date", "when the person left; archives them"),
    ("programme", "apprenticeship standard or programme"),
    ("level", "apprenticeship level, 2 to 7"),
    ("employer", "the apprentice's employer"),
    ("workplace_contact", "the apprentice's workplace contact: name and phone or email"),
    ("planned_end_date", "the apprenticeship's planned end"),
    ("date_of_birth", "required for apprentices"),
    ("parent_carer_contact", "for apprentices under 18: name and phone or email"),
    ("home_local_authority", "where the apprentice lives"),
    ("workplace_local_authority", "where the apprentice works"),
];

/// One example row for the template, in column order.
pub const EXAMPLE: &[&str] = &[
    "apprentice",
    "Sam",
    "Taylor",
    "sam.taylor@example.com",
    "1234567890",
    "",
    "Engineering",
    "Riverside Training Centre",
    "",
    "01/09/2026",
    "",
    "Engineering technician",
    "3",
    "Aire Valley Engineering Ltd",
    "Jo Smith, 0113 496 0000",
    "31/08/2028",
    "14/02/2009",
    "Alex Taylor, 07700 900123",
    "Leeds",
    "Bradford",
];

/// A problem with one cell (or row) of an import, for the error list. Rows count from 2: row 1 is the header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportError {
    pub row: usize,
    pub column: &'static str,
    pub message: String,
}

/// The names an import may refer to.
pub struct Known<'a> {
    pub departments: &'a HashSet<String>,
    pub sites: &'a HashSet<String>,
    /// Emails of staff already in the register.
    pub staff_emails: &'a HashSet<String>,
}

const MAX_ROWS: usize = 50_000;

/// The problems found in one row, gathered as its cells are parsed.
struct RowCheck<'e> {
    row: usize,
    errors: &'e mut Vec<ImportError>,
}

impl RowCheck<'_> {
    fn add(&mut self, column: &'static str, message: impl Into<String>) {
        self.errors.push(ImportError { row: self.row, column, message: message.into() });
    }

    /// The parsed value, or `None` with the problem recorded against the column.
    fn take<T>(&mut self, column: &'static str, parsed: Result<T, Invalid>) -> Option<T> {
        parsed.map_err(|e| self.add(column, e.0)).ok()
    }
}

/// Parses and checks a whole import. Answers every row, or every problem: never some of each.
///
/// # Errors
/// All the problems found, by row and column.
pub fn parse_import(text: &str, today: Date, known: &Known<'_>) -> Result<Vec<PersonDetails>, Vec<ImportError>> {
    let fail = |row, column, message: &str| vec![ImportError { row, column, message: message.into() }];
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let Ok(headers) = reader.headers().map(|h| h.iter().map(str::to_lowercase).collect::<Vec<_>>()) else {
        return Err(fail(1, "", "The file is not a CSV file: save it as CSV (comma delimited) and try again"));
    };
    let missing: Vec<ImportError> = ["kind", "given_name", "family_name"]
        .into_iter()
        .filter(|c| !headers.iter().any(|h| h == c))
        .map(|c| ImportError { row: 1, column: c, message: format!("The column {c} is missing") })
        .collect();
    if !missing.is_empty() {
        return Err(missing);
    }
    if let Some(unknown) = headers.iter().find(|h| !COLUMNS.iter().any(|(c, _)| c == h)) {
        return Err(fail(1, "", &format!("The column {unknown} is not in the template")));
    }
    let mut errors = Vec::new();
    let mut rows = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let row = index + 2;
        if row > MAX_ROWS + 1 {
            return Err(fail(row, "", "The file has more than 50,000 rows: split it into smaller files"));
        }
        match record {
            Ok(record) if record.iter().all(str::is_empty) => {}
            Ok(record) => {
                let cells: HashMap<&str, String> =
                    headers.iter().zip(record.iter()).map(|(h, v)| (static_column(h), v.to_owned())).collect();
                rows.push((row, cells));
            }
            Err(_) => errors.push(ImportError {
                row,
                column: "",
                message: "This row could not be read: check its quotes".into(),
            }),
        }
    }
    // A line manager may be a member of staff added by the same file.
    let staff_in_file: HashSet<String> = rows
        .iter()
        .filter(|(_, cells)| cells.get("kind").is_some_and(|k| k.eq_ignore_ascii_case("staff")))
        .filter_map(|(_, cells)| Email::parse(cells.get("email")?).ok().map(|e| e.as_str().to_owned()))
        .collect();
    let mut seen_emails: HashMap<String, usize> = HashMap::new();
    let mut seen_ulns: HashMap<String, usize> = HashMap::new();
    let mut people = Vec::new();
    for (row, cells) in &rows {
        let mut check = RowCheck { row: *row, errors: &mut errors };
        // Re-imports match on email and ULN, so each may appear once in a file.
        let email = cells.get("email").and_then(|e| Email::parse(e).ok()).map(|e| e.as_str().to_owned());
        if let Some(first) = email.and_then(|e| seen_emails.insert(e, *row)) {
            check.add("email", format!("This email address is also on row {first}"));
        }
        let uln = cells.get("uln").map(|u| u.trim().to_owned()).filter(|u| !u.is_empty());
        if let Some(first) = uln.and_then(|u| seen_ulns.insert(u, *row)) {
            check.add("uln", format!("This ULN is also on row {first}"));
        }
        if let Some(person) = parse_row(&mut check, cells, today, known, &staff_in_file) {
            people.push(person);
        }
    }
    if people.is_empty() && errors.is_empty() {
        return Err(fail(2, "", "The file has no rows below its header"));
    }
    if errors.is_empty() { Ok(people) } else { Err(errors) }
}

/// Parses one person entered in a form, with the same rules as an import row. Cells are keyed by the
/// template's column names.
///
/// # Errors
/// Every problem found, by column.
pub fn parse_person(
    cells: &HashMap<&str, String>,
    today: Date,
    known: &Known<'_>,
) -> Result<PersonDetails, Vec<ImportError>> {
    let mut errors = Vec::new();
    let mut check = RowCheck { row: 0, errors: &mut errors };
    match parse_row(&mut check, cells, today, known, &HashSet::new()) {
        Some(person) => Ok(person),
        None => Err(errors),
    }
}

/// Parses one row, recording every problem in it.
fn parse_row(
    check: &mut RowCheck<'_>,
    cells: &HashMap<&str, String>,
    today: Date,
    known: &Known<'_>,
    staff_in_file: &HashSet<String>,
) -> Option<PersonDetails> {
    for (column, _) in COLUMNS {
        if cells.get(column).is_some_and(|value| crate::text::forbidden_control(value).is_some()) {
            check.add(column, crate::text::CONTROL_CHARACTER);
        }
    }
    let get = |column: &str| cells.get(column).cloned().unwrap_or_default();
    let kind = check.take("kind", PersonKind::parse(&get("kind")));
    let given = check.take("given_name", Name::parse(&get("given_name")).map_err(|_| Invalid("Enter a given name")));
    let family =
        check.take("family_name", Name::parse(&get("family_name")).map_err(|_| Invalid("Enter a family name")));
    let email = check.take("email", optional(&get("email"), |v| Email::parse(v).map(|e| e.as_str().to_owned())));
    let uln = check.take("uln", optional(&get("uln"), parse_uln));
    let start = check.take("start_date", optional(&get("start_date"), parse_date));
    let end = check.take("end_date", optional(&get("end_date"), parse_date));
    let planned = check.take("planned_end_date", optional(&get("planned_end_date"), parse_date));
    let born = check.take("date_of_birth", optional(&get("date_of_birth"), |v| parse_date_of_birth(v, today)));
    let department = check.take(
        "department",
        optional(&get("department"), |v| {
            known
                .departments
                .contains(&v.to_lowercase())
                .then(|| v.to_owned())
                .ok_or(Invalid("There is no department with this name in Vigil"))
        }),
    );
    let site = check.take(
        "site",
        optional(&get("site"), |v| {
            known
                .sites
                .contains(&v.to_lowercase())
                .then(|| v.to_owned())
                .ok_or(Invalid("There is no site with this name in Vigil"))
        }),
    );
    let manager = check.take(
        "line_manager_email",
        optional(&get("line_manager_email"), |v| {
            let email = Email::parse(v)?.as_str().to_owned();
            if known.staff_emails.contains(&email) || staff_in_file.contains(&email) {
                Ok(email)
            } else {
                Err(Invalid("The line manager must be a member of staff, in the register or in this file"))
            }
        }),
    );
    for (column, limit) in [
        ("role_title", 200),
        ("programme", 200),
        ("level", 20),
        ("employer", 200),
        ("workplace_contact", 300),
        ("parent_carer_contact", 300),
        ("home_local_authority", 100),
        ("workplace_local_authority", 100),
    ] {
        if get(column).chars().count() > limit {
            check.add(static_column(column), format!("Must be {limit} characters or fewer"));
        }
    }
    let (kind, given, family, email, uln, start, end, planned, born, department, site, manager) =
        (kind?, given?, family?, email?, uln?, start?, end?, planned?, born?, department?, site?, manager?);
    match kind {
        PersonKind::Staff | PersonKind::Board if email.is_none() => {
            check.add("email", "Enter an email address for staff and board members");
        }
        PersonKind::Apprentice if uln.is_none() => check.add("uln", "Enter the apprentice's ULN"),
        PersonKind::Apprentice if born.is_none() => check.add("date_of_birth", "Enter the apprentice's date of birth"),
        _ => {}
    }
    if start.zip(end).is_some_and(|(s, e)| e < s) {
        check.add("end_date", "The end date must be after the start date");
    }
    if check.errors.iter().any(|e| e.row == check.row) {
        return None;
    }
    Some(PersonDetails {
        kind,
        given_name: given.as_str().to_owned(),
        family_name: family.as_str().to_owned(),
        email,
        uln,
        role_title: get("role_title"),
        department,
        site,
        line_manager_email: manager,
        start_date: start,
        end_date: end,
        programme: get("programme"),
        level: get("level"),
        employer: get("employer"),
        workplace_contact: get("workplace_contact"),
        planned_end_date: planned,
        date_of_birth: born,
        parent_carer_contact: get("parent_carer_contact"),
        home_local_authority: get("home_local_authority"),
        workplace_local_authority: get("workplace_local_authority"),
    })
}

fn static_column(name: &str) -> &'static str {
    COLUMNS.iter().find(|(c, _)| *c == name).map_or("", |(c, _)| c)
}

/// An optional cell: empty is `None`, otherwise it must parse.
fn optional<T>(raw: &str, parse: impl FnOnce(&str) -> Result<T, Invalid>) -> Result<Option<T>, Invalid> {
    if raw.trim().is_empty() { Ok(None) } else { parse(raw.trim()).map(Some) }
}

/// A cell made safe for spreadsheets: text that a spreadsheet would run as a formula is prefixed with an
/// apostrophe (CSV injection, ASVS 5.2.x).
#[must_use]
pub fn spreadsheet_safe(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{cell}") } else { cell.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn known() -> (HashSet<String>, HashSet<String>, HashSet<String>) {
        (
            HashSet::from(["engineering".to_owned()]),
            HashSet::from(["riverside training centre".to_owned()]),
            HashSet::new(),
        )
    }

    fn template() -> String {
        let header: Vec<&str> = COLUMNS.iter().map(|(c, _)| *c).collect();
        format!(
            "{}\n{}\n",
            header.join(","),
            EXAMPLE
                .iter()
                .map(|c| if c.contains(',') { format!("\"{c}\"") } else { (*c).to_owned() })
                .collect::<Vec<_>>()
                .join(",")
        )
    }

    #[test]
    fn the_template_example_imports() {
        let (d, s, e) = known();
        let people =
            parse_import(&template(), date!(2026 - 11 - 30), &Known { departments: &d, sites: &s, staff_emails: &e })
                .unwrap();
        assert_eq!(people.len(), 1);
        assert_eq!(people[0].uln.as_deref(), Some("1234567890"));
        assert!(under_18(people[0].date_of_birth, date!(2026 - 11 - 30)));
    }

    #[test]
    fn every_bad_cell_is_reported_and_nothing_is_returned() {
        let (d, s, e) = known();
        let text = "kind,given_name,family_name,email,date_of_birth,uln\n\
                    staff,Ada,Lovelace,ada@example.com,,\n\
                    staff,Bob,,ada@example.com,,\n\
                    apprentice,Cy,Young,,31/02/2008,123\n\
                    apprentice,Di,Kim,,01/01/2030,1234567891\n";
        let errors = parse_import(text, date!(2026 - 11 - 30), &Known { departments: &d, sites: &s, staff_emails: &e })
            .unwrap_err();
        let at = |row: usize, column: &str| errors.iter().any(|e| e.row == row && e.column == column);
        assert!(at(3, "family_name"));
        assert!(at(3, "email"), "duplicate email in the file: {errors:?}");
        assert!(at(4, "date_of_birth") && at(4, "uln"));
        assert!(at(5, "date_of_birth"), "a date of birth in the future");
        assert!(!at(2, "email"));
    }

    #[test]
    fn missing_columns_and_non_csv_are_refused() {
        let (d, s, e) = known();
        let k = Known { departments: &d, sites: &s, staff_emails: &e };
        let errors = parse_import("given_name,family_name\nAda,Lovelace\n", date!(2026 - 11 - 30), &k).unwrap_err();
        assert_eq!(errors[0].column, "kind");
        assert!(parse_import("kind,given_name,family_name,shoe_size\n", date!(2026 - 11 - 30), &k).is_err());
        assert!(parse_import("kind,given_name,family_name\n", date!(2026 - 11 - 30), &k).is_err());
        let spreadsheet = "PK\u{3}\u{4}\u{14}\u{0}binary spreadsheet, not CSV";
        assert!(parse_import(spreadsheet, date!(2026 - 11 - 30), &k).unwrap_err()[0].message.contains("is missing"));
        let unbalanced = parse_import("kind,given_name,family_name\nstaff,\"Ada,Lovelace\n", date!(2026 - 11 - 30), &k);
        assert!(unbalanced.is_err(), "an unclosed quote swallows the row's other cells, which are then missing");
    }

    #[test]
    fn ages_and_formulas() {
        assert_eq!(age_on(date!(2008 - 12 - 01), date!(2026 - 11 - 30)), 17);
        assert_eq!(age_on(date!(2008 - 11 - 30), date!(2026 - 11 - 30)), 18);
        assert_eq!(spreadsheet_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(spreadsheet_safe("-1"), "'-1");
        assert_eq!(spreadsheet_safe("Ada"), "Ada");
    }
}
