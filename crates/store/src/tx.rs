//! The one write path. A [`WriteTx`] is opened with a scope, carries the audit events of the change, and
//! commits them to the hash chain in the same database transaction as the change itself.

use crate::Store;
use crate::audit::{GENESIS, chain_hash};
use crate::db::{Backend, ts};
use crate::error::{StoreError, StoreResult};
use crate::scope::{Actor, OrgScope};
use domain::audit::AuditEvent;
use domain::{AuditEventId, OrgId};
use sqlx::{Any, AnyConnection, Row, Transaction};

/// The chain of events that belong to no organisation (set-up, sign-in attempts for unknown addresses).
pub(crate) const INSTANCE_CHAIN: &str = "instance";

/// An open write transaction. Dropping it without [`WriteTx::commit`] rolls everything back.
pub struct WriteTx<'s> {
    store: &'s Store,
    tx: Transaction<'static, Any>,
    org: Option<OrgId>,
    actor: Actor,
    events: Vec<(String, AuditEvent)>,
}

impl Store {
    /// Opens a write transaction in an organisation.
    ///
    /// # Errors
    /// When the database cannot start a transaction.
    pub async fn write(&self, scope: &OrgScope) -> StoreResult<WriteTx<'_>> {
        self.open_write(Some(scope.org()), scope.actor().clone()).await
    }

    /// Records a sensitive read (of the audit log now; of case content later) as an event of its own.
    ///
    /// # Errors
    /// When the event cannot be written; the caller must then not show what was read.
    pub async fn record_read(&self, scope: &OrgScope, event: AuditEvent) -> StoreResult<()> {
        let mut tx = self.write(scope).await?;
        tx.audit(event);
        tx.commit().await
    }

    /// Opens a write transaction that belongs to no organisation yet (set-up, sign-in).
    pub(crate) async fn write_instance(&self, actor: Actor) -> StoreResult<WriteTx<'_>> {
        self.open_write(None, actor).await
    }

    async fn open_write(&self, org: Option<OrgId>, actor: Actor) -> StoreResult<WriteTx<'_>> {
        // SQLite must take its write lock at the start: a deferred transaction that reads and then
        // writes fails at once, without waiting, if another writer got in between.
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(WriteTx { store: self, tx, org, actor, events: Vec::new() })
    }
}

impl<'s> WriteTx<'s> {
    /// Records an event in the transaction's own organisation chain.
    ///
    /// # Panics
    /// If the transaction has no organisation: instance writes name their chain with `audit_in`.
    pub fn audit(&mut self, event: AuditEvent) {
        let org = self.org.unwrap_or_else(|| panic!("instance writes must name their chain"));
        self.events.push((org.to_string(), event));
    }

    /// Records an event in the chain of a given organisation, or the instance chain when `None`.
    pub(crate) fn audit_in(&mut self, org: Option<OrgId>, event: AuditEvent) {
        let chain = org.map_or_else(|| INSTANCE_CHAIN.to_owned(), |o| o.to_string());
        self.events.push((chain, event));
    }

    /// Moves an instance transaction into the organisation it has just created (set-up).
    pub(crate) fn enter(&mut self, org: OrgId) {
        self.org = Some(org);
    }

    /// The organisation this transaction writes in.
    pub(crate) fn org(&self) -> StoreResult<OrgId> {
        self.org.ok_or(StoreError::Other("this write needs an organisation scope".into()))
    }

    /// The scope this transaction writes in, for reads that must see the same organisation.
    pub(crate) fn scope(&self) -> StoreResult<OrgScope> {
        Ok(OrgScope::new(self.org()?, self.actor.clone()))
    }

    pub(crate) fn actor(&self) -> &Actor {
        &self.actor
    }

    pub(crate) fn store(&self) -> &'s Store {
        self.store
    }

    pub(crate) fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }

    /// Appends the recorded events to their chains and commits them with the change.
    ///
    /// # Errors
    /// [`StoreError::Unaudited`] if no event was recorded; any database error, in which case nothing
    /// of the change is kept.
    pub async fn commit(mut self) -> StoreResult<()> {
        if self.events.is_empty() {
            return Err(StoreError::Unaudited);
        }
        let mut chains: Vec<String> = self.events.iter().map(|(c, _)| c.clone()).collect();
        chains.sort();
        chains.dedup();
        let at = ts(self.store.now());
        let events = std::mem::take(&mut self.events);
        // Heads are locked in a fixed order so that two writers touching the same chains cannot deadlock.
        for chain in &chains {
            let (mut seq, mut hash) = lock_head(&mut self.tx, chain).await?;
            let mut rows = Vec::new();
            for (_, event) in events.iter().filter(|(c, _)| c == chain) {
                seq += 1;
                let row = self.event_row(chain, seq, &at, event);
                let next = chain_hash(&hash, &row);
                rows.push((row, std::mem::replace(&mut hash, next.clone()), next));
            }
            // Large changes (an import of thousands of people) append in batches, not one statement each.
            for batch in rows.chunks(APPEND_BATCH) {
                self.append(batch).await?;
            }
            sqlx::query("UPDATE audit_heads SET seq = $2, hash = $3 WHERE chain = $1")
                .bind(chain.as_str())
                .bind(seq)
                .bind(hash.as_str())
                .execute(&mut *self.tx)
                .await?;
        }
        self.tx.commit().await?;
        Ok(())
    }

    fn event_row(&self, chain: &str, seq: i64, at: &str, event: &AuditEvent) -> EventRow {
        EventRow {
            id: AuditEventId::new().to_string(),
            chain: chain.to_owned(),
            seq,
            at: at.to_owned(),
            actor_kind: self.actor.kind.as_str().to_owned(),
            actor_id: self.actor.account.map(|a| a.to_string()),
            action: event.action.to_owned(),
            entity: event.entity.to_owned(),
            entity_id: event.entity_id.map(|e| e.to_string()),
            fields: event.fields.join(","),
            sensitivity: event.sensitivity.as_str().to_owned(),
        }
    }

    /// Inserts events with their previous and own hashes, in one statement.
    async fn append(&mut self, batch: &[(EventRow, String, String)]) -> StoreResult<()> {
        const COLUMNS: usize = 13;
        let values: Vec<String> = (0..batch.len())
            .map(|i| {
                let params: Vec<String> = (1..=COLUMNS).map(|c| format!("${}", i * COLUMNS + c)).collect();
                format!("({})", params.join(", "))
            })
            .collect();
        let text = format!(
            "INSERT INTO audit_events (id, chain, seq, at, actor_kind, actor_id, action, entity, entity_id, fields, \
             sensitivity, prev_hash, hash) VALUES {}",
            values.join(", ")
        );
        let mut query = sqlx::query(crate::db::sql(text));
        for (row, prev_hash, hash) in batch {
            query = query
                .bind(row.id.as_str())
                .bind(row.chain.as_str())
                .bind(row.seq)
                .bind(row.at.as_str())
                .bind(row.actor_kind.as_str())
                .bind(row.actor_id.as_deref())
                .bind(row.action.as_str())
                .bind(row.entity.as_str())
                .bind(row.entity_id.as_deref())
                .bind(row.fields.as_str())
                .bind(row.sensitivity.as_str())
                .bind(prev_hash.as_str())
                .bind(hash.as_str());
        }
        query.execute(&mut *self.tx).await?;
        Ok(())
    }
}

/// Events inserted per statement: 13 parameters each stays well under SQLite's and PostgreSQL's limits.
const APPEND_BATCH: usize = 500;

/// The hashed content of one event, in the order the chain hash reads it.
pub(crate) struct EventRow {
    pub id: String,
    pub chain: String,
    pub seq: i64,
    pub at: String,
    pub actor_kind: String,
    pub actor_id: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    pub fields: String,
    pub sensitivity: String,
}

/// Locks a chain's head row for the rest of the transaction (creating it for a new chain) and reads it.
/// An `UPDATE` takes the row lock on PostgreSQL and needs no `FOR UPDATE`, which SQLite lacks.
async fn lock_head(conn: &mut AnyConnection, chain: &str) -> StoreResult<(i64, String)> {
    let touched = sqlx::query("UPDATE audit_heads SET seq = seq WHERE chain = $1")
        .bind(chain)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    if touched == 0 {
        sqlx::query("INSERT INTO audit_heads (chain, seq, hash) VALUES ($1, 0, $2) ON CONFLICT (chain) DO NOTHING")
            .bind(chain)
            .bind(GENESIS)
            .execute(&mut *conn)
            .await?;
        sqlx::query("UPDATE audit_heads SET seq = seq WHERE chain = $1").bind(chain).execute(&mut *conn).await?;
    }
    let row =
        sqlx::query("SELECT seq, hash FROM audit_heads WHERE chain = $1").bind(chain).fetch_one(&mut *conn).await?;
    Ok((row.try_get("seq")?, row.try_get("hash")?))
}
