//! Sites (buildings and land) and departments. Both are retired rather than deleted, so the list as at a
//! past date can be shown.

use crate::audit::Page;
use crate::db::Reader;
use crate::db::RowExt;
use crate::db::{parse_ts, ts};
use crate::error::{OptionalExt, StoreError, StoreResult};
use crate::scope::OrgScope;
use crate::{Store, WriteTx};
use domain::audit::AuditEvent;
use domain::profile::SiteKind;
use domain::profile::yes_no;
use domain::text::Name;
use domain::{DepartmentId, SiteId};
use sqlx::Row;
use sqlx::any::AnyRow;
use time::{Date, OffsetDateTime};

/// A site as stored.
#[derive(Debug, Clone)]
pub struct Site {
    pub id: SiteId,
    pub name: String,
    pub kind: SiteKind,
    pub address: String,
    pub postcode: String,
    /// Who else uses the site; empty when nobody does.
    pub shared_with: String,
    pub let_to_others: bool,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub retired_at: Option<OffsetDateTime>,
}

/// A site's details, already validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteDetails {
    pub name: Name,
    pub kind: SiteKind,
    pub address: String,
    /// Normalised by [`domain::profile::parse_postcode`].
    pub postcode: String,
    pub shared_with: String,
    pub let_to_others: bool,
}

/// A department as stored.
#[derive(Debug, Clone)]
pub struct Department {
    pub id: DepartmentId,
    pub name: String,
    pub created_at: OffsetDateTime,
    pub retired_at: Option<OffsetDateTime>,
}

/// Which sites or departments a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Showing {
    /// Those in use now.
    Current,
    /// Those in use at the end of a past day.
    AsAt(Date),
    /// All, retired too.
    All,
}

const SITE_COLUMNS: &str =
    "id, name, kind, address, postcode, shared_with, let_to_others, created_at, updated_at, retired_at";

fn site(row: &AnyRow) -> StoreResult<Site> {
    let bad = |what| StoreError::Other(format!("bad {what} in sites"));
    let text = |column: &str| row.try_get::<String, _>(column);
    Ok(Site {
        id: text("id")?.parse().map_err(|_| bad("id"))?,
        name: text("name")?,
        kind: SiteKind::parse(&text("kind")?).map_err(|_| bad("kind"))?,
        address: text("address")?,
        postcode: text("postcode")?,
        shared_with: text("shared_with")?,
        let_to_others: text("let_to_others")? == "yes",
        created_at: parse_ts(&text("created_at")?)?,
        updated_at: parse_ts(&text("updated_at")?)?,
        retired_at: row.opt_time("retired_at")?,
    })
}

fn department(row: &AnyRow) -> StoreResult<Department> {
    Ok(Department {
        id: row.try_get::<String, _>("id")?.parse().map_err(|_| StoreError::Other("bad department id".into()))?,
        name: row.try_get("name")?,
        created_at: row.time("created_at")?,
        retired_at: row.opt_time("retired_at")?,
    })
}

/// The condition for rows in use as `showing` says, with the cut-off time bound as `$2`.
fn showing_clause(showing: Showing, now: OffsetDateTime) -> (&'static str, String) {
    match showing {
        Showing::Current => ("retired_at IS NULL AND created_at < $2", ts(now + time::Duration::seconds(1))),
        Showing::AsAt(day) => (
            "created_at < $2 AND (retired_at IS NULL OR retired_at >= $2)",
            ts(day.next_day().unwrap_or(day).midnight().assume_utc()),
        ),
        Showing::All => ("created_at < $2", ts(now + time::Duration::seconds(1))),
    }
}

impl Store {
    /// A page of sites, by name.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn sites_page(
        &self,
        scope: &OrgScope,
        showing: Showing,
        page: u32,
        per_page: u32,
    ) -> StoreResult<Page<Site>> {
        let (condition, cutoff) = showing_clause(showing, self.now());
        let total: i64 =
            sqlx::query_scalar(crate::db::sql(format!("SELECT COUNT(*) FROM sites WHERE org_id = $1 AND {condition}")))
                .bind(scope.org().to_string())
                .bind(cutoff.as_str())
                .fetch_one(&self.pool)
                .await?;
        let page = page.max(1);
        let rows = sqlx::query(crate::db::sql(format!(
            "SELECT {SITE_COLUMNS} FROM sites WHERE org_id = $1 AND {condition} ORDER BY name, id LIMIT $3 OFFSET $4"
        )))
        .bind(scope.org().to_string())
        .bind(cutoff.as_str())
        .bind(i64::from(per_page))
        .bind(i64::from(per_page) * i64::from(page - 1))
        .fetch_all(&self.pool)
        .await?;
        Ok(Page { items: rows.iter().map(site).collect::<StoreResult<_>>()?, page, per_page, total })
    }

    /// One site; another organisation's is "not found".
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when there is no such site in the organisation.
    pub async fn site(&self, scope: &OrgScope, id: SiteId) -> StoreResult<Site> {
        self.site_in(&mut Reader::Pool(&self.pool), scope, id).await
    }

    pub(crate) async fn site_in(&self, db: &mut Reader<'_>, scope: &OrgScope, id: SiteId) -> StoreResult<Site> {
        let row = db
            .fetch_optional(
                sqlx::query(crate::db::sql(format!("SELECT {SITE_COLUMNS} FROM sites WHERE org_id = $1 AND id = $2")))
                    .bind(scope.org().to_string())
                    .bind(id.to_string()),
            )
            .await?
            .found()?;
        site(&row)
    }

    /// One department; another organisation's is "not found".
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when there is no such department in the organisation.
    pub async fn department(&self, scope: &OrgScope, id: DepartmentId) -> StoreResult<Department> {
        let row = sqlx::query("SELECT id, name, created_at, retired_at FROM departments WHERE org_id = $1 AND id = $2")
            .bind(scope.org().to_string())
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .found()?;
        department(&row)
    }

    /// The departments, by name (an organisation has tens, not thousands).
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn departments(&self, scope: &OrgScope, showing: Showing) -> StoreResult<Vec<Department>> {
        let (condition, cutoff) = showing_clause(showing, self.now());
        let rows = sqlx::query(crate::db::sql(format!(
            "SELECT id, name, created_at, retired_at FROM departments WHERE org_id = $1 AND {condition} \
             ORDER BY name, id LIMIT 500"
        )))
        .bind(scope.org().to_string())
        .bind(cutoff)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(department).collect()
    }
}

impl WriteTx<'_> {
    /// Adds a site.
    ///
    /// # Errors
    /// When the database cannot be written.
    pub async fn add_site(&mut self, details: &SiteDetails) -> StoreResult<SiteId> {
        let id = SiteId::new();
        let now = ts(self.store().now());
        sqlx::query(crate::db::sql(format!(
            "INSERT INTO sites ({SITE_COLUMNS}, org_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, NULL, $9)"
        )))
        .bind(id.to_string())
        .bind(details.name.as_str())
        .bind(details.kind.as_str())
        .bind(details.address.as_str())
        .bind(details.postcode.as_str())
        .bind(details.shared_with.as_str())
        .bind(yes_no(details.let_to_others))
        .bind(now)
        .bind(self.org()?.to_string())
        .execute(self.conn())
        .await?;
        self.audit(AuditEvent::new("site.added", "site", id.0).fields(&SITE_FIELDS));
        Ok(id)
    }

    /// Changes a site's details; the event names the fields that changed.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when there is no such site; [`StoreError::Conflict`] when it is retired.
    pub async fn update_site(&mut self, id: SiteId, details: &SiteDetails) -> StoreResult<()> {
        let scope = self.scope()?;
        let before = self.store().site_in(&mut Reader::Tx(self.conn()), &scope, id).await?;
        if before.retired_at.is_some() {
            return Err(StoreError::Conflict("A retired site cannot be changed"));
        }
        let changed: Vec<&'static str> = [
            ("name", before.name != details.name.as_str()),
            ("kind", before.kind != details.kind),
            ("address", before.address != details.address),
            ("postcode", before.postcode != details.postcode),
            ("shared_with", before.shared_with != details.shared_with),
            ("let_to_others", before.let_to_others != details.let_to_others),
        ]
        .into_iter()
        .filter_map(|(field, differs)| differs.then_some(field))
        .collect();
        sqlx::query(
            "UPDATE sites SET name = $3, kind = $4, address = $5, postcode = $6, shared_with = $7, \
             let_to_others = $8, updated_at = $9 WHERE org_id = $1 AND id = $2",
        )
        .bind(self.org()?.to_string())
        .bind(id.to_string())
        .bind(details.name.as_str())
        .bind(details.kind.as_str())
        .bind(details.address.as_str())
        .bind(details.postcode.as_str())
        .bind(details.shared_with.as_str())
        .bind(yes_no(details.let_to_others))
        .bind(ts(self.store().now()))
        .execute(self.conn())
        .await?;
        self.audit(AuditEvent::new("site.changed", "site", id.0).fields(&changed));
        Ok(())
    }

    /// Retires a site: it leaves the current list and stays in history.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when there is no such site in use.
    pub async fn retire_site(&mut self, id: SiteId) -> StoreResult<()> {
        self.retire("sites", id.0).await?;
        self.audit(AuditEvent::new("site.retired", "site", id.0).fields(&["retired_at"]));
        Ok(())
    }

    /// Adds a department.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when a department in use has the same name.
    pub async fn add_department(&mut self, name: &Name) -> StoreResult<DepartmentId> {
        let same: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM departments WHERE org_id = $1 AND LOWER(name) = LOWER($2) AND retired_at IS NULL",
        )
        .bind(self.org()?.to_string())
        .bind(name.as_str())
        .fetch_one(self.conn())
        .await?;
        if same > 0 {
            return Err(StoreError::Invalid { field: "name", message: "There is already a department with this name" });
        }
        let id = DepartmentId::new();
        sqlx::query("INSERT INTO departments (id, org_id, name, created_at) VALUES ($1, $2, $3, $4)")
            .bind(id.to_string())
            .bind(self.org()?.to_string())
            .bind(name.as_str())
            .bind(ts(self.store().now()))
            .execute(self.conn())
            .await?;
        self.audit(AuditEvent::new("department.added", "department", id.0).fields(&["name"]));
        Ok(id)
    }

    /// Renames a department in use.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when there is no such department in use; [`StoreError::Conflict`] when
    /// another department in use has the name.
    pub async fn rename_department(&mut self, id: DepartmentId, name: &Name) -> StoreResult<()> {
        let same: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM departments WHERE org_id = $1 AND LOWER(name) = LOWER($2) AND retired_at IS NULL AND id <> $3",
        )
        .bind(self.org()?.to_string())
        .bind(name.as_str())
        .bind(id.to_string())
        .fetch_one(self.conn())
        .await?;
        if same > 0 {
            return Err(StoreError::Invalid { field: "name", message: "There is already a department with this name" });
        }
        let renamed =
            sqlx::query("UPDATE departments SET name = $3 WHERE org_id = $1 AND id = $2 AND retired_at IS NULL")
                .bind(self.org()?.to_string())
                .bind(id.to_string())
                .bind(name.as_str())
                .execute(self.conn())
                .await?
                .rows_affected();
        if renamed == 0 {
            return Err(StoreError::NotFound);
        }
        self.audit(AuditEvent::new("department.renamed", "department", id.0).fields(&["name"]));
        Ok(())
    }

    /// Retires a department.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when there is no such department in use.
    pub async fn retire_department(&mut self, id: DepartmentId) -> StoreResult<()> {
        self.retire("departments", id.0).await?;
        self.audit(AuditEvent::new("department.retired", "department", id.0).fields(&["retired_at"]));
        Ok(())
    }

    async fn retire(&mut self, table: &'static str, id: uuid::Uuid) -> StoreResult<()> {
        let query = match table {
            "sites" => {
                sqlx::query("UPDATE sites SET retired_at = $3 WHERE org_id = $1 AND id = $2 AND retired_at IS NULL")
            }
            _ => sqlx::query(
                "UPDATE departments SET retired_at = $3 WHERE org_id = $1 AND id = $2 AND retired_at IS NULL",
            ),
        };
        let retired = query
            .bind(self.org()?.to_string())
            .bind(id.to_string())
            .bind(ts(self.store().now()))
            .execute(self.conn())
            .await?
            .rows_affected();
        if retired == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }
}

const SITE_FIELDS: [&str; 6] = ["name", "kind", "address", "postcode", "shared_with", "let_to_others"];
