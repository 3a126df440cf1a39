//! `vigil user`: creating and listing accounts.

use super::{flag, print, scope_for};
use anyhow::Result;
use clap::Subcommand;
use domain::roles::Role;
use domain::text::{Email, Name, NewPassword};
use std::io::BufRead;
use store::Store;
use store::accounts::NewAccount;

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create an account in an organisation with a role. With --password-stdin the password is read from
    /// standard input; otherwise a random one is printed.
    Create {
        #[arg(long)]
        org: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// admin, leader, board, safeguarding_lead, safeguarding_officer, staff, apprentice, employer,
        /// subcontractor or inspector.
        #[arg(long)]
        role: String,
        /// Last day of the role (YYYY-MM-DD or DD/MM/YYYY); required for inspectors.
        #[arg(long)]
        ends_on: Option<String>,
        #[arg(long)]
        password_stdin: bool,
    },
    /// List the accounts of an organisation.
    List {
        #[arg(long)]
        org: String,
        /// Print a JSON array.
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(store: &Store, command: UserCommand) -> Result<()> {
    match command {
        UserCommand::Create { org, email, name, role, ends_on, password_stdin } => {
            let scope = scope_for(store, &org).await?;
            let (password, shown) = if password_stdin {
                let mut line = String::new();
                std::io::stdin().lock().read_line(&mut line)?;
                (line.trim_end_matches(['\r', '\n']).to_owned(), None)
            } else {
                let generated = store::secrets::new_token()[..24].to_owned();
                (generated.clone(), Some(generated))
            };
            let new = NewAccount {
                email: Email::parse(&email).map_err(flag("email"))?,
                display_name: Name::parse(&name).map_err(flag("name"))?,
                password: NewPassword::parse(&password).map_err(flag("password"))?,
            };
            let role = Role::parse(&role).map_err(flag("role"))?;
            let ends_on = ends_on.map(|d| domain::text::parse_date(&d)).transpose().map_err(flag("ends-on"))?;
            let mut tx = store.write(&scope).await?;
            let account = tx.create_member(&new).await?;
            tx.grant_role(account, role, ends_on).await?;
            tx.commit().await?;
            let mut lines = vec![format!("created {} with role {}", new.email.as_str(), role.as_str())];
            lines.extend(shown.map(|p| format!("password: {p}")));
            print(&lines)
        }
        UserCommand::List { org, json } => {
            let scope = scope_for(store, &org).await?;
            let mut members = Vec::new();
            for page in 1.. {
                let batch = store.members_page(&scope, page, 500).await?;
                let last = batch.items.len() < 500;
                members.extend(batch.items);
                if last {
                    break;
                }
            }
            if json {
                let rows: Vec<_> = members
                    .iter()
                    .map(|m| {
                        serde_json::json!({
                            "account_id": m.account_id,
                            "email": m.email,
                            "name": m.display_name,
                            "roles": m.roles.iter().map(|r| r.role.as_str()).collect::<Vec<_>>(),
                            "disabled": m.disabled_at.is_some(),
                        })
                    })
                    .collect();
                return print(&[serde_json::to_string_pretty(&rows)?]);
            }
            print(
                &members
                    .iter()
                    .map(|m| {
                        let roles: Vec<_> = m.roles.iter().map(|r| r.role.as_str()).collect();
                        format!("{}\t{}\t{}", m.email, roles.join(","), m.display_name)
                    })
                    .collect::<Vec<_>>(),
            )
        }
    }
}
