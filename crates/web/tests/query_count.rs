//! No N+1: a list page costs the same number of queries however long the list is. Queries are counted from
//! sqlx's own statement log. This is a test binary of its own, because the counter is process-wide.

// The shared harness, of which this binary uses only a part.
#[allow(dead_code)]
#[path = "it/support.rs"]
mod support;

use domain::org::Nation;
use domain::roles::Role;
use std::sync::atomic::{AtomicUsize, Ordering};
use support::TestApp;
use tracing_subscriber::layer::SubscriberExt;

static QUERIES: AtomicUsize = AtomicUsize::new(0);

/// Counts the statements sqlx logs, leaving out the settings a new pooled connection applies (a request
/// may happen to open one), which are not the page's queries.
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

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for CountQueries {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        if event.metadata().target() != "sqlx::query" {
            return;
        }
        let mut statement = Statement::default();
        event.record(&mut statement);
        let text = statement.0.to_uppercase();
        if !text.contains("PRAGMA") && !text.contains("SET ") || text.contains("UPDATE ") {
            QUERIES.fetch_add(1, Ordering::SeqCst);
        }
    }
}

/// The number of queries one request costs, measured after a first request has warmed the pool.
async fn cost(app: &TestApp, path: &str, token: Option<&str>) -> usize {
    let request = || async {
        match token {
            Some(token) => app.api(path, token).await,
            None => app.get(path).await,
        }
    };
    assert_eq!(request().await.status, 200, "{path}");
    let before = QUERIES.load(Ordering::SeqCst);
    request().await;
    let spent = QUERIES.load(Ordering::SeqCst) - before;
    assert!(spent >= 3, "{path} was counted: a session lookup, the page's data, its roles");
    spent
}

async fn lists_cost_the_same_however_long(backend: store::Backend) {
    let app = TestApp::new(backend).await;
    let scope = app.org("alpha", Nation::England).await;
    let admin = app.member(&scope, "admin@alpha.example", Role::Admin).await;
    let token = app.api_token(&scope, admin).await;
    app.sign_in("admin@alpha.example").await;
    let paths = ["/users", "/audit", "/people"];
    let mut short = Vec::new();
    for path in paths {
        short.push(cost(&app, path, None).await);
    }
    let short_api = cost(&app, "/api/v1/users", Some(&token)).await;
    let mut people = Vec::new();
    for n in 0..25 {
        app.member(&scope, &format!("p{n}@alpha.example"), Role::Staff).await;
        let cells = std::collections::HashMap::from([
            ("kind", "staff".to_owned()),
            ("given_name", format!("Person{n}")),
            ("family_name", "Example".to_owned()),
            ("email", format!("p{n}@alpha.example")),
        ]);
        let none = std::collections::HashSet::new();
        let known = domain::people::Known { departments: &none, sites: &none, staff_emails: &none };
        people.push(domain::people::parse_person(&cells, app.store.now().date(), &known).unwrap());
    }
    let mut tx = app.store.write(&scope).await.unwrap();
    tx.import_people(&people).await.unwrap();
    tx.commit().await.unwrap();
    for (path, before) in paths.iter().zip(short) {
        assert_eq!(cost(&app, path, None).await, before, "{path} grew with the list");
    }
    assert_eq!(cost(&app, "/api/v1/users", Some(&token)).await, short_api, "/api/v1/users grew with the list");
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

/// Counted on PostgreSQL, where sqlx logs each statement in the task that runs it, before its result
/// returns. SQLite's driver logs from its own worker thread, possibly after the request has finished, so a
/// count there would race. The queries are the same text on both databases.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_cost_a_constant_number_of_queries() {
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(CountQueries)).unwrap();
    lists_cost_the_same_however_long(store::Backend::Postgres).await;
    a_case_costs_the_same_however_long(store::Backend::Postgres).await;
}
