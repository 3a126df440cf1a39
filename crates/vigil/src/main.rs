//! `vigil`: the server and the operator's command line. Everything it changes is audited like the web.

mod cli;
mod demo;

use anyhow::Result;
use clap::{Parser, Subcommand};
use cli::{DbArgs, audit, import, jobs, keys, open, org, print, serve, token, user};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "vigil", version, about = "Run and prove the Prevent duty, as part of safeguarding")]
struct Cli {
    #[command(flatten)]
    db: DbArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (migrating the database first).
    Serve(serve::ServeArgs),
    /// Apply database migrations.
    Migrate,
    /// Load two demonstration organisations with a user for every role.
    Demo,
    /// Manage organisations.
    #[command(subcommand)]
    Org(org::OrgCommand),
    /// Manage user accounts.
    #[command(subcommand)]
    User(user::UserCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(token::TokenCommand),
    /// Check the audit log.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// See background jobs.
    #[command(subcommand)]
    Jobs(jobs::JobsCommand),
    /// Manage encryption keys.
    #[command(subcommand)]
    Keys(keys::KeysCommand),
    /// Import records from CSV.
    #[command(subcommand)]
    Import(import::ImportCommand),
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("VIGIL_LOG").unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(Cli::parse()).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<ExitCode> {
    let store = open(&cli.db).await?;
    match cli.command {
        Command::Serve(args) => serve::run(store, args).await?,
        Command::Migrate => print(&["migrations are up to date".into()])?,
        Command::Demo => print(&demo::load(&store).await?)?,
        Command::Org(command) => org::run(&store, command).await?,
        Command::User(command) => user::run(&store, command).await?,
        Command::Token(command) => token::run(&store, command).await?,
        Command::Audit(command) => return audit::run(&store, command).await,
        Command::Keys(command) => keys::run(&store, &cli.db, command).await?,
        Command::Import(command) => return import::run(&store, command).await,
        Command::Jobs(command) => jobs::run(&store, command).await?,
    }
    Ok(ExitCode::SUCCESS)
}
