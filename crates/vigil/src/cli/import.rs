//! `vigil import`: loading records from CSV.

use super::{print, scope_for};
use anyhow::{Context, Result};
use clap::Subcommand;
use std::path::PathBuf;
use std::process::ExitCode;
use store::Store;

#[derive(Subcommand)]
pub enum ImportCommand {
    /// Import people into the register: all of the file, or nothing if any row is wrong. People already in
    /// the register are matched by email (or ULN for apprentices) and updated.
    People {
        #[arg(long, required_unless_present = "template")]
        org: Option<String>,
        /// The CSV file, in the template's columns.
        #[arg(long, required_unless_present = "template")]
        file: Option<PathBuf>,
        /// Print the template's header and one example row, and stop.
        #[arg(long)]
        template: bool,
    },
}

async fn import_people(store: &Store, org: &str, file: &std::path::Path) -> Result<ExitCode> {
    let scope = scope_for(store, org).await?;
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {} as UTF-8 text", file.display()))?;
    let names = store.known_names(&scope).await?;
    let known = domain::people::Known {
        departments: &names.departments,
        sites: &names.sites,
        staff_emails: &names.staff_emails,
    };
    match domain::people::parse_import(&text, store.now().date(), &known) {
        Ok(people) => {
            let mut tx = store.write(&scope).await?;
            let summary = tx.import_people(&people).await?;
            tx.commit().await?;
            print(&[format!(
                "imported {} people: {} new, {} updated",
                people.len(),
                summary.created,
                summary.updated
            )])?;
            Ok(ExitCode::SUCCESS)
        }
        Err(problems) => {
            let mut lines = vec![format!("nothing imported: {} problems", problems.len())];
            lines.extend(problems.iter().map(|p| format!("row {}\t{}\t{}", p.row, p.column, p.message)));
            print(&lines)?;
            Ok(ExitCode::FAILURE)
        }
    }
}

pub async fn run(store: &Store, command: ImportCommand) -> Result<ExitCode> {
    let ImportCommand::People { org, file, template } = command;
    if template {
        return print(&[web::people_template().trim_end().to_owned()]).map(|()| ExitCode::SUCCESS);
    }
    let (Some(org), Some(file)) = (org, file) else { anyhow::bail!("--org and --file are required") };
    import_people(store, &org, &file).await
}
