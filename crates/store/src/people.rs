//! The people register: reads in pages, one person, import (all or nothing, matching on email or ULN),
//! export, and archiving leavers.

use crate::audit::Page;
use crate::db::{date, parse_date, ts};
use crate::error::{ConstraintExt, OptionalExt, StoreError, StoreResult, Unique};
use crate::scope::{ActorKind, OrgScope};
use crate::{Store, WriteTx};
use domain::PersonId;
use domain::audit::AuditEvent;
use domain::people::{PersonDetails, PersonKind};
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::{HashMap, HashSet};
use time::Date;

/// A person as stored, with the names of their department, site and line manager.
#[derive(Debug, Clone)]
pub struct Person {
    pub id: PersonId,
    pub details: PersonDetails,
    pub line_manager_name: Option<String>,
}

impl Person {
    #[must_use]
    pub fn full_name(&self) -> String {
        format!("{} {}", self.details.given_name, self.details.family_name)
    }
}

/// Which people a list shows.
#[derive(Debug, Clone, Default)]
pub struct PeopleFilter {
    pub kind: Option<PersonKind>,
    /// Include those who have left.
    pub include_archived: bool,
    /// Names or emails containing this text.
    pub search: Option<String>,
}

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImportSummary {
    pub created: usize,
    pub updated: usize,
}

/// The names an import may refer to, lower-cased, for `domain::people::parse_import`.
#[derive(Debug, Default)]
pub struct KnownNames {
    pub departments: HashSet<String>,
    pub sites: HashSet<String>,
    pub staff_emails: HashSet<String>,
}

const SELECT: &str = "SELECT p.id, p.kind, p.given_name, p.family_name, p.email, p.uln, p.role_title, d.name AS department, \
     s.name AS site, m.email AS manager_email, m.given_name AS manager_given, m.family_name AS manager_family, \
     p.start_date, p.end_date, p.programme, p.level, p.employer, p.workplace_contact, p.planned_end_date, \
     p.date_of_birth, p.parent_carer_contact, p.home_local_authority, p.workplace_local_authority \
     FROM people p LEFT JOIN departments d ON d.id = p.department_id LEFT JOIN sites s ON s.id = p.site_id \
     LEFT JOIN people m ON m.id = p.line_manager_id";

fn person(row: &AnyRow) -> StoreResult<Person> {
    let bad = |what| StoreError::Other(format!("bad {what} in people"));
    let text = |c: &str| row.try_get::<String, _>(c);
    let opt = |c: &str| row.try_get::<Option<String>, _>(c);
    let day = |c: &str| -> StoreResult<Option<Date>> { opt(c)?.map(|d| parse_date(&d)).transpose() };
    let manager = match (opt("manager_given")?, opt("manager_family")?) {
        (Some(g), Some(f)) => Some(format!("{g} {f}")),
        _ => None,
    };
    Ok(Person {
        id: text("id")?.parse().map_err(|_| bad("id"))?,
        line_manager_name: manager,
        details: PersonDetails {
            kind: PersonKind::parse(&text("kind")?).map_err(|_| bad("kind"))?,
            given_name: text("given_name")?,
            family_name: text("family_name")?,
            email: opt("email")?,
            uln: opt("uln")?,
            role_title: text("role_title")?,
            department: opt("department")?,
            site: opt("site")?,
            line_manager_email: opt("manager_email")?,
            start_date: day("start_date")?,
            end_date: day("end_date")?,
            programme: text("programme")?,
            level: text("level")?,
            employer: text("employer")?,
            workplace_contact: text("workplace_contact")?,
            planned_end_date: day("planned_end_date")?,
            date_of_birth: day("date_of_birth")?,
            parent_carer_contact: text("parent_carer_contact")?,
            home_local_authority: text("home_local_authority")?,
            workplace_local_authority: text("workplace_local_authority")?,
        },
    })
}

/// The condition and its parameters ($2 onwards) for a filter.
fn filter_clause(filter: &PeopleFilter, today: Date) -> (String, Vec<String>) {
    let mut clause = String::from("p.org_id = $1");
    let mut binds = Vec::new();
    if let Some(kind) = filter.kind {
        binds.push(kind.as_str().to_owned());
        clause.push_str(&format!(" AND p.kind = ${}", binds.len() + 1));
    }
    if !filter.include_archived {
        binds.push(date(today));
        clause.push_str(&format!(" AND (p.end_date IS NULL OR p.end_date >= ${})", binds.len() + 1));
    }
    if let Some(search) = filter.search.as_ref().filter(|s| !s.trim().is_empty()) {
        binds.push(format!("%{}%", crate::db::like_literal(&search.trim().to_lowercase())));
        let n = binds.len() + 1;
        clause.push_str(&format!(
            " AND (LOWER(p.given_name) LIKE ${n} ESCAPE '\\' OR LOWER(p.family_name) LIKE ${n} ESCAPE '\\' \
             OR LOWER(COALESCE(p.email, '')) LIKE ${n} ESCAPE '\\' \
             OR LOWER(p.given_name || ' ' || p.family_name) LIKE ${n} ESCAPE '\\')"
        ));
    }
    (clause, binds)
}

impl Store {
    /// A page of people, by family name.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn people_page(
        &self,
        scope: &OrgScope,
        filter: &PeopleFilter,
        page: u32,
        per_page: u32,
    ) -> StoreResult<Page<Person>> {
        let (clause, binds) = filter_clause(filter, self.now().date());
        let mut count = sqlx::query_scalar(crate::db::sql(format!("SELECT COUNT(*) FROM people p WHERE {clause}")))
            .bind(scope.org().to_string());
        for b in &binds {
            count = count.bind(b.as_str());
        }
        let total: i64 = count.fetch_one(&self.pool).await?;
        let page = page.max(1);
        let n = binds.len() + 2;
        let mut query = sqlx::query(crate::db::sql(format!(
            "{SELECT} WHERE {clause} ORDER BY p.family_name, p.given_name, p.id LIMIT ${n} OFFSET ${}",
            n + 1
        )))
        .bind(scope.org().to_string());
        for b in &binds {
            query = query.bind(b.as_str());
        }
        let rows = query
            .bind(i64::from(per_page))
            .bind(i64::from(per_page) * i64::from(page - 1))
            .fetch_all(&self.pool)
            .await?;
        Ok(Page { items: rows.iter().map(person).collect::<StoreResult<_>>()?, page, per_page, total })
    }

    /// One person; another organisation's is "not found".
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when there is no such person in the organisation.
    pub async fn person(&self, scope: &OrgScope, id: PersonId) -> StoreResult<Person> {
        let row = sqlx::query(crate::db::sql(format!("{SELECT} WHERE p.org_id = $1 AND p.id = $2")))
            .bind(scope.org().to_string())
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .found()?;
        person(&row)
    }

    /// The person whose email is the actor's account email: how an apprentice or employer finds their own record.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn own_person(&self, scope: &OrgScope) -> StoreResult<Option<Person>> {
        let Some(account) = scope.actor().account else { return Ok(None) };
        let row = sqlx::query(crate::db::sql(format!(
            "{SELECT} WHERE p.org_id = $1 AND p.email = (SELECT email FROM accounts WHERE id = $2)"
        )))
        .bind(scope.org().to_string())
        .bind(account.to_string())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(person).transpose()
    }

    /// Every person, for export (archived ones too).
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn all_people(&self, scope: &OrgScope) -> StoreResult<Vec<Person>> {
        let rows = sqlx::query(crate::db::sql(format!(
            "{SELECT} WHERE p.org_id = $1 ORDER BY p.family_name, p.given_name, p.id"
        )))
        .bind(scope.org().to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(person).collect()
    }

    /// The person in the register with this email address, if any.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn person_by_email(&self, scope: &OrgScope, email: &str) -> StoreResult<Option<PersonId>> {
        let id: Option<String> = sqlx::query_scalar("SELECT id FROM people WHERE org_id = $1 AND email = $2")
            .bind(scope.org().to_string())
            .bind(email)
            .fetch_optional(&self.pool)
            .await?;
        id.map(|i| i.parse().map_err(|_| StoreError::Other("bad person id".into()))).transpose()
    }

    /// The department and site names, and staff emails, an import may refer to.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn known_names(&self, scope: &OrgScope) -> StoreResult<KnownNames> {
        let org = scope.org().to_string();
        let names = |sql: &'static str| {
            let org = org.clone();
            async move {
                let rows: Vec<String> = sqlx::query_scalar(sql).bind(org).fetch_all(&self.pool).await?;
                Ok::<HashSet<String>, StoreError>(rows.into_iter().map(|n| n.to_lowercase()).collect())
            }
        };
        Ok(KnownNames {
            departments: names("SELECT name FROM departments WHERE org_id = $1 AND retired_at IS NULL").await?,
            sites: names("SELECT name FROM sites WHERE org_id = $1 AND retired_at IS NULL").await?,
            staff_emails: names("SELECT email FROM people WHERE org_id = $1 AND kind = 'staff' AND email IS NOT NULL")
                .await?,
        })
    }
}

impl WriteTx<'_> {
    /// Imports people, all in this transaction: each is matched on email (on ULN first for apprentices)
    /// and updated, or created. Each change is audited with the fields it set.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when a row's email or ULN belongs to a different person already.
    pub async fn import_people(&mut self, people: &[PersonDetails]) -> StoreResult<ImportSummary> {
        let org = self.org()?.to_string();
        let existing = sqlx::query("SELECT id, email, uln FROM people WHERE org_id = $1")
            .bind(org.as_str())
            .fetch_all(self.conn())
            .await?;
        let mut by_email: HashMap<String, String> = HashMap::new();
        let mut by_uln: HashMap<String, String> = HashMap::new();
        for row in &existing {
            let id: String = row.try_get("id")?;
            if let Some(email) = row.try_get::<Option<String>, _>("email")? {
                by_email.insert(email, id.clone());
            }
            if let Some(uln) = row.try_get::<Option<String>, _>("uln")? {
                by_uln.insert(uln, id);
            }
        }
        let departments = self.ids_by_name("departments").await?;
        let sites = self.ids_by_name("sites").await?;
        let mut summary = ImportSummary::default();
        let mut managers = Vec::new();
        let mut creates = Vec::new();
        for details in people {
            let matched = match details.kind {
                PersonKind::Apprentice => details
                    .uln
                    .as_ref()
                    .and_then(|u| by_uln.get(u))
                    .or_else(|| details.email.as_ref().and_then(|e| by_email.get(e))),
                _ => details.email.as_ref().and_then(|e| by_email.get(e)),
            }
            .cloned();
            let department = details.department.as_ref().and_then(|d| departments.get(&d.to_lowercase())).cloned();
            let site = details.site.as_ref().and_then(|s| sites.get(&s.to_lowercase())).cloned();
            let id = match matched {
                Some(id) => {
                    self.update_person(&id, details, department, site).await?;
                    summary.updated += 1;
                    // An update may also clear a line manager.
                    managers.push((id.clone(), details.line_manager_email.clone()));
                    id
                }
                None => {
                    let id = PersonId::new().to_string();
                    creates.push((id.clone(), details, department, site));
                    if details.line_manager_email.is_some() {
                        managers.push((id.clone(), details.line_manager_email.clone()));
                    }
                    id
                }
            };
            if let Some(email) = &details.email {
                by_email.insert(email.clone(), id.clone());
            }
            if let Some(uln) = &details.uln {
                by_uln.insert(uln.clone(), id);
            }
        }
        summary.created = creates.len();
        for batch in creates.chunks(CREATE_BATCH) {
            self.create_people(batch).await?;
        }
        // Line managers are linked once everyone in the file exists.
        for (id, manager) in managers {
            let manager_id = manager.and_then(|m| by_email.get(&m).cloned());
            sqlx::query("UPDATE people SET line_manager_id = $3 WHERE org_id = $1 AND id = $2")
                .bind(org.as_str())
                .bind(id.as_str())
                .bind(manager_id)
                .execute(self.conn())
                .await?;
        }
        Ok(summary)
    }

    /// Changes one person's details, found by id (their email or ULN may change too).
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for a person not in the register; [`StoreError::Conflict`] when the new email
    /// or ULN is another person's.
    pub async fn edit_person(&mut self, id: PersonId, details: &PersonDetails) -> StoreResult<()> {
        let org = self.org()?.to_string();
        let exists: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM people WHERE org_id = $1 AND id = $2")
            .bind(org.as_str())
            .bind(id.to_string())
            .fetch_one(self.conn())
            .await?;
        if exists == 0 {
            return Err(StoreError::NotFound);
        }
        let departments = self.ids_by_name("departments").await?;
        let sites = self.ids_by_name("sites").await?;
        let department = details.department.as_ref().and_then(|d| departments.get(&d.to_lowercase())).cloned();
        let site = details.site.as_ref().and_then(|s| sites.get(&s.to_lowercase())).cloned();
        self.update_person(&id.to_string(), details, department, site).await?;
        let manager: Option<String> = match &details.line_manager_email {
            Some(email) => {
                sqlx::query_scalar("SELECT id FROM people WHERE org_id = $1 AND email = $2 AND id <> $3")
                    .bind(org.as_str())
                    .bind(email.as_str())
                    .bind(id.to_string())
                    .fetch_optional(self.conn())
                    .await?
            }
            None => None,
        };
        sqlx::query("UPDATE people SET line_manager_id = $3 WHERE org_id = $1 AND id = $2")
            .bind(org.as_str())
            .bind(id.to_string())
            .bind(manager)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// Archives a person from a date: they leave the current lists and stay in history.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when there is no such person.
    pub async fn archive_person(&mut self, id: PersonId, end_date: Date) -> StoreResult<()> {
        let changed = sqlx::query("UPDATE people SET end_date = $3, updated_at = $4 WHERE org_id = $1 AND id = $2")
            .bind(self.org()?.to_string())
            .bind(id.to_string())
            .bind(date(end_date))
            .bind(ts(self.store().now()))
            .execute(self.conn())
            .await?
            .rows_affected();
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        self.audit(AuditEvent::new("person.archived", "person", id.0).fields(&["end_date"]));
        Ok(())
    }

    async fn ids_by_name(&mut self, table: &'static str) -> StoreResult<HashMap<String, String>> {
        let query = match table {
            "departments" => sqlx::query("SELECT id, name FROM departments WHERE org_id = $1 AND retired_at IS NULL"),
            _ => sqlx::query("SELECT id, name FROM sites WHERE org_id = $1 AND retired_at IS NULL"),
        };
        let rows = query.bind(self.org()?.to_string()).fetch_all(self.conn()).await?;
        rows.iter().map(|r| Ok((r.try_get::<String, _>("name")?.to_lowercase(), r.try_get("id")?))).collect()
    }

    async fn update_person(
        &mut self,
        id: &str,
        d: &PersonDetails,
        department: Option<String>,
        site: Option<String>,
    ) -> StoreResult<()> {
        self.refuse_moving_a_post(id, d.email.as_deref()).await?;
        let result = sqlx::query(
            "UPDATE people SET kind = $3, given_name = $4, family_name = $5, email = $6, uln = $7, role_title = $8, \
             department_id = $9, site_id = $10, start_date = $11, end_date = $12, programme = $13, level = $14, \
             employer = $15, workplace_contact = $16, planned_end_date = $17, date_of_birth = $18, \
             parent_carer_contact = $19, home_local_authority = $20, workplace_local_authority = $21, updated_at = $22 \
             WHERE id = $1 AND org_id = $2",
        )
        .bind(id)
        .bind(self.org()?.to_string());
        let result = bind_details(result, d, department, site).bind(ts(self.store().now())).execute(self.conn()).await;
        unique_email_or_uln(result)?;
        self.audit(AuditEvent::new("person.updated", "person", id.parse::<uuid::Uuid>().ok()).fields(&PERSON_FIELDS));
        Ok(())
    }

    /// A post follows its holder's email address to an account, so changing the address of someone who holds
    /// (or is waiting to hold) a safeguarding post would hand the post, and what it reaches, to whoever owns
    /// the new address. The term is ended in the role registry first, and the person appointed again (which,
    /// for the posts that reach case content, a safeguarding lead confirms); only the operator may do it at once.
    async fn refuse_moving_a_post(&mut self, id: &str, new_email: Option<&str>) -> StoreResult<()> {
        if self.actor().kind == ActorKind::Operator {
            return Ok(());
        }
        let holder: Option<Option<String>> = sqlx::query_scalar(
            "SELECT p.email FROM people p WHERE p.org_id = $1 AND p.id = $2 AND EXISTS (SELECT 1 FROM post_holders h \
             WHERE h.person_id = p.id AND h.refused_at IS NULL AND (h.ends_on IS NULL OR h.ends_on >= $3))",
        )
        .bind(self.org()?.to_string())
        .bind(id)
        .bind(date(self.store().now().date()))
        .fetch_optional(self.conn())
        .await?;
        match holder {
            Some(email) if email.as_deref() != new_email => Err(StoreError::Invalid {
                field: "email",
                message: "This person holds a safeguarding post, which follows their email address: end their term in \
                          the role registry first, then appoint them again with the new address",
            }),
            _ => Ok(()),
        }
    }

    /// Inserts new people in one statement.
    async fn create_people(
        &mut self,
        batch: &[(String, &PersonDetails, Option<String>, Option<String>)],
    ) -> StoreResult<()> {
        const COLUMNS: usize = 23;
        let values: Vec<String> = (0..batch.len())
            .map(|i| {
                format!("({})", (1..=COLUMNS).map(|c| format!("${}", i * COLUMNS + c)).collect::<Vec<_>>().join(", "))
            })
            .collect();
        let text = format!(
            "INSERT INTO people (id, org_id, kind, given_name, family_name, email, uln, role_title, department_id, site_id, \
             start_date, end_date, programme, level, employer, workplace_contact, planned_end_date, date_of_birth, \
             parent_carer_contact, home_local_authority, workplace_local_authority, created_at, updated_at) VALUES {}",
            values.join(", ")
        );
        let org = self.org()?.to_string();
        let now = ts(self.store().now());
        let mut query = sqlx::query(crate::db::sql(text));
        for (id, details, department, site) in batch {
            query = bind_details(query.bind(id.as_str()).bind(org.as_str()), details, department.clone(), site.clone())
                .bind(now.as_str())
                .bind(now.as_str());
        }
        unique_email_or_uln(query.execute(self.conn()).await)?;
        for (id, ..) in batch {
            self.audit(
                AuditEvent::new("person.created", "person", id.parse::<uuid::Uuid>().ok()).fields(&PERSON_FIELDS),
            );
        }
        Ok(())
    }
}

/// People in one statement: a batch of 200 uses 4,600 parameters, within both databases' limits.
const CREATE_BATCH: usize = 200;

type Query<'q> = sqlx::query::Query<'q, sqlx::Any, <sqlx::Any as sqlx::Database>::Arguments>;

/// Binds a person's details in the column order both statements share (`kind` … `workplace_local_authority`).
fn bind_details<'q>(
    query: Query<'q>,
    d: &PersonDetails,
    department: Option<String>,
    site: Option<String>,
) -> Query<'q> {
    query
        .bind(d.kind.as_str())
        .bind(d.given_name.clone())
        .bind(d.family_name.clone())
        .bind(d.email.clone())
        .bind(d.uln.clone())
        .bind(d.role_title.clone())
        .bind(department)
        .bind(site)
        .bind(d.start_date.map(date))
        .bind(d.end_date.map(date))
        .bind(d.programme.clone())
        .bind(d.level.clone())
        .bind(d.employer.clone())
        .bind(d.workplace_contact.clone())
        .bind(d.planned_end_date.map(date))
        .bind(d.date_of_birth.map(date))
        .bind(d.parent_carer_contact.clone())
        .bind(d.home_local_authority.clone())
        .bind(d.workplace_local_authority.clone())
}

/// Another person already has the email address or the ULN: each is its own index, so the field is named.
fn unique_email_or_uln(result: Result<sqlx::any::AnyQueryResult, sqlx::Error>) -> StoreResult<()> {
    const EMAIL: Unique = Unique { index: "people_org_email", columns: "people.org_id, people.email" };
    const ULN: Unique = Unique { index: "people_org_uln", columns: "people.org_id, people.uln" };
    result
        .on_constraint(&EMAIL, "email", "Another person already has this email address")
        .on_constraint(&ULN, "uln", "Another person already has this ULN")
        .map(|_| ())
}

const PERSON_FIELDS: [&str; 19] = [
    "kind",
    "given_name",
    "family_name",
    "email",
    "uln",
    "role_title",
    "department_id",
    "site_id",
    "start_date",
    "end_date",
    "programme",
    "level",
    "employer",
    "workplace_contact",
    "planned_end_date",
    "date_of_birth",
    "parent_carer_contact",
    "home_local_authority",
    "workplace_local_authority",
];
