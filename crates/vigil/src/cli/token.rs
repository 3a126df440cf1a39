//! `vigil token`: API tokens.

use super::{flag, print, scope_for};
use anyhow::{Context, Result};
use clap::Subcommand;
use domain::text::Email;
use store::Store;

#[derive(Subcommand)]
pub enum TokenCommand {
    /// Create an API token acting as a user; prints the token on the last line.
    Create {
        #[arg(long)]
        org: String,
        #[arg(long)]
        email: String,
        /// A label to recognise the token by.
        #[arg(long, default_value = "command line")]
        name: String,
    },
}

pub async fn run(store: &Store, command: TokenCommand) -> Result<()> {
    let TokenCommand::Create { org, email, name } = command;
    let scope = scope_for(store, &org).await?;
    let email = Email::parse(&email).map_err(flag("email"))?;
    let account = store
        .member_by_email(&scope, &email)
        .await?
        .with_context(|| format!("{} is not a member of {org}", email.as_str()))?;
    let mut tx = store.write(&scope).await?;
    let (_, token) = tx.create_api_token(account, &name).await?;
    tx.commit().await?;
    print(&["API token (shown once):".into(), token])?;
    Ok(())
}
