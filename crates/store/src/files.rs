//! The one file service: every attachment in the product is checked by content, hashed, optionally
//! encrypted, and stored through `object_store` (a local folder, S3 or Azure Blob). The database keeps the
//! metadata; the user's filename is metadata only and never part of a storage path.

use crate::db::RowExt;
use crate::db::ts;
use crate::error::{OptionalExt, StoreError, StoreResult};
use crate::scope::OrgScope;
use crate::{Store, WriteTx};
use domain::audit::AuditEvent;
use domain::files::{check_upload, clean_filename};
use object_store::path::Path as StoragePath;
use object_store::{ObjectStore, ObjectStoreExt};
use sha2::{Digest, Sha256};
use sqlx::Row;
use std::sync::Arc;
use time::OffsetDateTime;

/// Where file bytes are kept.
pub type Objects = Arc<dyn ObjectStore>;

/// Opens the object store named by a URL (`s3://bucket/prefix`, `az://container/prefix`, with credentials
/// from the usual environment variables), or a local folder.
///
/// # Errors
/// When the URL or folder cannot be used.
pub fn open_objects(location: &str) -> StoreResult<Objects> {
    let bad = |e: object_store::Error| StoreError::Other(format!("file storage {location}: {e}"));
    if location.contains("://") {
        let url = url::Url::parse(location).map_err(|e| StoreError::Other(format!("file storage URL: {e}")))?;
        let (objects, prefix) = object_store::parse_url_opts(&url, std::env::vars()).map_err(bad)?;
        return Ok(Arc::new(object_store::prefix::PrefixStore::new(objects, prefix)));
    }
    // Readable by the server's user only: files are encrypted, but their names and sizes are nobody else's.
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(location)
            .map_err(|e| StoreError::Other(format!("file storage {location}: {e}")))?;
    }
    Ok(Arc::new(object_store::local::LocalFileSystem::new_with_prefix(location).map_err(bad)?))
}

/// A file as stored.
#[derive(Debug, Clone)]
pub struct StoredFile {
    pub id: String,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub encrypted: bool,
    pub created_at: OffsetDateTime,
}

impl WriteTx<'_> {
    /// Checks and stores an upload. Confidential files are encrypted before they leave the server.
    /// The bytes are written before the transaction commits; if it then fails, the object is left
    /// unreferenced, never a record without its bytes.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] on the `file` field for an empty, oversized or refused type.
    pub async fn store_file(&mut self, filename: &str, bytes: &[u8], confidential: bool) -> StoreResult<StoredFile> {
        let content_type =
            check_upload(bytes, filename).map_err(|e| StoreError::Invalid { field: "file", message: e.0 })?;
        let objects = self.store().objects()?;
        let org = self.org()?;
        let id = uuid::Uuid::now_v7().to_string();
        let sha256 = hex::encode(Sha256::digest(bytes));
        let (stored, key_id) = if confidential {
            let sealed = self.seal(bytes).await?;
            let key_id = sealed.split(':').next().map(str::to_owned);
            (sealed.into_bytes(), key_id)
        } else {
            (bytes.to_vec(), None)
        };
        let storage_key = format!("orgs/{org}/files/{id}");
        objects
            .put(&StoragePath::from(storage_key.as_str()), stored.into())
            .await
            .map_err(|e| StoreError::Other(format!("storing a file failed: {e}")))?;
        let filename = clean_filename(filename);
        let now = self.store().now();
        let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
        sqlx::query(
            "INSERT INTO files (id, org_id, uploaded_by, filename, content_type, size, sha256, storage_key, key_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(id.as_str())
        .bind(org.to_string())
        .bind(self.actor().account.map(|a| a.to_string()))
        .bind(filename.as_str())
        .bind(content_type)
        .bind(size)
        .bind(sha256.as_str())
        .bind(storage_key.as_str())
        .bind(key_id.as_deref())
        .bind(ts(now))
        .execute(self.conn())
        .await?;
        self.audit(AuditEvent::new("file.stored", "file", id.parse::<uuid::Uuid>().ok()).fields(&[
            "filename",
            "content_type",
            "size",
            "sha256",
        ]));
        Ok(StoredFile {
            id,
            filename,
            content_type: content_type.into(),
            size,
            sha256,
            encrypted: confidential,
            created_at: now,
        })
    }
}

impl Store {
    pub(crate) fn objects(&self) -> StoreResult<Objects> {
        self.objects.clone().ok_or(StoreError::Other("file storage is not configured".into()))
    }

    /// A file the actor uploaded, with its bytes (decrypted if they were encrypted). Until the capabilities
    /// that own attachments define who else may read them, only the uploader can.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for another person's or organisation's file.
    pub async fn read_file(&self, scope: &OrgScope, id: &str) -> StoreResult<(StoredFile, Vec<u8>)> {
        let account = scope.actor().account.ok_or(StoreError::NotFound)?;
        self.file_bytes(scope, id, Some(account)).await
    }

    /// A file's record and bytes, checked against its hash; only the uploader's when `uploader` is given.
    /// Callers that let others read a file check who may first, and audit the read.
    pub(crate) async fn file_bytes(
        &self,
        scope: &OrgScope,
        id: &str,
        uploader: Option<domain::AccountId>,
    ) -> StoreResult<(StoredFile, Vec<u8>)> {
        let row = sqlx::query(
            "SELECT id, filename, content_type, size, sha256, storage_key, key_id, created_at FROM files \
             WHERE org_id = $1 AND id = $2 AND ($3 = '' OR uploaded_by = $3)",
        )
        .bind(scope.org().to_string())
        .bind(id)
        .bind(uploader.map(|a| a.to_string()).unwrap_or_default())
        .fetch_optional(&self.pool)
        .await?
        .found()?;
        let key_id: Option<String> = row.try_get("key_id")?;
        let storage_key: String = row.try_get("storage_key")?;
        let stored = self
            .objects()?
            .get(&StoragePath::from(storage_key.as_str()))
            .await
            .map_err(|e| StoreError::Other(format!("reading a file failed: {e}")))?
            .bytes()
            .await
            .map_err(|e| StoreError::Other(format!("reading a file failed: {e}")))?;
        let bytes = match &key_id {
            Some(_) => {
                let sealed =
                    String::from_utf8(stored.to_vec()).map_err(|_| StoreError::Other("bad sealed file".into()))?;
                self.open_sealed(scope, &sealed).await?
            }
            None => stored.to_vec(),
        };
        let file = StoredFile {
            id: row.try_get("id")?,
            filename: row.try_get("filename")?,
            content_type: row.try_get("content_type")?,
            size: row.try_get("size")?,
            sha256: row.try_get("sha256")?,
            encrypted: key_id.is_some(),
            created_at: row.time("created_at")?,
        };
        if hex::encode(Sha256::digest(&bytes)) != file.sha256 {
            return Err(StoreError::Other("a stored file does not match its recorded hash".into()));
        }
        Ok((file, bytes))
    }
}
