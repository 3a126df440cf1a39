//! The same migrations build the same schema on both databases, and no code writes organisation data
//! except through the audited write transaction.

use sqlx::Row;
use store::{Backend, Store, SystemClock};
use testdb::TestDb;

/// Tables and their columns, sorted, as the database reports them.
async fn columns(backend: Backend) -> Vec<(String, String)> {
    let db = TestDb::new(backend).await;
    let store = Store::connect(&db.url, std::sync::Arc::new(SystemClock)).await.unwrap();
    store.migrate().await.unwrap();
    assert!(store.migrations_current().await.unwrap());
    let mut raw = db.raw().await;
    let query = match backend {
        Backend::Sqlite => {
            "SELECT m.name AS table_name, p.name AS column_name FROM sqlite_master m \
             JOIN pragma_table_info(m.name) p WHERE m.type IN ('table', 'view') AND m.name NOT LIKE 'sqlite_%' \
             AND m.name NOT LIKE '_sqlx%'"
        }
        Backend::Postgres => {
            "SELECT table_name::text AS table_name, column_name::text AS column_name FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name NOT LIKE '_sqlx%'"
        }
    };
    let rows = sqlx::query(query).fetch_all(&mut raw).await.unwrap();
    let mut found: Vec<(String, String)> =
        rows.iter().map(|r| (r.get::<String, _>("table_name"), r.get::<String, _>("column_name"))).collect();
    found.sort();
    store.close().await;
    found
}

#[tokio::test]
async fn both_databases_get_the_same_schema() {
    let sqlite = columns(Backend::Sqlite).await;
    assert!(sqlite.len() > 50);
    assert_eq!(sqlite, columns(Backend::Postgres).await);
}

/// A "tidy" check over the store's source: every statement that changes data runs on a write transaction's
/// connection, never on the pool, except the bookkeeping named here (when a session or token was last
/// used, ending an expired session, recording that mail was sent, and the job queue's own leases), which is
/// not itself an auditable change. A job's effects on organisation data go through a `WriteTx`.
#[test]
fn writes_go_through_the_write_transaction() {
    const BOOKKEEPING: [&str; 6] = [
        "UPDATE sessions SET ended_at = $2 WHERE id = $1",
        "UPDATE sessions SET last_seen_at = $2 WHERE id = $1",
        "UPDATE api_tokens SET last_used_at = $2 WHERE id = $1",
        "UPDATE outbox SET sent_at = $2 WHERE id = $1",
        "INSERT INTO jobs",
        "UPDATE jobs SET",
    ];
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../store/src");
    let mut offenders = Vec::new();
    let mut statements = 0;
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for (start, _) in text.match_indices("sqlx::query") {
            let rest = &text[start..];
            let sql_end = rest.find(")\n").unwrap_or(rest.len());
            let sql = &rest[..sql_end];
            if !["INSERT INTO", "UPDATE ", "DELETE FROM"].iter().any(|w| sql.contains(w)) {
                continue;
            }
            statements += 1;
            let executor = rest.find(".execute(").map(|i| &rest[i..i + 40]).unwrap_or("");
            if executor.contains("self.pool") && !BOOKKEEPING.iter().any(|b| sql.contains(b)) {
                let line = text[..start].lines().count() + 1;
                offenders.push(format!("{}:{line}", path.display()));
            }
        }
    }
    assert!(statements > 30, "the check found the store's write statements");
    assert!(offenders.is_empty(), "writes on the pool instead of a WriteTx:\n{}", offenders.join("\n"));
}

/// A "tidy" check over the store's source: a write reads what it depends on through its own transaction
/// (the `*_in` reads given `Reader::Tx`), never through the pool, which on PostgreSQL would read outside
/// the transaction and could see another state than the one the write changes.
#[test]
fn writes_read_through_their_own_transaction() {
    // What a write may take from the store itself: the clock, the file service and the master key.
    const NOT_READS: [&str; 3] = ["now", "objects", "master"];
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../store/src");
    let mut offenders = Vec::new();
    let mut uses = 0;
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for (start, _) in text.match_indices("self.store().") {
            uses += 1;
            let method: String = text[start + "self.store().".len()..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !NOT_READS.contains(&method.as_str()) && !method.ends_with("_in") {
                let line = text[..start].lines().count() + 1;
                offenders.push(format!("{}:{line} {method}", path.display()));
            }
        }
    }
    assert!(uses > 20, "the check found the writes' uses of the store");
    assert!(offenders.is_empty(), "reads on the pool inside a write:\n{}", offenders.join("\n"));
}
