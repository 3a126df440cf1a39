//! `vigil jobs`: the background jobs.

use super::print;
use anyhow::Result;
use clap::Subcommand;
use store::Store;

#[derive(Subcommand)]
pub enum JobsCommand {
    /// List the jobs that are queued, running or failed.
    List {
        /// Print a JSON array.
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(store: &Store, command: JobsCommand) -> Result<()> {
    let JobsCommand::List { json } = command;
    let jobs = store.open_jobs().await?;
    if json {
        print(&[serde_json::to_string_pretty(&jobs)?])?;
    } else if jobs.is_empty() {
        print(&["no jobs are queued, running or failed".into()])?;
    } else {
        print(
            &jobs
                .iter()
                .map(|j| {
                    let error = j.last_error.as_deref().unwrap_or("");
                    let run_at = j.run_at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
                    format!("{}\t{}\t{run_at}\tattempts {}\t{}\t{error}", j.state, j.kind, j.attempts, j.id)
                })
                .collect::<Vec<_>>(),
        )?;
    }
    Ok(())
}
