//! `vigil keys`: rotating the master key.

use super::{DbArgs, print};
use anyhow::{Context, Result};
use clap::Subcommand;
use store::Store;
use store::keys::MasterKey;

#[derive(Subcommand)]
pub enum KeysCommand {
    /// Re-wrap every organisation's data key under a new master key: the one in VIGIL_NEW_MASTER_KEY, or a
    /// new random one. With the key file, the file is replaced and the old one kept beside it.
    Rotate,
}

/// Re-wraps the data keys under a new master key. The new key is saved (or printed) before the database
/// changes, so that it can never be lost after the data keys depend on it.
pub async fn run(store: &Store, db: &DbArgs, command: KeysCommand) -> Result<()> {
    let KeysCommand::Rotate = command;
    let new = match std::env::var("VIGIL_NEW_MASTER_KEY") {
        Ok(text) => MasterKey::from_base64(&text).context("VIGIL_NEW_MASTER_KEY")?,
        Err(_) => MasterKey::generate(),
    };
    let pending = db.data_dir.join("master.key.new");
    if db.uses_key_file() {
        let _ = std::fs::remove_file(&pending);
        new.write(&pending).with_context(|| format!("cannot write {}", pending.display()))?;
    }
    let moved = store.rewrap_data_keys(&new).await?;
    let mut lines = vec![format!("re-wrapped {moved} data keys under master key {}", new.id())];
    if db.uses_key_file() {
        let old = MasterKey::load_or_create(&db.key_file())?;
        std::fs::rename(db.key_file(), db.data_dir.join(format!("master.key.{}.retired", old.id())))?;
        std::fs::rename(&pending, db.key_file())?;
        lines.push(format!("the key file {} now holds the new key; back it up", db.key_file().display()));
    } else {
        lines.push("set VIGIL_MASTER_KEY on every server to the new key, then restart them:".into());
        lines.push(new.to_base64());
    }
    print(&lines)
}
