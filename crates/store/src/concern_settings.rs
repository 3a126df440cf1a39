//! How an organisation has set up concerns (categories offered, time to acknowledge), and the drafts of
//! concerns being written.

use crate::db::RowExt;
use crate::db::ts;
use crate::error::{StoreError, StoreResult};
use crate::scope::OrgScope;
use crate::{Store, WriteTx};
use domain::audit::AuditEvent;
use domain::concerns::ConcernSettings;
use sqlx::Row;
use time::OffsetDateTime;

/// How long a draft is kept after it was last saved.
pub const DRAFT_KEPT: time::Duration = time::Duration::days(7);

impl Store {
    /// The organisation's concern settings, or the defaults until they are set.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn concern_settings(&self, scope: &OrgScope) -> StoreResult<ConcernSettings> {
        let row = sqlx::query(
            "SELECT acknowledge_within_hours, danger_escalates_after_minutes, hidden_categories FROM concern_settings \
             WHERE org_id = $1",
        )
        .bind(scope.org().to_string())
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(ConcernSettings::default()) };
        let hours: i64 = row.try_get("acknowledge_within_hours")?;
        let minutes: i64 = row.try_get("danger_escalates_after_minutes")?;
        let hidden: String = row.try_get("hidden_categories")?;
        Ok(ConcernSettings {
            acknowledge_within_hours: u8::try_from(hours).map_err(|_| StoreError::Other("bad hours".into()))?,
            danger_escalates_after_minutes: u8::try_from(minutes)
                .map_err(|_| StoreError::Other("bad minutes".into()))?,
            hidden_categories: hidden.split(',').filter(|c| !c.is_empty()).map(str::to_owned).collect(),
        })
    }

    /// The actor's draft concern, unsealed, with when it was saved; `None` when there is none or it is older
    /// than [`DRAFT_KEPT`].
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn concern_draft(&self, scope: &OrgScope) -> StoreResult<Option<(String, OffsetDateTime)>> {
        let Some(account) = scope.actor().account else { return Ok(None) };
        let row =
            sqlx::query("SELECT answers_sealed, updated_at FROM concern_drafts WHERE org_id = $1 AND account_id = $2")
                .bind(scope.org().to_string())
                .bind(account.to_string())
                .fetch_optional(&self.pool)
                .await?;
        let Some(row) = row else { return Ok(None) };
        let saved = row.time("updated_at")?;
        if saved < self.now() - DRAFT_KEPT {
            return Ok(None);
        }
        let answers = self.open_sealed(scope, &row.try_get::<String, _>("answers_sealed")?).await?;
        let answers = String::from_utf8(answers).map_err(|_| StoreError::Other("a draft is not text".into()))?;
        Ok(Some((answers, saved)))
    }
}

impl WriteTx<'_> {
    /// Records the organisation's concern settings.
    ///
    /// # Errors
    /// When the database cannot be written.
    pub async fn record_concern_settings(&mut self, settings: &ConcernSettings) -> StoreResult<()> {
        let org = self.org()?.to_string();
        sqlx::query("DELETE FROM concern_settings WHERE org_id = $1").bind(org.as_str()).execute(self.conn()).await?;
        sqlx::query(
            "INSERT INTO concern_settings (org_id, acknowledge_within_hours, danger_escalates_after_minutes, \
             hidden_categories, updated_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(org.as_str())
        .bind(i64::from(settings.acknowledge_within_hours))
        .bind(i64::from(settings.danger_escalates_after_minutes))
        .bind(settings.hidden_categories.join(","))
        .bind(ts(self.store().now()))
        .execute(self.conn())
        .await?;
        let org = self.org()?;
        self.audit(AuditEvent::new("concern_settings.recorded", "organisation", org.0).fields(&[
            "acknowledge_within_hours",
            "danger_escalates_after_minutes",
            "hidden_categories",
        ]));
        Ok(())
    }

    /// Saves the actor's draft concern (the answers as typed, sealed), replacing any earlier draft.
    ///
    /// # Errors
    /// When the database cannot be written.
    pub async fn save_concern_draft(&mut self, answers: &str) -> StoreResult<()> {
        let account = self.actor().account.ok_or(StoreError::NotFound)?;
        let sealed = self.seal(answers.as_bytes()).await?;
        self.discard_concern_draft().await?;
        sqlx::query(
            "INSERT INTO concern_drafts (org_id, account_id, answers_sealed, updated_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(self.org()?.to_string())
        .bind(account.to_string())
        .bind(sealed)
        .bind(ts(self.store().now()))
        .execute(self.conn())
        .await?;
        self.audit(AuditEvent::new("concern.draft_saved", "account", account.0).fields(&["answers"]));
        Ok(())
    }

    /// Removes the actor's draft, once the concern is raised.
    ///
    /// # Errors
    /// When the database cannot be written.
    pub async fn discard_concern_draft(&mut self) -> StoreResult<()> {
        let Some(account) = self.actor().account else { return Ok(()) };
        sqlx::query("DELETE FROM concern_drafts WHERE org_id = $1 AND account_id = $2")
            .bind(self.org()?.to_string())
            .bind(account.to_string())
            .execute(self.conn())
            .await?;
        Ok(())
    }
}
