//! The command line, run as the built binary against SQLite and PostgreSQL: every command works with the
//! same database settings, prints what the README promises, and `audit verify` fails after tampering.

use std::io::Write;
use std::process::{Command, Output, Stdio};
use store::Backend;
use testdb::TestDb;

/// Runs `vigil` with the database settings for `db`, optionally feeding standard input.
fn vigil(db: &TestDb, dir: &std::path::Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_vigil"));
    command.args(args).env_remove("DATABASE_URL").env("VIGIL_LOG", "warn");
    if db.url.starts_with("postgres") {
        // With PostgreSQL the master key is configured, as every server would have it.
        command.env("DATABASE_URL", &db.url).env("VIGIL_MASTER_KEY", "dmlnaWwtdGVzdC1tYXN0ZXIta2V5LTMyLWJ5dGVzISE=");
    } else {
        command.arg("--data-dir").arg(dir);
    }
    let mut child = command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(stdin.unwrap_or_default().as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(output: &Output) -> String {
    assert!(output.status.success(), "failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn last_line(text: &str) -> String {
    text.lines().last().unwrap_or_default().to_owned()
}

async fn the_operators_commands(backend: Backend) {
    let db = TestDb::new(backend).await;
    let dir = std::env::temp_dir().join(format!("vigil-cli-{}", uuid::Uuid::new_v4().simple()));
    let run = |args: &[&str], stdin: Option<&str>| vigil(&db, &dir, args, stdin);

    let created = stdout(&run(
        &["org", "create", "--name", "Northgate Skills", "--ukprn", "10012345", "--nation", "england"],
        None,
    ));
    assert_eq!(last_line(&created), "northgate-skills");
    let refused = run(&["org", "create", "--name", "Bad", "--ukprn", "123", "--nation", "england"], None);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--ukprn"));

    let orgs: serde_json::Value = serde_json::from_str(&stdout(&run(&["org", "list", "--json"], None))).unwrap();
    assert_eq!(orgs[0]["slug"], "northgate-skills");
    assert_eq!(orgs[0]["name"], "Northgate Skills");

    stdout(&run(
        &[
            "user",
            "create",
            "--org",
            "northgate-skills",
            "--email",
            "sam@northgate.example",
            "--name",
            "Sam Lead",
            "--role",
            "safeguarding_lead",
            "--password-stdin",
        ],
        Some("correct horse battery staple\n"),
    ));
    let inspector = run(
        &[
            "user",
            "create",
            "--org",
            "northgate-skills",
            "--email",
            "ina@ofsted.example",
            "--name",
            "Ina",
            "--role",
            "inspector",
        ],
        None,
    );
    assert!(!inspector.status.success(), "an inspector needs an end date");
    let users: serde_json::Value =
        serde_json::from_str(&stdout(&run(&["user", "list", "--org", "northgate-skills", "--json"], None))).unwrap();
    assert_eq!(users[0]["email"], "sam@northgate.example");
    assert_eq!(users[0]["roles"], serde_json::json!(["safeguarding_lead"]));

    let token = last_line(&stdout(&run(
        &["token", "create", "--org", "northgate-skills", "--email", "sam@northgate.example"],
        None,
    )));
    assert!(token.starts_with("vigil_"));

    let verified = stdout(&run(&["audit", "verify"], None));
    assert!(verified.lines().all(|l| l.starts_with("ok")), "{verified}");

    // Someone with database access edits an event: verify names it and fails.
    let mut raw = db_raw(&db, &dir).await;
    sqlx::Executor::execute(&mut raw, "UPDATE audit_events SET action = 'nothing.happened' WHERE seq = 2")
        .await
        .unwrap();
    let broken = run(&["audit", "verify", "--org", "northgate-skills"], None);
    assert!(!broken.status.success());
    let report = String::from_utf8_lossy(&broken.stdout);
    assert!(report.contains("BROKEN") && report.contains("breaks at event 2"), "{report}");

    // The demonstration data loads once, with an account for every role in both organisations.
    stdout(&run(&["demo"], None));
    let again = stdout(&run(&["demo"], None));
    assert!(again.contains("safeguarding.lead@colegycwm.example"));
    // Cases in every state, in both organisations, and a concern still waiting to be acknowledged.
    let mut raw = db_raw(&db, &dir).await;
    let states: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT o.slug || ':' || c.status FROM cases c JOIN organisations o ON o.id = c.org_id",
    )
    .fetch_all(&mut raw)
    .await
    .unwrap();
    for slug in ["riverside-training", "coleg-y-cwm"] {
        for status in ["triage", "open", "referred", "closed"] {
            assert!(states.contains(&format!("{slug}:{status}")), "{slug} has no {status} case: {states:?}");
        }
    }
    let waiting: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM concerns WHERE status = 'received'")
        .fetch_one(&mut raw)
        .await
        .unwrap();
    assert_eq!(waiting, 2);
    for slug in ["riverside-training", "coleg-y-cwm"] {
        let users: serde_json::Value =
            serde_json::from_str(&stdout(&run(&["user", "list", "--org", slug, "--json"], None))).unwrap();
        let roles: Vec<&str> = users
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|u| u["roles"].as_array().unwrap())
            .filter_map(|r| r.as_str())
            .collect();
        for role in [
            "admin",
            "leader",
            "board",
            "safeguarding_lead",
            "safeguarding_officer",
            "staff",
            "apprentice",
            "employer",
            "subcontractor",
            "inspector",
        ] {
            assert!(roles.contains(&role), "{slug} has no {role}");
        }
    }

    // Keys: with SQLite the first command created a key file only its owner can read; rotation re-wraps.
    if backend == Backend::Sqlite {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("master.key")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let before = std::fs::read_to_string(dir.join("master.key")).unwrap();
        let rotated = stdout(&run(&["keys", "rotate"], None));
        assert!(rotated.contains("re-wrapped"), "{rotated}");
        assert_ne!(std::fs::read_to_string(dir.join("master.key")).unwrap(), before);
    }
    let jobs = stdout(&run(&["jobs", "list"], None));
    assert!(!jobs.is_empty());

    let help = stdout(&run(&["user", "create", "--help"], None));
    assert!(help.contains("--password-stdin"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A raw connection to the database the commands used.
async fn db_raw(db: &TestDb, dir: &std::path::Path) -> sqlx::AnyConnection {
    if db.url.starts_with("postgres") {
        return db.raw().await;
    }
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}", dir.join("vigil.db").display());
    <sqlx::AnyConnection as sqlx::Connection>::connect(&url).await.unwrap()
}

#[tokio::test]
async fn the_operators_commands_on_sqlite() {
    the_operators_commands(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_operators_commands_on_postgres() {
    the_operators_commands(Backend::Postgres).await;
}

/// The data folder and everything SQLite writes in it are the server's user's alone: 0700 and 0600.
#[tokio::test]
async fn the_data_folder_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let db = TestDb::new(Backend::Sqlite).await;
    let dir = std::env::temp_dir().join(format!("vigil-cli-{}", uuid::Uuid::new_v4().simple()));
    stdout(&vigil(&db, &dir, &["org", "list"], None));
    let mode = |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700, "the data folder");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let expected = if path.is_dir() { 0o700 } else { 0o600 };
        assert_eq!(mode(&path), expected, "{}", path.display());
    }
    assert!(dir.join("vigil.db").exists() && dir.join("master.key").exists());
    let _ = std::fs::remove_dir_all(&dir);
}
