//! `vigil audit`: checking the hash chains.

use super::print;
use anyhow::{Context, Result};
use clap::Subcommand;
use std::process::ExitCode;
use store::Store;

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Verify the hash chains; exits non-zero and names the first bad event if any chain is broken.
    Verify {
        /// Only this organisation's chain.
        #[arg(long)]
        org: Option<String>,
    },
}

pub async fn run(store: &Store, command: AuditCommand) -> Result<ExitCode> {
    let AuditCommand::Verify { org } = command;
    let chains = match org {
        Some(slug) => {
            vec![store.chain_for_slug(&slug).await?.with_context(|| format!("no organisation with slug {slug}"))?]
        }
        None => store.audit_chains().await?,
    };
    let mut intact = true;
    for chain in &chains {
        match store.verify_chain(chain).await? {
            None => print(&[format!("ok\t{chain}")])?,
            Some(found) => {
                intact = false;
                print(&[format!("BROKEN\t{found}")])?;
            }
        }
    }
    Ok(if intact { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
