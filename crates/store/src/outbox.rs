//! Outgoing email. Mail is queued in the same transaction as the change that causes it, then sent by the
//! server's mail sender (SMTP), or kept in the outbox for a demonstration without a mail server.
//! Mail never carries case content: callers compose it from fixed texts and links.

use crate::db::{parse_ts, ts};
use crate::error::StoreResult;
use crate::{Store, WriteTx};
use domain::MailId;
use sqlx::Row;
use time::OffsetDateTime;

/// One email.
#[derive(Debug, Clone)]
pub struct Mail {
    pub id: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub created_at: OffsetDateTime,
}

impl WriteTx<'_> {
    /// Queues an email to go out when the transaction commits.
    ///
    /// # Errors
    /// When the database cannot be written.
    pub async fn queue_mail(&mut self, recipient: &str, subject: &str, body: &str) -> StoreResult<()> {
        sqlx::query("INSERT INTO outbox (id, recipient, subject, body, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(MailId::new().to_string())
            .bind(recipient)
            .bind(subject)
            .bind(body)
            .bind(ts(self.store().now()))
            .execute(self.conn())
            .await?;
        Ok(())
    }
}

impl Store {
    /// The newest emails, for the demonstration outbox page.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn outbox(&self, limit: i64) -> StoreResult<Vec<Mail>> {
        let rows = sqlx::query(
            "SELECT id, recipient, subject, body, created_at FROM outbox ORDER BY created_at DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Mail {
                    id: row.try_get("id")?,
                    recipient: row.try_get("recipient")?,
                    subject: row.try_get("subject")?,
                    body: row.try_get("body")?,
                    created_at: parse_ts(&row.try_get::<String, _>("created_at")?)?,
                })
            })
            .collect()
    }

    /// Claims one unsent email for sending, so that with several servers each email goes once.
    ///
    /// # Errors
    /// When the database cannot be used.
    pub async fn claim_unsent_mail(&self) -> StoreResult<Option<Mail>> {
        let Some(mail) = self.oldest_unsent().await? else {
            return Ok(None);
        };
        let claimed = sqlx::query("UPDATE outbox SET sent_at = $2 WHERE id = $1 AND sent_at IS NULL")
            .bind(mail.id.as_str())
            .bind(ts(self.now()))
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok((claimed == 1).then_some(mail))
    }

    async fn oldest_unsent(&self) -> StoreResult<Option<Mail>> {
        let row = sqlx::query(
            "SELECT id, recipient, subject, body, created_at FROM outbox WHERE sent_at IS NULL ORDER BY created_at LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(Mail {
                id: row.try_get("id")?,
                recipient: row.try_get("recipient")?,
                subject: row.try_get("subject")?,
                body: row.try_get("body")?,
                created_at: parse_ts(&row.try_get::<String, _>("created_at")?)?,
            })
        })
        .transpose()
    }
}
