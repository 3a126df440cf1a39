//! The write path and the audit chain: every change commits with its event or not at all, concurrent
//! writers never fork a chain, and any edit, deletion or truncation is found.

use crate::both;
use crate::support::TestApp;
use domain::audit::AuditEvent;
use domain::org::Nation;
use domain::roles::Role;
use sqlx::Executor;

async fn an_intact_chain_verifies_and_any_tampering_is_found(app: TestApp) {
    let scope = app.org("alpha", Nation::England).await;
    for n in 0..3 {
        app.member(&scope, &format!("p{n}@alpha.example"), Role::Staff).await;
    }
    let chain = scope.org().to_string();
    assert_eq!(app.store.verify_chain(&chain).await.unwrap(), None);
    let mut raw = app.db.raw().await;

    // An edit of one event's content.
    raw.execute(sqlx::AssertSqlSafe(format!(
        "UPDATE audit_events SET fields = 'x' WHERE chain = '{chain}' AND seq = 3"
    )))
    .await
    .unwrap();
    let broken = app.store.verify_chain(&chain).await.unwrap().expect("edit found");
    assert_eq!(broken.seq, 3);
    assert_eq!(broken.reason, "its content was changed");
}
both!(an_intact_chain_verifies_and_any_tampering_is_found);

async fn deletion_and_truncation_are_found(app: TestApp) {
    let scope = app.org("beta", Nation::England).await;
    for n in 0..3 {
        app.member(&scope, &format!("p{n}@beta.example"), Role::Staff).await;
    }
    let chain = scope.org().to_string();
    let total: i64 =
        sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM audit_events WHERE chain = '{chain}'")))
            .fetch_one(&mut app.db.raw().await)
            .await
            .unwrap();
    let mut raw = app.db.raw().await;
    raw.execute(sqlx::AssertSqlSafe(format!("DELETE FROM audit_events WHERE chain = '{chain}' AND seq = {total}")))
        .await
        .unwrap();
    let broken = app.store.verify_chain(&chain).await.unwrap().expect("truncation found");
    assert_eq!(broken.seq, total);
    assert_eq!(broken.reason, "events at the end of the chain were deleted");

    raw.execute(sqlx::AssertSqlSafe(format!("DELETE FROM audit_events WHERE chain = '{chain}' AND seq = 2")))
        .await
        .unwrap();
    let broken = app.store.verify_chain(&chain).await.unwrap().expect("deletion found");
    assert_eq!(broken.seq, 2);
    assert_eq!(broken.reason, "the event is missing");

    raw.execute(sqlx::AssertSqlSafe(format!("DELETE FROM audit_events WHERE chain = '{chain}'"))).await.unwrap();
    assert!(app.store.verify_chain(&chain).await.unwrap().is_some(), "emptying the table is found");
}
both!(deletion_and_truncation_are_found);

async fn a_failed_audit_insert_rolls_the_change_back(app: TestApp) {
    let scope = app.org("gamma", Nation::England).await;
    let chain = scope.org().to_string();
    let head: i64 =
        sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT seq FROM audit_heads WHERE chain = '{chain}'")))
            .fetch_one(&mut app.db.raw().await)
            .await
            .unwrap();
    // Occupy the next sequence number, so that the next audit insert fails.
    app.db
        .raw()
        .await
        .execute(sqlx::AssertSqlSafe(format!(
            "INSERT INTO audit_events (id, chain, seq, at, actor_kind, action, entity, fields, sensitivity, prev_hash, hash) \
             VALUES ('squatter', '{chain}', {}, 'x', 'x', 'x', 'x', '', 'general', 'x', 'x')",
            head + 1
        )))
        .await
        .unwrap();
    let mut tx = app.store.write(&scope).await.unwrap();
    tx.invite(&domain::text::Email::parse("x@gamma.example").unwrap(), Role::Staff, None).await.unwrap();
    assert!(tx.commit().await.is_err());
    assert!(app.store.pending_invitations(&scope).await.unwrap().is_empty(), "the change was rolled back");
}
both!(a_failed_audit_insert_rolls_the_change_back);

async fn a_write_without_an_event_is_refused(app: TestApp) {
    let scope = app.org("delta", Nation::England).await;
    let tx = app.store.write(&scope).await.unwrap();
    assert!(matches!(tx.commit().await, Err(store::StoreError::Unaudited)));
    let mut tx = app.store.write(&scope).await.unwrap();
    tx.audit(AuditEvent::new("test.event", "test", None));
    tx.commit().await.unwrap();
}
both!(a_write_without_an_event_is_refused);

async fn concurrent_writers_leave_one_valid_chain(app: TestApp) {
    let scope = app.org("epsilon", Nation::England).await;
    let mut tasks = Vec::new();
    for n in 0..24 {
        let store = app.store.clone();
        let scope = scope.clone();
        tasks.push(tokio::spawn(async move {
            let mut tx = store.write(&scope).await.unwrap();
            tx.invite(&domain::text::Email::parse(&format!("p{n}@epsilon.example")).unwrap(), Role::Staff, None)
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(app.store.pending_invitations(&scope).await.unwrap().len(), 24);
    assert_eq!(app.store.verify_chain(&scope.org().to_string()).await.unwrap(), None);
    let events: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM audit_events WHERE chain = '{}' AND action = 'invitation.created'",
        scope.org()
    )))
    .fetch_one(&mut app.db.raw().await)
    .await
    .unwrap();
    assert_eq!(events, 24);
}
both!(concurrent_writers_leave_one_valid_chain);

async fn the_audit_log_hides_case_content_from_administrators(app: TestApp) {
    let scope = app.org("zeta", Nation::England).await;
    app.member(&scope, "admin@zeta.example", Role::Admin).await;
    app.member(&scope, "lead@zeta.example", Role::SafeguardingLead).await;
    let mut tx = app.store.write(&scope).await.unwrap();
    tx.audit(AuditEvent::new("case.viewed", "case", None).case_content());
    tx.commit().await.unwrap();
    app.sign_in("admin@zeta.example").await;
    let page = app.get("/audit").await;
    assert!(page.body.contains("role.granted") && !page.body.contains("case.viewed"));
    let filtered = app.get("/audit?action=sign_in").await;
    assert!(filtered.body.contains("sign_in.succeeded") && !filtered.body.contains("role.granted"));
    app.sign_in("lead@zeta.example").await;
    assert!(app.get("/audit").await.body.contains("case.viewed"));
    // Events never carry names or email addresses: only ids and field names.
    let personal: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_events WHERE fields LIKE '%@%' OR entity_id LIKE '%@%' OR actor_id LIKE '%@%'",
    )
    .fetch_one(&mut app.db.raw().await)
    .await
    .unwrap();
    assert_eq!(personal, 0);
}
both!(the_audit_log_hides_case_content_from_administrators);
