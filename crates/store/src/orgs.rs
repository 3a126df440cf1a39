//! Organisations: creating them (set-up, the command line, demo data) and reading one's own.

use crate::db::Reader;
use crate::db::RowExt;
use crate::db::ts;
use crate::error::{OptionalExt, StoreError, StoreResult};
use crate::scope::OrgScope;
use crate::{Store, WriteTx};
use domain::OrgId;
use domain::audit::AuditEvent;
use domain::org::{Nation, ProviderType, Slug, Ukprn};
use domain::text::Name;
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use time::OffsetDateTime;

/// An organisation, as stored.
#[derive(Debug, Clone, Serialize)]
pub struct Organisation {
    pub id: OrgId,
    pub slug: String,
    pub name: String,
    pub ukprn: String,
    pub nation: Nation,
    pub provider_type: ProviderType,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// What it takes to create an organisation, already validated.
#[derive(Debug, Clone)]
pub struct NewOrganisation {
    pub name: Name,
    pub ukprn: Ukprn,
    pub nation: Nation,
    pub provider_type: ProviderType,
    /// The slug to use; derived from the name when absent.
    pub slug: Option<Slug>,
}

const COLUMNS: &str = "id, slug, name, ukprn, nation, provider_type, created_at";

fn organisation(row: &AnyRow) -> StoreResult<Organisation> {
    let bad = |what| StoreError::Other(format!("bad {what} in organisations"));
    Ok(Organisation {
        id: row.try_get::<String, _>("id")?.parse().map_err(|_| bad("id"))?,
        slug: row.try_get("slug")?,
        name: row.try_get("name")?,
        ukprn: row.try_get("ukprn")?,
        nation: Nation::parse(&row.try_get::<String, _>("nation")?).map_err(|_| bad("nation"))?,
        provider_type: ProviderType::parse(&row.try_get::<String, _>("provider_type")?)
            .map_err(|_| bad("provider type"))?,
        created_at: row.time("created_at")?,
    })
}

impl Store {
    /// The organisation the scope acts in.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn organisation(&self, scope: &OrgScope) -> StoreResult<Organisation> {
        self.organisation_by_id(scope.org()).await
    }

    pub(crate) async fn organisation_by_id(&self, id: OrgId) -> StoreResult<Organisation> {
        self.organisation_in(&mut Reader::Pool(&self.pool), id).await
    }

    pub(crate) async fn organisation_in(&self, db: &mut Reader<'_>, id: OrgId) -> StoreResult<Organisation> {
        let row = db
            .fetch_optional(
                sqlx::query(crate::db::sql(format!("SELECT {COLUMNS} FROM organisations WHERE id = $1")))
                    .bind(id.to_string()),
            )
            .await?
            .found()?;
        organisation(&row)
    }

    /// The organisation with this slug, if any (for its public contact card).
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn organisation_by_slug(&self, slug: &str) -> StoreResult<Option<Organisation>> {
        let row = sqlx::query(crate::db::sql(format!("SELECT {COLUMNS} FROM organisations WHERE slug = $1")))
            .bind(slug)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(organisation).transpose()
    }

    /// Every organisation, for the operator's command line and the scheduler. Not reachable from the web.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn all_organisations(&self) -> StoreResult<Vec<Organisation>> {
        let rows = sqlx::query(crate::db::sql(format!("SELECT {COLUMNS} FROM organisations ORDER BY slug")))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(organisation).collect()
    }

    /// Whether the instance has no organisation yet and so needs setting up.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn needs_setup(&self) -> StoreResult<bool> {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM organisations").fetch_one(&self.pool).await?;
        Ok(count == 0)
    }

    /// Creates an organisation on behalf of the operator at the command line.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the slug is taken.
    pub async fn create_organisation(&self, new: &NewOrganisation) -> StoreResult<Organisation> {
        let mut tx = self.write_instance(crate::auth::operator()).await?;
        let id = tx.create_organisation(new).await?;
        tx.commit().await?;
        self.organisation_by_id(id).await
    }
}

impl WriteTx<'_> {
    /// Inserts an organisation; its first event opens its audit chain.
    pub(crate) async fn create_organisation(&mut self, new: &NewOrganisation) -> StoreResult<OrgId> {
        let slug = self.free_slug(new).await?;
        let id = OrgId::new();
        let now = ts(self.store().now());
        sqlx::query(crate::db::sql(format!(
            "INSERT INTO organisations ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        )))
        .bind(id.to_string())
        .bind(slug.as_str())
        .bind(new.name.as_str())
        .bind(new.ukprn.as_str())
        .bind(new.nation.as_str())
        .bind(new.provider_type.as_str())
        .bind(now)
        .execute(self.conn())
        .await?;
        self.audit_in(
            Some(id),
            AuditEvent::new("organisation.created", "organisation", id.0).fields(&[
                "slug",
                "name",
                "ukprn",
                "nation",
                "provider_type",
            ]),
        );
        Ok(id)
    }

    /// The requested slug if free, or one derived from the name with a number added until it is free.
    async fn free_slug(&mut self, new: &NewOrganisation) -> StoreResult<Slug> {
        if let Some(slug) = &new.slug {
            if self.slug_taken(slug.as_str()).await? {
                return Err(StoreError::Invalid { field: "slug", message: "That slug is already in use" });
            }
            return Ok(slug.clone());
        }
        let base = Slug::from_name(new.name.as_str());
        let mut candidate = base.as_str().to_owned();
        let mut n = 1;
        while self.slug_taken(&candidate).await? {
            n += 1;
            candidate = format!("{}-{n}", base.as_str());
        }
        Slug::parse(&candidate).map_err(|e| StoreError::Other(e.to_string()))
    }

    async fn slug_taken(&mut self, slug: &str) -> StoreResult<bool> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM organisations WHERE slug = $1")
            .bind(slug)
            .fetch_one(self.conn())
            .await?;
        Ok(n > 0)
    }
}
