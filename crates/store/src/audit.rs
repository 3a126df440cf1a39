//! The audit log: hashing, verification and browsing. Events are appended only by [`crate::WriteTx`].

use crate::Store;
use crate::db::RowExt;
use crate::db::parse_ts;
use crate::error::StoreResult;
use crate::scope::OrgScope;
use crate::tx::EventRow;
use domain::policy::reads_case_audit;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;
use sqlx::any::AnyRow;
use time::OffsetDateTime;

/// The hash a chain starts from.
pub(crate) const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// SHA-256 over the previous hash and every stored field of the event, separated so that no two
/// different events can produce the same input.
pub(crate) fn chain_hash(prev_hash: &str, e: &EventRow) -> String {
    let mut h = Sha256::new();
    for part in [
        prev_hash,
        &e.id,
        &e.chain,
        &e.seq.to_string(),
        &e.at,
        &e.actor_kind,
        e.actor_id.as_deref().unwrap_or(""),
        &e.action,
        &e.entity,
        e.entity_id.as_deref().unwrap_or(""),
        &e.fields,
        &e.sensitivity,
    ] {
        h.update(part.len().to_le_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Where a chain first stops being trustworthy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    pub chain: String,
    /// The sequence number of the first bad or missing event.
    pub seq: i64,
    /// The id of that event, when it is present.
    pub event_id: Option<String>,
    pub reason: &'static str,
}

impl std::fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "chain {} breaks at event {}", self.chain, self.seq)?;
        if let Some(id) = &self.event_id {
            write!(f, " (id {id})")?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// An event as administrators browse it.
#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    pub id: String,
    pub seq: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub actor_kind: String,
    pub actor_id: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    pub fields: Vec<String>,
    pub case_content: bool,
}

/// Narrows the audit log.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Events whose action starts with this, like `account.`.
    pub action_prefix: Option<String>,
    /// Events by this account.
    pub actor_id: Option<String>,
    /// Events about this record.
    pub entity_id: Option<String>,
}

/// One page of a list, with the total so that pages can be numbered.
#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: u32,
    pub per_page: u32,
    pub total: i64,
}

impl<T> Page<T> {
    /// The page's numbers without its items, for pagination links once the items are shown.
    #[must_use]
    pub fn numbers(&self) -> Page<()> {
        Page { items: Vec::new(), page: self.page, per_page: self.per_page, total: self.total }
    }

    #[must_use]
    pub fn pages(&self) -> u32 {
        let per = i64::from(self.per_page.max(1));
        u32::try_from((self.total + per - 1) / per).unwrap_or(u32::MAX).max(1)
    }
}

const VERIFY_BATCH: i64 = 1000;

impl Store {
    /// What the log's readers call the accounts and records named by id on a page of events: a member's
    /// name, a case's or a concern's reference. Ids of other organisations, or of records gone, are left
    /// out. One query whatever the page.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn names_in_log(
        &self,
        scope: &OrgScope,
        ids: &[&str],
    ) -> StoreResult<std::collections::HashMap<String, String>> {
        let mut ids: Vec<&str> = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            return Ok(std::collections::HashMap::new());
        }
        let list = (2..ids.len() + 2).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ");
        let text = format!(
            "SELECT a.id, a.display_name AS name FROM accounts a JOIN memberships m ON m.account_id = a.id \
             AND m.org_id = $1 WHERE a.id IN ({list}) \
             UNION ALL SELECT id, 'Case ' || reference AS name FROM cases WHERE org_id = $1 AND id IN ({list}) \
             UNION ALL SELECT id, 'Concern ' || reference AS name FROM concerns WHERE org_id = $1 AND id IN ({list})"
        );
        let mut query = sqlx::query(crate::db::sql(text)).bind(scope.org().to_string());
        for id in ids {
            query = query.bind(id);
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter().map(|row| Ok((row.try_get("id")?, row.try_get("name")?))).collect()
    }

    /// Every chain in the database: each organisation's, and the instance chain.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn audit_chains(&self) -> StoreResult<Vec<String>> {
        let rows = sqlx::query(
            "SELECT chain FROM audit_heads UNION SELECT DISTINCT chain FROM audit_events \
             UNION SELECT id FROM organisations ORDER BY 1",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok(r.try_get("chain")?)).collect()
    }

    /// The chain name of an organisation, looked up by slug; `None` if there is no such organisation.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn chain_for_slug(&self, slug: &str) -> StoreResult<Option<String>> {
        Ok(sqlx::query_scalar("SELECT id FROM organisations WHERE slug = $1")
            .bind(slug)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// Checks one chain from its first event to its head. Returns the first break, if any.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn verify_chain(&self, chain: &str) -> StoreResult<Option<ChainBreak>> {
        let broken = |seq: i64, event_id: Option<String>, reason: &'static str| {
            Ok(Some(ChainBreak { chain: chain.to_owned(), seq, event_id, reason }))
        };
        let mut expected_seq = 1;
        let mut prev = GENESIS.to_owned();
        loop {
            let rows = sqlx::query(
                "SELECT id, chain, seq, at, actor_kind, actor_id, action, entity, entity_id, fields, \
                 sensitivity, prev_hash, hash FROM audit_events WHERE chain = $1 AND seq >= $2 \
                 ORDER BY seq LIMIT $3",
            )
            .bind(chain)
            .bind(expected_seq)
            .bind(VERIFY_BATCH)
            .fetch_all(&self.pool)
            .await?;
            for row in &rows {
                let event = event_row(row)?;
                let stored_prev: String = row.try_get("prev_hash")?;
                let stored_hash: String = row.try_get("hash")?;
                if event.seq != expected_seq {
                    return broken(expected_seq, None, "the event is missing");
                }
                if stored_prev != prev {
                    return broken(event.seq, Some(event.id), "it does not follow the event before it");
                }
                if chain_hash(&prev, &event) != stored_hash {
                    return broken(event.seq, Some(event.id), "its content was changed");
                }
                prev = stored_hash;
                expected_seq += 1;
            }
            if i64::try_from(rows.len()).unwrap_or(0) < VERIFY_BATCH {
                break;
            }
        }
        let head = sqlx::query("SELECT seq, hash FROM audit_heads WHERE chain = $1")
            .bind(chain)
            .fetch_optional(&self.pool)
            .await?;
        let last = expected_seq - 1;
        match head {
            None if last == 0 => Ok(None),
            None => broken(last, None, "the chain head is missing"),
            Some(head) => {
                let head_seq: i64 = head.try_get("seq")?;
                let head_hash: String = head.try_get("hash")?;
                if head_seq > last {
                    broken(last + 1, None, "events at the end of the chain were deleted")
                } else if head_seq < last || head_hash != prev {
                    broken(last, None, "the chain does not end where its head says")
                } else {
                    Ok(None)
                }
            }
        }
    }

    /// A page of an organisation's audit log, newest first. Events about case content are left out
    /// unless the actor is in the safeguarding team.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn audit_page(
        &self,
        scope: &OrgScope,
        filter: &AuditFilter,
        page: u32,
        per_page: u32,
    ) -> StoreResult<Page<AuditEntry>> {
        let where_clause = "chain = $1 AND ($2 = 'case_content' OR sensitivity = 'general') \
             AND ($3 = '' OR action LIKE $3 ESCAPE '\\') AND ($4 = '' OR actor_id = $4) \
             AND ($5 = '' OR entity_id = $5)";
        let visible = if reads_case_audit(scope.roles()) { "case_content" } else { "general" };
        let chain = scope.org().to_string();
        let action = filter
            .action_prefix
            .as_deref()
            .filter(|prefix| !prefix.is_empty())
            .map(|prefix| format!("{}%", crate::db::like_literal(prefix)))
            .unwrap_or_default();
        let actor = filter.actor_id.clone().unwrap_or_default();
        let entity = filter.entity_id.clone().unwrap_or_default();
        let total: i64 =
            sqlx::query_scalar(crate::db::sql(format!("SELECT COUNT(*) FROM audit_events WHERE {where_clause}")))
                .bind(chain.as_str())
                .bind(visible)
                .bind(action.as_str())
                .bind(actor.as_str())
                .bind(entity.as_str())
                .fetch_one(&self.pool)
                .await?;
        let page = page.max(1);
        let rows = sqlx::query(crate::db::sql(format!(
            "SELECT id, chain, seq, at, actor_kind, actor_id, action, entity, entity_id, fields, \
             sensitivity FROM audit_events WHERE {where_clause} ORDER BY seq DESC LIMIT $6 OFFSET $7"
        )))
        .bind(chain.as_str())
        .bind(visible)
        .bind(action.as_str())
        .bind(actor.as_str())
        .bind(entity.as_str())
        .bind(i64::from(per_page))
        .bind(i64::from(per_page) * i64::from(page - 1))
        .fetch_all(&self.pool)
        .await?;
        let items = rows
            .iter()
            .map(|row| {
                let e = event_row(row)?;
                Ok(AuditEntry {
                    at: parse_ts(&e.at)?,
                    id: e.id,
                    seq: e.seq,
                    actor_kind: e.actor_kind,
                    actor_id: e.actor_id,
                    action: e.action,
                    entity: e.entity,
                    entity_id: e.entity_id,
                    fields: e.fields.split(',').filter(|f| !f.is_empty()).map(str::to_owned).collect(),
                    case_content: e.sensitivity == "case_content",
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(Page { items, page, per_page, total })
    }
}

fn event_row(row: &AnyRow) -> StoreResult<EventRow> {
    Ok(EventRow {
        id: row.try_get("id")?,
        chain: row.try_get("chain")?,
        seq: row.try_get("seq")?,
        at: row.try_get("at")?,
        actor_kind: row.try_get("actor_kind")?,
        actor_id: row.try_get("actor_id")?,
        action: row.try_get("action")?,
        entity: row.try_get("entity")?,
        entity_id: row.try_get("entity_id")?,
        fields: row.try_get("fields")?,
        sensitivity: row.try_get("sensitivity")?,
    })
}

impl Store {
    /// Who took one of `actions` on a record, and when, newest first: the "who viewed this" pages of concerns
    /// and cases. Each row is (who, when, which action). The caller has checked the actor may see it.
    pub(crate) async fn opened_by(
        &self,
        scope: &OrgScope,
        entity_id: uuid::Uuid,
        actions: &[&'static str],
    ) -> StoreResult<Vec<(String, OffsetDateTime, &'static str)>> {
        let placeholders: Vec<String> = (0..actions.len()).map(|n| format!("${}", n + 3)).collect();
        let text = format!(
            "SELECT COALESCE(a.display_name, e.actor_kind) AS who, e.at, e.action FROM audit_events e \
             LEFT JOIN accounts a ON a.id = e.actor_id WHERE e.chain = $1 AND e.entity_id = $2 \
             AND e.action IN ({}) ORDER BY e.seq DESC LIMIT 500",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(crate::db::sql(text)).bind(scope.org().to_string()).bind(entity_id.to_string());
        for action in actions {
            query = query.bind(*action);
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter()
            .map(|row| {
                let action: String = row.try_get("action")?;
                let action = actions.iter().find(|a| **a == action).copied().unwrap_or_default();
                Ok((row.try_get("who")?, row.time("at")?, action))
            })
            .collect()
    }
}
