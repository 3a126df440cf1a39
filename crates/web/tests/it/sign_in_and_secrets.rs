//! Sign-in that holds under parallel attack, and secrets a copy of the database does not give away.

use crate::both;
use crate::support::{PASSWORD, TestApp};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use domain::org::Nation;
use domain::roles::Role;
use sqlx::Row;

/// An account's count of failed attempts and its lock, for passwords or (`codes`) for codes.
async fn failures_and_lock(app: &TestApp, email: &str, codes: bool) -> (i64, Option<String>) {
    let row = sqlx::query(if codes {
        "SELECT failed_codes, codes_locked_until FROM accounts WHERE email = $1"
    } else {
        "SELECT failed_sign_ins, locked_until FROM accounts WHERE email = $1"
    })
    .bind(email)
    .fetch_one(&mut app.db.raw().await)
    .await
    .unwrap();
    (row.get(0), row.get(1))
}

fn form(path: &str, body: String, cookie: Option<&str>) -> Request<Body> {
    let mut request = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, format!("{}={cookie}", web::SESSION_COOKIE));
    }
    request.body(Body::from(body)).unwrap()
}

async fn a_hundred_parallel_wrong_passwords_cannot_outrun_the_lock(app: TestApp) {
    let scope = app.org("tau", Nation::England).await;
    app.member(&scope, "tutor@tau.example", Role::Staff).await;
    let body = "email=tutor%40tau.example&password=wrong+password+here".to_owned();
    let attempts = (0..100).map(|_| form("/sign-in", body.clone(), None)).collect();
    for (status, body) in app.send_all(attempts).await {
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("Enter a correct email address and password"));
    }
    let (failures, locked) = failures_and_lock(&app, "tutor@tau.example", false).await;
    assert_eq!(failures, 5, "only the attempts before the lock were checked");
    assert!(locked.is_some(), "the account is locked");
    let right = app.post_raw("/sign-in", &[("email", "tutor@tau.example"), ("password", PASSWORD)]).await;
    assert!(right.headers.get(header::SET_COOKIE).is_none(), "the right password waits for the lock to end");
}
both!(a_hundred_parallel_wrong_passwords_cannot_outrun_the_lock);

async fn a_hundred_parallel_wrong_codes_cannot_outrun_the_lock(app: TestApp) {
    let scope = app.org("upsilon", Nation::England).await;
    app.member(&scope, "lead@upsilon.example", Role::SafeguardingLead).await;
    app.set_cookie(None);
    let answer = app.post_raw("/sign-in", &[("email", "lead@upsilon.example"), ("password", PASSWORD)]).await;
    assert_eq!(answer.location(), "/sign-in/code");
    app.get("/sign-in/code").await;
    let cookie = app.cookie().unwrap();
    let csrf = app.csrf();
    let right = app.code("lead@upsilon.example");
    let attempts = (0..101)
        .map(|n| format!("{:06}", (n * 7919) % 1_000_000))
        .filter(|code| *code != right)
        .take(100)
        .map(|code| form("/sign-in/code", format!("code={code}&_csrf={csrf}"), Some(&cookie)))
        .collect();
    app.send_all(attempts).await;
    let (failures, locked) = failures_and_lock(&app, "lead@upsilon.example", true).await;
    assert!(failures <= 5, "at most five codes were checked, not {failures}");
    assert!(locked.is_some());
    let answer = app.post("/sign-in/code", &[("code", &right)]).await;
    assert_ne!(answer.location(), "/", "the right code waits for the lock to end");
}
both!(a_hundred_parallel_wrong_codes_cannot_outrun_the_lock);

async fn a_right_password_does_not_wipe_the_count_of_wrong_codes(app: TestApp) {
    let scope = app.org("eta", Nation::England).await;
    app.member(&scope, "lead@eta.example", Role::SafeguardingLead).await;
    let password = || app.post_raw("/sign-in", &[("email", "lead@eta.example"), ("password", PASSWORD)]);
    app.set_cookie(None);
    assert_eq!(password().await.location(), "/sign-in/code");
    app.get("/sign-in/code").await;
    for wrong in ["000001", "000002", "000003", "000004", "000005"] {
        app.post("/sign-in/code", &[("code", wrong)]).await;
    }
    assert_eq!(failures_and_lock(&app, "lead@eta.example", true).await.0, 5);
    // Whoever knows the password signs in with it again once the lock ends: the codes' count stands, and
    // the next wrong code locks codes for longer.
    app.clock.advance(time::Duration::seconds(61));
    app.set_cookie(None);
    assert_eq!(password().await.location(), "/sign-in/code");
    assert_eq!(failures_and_lock(&app, "lead@eta.example", true).await.0, 5, "not wiped by the password");
    app.get("/sign-in/code").await;
    app.post("/sign-in/code", &[("code", "000006")]).await;
    app.clock.advance(time::Duration::seconds(61));
    let right = app.post("/sign-in/code", &[("code", &app.code("lead@eta.example"))]).await;
    assert_ne!(right.location(), "/", "locked for two minutes now, not one");
    app.clock.advance(time::Duration::seconds(61));
    let right = app.post("/sign-in/code", &[("code", &app.code("lead@eta.example"))]).await;
    assert_eq!(right.location(), "/", "the lock ends, and success clears the count");
    assert_eq!(failures_and_lock(&app, "lead@eta.example", true).await, (0, None));
}
both!(a_right_password_does_not_wipe_the_count_of_wrong_codes);

async fn authenticator_secrets_are_sealed_at_rest(app: TestApp) {
    let scope = app.org("phi", Nation::England).await;
    app.member(&scope, "admin@phi.example", Role::Admin).await;
    app.sign_in("admin@phi.example").await;
    let secret = store::totp::demo_secret("admin@phi.example");
    app.assert_nowhere_in_database(&[secret.as_str()], "admin@phi.example").await;

    // A secret stored in clear by an earlier version is sealed when the migrations run.
    sqlx::query("UPDATE accounts SET totp_secret = $1 WHERE email = $2")
        .bind(secret.as_str())
        .bind("admin@phi.example")
        .execute(&mut app.db.raw().await)
        .await
        .unwrap();
    app.store.migrate().await.unwrap();
    app.assert_nowhere_in_database(&[secret.as_str()], "admin@phi.example").await;
    app.sign_in("admin@phi.example").await;
}
both!(authenticator_secrets_are_sealed_at_rest);

async fn a_used_reset_link_or_a_new_password_voids_every_other_link(app: TestApp) {
    let scope = app.org("chi", Nation::England).await;
    app.member(&scope, "coach@chi.example", Role::Staff).await;
    for _ in 0..3 {
        app.post_raw("/password-reset", &[("email", "coach@chi.example")]).await;
    }
    app.run_jobs().await;
    let links: Vec<String> = app
        .store
        .outbox(10)
        .await
        .unwrap()
        .iter()
        .flat_map(|m| m.body.lines().map(str::to_owned).collect::<Vec<_>>())
        .filter(|l| l.contains("/password-reset/"))
        .map(|l| l.trim_start_matches("http://vigil.test").to_owned())
        .collect();
    assert_eq!(links.len(), 3);
    // One is used; the other two no longer work.
    let used = app.post_raw(&links[0], &[("password", "a brand new passphrase")]).await;
    assert_eq!(used.location(), "/sign-in");
    for old in &links[1..] {
        let answer = app.post_raw(old, &[("password", "an attacker's passphrase")]).await;
        assert_eq!(answer.status, StatusCode::OK);
        assert!(answer.body.contains("expired or has already been used"), "{old}");
    }
}
both!(a_used_reset_link_or_a_new_password_voids_every_other_link);

async fn sent_mail_keeps_no_link(app: TestApp) {
    let scope = app.org("psi", Nation::England).await;
    app.member(&scope, "coach@psi.example", Role::Staff).await;
    app.post_raw("/password-reset", &[("email", "coach@psi.example")]).await;
    // A real server without a mail server: the reset mail cannot go, so its link is not kept.
    let config = web::Config { public_url: "http://vigil.test".into(), demo: false, sends_email: false };
    let worker = web::jobs::Worker::new(web::AppState::new(app.store.clone(), config), "w".into(), None);
    worker.tick().await.unwrap();
    worker.tick().await.unwrap();
    let mail = app.store.outbox(10).await.unwrap();
    assert_eq!(mail.len(), 1);
    assert!(!mail[0].body.contains("/password-reset/"), "{}", mail[0].body);
}
both!(sent_mail_keeps_no_link);
