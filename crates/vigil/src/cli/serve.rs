//! Running the web server, with its background worker.

use super::print;
use anyhow::{Context, Result};
use clap::Args;
use store::Store;

#[derive(Args)]
pub struct ServeArgs {
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
    /// Address and port for the operator's metrics (`/metrics`, Prometheus text format). Unset, no metrics
    /// are served; they are never served beside the pages.
    #[arg(long, env = "VIGIL_METRICS_LISTEN")]
    metrics_listen: Option<String>,
    /// Connections open at once; one more is closed at once, so one client cannot hold them all.
    #[arg(long, env = "VIGIL_MAX_CONNECTIONS", default_value_t = 1024)]
    max_connections: usize,
    /// Demonstration mode: shows the outbox at /outbox. Never use with real data.
    #[arg(long, env = "VIGIL_DEMO")]
    demo: bool,
}

pub async fn run(store: Store, args: ServeArgs) -> Result<()> {
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
    let config = web::Config { public_url: public_url.clone(), demo: args.demo, sends_email: smtp.is_some() };
    let state = web::AppState::new(store.clone(), config);
    tokio::spawn(web::jobs::Worker::new(state.clone(), web::jobs::worker_name(), smtp).run_forever());
    if let Some(address) = &args.metrics_listen {
        let metrics = tokio::net::TcpListener::bind(address)
            .await
            .with_context(|| format!("cannot listen for metrics on {address}"))?;
        tracing::info!(%address, "metrics are served at /metrics");
        tokio::spawn(axum::serve(metrics, web::metrics_router(state.clone())).into_future());
    }
    let app = web::router(state);
    tracing::info!(%public_url, "Vigil is listening");
    let limits = web::serve::Limits { connections: args.max_connections, ..web::serve::Limits::default() };
    web::serve::serve(listener, app, limits, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await;
    store.close().await;
    Ok(())
}
