//! Encryption at rest: a master key kept outside the database wraps one data key per organisation, and
//! values are sealed with AES-256-GCM under their organisation's newest data key. A sealed value reads
//! `<data key id>:<base64 of nonce and ciphertext>`, and the organisation's id is bound in as associated
//! data, so a value copied to another organisation does not open.

use crate::db::ts;
use crate::error::{StoreError, StoreResult};
use crate::scope::OrgScope;
use crate::{Store, WriteTx};
use aes_gcm::aead::{Aead, Generate, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use domain::OrgId;
use domain::audit::AuditEvent;
use sha2::{Digest, Sha256};
use sqlx::Row;
use std::path::Path;

const NONCE_LEN: usize = 12;

/// The master key: 32 random bytes. Its id is derived from it, so each value records which key it needs.
#[derive(Clone)]
pub struct MasterKey {
    key: Key<Aes256Gcm>,
    id: String,
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MasterKey({})", self.id)
    }
}

impl MasterKey {
    /// A new random key.
    #[must_use]
    pub fn generate() -> Self {
        Self::from_key(Key::<Aes256Gcm>::generate())
    }

    fn from_key(key: Key<Aes256Gcm>) -> Self {
        let id = hex::encode(&Sha256::digest(key.as_slice())[..8]);
        Self { key, id }
    }

    /// Reads a key written as base64 (as in `VIGIL_MASTER_KEY`).
    ///
    /// # Errors
    /// When the text is not base64 of exactly 32 bytes.
    pub fn from_base64(text: &str) -> StoreResult<Self> {
        let bytes = BASE64
            .decode(text.trim())
            .map_err(|_| StoreError::Other("the master key must be base64 of 32 random bytes".into()))?;
        let key = Key::<Aes256Gcm>::try_from(bytes.as_slice())
            .map_err(|_| StoreError::Other("the master key must be exactly 32 bytes".into()))?;
        Ok(Self::from_key(key))
    }

    #[must_use]
    pub fn to_base64(&self) -> String {
        BASE64.encode(self.key.as_slice())
    }

    #[must_use]
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Reads the key file, or creates it (readable by its owner only) if it does not exist.
    ///
    /// # Errors
    /// When the file cannot be read, written or parsed.
    pub fn load_or_create(path: &Path) -> StoreResult<Self> {
        let io = |e: std::io::Error| StoreError::Other(format!("master key file {}: {e}", path.display()));
        match std::fs::read_to_string(path) {
            Ok(text) => Self::from_base64(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = Self::generate();
                key.write(path).map_err(io)?;
                Ok(key)
            }
            Err(e) => Err(io(e)),
        }
    }

    /// Writes the key to a new file readable by its owner only; an existing file is never overwritten.
    ///
    /// # Errors
    /// When the file exists or cannot be written.
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
        file.write_all(self.to_base64().as_bytes())?;
        file.sync_all()
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new(&self.key)
    }

    /// Seals a small secret of the instance (not of one organisation, like an account's authenticator
    /// secret) under the master key itself, bound to `purpose` so that it cannot be moved to another row:
    /// `key id:base64`.
    pub(crate) fn seal_secret(&self, purpose: &str, plaintext: &[u8]) -> StoreResult<String> {
        Ok(format!("{}:{}", self.id, BASE64.encode(seal_with(&self.cipher(), purpose.as_bytes(), plaintext)?)))
    }

    /// Opens what [`MasterKey::seal_secret`] sealed for `purpose`.
    pub(crate) fn open_secret(&self, purpose: &str, sealed: &str) -> StoreResult<Vec<u8>> {
        let not_sealed = || StoreError::Other("not a value sealed with this master key".into());
        let (key_id, body) = sealed.split_once(':').ok_or_else(not_sealed)?;
        if key_id != self.id {
            return Err(not_sealed());
        }
        open_with(&self.cipher(), purpose.as_bytes(), &BASE64.decode(body).map_err(|_| not_sealed())?)
    }
}

fn seal_with(cipher: &Aes256Gcm, aad: &[u8], plaintext: &[u8]) -> StoreResult<Vec<u8>> {
    let nonce = Nonce::generate();
    let mut sealed = nonce.to_vec();
    sealed.extend(
        cipher
            .encrypt(&nonce, Payload { msg: plaintext, aad })
            .map_err(|_| StoreError::Other("encryption failed".into()))?,
    );
    Ok(sealed)
}

fn open_with(cipher: &Aes256Gcm, aad: &[u8], sealed: &[u8]) -> StoreResult<Vec<u8>> {
    if sealed.len() < NONCE_LEN {
        return Err(StoreError::Other("sealed value is too short".into()));
    }
    let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
    let nonce = Nonce::try_from(nonce).map_err(|_| StoreError::Other("bad nonce".into()))?;
    cipher
        .decrypt(&nonce, Payload { msg: ciphertext, aad })
        .map_err(|_| StoreError::Other("a sealed value did not open: wrong key, or it was altered".into()))
}

impl Store {
    /// The master key, or an error saying how to configure it.
    pub(crate) fn master(&self) -> StoreResult<&MasterKey> {
        self.master_key.as_deref().ok_or(StoreError::Other(
            "no master key: set VIGIL_MASTER_KEY (base64 of 32 random bytes), see docs/OPERATIONS.md".into(),
        ))
    }

    /// Unwraps a data key of an organisation.
    async fn data_key(&self, org: OrgId, key_id: &str) -> StoreResult<Aes256Gcm> {
        let row = sqlx::query("SELECT wrapped, master_key_id FROM data_keys WHERE id = $1 AND org_id = $2")
            .bind(key_id)
            .bind(org.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::Other("a sealed value names a data key that does not exist".into()))?;
        let master = self.master()?;
        if row.try_get::<String, _>("master_key_id")? != master.id {
            return Err(StoreError::Other("the data key was wrapped by another master key".into()));
        }
        let wrapped = BASE64
            .decode(row.try_get::<String, _>("wrapped")?)
            .map_err(|_| StoreError::Other("bad wrapped key".into()))?;
        let raw = open_with(&master.cipher(), org.to_string().as_bytes(), &wrapped)?;
        Aes256Gcm::new_from_slice(&raw).map_err(|_| StoreError::Other("bad data key".into()))
    }

    /// Opens a value sealed in the scope's organisation.
    ///
    /// # Errors
    /// When the key is missing or wrong, or the value was altered.
    pub async fn open_sealed(&self, scope: &OrgScope, sealed: &str) -> StoreResult<Vec<u8>> {
        let (key_id, body) = sealed.split_once(':').ok_or(StoreError::Other("not a sealed value".into()))?;
        let bytes = BASE64.decode(body).map_err(|_| StoreError::Other("not a sealed value".into()))?;
        let cipher = self.data_key(scope.org(), key_id).await?;
        open_with(&cipher, scope.org().to_string().as_bytes(), &bytes)
    }

    /// An opener for many sealed values of one organisation: each data key is unwrapped once, so opening
    /// a whole case costs one query per key rather than one per value.
    pub(crate) fn opener<'a>(&'a self, scope: &'a OrgScope) -> Opener<'a> {
        Opener { store: self, scope, keys: std::sync::Mutex::new(std::collections::HashMap::new()) }
    }

    /// Re-wraps every data key under a new master key, in one audited transaction; values sealed with the
    /// data keys are untouched and stay readable with the new master key. Answers how many keys moved.
    ///
    /// # Errors
    /// When a data key cannot be unwrapped with the current master key.
    pub async fn rewrap_data_keys(&self, new: &MasterKey) -> StoreResult<usize> {
        let old = self.master()?.clone();
        let mut tx = self.write_instance(crate::auth::operator()).await?;
        let rows = sqlx::query("SELECT id, org_id, wrapped FROM data_keys WHERE master_key_id = $1")
            .bind(old.id.as_str())
            .fetch_all(tx.conn())
            .await?;
        for row in &rows {
            let org: String = row.try_get("org_id")?;
            let wrapped = BASE64
                .decode(row.try_get::<String, _>("wrapped")?)
                .map_err(|_| StoreError::Other("bad wrapped key".into()))?;
            let raw = open_with(&old.cipher(), org.as_bytes(), &wrapped)?;
            let rewrapped = BASE64.encode(seal_with(&new.cipher(), org.as_bytes(), &raw)?);
            let id: String = row.try_get("id")?;
            sqlx::query("UPDATE data_keys SET wrapped = $2, master_key_id = $3 WHERE id = $1")
                .bind(id.as_str())
                .bind(rewrapped)
                .bind(new.id.as_str())
                .execute(tx.conn())
                .await?;
            let org_id: OrgId = org.parse().map_err(|_| StoreError::Other("bad organisation id".into()))?;
            tx.audit_in(Some(org_id), AuditEvent::new("data_key.rewrapped", "data_key", id.parse::<uuid::Uuid>().ok()));
        }
        crate::auth::reseal_second_factors(&mut tx, &old, new).await?;
        tx.audit_in(None, AuditEvent::new("master_key.rotated", "instance", None).fields(&["master_key_id"]));
        tx.commit().await?;
        Ok(rows.len())
    }
}

impl WriteTx<'_> {
    /// Seals bytes under the organisation's newest data key, creating its first key if it has none.
    ///
    /// # Errors
    /// When no master key is configured.
    pub async fn seal(&mut self, plaintext: &[u8]) -> StoreResult<String> {
        let org = self.org()?;
        let master = self.store().master()?.clone();
        let newest = sqlx::query(
            "SELECT id, wrapped FROM data_keys WHERE org_id = $1 AND master_key_id = $2 ORDER BY created_at DESC, id DESC LIMIT 1",
        )
        .bind(org.to_string())
        .bind(master.id.as_str())
        .fetch_optional(self.conn())
        .await?;
        let aad = org.to_string();
        let (key_id, cipher) = match newest {
            Some(row) => {
                let wrapped = BASE64
                    .decode(row.try_get::<String, _>("wrapped")?)
                    .map_err(|_| StoreError::Other("bad wrapped key".into()))?;
                let raw = open_with(&master.cipher(), aad.as_bytes(), &wrapped)?;
                (
                    row.try_get::<String, _>("id")?,
                    Aes256Gcm::new_from_slice(&raw).map_err(|_| StoreError::Other("bad data key".into()))?,
                )
            }
            None => {
                let raw = Key::<Aes256Gcm>::generate();
                let id = uuid::Uuid::now_v7();
                sqlx::query("INSERT INTO data_keys (id, org_id, wrapped, master_key_id, created_at) VALUES ($1, $2, $3, $4, $5)")
                    .bind(id.to_string())
                    .bind(aad.as_str())
                    .bind(BASE64.encode(seal_with(&master.cipher(), aad.as_bytes(), raw.as_slice())?))
                    .bind(master.id.as_str())
                    .bind(ts(self.store().now()))
                    .execute(self.conn())
                    .await?;
                self.audit(AuditEvent::new("data_key.created", "data_key", id));
                (id.to_string(), Aes256Gcm::new(&raw))
            }
        };
        Ok(format!("{key_id}:{}", BASE64.encode(seal_with(&cipher, aad.as_bytes(), plaintext)?)))
    }
}

/// Opens sealed values of one organisation, unwrapping each data key once (see [`Store::opener`]).
pub(crate) struct Opener<'a> {
    store: &'a Store,
    scope: &'a OrgScope,
    keys: std::sync::Mutex<std::collections::HashMap<String, Aes256Gcm>>,
}

impl Opener<'_> {
    /// The organisation whose values this opens.
    pub(crate) fn org(&self) -> domain::OrgId {
        self.scope.org()
    }

    /// Opens a sealed value that holds text.
    pub(crate) async fn text(&self, sealed: &str) -> StoreResult<String> {
        let (key_id, body) = sealed.split_once(':').ok_or(StoreError::Other("not a sealed value".into()))?;
        let bytes = BASE64.decode(body).map_err(|_| StoreError::Other("not a sealed value".into()))?;
        let known = self.keys.lock().map_err(|_| StoreError::Other("key cache poisoned".into()))?.get(key_id).cloned();
        let cipher = match known {
            Some(cipher) => cipher,
            None => {
                let cipher = self.store.data_key(self.scope.org(), key_id).await?;
                self.keys
                    .lock()
                    .map_err(|_| StoreError::Other("key cache poisoned".into()))?
                    .insert(key_id.to_owned(), cipher.clone());
                cipher
            }
        };
        let plain = open_with(&cipher, self.scope.org().to_string().as_bytes(), &bytes)?;
        String::from_utf8(plain).map_err(|_| StoreError::Other("a sealed value is not text".into()))
    }

    /// Opens a sealed value that may be absent.
    pub(crate) async fn optional(&self, sealed: Option<String>) -> StoreResult<Option<String>> {
        match sealed {
            Some(sealed) => Ok(Some(self.text(&sealed).await?)),
            None => Ok(None),
        }
    }
}
