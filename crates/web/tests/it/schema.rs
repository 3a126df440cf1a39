//! The same migrations build the same schema on both databases, and no code writes organisation data
//! except through the audited write transaction.

use sqlx::Row;
use store::{Backend, Store, SystemClock};
use testdb::TestDb;

/// What the schema test compares: each table's columns with their type and whether they may be null, and
/// the indexes created by the migrations (not those the databases make for keys), sorted.
#[derive(Debug, PartialEq)]
struct Schema {
    columns: Vec<(String, String, String, bool)>,
    indexes: Vec<(String, String)>,
}

/// The type as both databases mean it: SQLite's declared type, PostgreSQL's `data_type`. `BIGINT` and
/// `INTEGER` are one integer type (SQLite gives both 64 bits).
fn normalised(declared: &str) -> String {
    match declared.to_uppercase().as_str() {
        "BIGINT" | "INTEGER" => "INTEGER".into(),
        other => other.into(),
    }
}

/// The schema, as the database reports it.
async fn schema(backend: Backend) -> Schema {
    let db = TestDb::new(backend).await;
    let store = Store::connect(&db.url, std::sync::Arc::new(SystemClock)).await.unwrap();
    store.migrate().await.unwrap();
    assert!(store.migrations_current().await.unwrap());
    let mut raw = db.raw().await;
    let (columns, indexes) = match backend {
        Backend::Sqlite => (
            // A view's columns have no declared type or constraint on SQLite: they are compared by name.
            "SELECT m.name AS table_name, p.name AS column_name, \
             CASE WHEN m.type = 'view' THEN '' ELSE p.type END AS column_type, \
             CASE WHEN m.type = 'view' THEN 1 WHEN p.pk > 0 OR p.\"notnull\" = 1 THEN 0 ELSE 1 END AS nullable \
             FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type IN ('table', 'view') \
             AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%'",
            "SELECT name AS index_name, tbl_name AS table_name FROM sqlite_master WHERE type = 'index' \
             AND name NOT LIKE 'sqlite_autoindex%'",
        ),
        Backend::Postgres => (
            "SELECT c.table_name::text AS table_name, c.column_name::text AS column_name, \
             CASE WHEN t.table_type = 'VIEW' THEN '' ELSE c.data_type::text END AS column_type, \
             CASE WHEN t.table_type = 'VIEW' OR c.is_nullable = 'YES' THEN 1 ELSE 0 END AS nullable \
             FROM information_schema.columns c JOIN information_schema.tables t \
             ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
             WHERE c.table_schema = 'public' AND c.table_name NOT LIKE '_sqlx%'",
            "SELECT i.indexname::text AS index_name, i.tablename::text AS table_name FROM pg_indexes i \
             WHERE i.schemaname = 'public' AND NOT EXISTS (SELECT 1 FROM pg_constraint k \
             WHERE k.conname = i.indexname AND k.contype IN ('p', 'u'))",
        ),
    };
    let rows = sqlx::query(columns).fetch_all(&mut raw).await.unwrap();
    let mut columns: Vec<_> = rows
        .iter()
        .map(|r| {
            (
                r.get::<String, _>("table_name"),
                r.get::<String, _>("column_name"),
                normalised(&r.get::<String, _>("column_type")),
                r.get::<i32, _>("nullable") == 1,
            )
        })
        .collect();
    columns.sort();
    let rows = sqlx::query(indexes).fetch_all(&mut raw).await.unwrap();
    let mut indexes: Vec<_> =
        rows.iter().map(|r| (r.get::<String, _>("table_name"), r.get::<String, _>("index_name"))).collect();
    indexes.sort();
    store.close().await;
    Schema { columns, indexes }
}

#[tokio::test]
async fn both_databases_get_the_same_schema() {
    let sqlite = schema(Backend::Sqlite).await;
    assert!(sqlite.columns.len() > 50);
    assert!(sqlite.indexes.len() > 10, "{:?}", sqlite.indexes);
    // The comparison sees types and nullability, not only names.
    let accounts = |name: &str| sqlite.columns.iter().find(|c| c.0 == "accounts" && c.1 == name).cloned().unwrap();
    assert_eq!(accounts("email"), ("accounts".into(), "email".into(), "TEXT".into(), false));
    assert_eq!(accounts("totp_last_step"), ("accounts".into(), "totp_last_step".into(), "INTEGER".into(), true));
    let postgres = schema(Backend::Postgres).await;
    let differ = |a: &[(String, String, String, bool)], b: &[(String, String, String, bool)]| {
        a.iter().filter(|c| !b.contains(c)).cloned().collect::<Vec<_>>()
    };
    assert_eq!(
        (differ(&sqlite.columns, &postgres.columns), differ(&postgres.columns, &sqlite.columns)),
        (vec![], vec![]),
        "columns only on SQLite, and only on PostgreSQL"
    );
    assert_eq!(sqlite.indexes, postgres.indexes);
}

/// A "tidy" check over the store's source: every statement that changes data runs on a write transaction's
/// connection, never on the pool, except the bookkeeping named here (when a session or token was last
/// used, ending an expired session, recording that mail was sent or emptying mail that cannot be, and the
/// job queue's own leases), which is not itself an auditable change. Counting a sign-in attempt before it
/// is checked is also on the pool, on purpose: it must commit before the check starts. A job's effects on organisation data go through a `WriteTx`.
#[test]
fn writes_go_through_the_write_transaction() {
    const BOOKKEEPING: [&str; 6] = [
        "UPDATE sessions SET ended_at = $2 WHERE id = $1",
        "UPDATE sessions SET last_seen_at = $2 WHERE id = $1",
        "UPDATE api_tokens SET last_used_at = $2 WHERE id = $1",
        "UPDATE outbox SET",
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
            let executor = rest.find(".execute(").map_or("", |i| &rest[i..i + 40]);
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

/// A "tidy" check over the source: every audit action the code records has its words in
/// `frameworks/audit-events.csv`, so that the log never shows a bare action to the people reading it.
#[test]
fn every_audit_action_is_described() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut undescribed = Vec::new();
    let mut actions = 0;
    for crate_dir in ["store/src", "web/src", "vigil/src"] {
        let mut folders = vec![root.join(crate_dir)];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(&folder).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    folders.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                let lines: Vec<&str> = text.lines().collect();
                for (n, line) in lines.iter().enumerate() {
                    if !(line.contains("AuditEvent::new(") || line.contains("let action =")) {
                        continue;
                    }
                    let nearby = format!("{line} {}", lines.get(n + 1).unwrap_or(&""));
                    for literal in nearby.split('"').skip(1).step_by(2) {
                        let is_action = literal.split_once('.').is_some_and(|(a, b)| {
                            !a.is_empty()
                                && !b.is_empty()
                                && literal.chars().all(|c| c.is_ascii_lowercase() || c == '_' || c == '.')
                        });
                        if is_action {
                            actions += 1;
                            if domain::audit::describe(literal) == literal {
                                undescribed.push(format!("{literal} ({})", path.display()));
                            }
                        }
                    }
                }
            }
        }
    }
    assert!(actions > 60, "the check found the actions ({actions})");
    assert!(
        undescribed.is_empty(),
        "actions without words in frameworks/audit-events.csv:\n{}",
        undescribed.join("\n")
    );
}
