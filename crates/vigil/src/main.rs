//! `vigil`: the server and the operator's command line. Everything it changes is audited like the web.

mod demo;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use domain::org::{Nation, ProviderType, Slug, Ukprn};
use domain::roles::Role;
use domain::text::{Email, Name, NewPassword};
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use store::accounts::NewAccount;
use store::keys::MasterKey;
use store::orgs::NewOrganisation;
use store::{Store, SystemClock};

#[derive(Parser)]
#[command(name = "vigil", version, about = "Run and prove the Prevent duty, as part of safeguarding")]
struct Cli {
    #[command(flatten)]
    db: DbArgs,
    #[command(subcommand)]
    command: Command,
}

/// Every command finds its database the same way.
#[derive(Args)]
struct DbArgs {
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

#[derive(Subcommand)]
enum Command {
    /// Run the web server (migrating the database first).
    Serve(ServeArgs),
    /// Apply database migrations.
    Migrate,
    /// Load two demonstration organisations with a user for every role.
    Demo,
    /// Manage organisations.
    #[command(subcommand)]
    Org(OrgCommand),
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Check the audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// See background jobs.
    #[command(subcommand)]
    Jobs(JobsCommand),
    /// Manage encryption keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Import records from CSV.
    #[command(subcommand)]
    Import(ImportCommand),
}

#[derive(Subcommand)]
enum ImportCommand {
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

#[derive(Subcommand)]
enum KeysCommand {
    /// Re-wrap every organisation's data key under a new master key: the one in VIGIL_NEW_MASTER_KEY, or a
    /// new random one. With the key file, the file is replaced and the old one kept beside it.
    Rotate,
}

#[derive(Subcommand)]
enum JobsCommand {
    /// List the jobs that are queued, running or failed.
    List {
        /// Print a JSON array.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args)]
struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "VIGIL_LISTEN", default_value = "127.0.0.1:8080")]
    listen: String,
    /// The address people use to reach Vigil, for links in emails. Defaults to http://<listen>.
    #[arg(long, env = "VIGIL_PUBLIC_URL")]
    public_url: Option<String>,
    /// SMTP server for outgoing mail, like smtps://user:password@mail.example.org. Without it, mail stays
    /// in the outbox.
    #[arg(long, env = "VIGIL_SMTP_URL", hide_env_values = true)]
    smtp_url: Option<String>,
    /// Sender address for outgoing mail.
    #[arg(long, env = "VIGIL_MAIL_FROM", default_value = "vigil@localhost")]
    mail_from: String,
    /// Demonstration mode: shows the outbox at /outbox. Never use with real data.
    #[arg(long, env = "VIGIL_DEMO")]
    demo: bool,
}

#[derive(Subcommand)]
enum OrgCommand {
    /// Create an organisation; prints its slug on the last line.
    Create {
        #[arg(long)]
        name: String,
        /// UK provider reference number: 8 digits starting with 1.
        #[arg(long)]
        ukprn: String,
        #[arg(long, value_parser = ["england", "wales"])]
        nation: String,
        /// independent_training_provider, employer_provider, fe_college or other.
        #[arg(long, default_value = "independent_training_provider")]
        provider_type: String,
        /// Short name for the command line; derived from the name when absent.
        #[arg(long)]
        slug: Option<String>,
    },
    /// List organisations.
    List {
        /// Print a JSON array.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum UserCommand {
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

#[derive(Subcommand)]
enum TokenCommand {
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

#[derive(Subcommand)]
enum AuditCommand {
    /// Verify the hash chains; exits non-zero and names the first bad event if any chain is broken.
    Verify {
        /// Only this organisation's chain.
        #[arg(long)]
        org: Option<String>,
    },
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

async fn open(db: &DbArgs) -> Result<Store> {
    let url = match &db.database_url {
        Some(url) => url.clone(),
        None => {
            std::fs::create_dir_all(&db.data_dir)
                .with_context(|| format!("cannot create data folder {}", db.data_dir.display()))?;
            format!("sqlite://{}?mode=rwc", db.data_dir.join("vigil.db").display())
        }
    };
    let mut store = Store::connect(&url, Arc::new(SystemClock)).await.context("cannot open the database")?;
    store.migrate().await.context("cannot migrate the database")?;
    if let Some(key) = &db.master_key {
        store = store.with_master_key(MasterKey::from_base64(key).context("VIGIL_MASTER_KEY")?);
    } else if db.uses_key_file() {
        store = store.with_master_key(MasterKey::load_or_create(&db.key_file())?);
    }
    let files = db.files.clone().unwrap_or_else(|| db.data_dir.join("files").display().to_string());
    Ok(store.with_objects(store::files::open_objects(&files)?))
}

/// Writes lines to standard output, treating a closed pipe (`vigil org list | head`) as success.
fn print(lines: &[String]) -> Result<()> {
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
fn flag(name: &'static str) -> impl Fn(domain::text::Invalid) -> anyhow::Error {
    move |e| anyhow::anyhow!("--{name}: {e}")
}

async fn scope_for(store: &Store, slug: &str) -> Result<store::OrgScope> {
    store.operator_scope(slug).await.with_context(|| format!("no organisation with slug {slug}"))
}

async fn run(cli: Cli) -> Result<ExitCode> {
    let store = open(&cli.db).await?;
    match cli.command {
        Command::Serve(args) => serve(store, args).await?,
        Command::Migrate => print(&["migrations are up to date".into()])?,
        Command::Demo => print(&demo::load(&store).await?)?,
        Command::Org(command) => org(&store, command).await?,
        Command::User(command) => user(&store, command).await?,
        Command::Token(TokenCommand::Create { org, email, name }) => {
            let scope = scope_for(&store, &org).await?;
            let email = Email::parse(&email).map_err(flag("email"))?;
            let account = store
                .member_by_email(&scope, &email)
                .await?
                .with_context(|| format!("{} is not a member of {org}", email.as_str()))?;
            let mut tx = store.write(&scope).await?;
            let (_, token) = tx.create_api_token(account, &name).await?;
            tx.commit().await?;
            print(&["API token (shown once):".into(), token])?;
        }
        Command::Audit(AuditCommand::Verify { org }) => return verify(&store, org).await,
        Command::Keys(KeysCommand::Rotate) => rotate_keys(&store, &cli.db).await?,
        Command::Import(ImportCommand::People { org, file, template }) => {
            if template {
                return print(&[web::people_template().trim_end().to_owned()]).map(|()| ExitCode::SUCCESS);
            }
            let (Some(org), Some(file)) = (org, file) else { anyhow::bail!("--org and --file are required") };
            return import_people(&store, &org, &file).await;
        }
        Command::Jobs(JobsCommand::List { json }) => {
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
                            let run_at =
                                j.run_at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
                            format!("{}\t{}\t{run_at}\tattempts {}\t{}\t{error}", j.state, j.kind, j.attempts, j.id)
                        })
                        .collect::<Vec<_>>(),
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn org(store: &Store, command: OrgCommand) -> Result<()> {
    match command {
        OrgCommand::Create { name, ukprn, nation, provider_type, slug } => {
            let new = NewOrganisation {
                name: Name::parse(&name).map_err(flag("name"))?,
                ukprn: Ukprn::parse(&ukprn).map_err(flag("ukprn"))?,
                nation: Nation::parse(&nation).map_err(flag("nation"))?,
                provider_type: ProviderType::parse(&provider_type).map_err(flag("provider-type"))?,
                slug: slug.map(|s| Slug::parse(&s)).transpose().map_err(flag("slug"))?,
            };
            let org = store.create_organisation(&new).await?;
            print(&[format!("created {}", org.name), org.slug])
        }
        OrgCommand::List { json } => {
            let orgs = store.all_organisations().await?;
            if json {
                return print(&[serde_json::to_string_pretty(&orgs)?]);
            }
            print(
                &orgs
                    .iter()
                    .map(|o| format!("{}\t{}\t{}\t{}", o.slug, o.ukprn, o.nation.as_str(), o.name))
                    .collect::<Vec<_>>(),
            )
        }
    }
}

async fn user(store: &Store, command: UserCommand) -> Result<()> {
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

async fn verify(store: &Store, org: Option<String>) -> Result<ExitCode> {
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

/// Re-wraps the data keys under a new master key. The new key is saved (or printed) before the database
/// changes, so that it can never be lost after the data keys depend on it.
async fn rotate_keys(store: &Store, db: &DbArgs) -> Result<()> {
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

async fn serve(store: Store, args: ServeArgs) -> Result<()> {
    if store.backend() == store::Backend::Postgres && !store.has_master_key() {
        anyhow::bail!("with PostgreSQL, set VIGIL_MASTER_KEY (base64 of 32 random bytes, the same on every server)");
    }
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let public_url = args.public_url.unwrap_or_else(|| format!("http://{}", args.listen));
    if let Some(token) = store.issue_setup_token().await? {
        // The one-time code goes to the console only, so only whoever runs the server can claim it.
        print(&[
            String::new(),
            "Vigil is not set up yet. Open the address below and enter this one-time set-up code:".into(),
            format!("    {public_url}/setup"),
            format!("    set-up code: {token}"),
            String::new(),
        ])?;
    }
    let smtp = match args.smtp_url {
        Some(url) => Some(
            web::mail::Smtp::new(&url, &args.mail_from).context("VIGIL_SMTP_URL or VIGIL_MAIL_FROM is not usable")?,
        ),
        None => {
            tracing::info!("no VIGIL_SMTP_URL: mail stays in the outbox");
            None
        }
    };
    if args.demo {
        tracing::warn!("demo mode: the outbox is readable at /outbox; never use with real data");
    }
    let config = web::Config { public_url: public_url.clone(), demo: args.demo };
    let state = web::AppState::new(store.clone(), config);
    tokio::spawn(web::jobs::Worker::new(state.clone(), web::jobs::worker_name(), smtp).run_forever());
    let app = web::router(state);
    tracing::info!(%public_url, "Vigil is listening");
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    store.close().await;
    Ok(())
}
