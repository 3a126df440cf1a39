//! Outgoing email. Mail is queued in the same transaction as the change that causes it, with a job that
//! delivers it (by SMTP, with retries), or keeps it in the outbox for a demonstration without a mail server.
//! Mail never carries case content: callers compose it from fixed texts and links.

use crate::db::RowExt;
use crate::db::ts;
use crate::error::{OptionalExt, StoreResult};
use crate::jobs::JobKind;
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

fn mail(row: &sqlx::any::AnyRow) -> StoreResult<Mail> {
    Ok(Mail {
        id: row.try_get("id")?,
        recipient: row.try_get("recipient")?,
        subject: row.try_get("subject")?,
        body: row.try_get("body")?,
        created_at: row.time("created_at")?,
    })
}

impl WriteTx<'_> {
    /// Queues an email to go out when the transaction commits.
    ///
    /// # Errors
    /// When the database cannot be written.
    pub async fn queue_mail(&mut self, recipient: &str, subject: &str, body: &str) -> StoreResult<()> {
        let id = MailId::new().to_string();
        let now = self.store().now();
        sqlx::query("INSERT INTO outbox (id, recipient, subject, body, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(id.as_str())
            .bind(recipient)
            .bind(subject)
            .bind(body)
            .bind(ts(now))
            .execute(self.conn())
            .await?;
        self.enqueue_job(JobKind::DeliverMail, &id, now).await
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
        rows.iter().map(mail).collect()
    }

    /// One email, by id.
    ///
    /// # Errors
    /// [`crate::StoreError::NotFound`] when there is no such email.
    pub async fn mail(&self, id: &str) -> StoreResult<Mail> {
        let row = sqlx::query("SELECT id, recipient, subject, body, created_at FROM outbox WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .found()?;
        mail(&row)
    }

    /// Records that an email was handed to the mail server, and empties its body: the links it carried
    /// (invitations, password resets) must not outlive the sending in the database.
    ///
    /// # Errors
    /// When the database cannot be written.
    pub async fn mark_mail_sent(&self, id: &str) -> StoreResult<()> {
        sqlx::query("UPDATE outbox SET sent_at = $2, body = '' WHERE id = $1")
            .bind(id)
            .bind(ts(self.now()))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Empties the body of an email that cannot be sent (no mail server, outside a demonstration): the
    /// pages that caused it show the person what it said instead.
    ///
    /// # Errors
    /// When the database cannot be written.
    pub async fn discard_unsendable_mail(&self, id: &str) -> StoreResult<()> {
        sqlx::query("UPDATE outbox SET body = '' WHERE id = $1 AND sent_at IS NULL")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
