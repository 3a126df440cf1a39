//! The operator's command line: one module per command, and what they share: finding the database,
//! printing, and naming a refused flag.

pub mod audit;
pub mod import;
pub mod jobs;
pub mod keys;
pub mod org;
pub mod serve;
pub mod token;
pub mod user;

use anyhow::{Context, Result};
use clap::Args;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use store::keys::MasterKey;
use store::{Store, SystemClock};

/// Every command finds its database the same way.
#[derive(Args)]
pub struct DbArgs {
    /// PostgreSQL URL (postgres://…). When unset, the embedded SQLite database in --data-dir is used.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    database_url: Option<String>,
    /// Folder for the embedded database, its master key file, and uploaded files by default.
    #[arg(long, env = "VIGIL_DATA_DIR", default_value = "./vigil-data", global = true)]
    data_dir: PathBuf,
    /// The master key (base64 of 32 random bytes). Required with PostgreSQL; with SQLite, a key file in
    /// the data folder is used (and created) when this is unset.
    #[arg(long, env = "VIGIL_MASTER_KEY", global = true, hide_env_values = true)]
    master_key: Option<String>,
    /// Where uploaded files are kept: a folder, or an `s3://bucket/prefix` or `az://container/prefix` URL
    /// (credentials from the usual AWS_* or AZURE_* variables). Default: the `files` folder in --data-dir.
    #[arg(long, env = "VIGIL_FILES", global = true)]
    files: Option<String>,
}

impl DbArgs {
    fn key_file(&self) -> PathBuf {
        self.data_dir.join("master.key")
    }

    fn uses_key_file(&self) -> bool {
        self.database_url.is_none() && self.master_key.is_none()
    }
}

/// Creates the data folder readable by its owner only (0700), and the database file in it (0600) before
/// SQLite opens it: SQLite gives its journal files the database file's mode. A folder or file made by an
/// earlier version is narrowed to the same. Answers the database file's path.
fn private_data_folder(folder: &std::path::Path) -> std::io::Result<PathBuf> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(folder)?;
    std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o700))?;
    let database = folder.join("vigil.db");
    std::fs::OpenOptions::new().create(true).append(true).mode(0o600).open(&database)?;
    std::fs::set_permissions(&database, std::fs::Permissions::from_mode(0o600))?;
    Ok(database)
}

pub async fn open(db: &DbArgs) -> Result<Store> {
    let url = match &db.database_url {
        Some(url) => url.clone(),
        None => {
            let database = private_data_folder(&db.data_dir)
                .with_context(|| format!("cannot create data folder {}", db.data_dir.display()))?;
            format!("sqlite://{}?mode=rwc", database.display())
        }
    };
    let mut store = Store::connect(&url, Arc::new(SystemClock)).await.context("cannot open the database")?;
    if let Some(key) = &db.master_key {
        store = store.with_master_key(MasterKey::from_base64(key).context("VIGIL_MASTER_KEY")?);
    } else if db.uses_key_file() {
        store = store.with_master_key(MasterKey::load_or_create(&db.key_file())?);
    }
    store.migrate().await.context("cannot migrate the database")?;
    let files = db.files.clone().unwrap_or_else(|| db.data_dir.join("files").display().to_string());
    Ok(store.with_objects(store::files::open_objects(&files)?))
}

/// Writes lines to standard output, treating a closed pipe (`vigil org list | head`) as success.
pub fn print(lines: &[String]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    for line in lines {
        match writeln!(out, "{line}") {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
            other => other?,
        }
    }
    Ok(())
}

/// Names the flag whose value was refused.
pub fn flag(name: &'static str) -> impl Fn(domain::text::Invalid) -> anyhow::Error {
    move |e| anyhow::anyhow!("--{name}: {e}")
}

pub async fn scope_for(store: &Store, slug: &str) -> Result<store::OrgScope> {
    store.operator_scope(slug).await.with_context(|| format!("no organisation with slug {slug}"))
}
