//! Raising a concern: the reporter gets a receipt and the status only; the safeguarding team is alerted
//! without names or content, opens it (audited as case content) and acknowledges it; nobody else reads it;
//! the words are never stored in clear.

use crate::both;
use crate::support::TestApp;
use axum::http::{Method, StatusCode};
use domain::org::Nation;
use domain::roles::Role;
use serde_json::json;

const WORDS: &str = "Said the group online told him the tests at work are a plot and he should stop coming in";

async fn a_concern_reaches_the_team_and_the_reporter_sees_only_its_status(app: TestApp) {
    let scope = app.org("alpha", Nation::England).await;
    app.member(&scope, "admin@alpha.example", Role::Admin).await;
    app.member(&scope, "leader@alpha.example", Role::Leader).await;
    app.member(&scope, "lead@alpha.example", Role::SafeguardingLead).await;
    app.member(&scope, "tutor@alpha.example", Role::Staff).await;

    app.sign_in("tutor@alpha.example").await;
    app.get("/concerns/new").await;
    let missing = app.post("/concerns/new", &[("about", "someone"), ("what_happened", WORDS)]).await;
    assert!(missing.body.contains("govuk-error-summary") && missing.body.contains("Enter the name of the person"));
    assert!(missing.body.contains(WORDS), "the typing is kept");
    let sent = app
        .post(
            "/concerns/new",
            &[
                ("about", "someone"),
                ("about_name", "Jo Young"),
                ("what_happened", WORDS),
                ("when_and_where", "Workshop, Tuesday"),
                ("category", "prevent"),
                ("immediate_danger", "yes"),
                ("told_in_person", "no"),
            ],
        )
        .await;
    let receipt = sent.location().to_owned();
    assert!(receipt.starts_with("/concerns?raised=C-"), "{receipt}");
    let receipts = app.get(&receipt).await;
    assert!(receipts.body.contains("Your concern has been sent") && receipts.body.contains("Received"));
    assert!(!receipts.body.contains("Jo Young") && !receipts.body.contains("Workshop"), "the reporter sees no content");

    // The leads are told at once, without names or content.
    let mail = app.store.outbox(10).await.unwrap();
    let alert = mail.iter().find(|m| m.recipient == "lead@alpha.example").expect("the lead is alerted");
    assert!(alert.subject.starts_with("Urgent"));
    assert!(!alert.body.contains("Jo") && !alert.body.contains("plot") && !alert.body.contains("tutor"));

    // Nobody outside the safeguarding team can list or open it.
    let id = app.store.concern_inbox(&scope, 1, 10).await.unwrap().items[0].id;
    for outsider in ["tutor@alpha.example", "admin@alpha.example", "leader@alpha.example"] {
        app.sign_in(outsider).await;
        assert_eq!(app.get("/safeguarding").await.status, StatusCode::FORBIDDEN, "{outsider}");
        assert_eq!(app.get(&format!("/safeguarding/concerns/{id}")).await.status, StatusCode::FORBIDDEN, "{outsider}");
    }

    // The lead sees it first in the list, opens it (an audited read of case content) and acknowledges it.
    app.sign_in("lead@alpha.example").await;
    let inbox = app.get("/safeguarding").await;
    assert!(inbox.body.contains("Urgent") && !inbox.body.contains("Jo Young"), "names stay on the concern's page");
    let page = app.get(&format!("/safeguarding/concerns/{id}")).await;
    assert!(
        page.body.contains("Jo Young") && page.body.contains(WORDS) && page.body.contains("Person tutor@alpha.example")
    );
    app.post(&format!("/safeguarding/concerns/{id}/acknowledge"), &[]).await;
    let views: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_events WHERE action = 'concern.viewed' AND sensitivity = 'case_content'",
    )
    .fetch_one(&mut app.db.raw().await)
    .await
    .unwrap();
    assert_eq!(views, 1, "the read was audited as case content");
    app.sign_in("admin@alpha.example").await;
    assert!(
        !app.get("/audit?action=concern").await.body.contains("concern.viewed"),
        "administrators do not see case events"
    );

    app.sign_in("tutor@alpha.example").await;
    assert!(app.get("/concerns").await.body.contains("Being handled"));

    // Another organisation's lead finds nothing.
    let beta = app.org("beta", Nation::England).await;
    app.member(&beta, "lead@beta.example", Role::SafeguardingLead).await;
    app.sign_in("lead@beta.example").await;
    assert_eq!(app.get(&format!("/safeguarding/concerns/{id}")).await.status, StatusCode::NOT_FOUND);
}
both!(a_concern_reaches_the_team_and_the_reporter_sees_only_its_status);

async fn the_words_of_a_concern_are_never_stored_in_clear(app: TestApp) {
    let scope = app.org("gamma", Nation::Wales).await;
    let apprentice = app.member(&scope, "ari@gamma.example", Role::Apprentice).await;
    let token = app.api_token(&scope, apprentice).await;
    let bad = app
        .api_send(
            Method::POST,
            "/api/v1/concerns",
            &token,
            Some(json!({"what_happened": "", "category": "x",
        "immediate_danger": false, "told_in_person": false})),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["error"]["field"], "what_happened");
    let raised = app
        .api_send(Method::POST, "/api/v1/concerns", &token, Some(json!({"about": "Kim Other", "what_happened": WORDS,
            "when_and_where": "Bus stop near the Cwm campus", "category": "prevent", "immediate_danger": false, "told_in_person": false})))
        .await;
    assert_eq!(raised.status, StatusCode::CREATED, "{}", raised.body);
    assert_eq!(app.api("/api/v1/concerns", &token).await.json()["items"][0]["status"], "received");
    assert!(!app.api("/api/v1/concerns", &token).await.body.contains("Kim"));

    // Look for the words anywhere in the database, as someone with a copy of it would.
    let mut raw = app.db.raw().await;
    let secrets = ["plot", "Kim Other", "Bus stop"];
    match app.store.backend() {
        store::Backend::Postgres => {
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'",
            )
            .fetch_all(&mut raw)
            .await
            .unwrap();
            assert!(tables.iter().any(|t| t == "concerns"));
            for table in tables {
                for words in secrets {
                    let text = format!("SELECT COUNT(*) FROM \"{table}\" t WHERE t::text LIKE '%{words}%'");
                    let found: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(text)).fetch_one(&mut raw).await.unwrap();
                    assert_eq!(found, 0, "{table} holds {words} in clear");
                }
            }
        }
        store::Backend::Sqlite => {
            // The database file itself, after its write-ahead log is folded in.
            sqlx::Executor::execute(&mut raw, "PRAGMA wal_checkpoint(TRUNCATE)").await.unwrap();
            let path = app.db.url.trim_start_matches("sqlite://").split('?').next().unwrap().to_owned();
            let bytes = std::fs::read(&path).unwrap();
            assert!(
                bytes.windows(8).any(|w| w == b"prevent\0" || w.starts_with(b"prevent")),
                "the scan reads the right file"
            );
            for words in secrets {
                assert!(!bytes.windows(words.len()).any(|w| w == words.as_bytes()), "the database file holds {words}");
            }
        }
    }
}
both!(the_words_of_a_concern_are_never_stored_in_clear);
