//! Files attached to a concern by the person who raised it, or to a case by the safeguarding team. The
//! bytes are encrypted by the file service; the name the person gave the file (which may name someone) is
//! sealed here, and the file service keeps only a neutral one. A reporter adds files but never reads them
//! back; the team reads them through the case, each read audited.

use crate::cases::Reach;
use crate::db::RowExt;
use crate::db::ts;
use crate::error::{OptionalExt, StoreError, StoreResult};
use crate::keys::Opener;
use crate::scope::OrgScope;
use crate::{Store, WriteTx};
use domain::audit::AuditEvent;
use domain::{CaseId, ConcernId};
use sqlx::Row;
use time::OffsetDateTime;

/// An attachment as the case lists it.
#[derive(Debug, Clone)]
pub struct Attachment {
    pub id: String,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub added_at: OffsetDateTime,
}

/// The neutral name the file service keeps: only the extension, which decides how the file is checked.
fn neutral_name(name: &str) -> String {
    let extension = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    format!("attachment.{extension}")
}

/// What a file is added to.
#[derive(Debug, Clone, Copy)]
pub enum AttachTo {
    /// A concern, by the person who raised it.
    Concern(ConcernId),
    /// A case, by someone who works on it.
    Case(CaseId),
}

impl WriteTx<'_> {
    /// Adds a file to a concern or a case (see [`WriteTx::attach_to_concern`], [`WriteTx::attach_to_case`]).
    ///
    /// # Errors
    /// As those.
    pub async fn attach_file(&mut self, to: AttachTo, name: &str, bytes: &[u8]) -> StoreResult<()> {
        match to {
            AttachTo::Concern(concern) => self.attach_to_concern(concern, name, bytes).await,
            AttachTo::Case(case) => self.attach_to_case(case, name, bytes).await,
        }
    }

    /// The person who raised a concern adds a file to it, while it is open.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for a concern the actor did not raise or that is closed; `Conflict` on
    /// `file` for a file refused by the file service.
    pub async fn attach_to_concern(&mut self, concern: ConcernId, name: &str, bytes: &[u8]) -> StoreResult<()> {
        let account = self.actor().account.ok_or(StoreError::NotFound)?;
        let raised: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM concerns WHERE org_id = $1 AND id = $2 AND reporter_id = $3 AND status <> 'closed'",
        )
        .bind(self.org()?.to_string())
        .bind(concern.to_string())
        .bind(account.to_string())
        .fetch_one(self.conn())
        .await?;
        if raised == 0 {
            return Err(StoreError::NotFound);
        }
        self.attach(concern, None, name, bytes).await?;
        self.audit(AuditEvent::new("concern.file_attached", "concern", concern.0).fields(&["file"]).case_content());
        Ok(())
    }

    /// The team adds a file to a case, closed or not (a letter can arrive after closure).
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the actor cannot work on the case; `Conflict` on `file` for a file
    /// refused by the file service.
    pub async fn attach_to_case(&mut self, case: CaseId, name: &str, bytes: &[u8]) -> StoreResult<()> {
        let concern = self.case_concern(case, Reach::Work).await?;
        self.attach(concern, Some(case), name, bytes).await?;
        self.audit(AuditEvent::new("case.file_attached", "case", case.0).fields(&["file"]).case_content());
        Ok(())
    }

    async fn attach(&mut self, concern: ConcernId, case: Option<CaseId>, name: &str, bytes: &[u8]) -> StoreResult<()> {
        let file = self.store_file(&neutral_name(name), bytes, true).await?;
        let sealed = self.seal(domain::files::clean_filename(name).as_bytes()).await?;
        sqlx::query(
            "INSERT INTO case_attachments (id, concern_id, case_id, file_id, name_sealed, added_by, added_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(concern.to_string())
        .bind(case.map(|c| c.to_string()))
        .bind(file.id)
        .bind(sealed)
        .bind(self.actor().account.map(|a| a.to_string()))
        .bind(ts(self.store().now()))
        .execute(self.conn())
        .await?;
        Ok(())
    }
}

/// The files of case `$2`: those added to it, and those added to the concern it was opened from; `$3` names
/// one of them, or is empty for all.
const FILES_OF_CASE: &str = "SELECT t.id, t.file_id, t.name_sealed, t.added_at, f.content_type, f.size \
     FROM case_attachments t JOIN files f ON f.id = t.file_id JOIN cases c ON c.concern_id = t.concern_id \
     WHERE c.org_id = $1 AND c.id = $2 AND (t.case_id IS NULL OR t.case_id = c.id) AND ($3 = '' OR t.id = $3) \
     ORDER BY t.added_at, t.id";

impl Store {
    /// The files of a case, with the file service's id of each. The caller has checked the actor reaches
    /// the case.
    pub(crate) async fn attachments(
        &self,
        open: &Opener<'_>,
        case: CaseId,
        only: &str,
    ) -> StoreResult<Vec<(Attachment, String)>> {
        let rows = sqlx::query(FILES_OF_CASE)
            .bind(open.org().to_string())
            .bind(case.to_string())
            .bind(only)
            .fetch_all(&self.pool)
            .await?;
        let mut attachments = Vec::with_capacity(rows.len());
        for row in rows {
            let attachment = Attachment {
                id: row.try_get("id")?,
                name: open.text(&row.try_get::<String, _>("name_sealed")?).await?,
                content_type: row.try_get("content_type")?,
                size: row.try_get("size")?,
                added_at: row.time("added_at")?,
            };
            attachments.push((attachment, row.try_get("file_id")?));
        }
        Ok(attachments)
    }

    /// One file of a case, with its bytes, for whoever reaches the case; the read is audited.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the actor does not reach the case or the file is not one of its files.
    pub async fn open_attachment(
        &self,
        scope: &OrgScope,
        case: CaseId,
        id: &str,
    ) -> StoreResult<(Attachment, Vec<u8>)> {
        self.case_reach(scope, case).await?;
        let open = self.opener(scope);
        let (attachment, file_id) = self.attachments(&open, case, id).await?.into_iter().next().found()?;
        self.record_read(scope, AuditEvent::new("case.file_viewed", "case", case.0).fields(&["file"]).case_content())
            .await?;
        let (_, bytes) = self.file_bytes(scope, &file_id, None).await?;
        Ok((attachment, bytes))
    }
}
