//! No N+1: a list page costs the same number of queries however long the list is. Queries are counted from
//! sqlx's own statement log. This is a test binary of its own, because the counter is process-wide.

// The shared harness, of which this binary uses only a part.
#[expect(dead_code, reason = "the shared harness has helpers this binary does not use")]
#[path = "it/support.rs"]
mod support;

use domain::org::Nation;
use domain::roles::Role;
use std::sync::atomic::{AtomicUsize, Ordering};
use support::TestApp;
use tracing_subscriber::layer::SubscriberExt;

static QUERIES: AtomicUsize = AtomicUsize::new(0);

/// Counts the statements sqlx logs, leaving out only the settings a new pooled connection applies (a
/// request may happen to open one), which are not the page's queries. The test is on how a statement
/// begins: `OFFSET` in a list's query, or `SET` inside an `UPDATE`, is counted.
struct CountQueries;

#[derive(Default)]
struct Statement(String);

impl tracing::field::Visit for Statement {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "db.statement" || field.name() == "summary" {
            self.0.push_str(&format!("{value:?}"));
        }
    }
}

fn is_connection_setup(statement: &str) -> bool {
    let text = statement.trim_start_matches(|c: char| c == '"' || c.is_whitespace()).to_uppercase();
    text.starts_with("PRAGMA") || text.starts_with("SET ")
}

/// The name of the span a measured request runs in: only statements run for it are counted, so a late log
/// line of an earlier request cannot be.
const MEASURED: &str = "measured_request";

impl<S> tracing_subscriber::Layer<S> for CountQueries
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    fn on_event(&self, event: &tracing::Event<'_>, context: tracing_subscriber::layer::Context<'_, S>) {
        if event.metadata().target() != "sqlx::query" {
            return;
        }
        // sqlx runs a SQLite statement on its worker thread inside the caller's span, so this holds there too.
        let measured = context.event_scope(event).is_some_and(|mut scope| scope.any(|span| span.name() == MEASURED));
        let mut statement = Statement::default();
        event.record(&mut statement);
        if measured && !is_connection_setup(&statement.0) {
            QUERIES.fetch_add(1, Ordering::SeqCst);
        }
    }
}

#[test]
fn only_connection_settings_are_left_out() {
    assert!(is_connection_setup("\"SET statement_timeout = 5000\""));
    assert!(is_connection_setup("PRAGMA foreign_keys = ON"));
    assert!(!is_connection_setup("\"SELECT id FROM people ORDER BY id LIMIT $1 OFFSET $2\""));
    assert!(!is_connection_setup("UPDATE sessions SET seen_at = $1"));
}

/// The number of queries one request costs, measured after a first request has warmed the pool.
async fn cost(app: &TestApp, path: &str, token: Option<&str>) -> usize {
    match app.store.backend() {
        store::Backend::Postgres => cost_on_the_pool(app, path, token).await,
        store::Backend::Sqlite => cost_on_a_store_of_its_own(app, path, token).await,
    }
}

async fn answer(app: &TestApp, path: &str, token: Option<&str>) -> u16 {
    let answer = match token {
        Some(token) => app.api(path, token).await,
        None => app.get(path).await,
    };
    answer.status.as_u16()
}

/// Answers the request inside the span whose statements are counted.
async fn measured(app: &TestApp, path: &str, token: Option<&str>) -> u16 {
    use tracing::Instrument;
    answer(app, path, token).instrument(tracing::info_span!(MEASURED)).await
}

/// On PostgreSQL, sqlx logs each statement in the task that runs it, before its result returns.
async fn cost_on_the_pool(app: &TestApp, path: &str, token: Option<&str>) -> usize {
    assert_eq!(answer(app, path, token).await, 200, "{path}");
    let before = QUERIES.load(Ordering::SeqCst);
    assert_eq!(measured(app, path, token).await, 200, "{path}");
    let spent = QUERIES.load(Ordering::SeqCst) - before;
    assert!(spent >= 3, "{path} was counted: a session lookup, the page's data, its roles");
    spent
}

/// SQLite's driver logs a statement from its connection's worker thread just after answering it, so the
/// line can come after the request has finished. Closing a pool waits for every worker to finish what it
/// was doing: the request is answered by a second server on the same database, with a pool of its own,
/// warmed by one request and closed before the count is read.
async fn cost_on_a_store_of_its_own(app: &TestApp, path: &str, token: Option<&str>) -> usize {
    let (store, second) = app.second_server().await;
    let first = app.serve_with(second);
    assert_eq!(answer(app, path, token).await, 200, "{path}");
    let before = QUERIES.load(Ordering::SeqCst);
    assert_eq!(measured(app, path, token).await, 200, "{path}");
    store.close().await;
    let spent = QUERIES.load(Ordering::SeqCst) - before;
    let _ = app.serve_with(first);
    assert!(spent >= 3, "{path} was counted: a session lookup, the page's data, its roles");
    spent
}

/// Who asks for a list.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Caller {
    Admin,
    Lead,
    Tutor,
}

/// The home page (with the person's tasks), every list page and API list, who reads it, and exactly what it costs, whatever its length: the
/// session and its roles, the chrome (contact card, tasks) and the list's own page and total.
const LISTS: &[(Caller, &str, usize)] = &[
    (Caller::Admin, "/", 21),
    (Caller::Admin, "/users", 11),
    (Caller::Admin, "/audit", 15),
    (Caller::Admin, "/people", 8),
    (Caller::Admin, "/sites", 8),
    (Caller::Admin, "/departments", 7),
    (Caller::Admin, "/api/v1/users", 6),
    (Caller::Admin, "/api/v1/people", 5),
    (Caller::Admin, "/api/v1/sites", 5),
    (Caller::Admin, "/api/v1/departments", 4),
    (Caller::Admin, "/api/v1/audit-events", 10),
    (Caller::Lead, "/", 19),
    (Caller::Lead, "/cases", 10),
    (Caller::Lead, "/safeguarding", 9),
    (Caller::Lead, "/api/v1/cases", 6),
    (Caller::Lead, "/api/v1/concerns/inbox", 5),
    (Caller::Lead, "/api/v1/tasks", 9),
    (Caller::Tutor, "/", 17),
    (Caller::Tutor, "/concerns", 7),
    (Caller::Tutor, "/api/v1/concerns", 4),
    // A tutor holds none of the roles the profile, cover and concern sources are for: only their own
    // case actions are asked for.
    (Caller::Tutor, "/api/v1/tasks", 6),
];

/// Where SQLite's count differs: reading the audit log is itself recorded, in a transaction whose `BEGIN`
/// sqlx logs as a statement on PostgreSQL and sends to SQLite's worker as a command of its own.
const ON_SQLITE: &[(&str, usize)] = &[("/audit", 14), ("/api/v1/audit-events", 9)];

/// What each list costs now, as (path, cost).
async fn costs(app: &TestApp, tokens: &[(Caller, String)]) -> Vec<(&'static str, usize)> {
    let mut spent = Vec::new();
    for caller in [Caller::Admin, Caller::Lead, Caller::Tutor] {
        app.sign_in(email(caller)).await;
        let token = &tokens.iter().find(|(c, _)| *c == caller).unwrap().1;
        for (_, path, _) in LISTS.iter().filter(|(c, ..)| *c == caller) {
            let api = path.starts_with("/api/");
            spent.push((*path, cost(app, path, api.then_some(token.as_str())).await));
        }
    }
    spent
}

fn email(caller: Caller) -> &'static str {
    match caller {
        Caller::Admin => "admin@alpha.example",
        Caller::Lead => "lead@alpha.example",
        Caller::Tutor => "tutor@alpha.example",
    }
}

/// Adds one of everything for each number the lists show: people, sites, departments, concerns and cases.
async fn grow(app: &TestApp, scope: &store::OrgScope, numbers: std::ops::Range<usize>) {
    let none = std::collections::HashSet::new();
    let known = domain::people::Known { departments: &none, sites: &none, staff_emails: &none };
    let mut people = Vec::new();
    let mut tx = app.store.write(scope).await.unwrap();
    for i in numbers.clone() {
        let cells = std::collections::HashMap::from([
            ("kind", "staff".to_owned()),
            ("given_name", format!("Person{i}")),
            ("family_name", "Example".to_owned()),
            ("email", format!("p{i}@alpha.example")),
        ]);
        people.push(domain::people::parse_person(&cells, app.store.now().date(), &known).unwrap());
        tx.add_department(&domain::text::Name::parse(&format!("Department {i}")).unwrap()).await.unwrap();
    }
    tx.import_people(&people).await.unwrap();
    tx.commit().await.unwrap();
    for i in numbers.clone() {
        app.member(scope, &format!("p{i}@alpha.example"), Role::Staff).await;
    }
    app.sign_in(email(Caller::Admin)).await;
    for i in numbers.clone() {
        app.get("/sites/new").await;
        let name = format!("Site {i}");
        let site = [
            ("name", name.as_str()),
            ("kind", "office"),
            ("address", "1 High Street"),
            ("postcode", "AB1 2CD"),
            ("let_to_others", "no"),
        ];
        assert_eq!(app.post("/sites/new", &site).await.status, 303);
    }
    app.sign_in(email(Caller::Tutor)).await;
    for _ in numbers.clone() {
        app.raise_a_concern().await;
    }
    app.sign_in(email(Caller::Lead)).await;
    for _ in 0..numbers.len().div_ceil(2) {
        let inbox = app.get("/safeguarding").await;
        let concern = inbox.body.split("/safeguarding/concerns/").nth(1).unwrap().split('"').next().unwrap().to_owned();
        app.post(&format!("/safeguarding/concerns/{concern}/acknowledge"), &[]).await;
    }
}

async fn lists_cost_the_same_however_long(backend: store::Backend) {
    let app = TestApp::new(backend).await;
    let scope = app.org("alpha", Nation::England).await;
    let mut tokens = Vec::new();
    for (caller, role) in
        [(Caller::Admin, Role::Admin), (Caller::Lead, Role::SafeguardingLead), (Caller::Tutor, Role::Staff)]
    {
        let account = app.member(&scope, email(caller), role).await;
        tokens.push((caller, app.api_token(&scope, account).await));
    }
    grow(&app, &scope, 0..1).await;
    let short = costs(&app, &tokens).await;
    grow(&app, &scope, 1..25).await;
    let long = costs(&app, &tokens).await;
    let expected: Vec<_> = LISTS
        .iter()
        .map(|(_, path, n)| {
            let on_sqlite = ON_SQLITE.iter().find(|(p, _)| p == path).map(|(_, n)| *n);
            (*path, if backend == store::Backend::Sqlite { on_sqlite.unwrap_or(*n) } else { *n })
        })
        .collect();
    assert_eq!(short, long, "a list grew with its length");
    assert_eq!(long, expected, "what each list costs");
}

/// Opening a case unwraps each data key once, so a long chronology costs no more queries than a short one.
async fn a_case_costs_the_same_however_long(backend: store::Backend) {
    let app = TestApp::new(backend).await;
    let scope = app.org("beta", Nation::England).await;
    app.member(&scope, "lead@beta.example", Role::SafeguardingLead).await;
    app.member(&scope, "tutor@beta.example", Role::Staff).await;
    app.sign_in("tutor@beta.example").await;
    app.get("/concerns/new").await;
    let concern = [
        ("about", "me"),
        ("what_happened", "Worried"),
        ("category", "other"),
        ("immediate_danger", "no"),
        ("told_in_person", "no"),
    ];
    app.post("/concerns/new", &concern).await;
    app.sign_in("lead@beta.example").await;
    let inbox = app.get("/safeguarding").await;
    let concern = inbox.body.split("/safeguarding/concerns/").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let case = app.post(&format!("/safeguarding/concerns/{concern}/acknowledge"), &[]).await.location().to_owned();
    let short = cost(&app, &case, None).await;
    for n in 0..20 {
        app.get(&format!("{case}/entries")).await;
        let text = format!("Entry {n}");
        app.post(&format!("{case}/entries"), &[("kind", "fact"), ("occurred_on", "30/11/2026"), ("text", &text)]).await;
    }
    assert_eq!(cost(&app, &case, None).await, short, "a case page grew with its chronology");
}

/// Counted on both databases, one after the other in one process, because the counter is process-wide.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_cost_a_constant_number_of_queries() {
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(CountQueries)).unwrap();
    for backend in [store::Backend::Postgres, store::Backend::Sqlite] {
        lists_cost_the_same_however_long(backend).await;
        a_case_costs_the_same_however_long(backend).await;
    }
}
