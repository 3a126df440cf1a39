//! Persistence for Vigil: one schema and one query layer over SQLite and PostgreSQL (sqlx's `Any` driver,
//! every query written once with `$N` placeholders), migrations, tenant scoping and the audit chain.
//!
//! Reads of organisation data take an [`OrgScope`]; writes go through a [`WriteTx`], which commits the
//! audit event with the change. Only the authentication functions in [`auth`] build a scope.

pub mod accounts;
pub mod attachments;
pub mod audit;
pub mod auth;
pub mod cases;
pub mod concern_settings;
pub mod concerns;
mod db;
pub mod due;
pub mod error;
pub mod files;
pub mod invitations;
pub mod jobs;
pub mod keys;
pub mod orgs;
pub mod outbox;
pub mod people;
pub mod profile;
pub mod registry;
mod scope;
pub mod secrets;
pub mod sites;
pub mod totp;
mod tx;

pub use audit::Page;
pub use db::{Backend, Clock, FixedClock, SystemClock};
pub use error::{StoreError, StoreResult};
pub use scope::{Actor, ActorKind, OrgScope};
pub use tx::WriteTx;

use std::sync::Arc;
use time::OffsetDateTime;

/// The database, and the clock its rules are judged by.
#[derive(Clone)]
pub struct Store {
    pool: sqlx::AnyPool,
    backend: Backend,
    clock: Arc<dyn Clock>,
    master_key: Option<Arc<keys::MasterKey>>,
    objects: Option<files::Objects>,
}

impl Store {
    /// Connects to `url` (`sqlite://…` or `postgres://…`) and checks the connection settings.
    ///
    /// # Errors
    /// When the database cannot be reached or is not configured as Vigil needs.
    pub async fn connect(url: &str, clock: Arc<dyn Clock>) -> StoreResult<Self> {
        let (pool, backend) = db::connect(url).await?;
        Ok(Self { pool, backend, clock, master_key: None, objects: None })
    }

    /// Uses this master key to wrap and unwrap the organisations' data keys.
    #[must_use]
    pub fn with_master_key(mut self, key: keys::MasterKey) -> Self {
        self.master_key = Some(Arc::new(key));
        self
    }

    /// Keeps uploaded files here.
    #[must_use]
    pub fn with_objects(mut self, objects: files::Objects) -> Self {
        self.objects = Some(objects);
        self
    }

    /// Whether a master key is configured.
    #[must_use]
    pub fn has_master_key(&self) -> bool {
        self.master_key.is_some()
    }

    /// Applies any migrations not yet applied. Migrations are forward-only.
    ///
    /// # Errors
    /// When a migration fails or an applied migration was edited.
    pub async fn migrate(&self) -> StoreResult<()> {
        db::migrator(self.backend).run(&self.pool).await?;
        self.seal_clear_second_factors().await
    }

    /// Whether every migration this binary knows has been applied.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn migrations_current(&self) -> StoreResult<bool> {
        let applied: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success = $1")
            .bind(true)
            .fetch_one(&self.pool)
            .await
            .or_else(|_| Ok::<i64, sqlx::Error>(0))?;
        Ok(usize::try_from(applied).unwrap_or(0) == db::migrator(self.backend).iter().count())
    }

    #[must_use]
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The current time by the injected clock.
    #[must_use]
    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// The database connections open, and how many of them are in use, for the operator's metrics.
    #[must_use]
    pub fn connections(&self) -> (u32, u32) {
        let open = self.pool.size();
        let idle = u32::try_from(self.pool.num_idle()).unwrap_or(open);
        (open, open.saturating_sub(idle))
    }

    /// Closes the pool, waiting for connections to be returned.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}
