//! Set-up with the printed code, sign-in with password and authenticator, recovery codes, back-off,
//! timeouts, CSRF and sign-out.

use crate::both;
use crate::support::{PASSWORD, TestApp};
use axum::http::StatusCode;
use domain::org::Nation;
use domain::roles::Role;

/// The set-up form, filled in, with a given set-up code and UKPRN.
fn setup_fields<'a>(code: &'a str, ukprn: &'a str) -> [(&'static str, &'a str); 8] {
    [
        ("setup_code", code),
        ("org_name", "Riverside Training"),
        ("ukprn", ukprn),
        ("nation", "england"),
        ("provider_type", "independent_training_provider"),
        ("admin_name", "Alex"),
        ("admin_email", "alex@riverside.example"),
        ("password", PASSWORD),
    ]
}

async fn setup_creates_the_organisation_and_enrols_the_administrator(app: TestApp) {
    let code = app.store.issue_setup_token().await.unwrap().expect("a fresh instance needs set-up");
    let page = app.get("/sign-in").await;
    assert!(page.body.contains("has not been set up yet"));

    // A wrong code, and bad fields: every error is shown and the typing is kept.
    let answer = app.post_raw("/setup", &setup_fields("wrong", "123")).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.body.contains("govuk-error-summary"));
    assert!(answer.body.contains("UKPRN must be 8 digits"));
    assert!(answer.body.contains("value=\"Riverside Training\""));
    assert!(answer.body.starts_with("<!DOCTYPE html>") && answer.body.contains("<title>Error: "));

    let answer = app.post_raw("/setup", &setup_fields("wrong", "10012345")).await;
    assert!(answer.body.contains("set-up code is wrong"), "{}", answer.body);
    assert!(app.store.needs_setup().await.unwrap());

    let answer = app.post_raw("/setup", &setup_fields(&code, "10012345")).await;
    assert_eq!(answer.location(), "/sign-in/enrol");
    // The administrator cannot go anywhere before enrolling.
    assert_eq!(app.get("/users").await.location(), "/sign-in/code");
    assert_eq!(app.get("/sign-in/code").await.location(), "/sign-in/enrol");

    let page = app.get("/sign-in/enrol").await;
    let secret = page.body.split("id=\"totp-secret\">").nth(1).unwrap().split('<').next().unwrap().to_owned();
    assert!(page.body.contains("<svg"), "a QR code drawn here");
    let wrong = app.post("/sign-in/enrol", &[("code", "000000")]).await;
    assert!(wrong.body.contains("The code is wrong"));
    let codes = app.post("/sign-in/enrol", &[("code", &store::totp::code_at(&secret, app.store.now()))]).await;
    assert!(codes.body.contains("Save your recovery codes"), "{}", codes.body);
    assert_eq!(codes.body.matches("<li>").count(), 10);
    let first = codes.body.split("<li>").nth(1).unwrap().split('<').next().unwrap();
    let download = codes.body.split("href=\"data:text/plain").nth(1).unwrap().split('"').next().unwrap();
    assert!(download.contains(first), "the download holds the codes");

    let home = app.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("Appoint your Designated Safeguarding Lead"));
    assert!(!app.store.needs_setup().await.unwrap());

    // The code works once: set-up cannot be claimed again.
    app.set_cookie(None);
    assert_eq!(app.get("/setup").await.location(), "/sign-in");
}
both!(setup_creates_the_organisation_and_enrols_the_administrator);

async fn second_factor_codes_work_once_and_recovery_codes_work(app: TestApp) {
    let scope = app.org("alpha", Nation::Wales).await;
    app.member(&scope, "lead@alpha.example", Role::SafeguardingLead).await;
    app.sign_in("lead@alpha.example").await;
    let home = app.get("/").await;
    assert!(home.body.contains("Nothing is waiting for your confirmation"));

    // The same code again, in the same time step, is refused.
    app.set_cookie(None);
    app.post_raw("/sign-in", &[("email", "lead@alpha.example"), ("password", PASSWORD)]).await;
    app.get("/sign-in/code").await;
    let replay = app.post("/sign-in/code", &[("code", &app.code("lead@alpha.example"))]).await;
    assert!(replay.body.contains("already been used"), "{}", replay.body);

    // A wrong recovery code is refused.
    app.get("/sign-in/recovery-code").await;
    let wrong = app.post("/sign-in/recovery-code", &[("code", "aaaa-bbbb-cccc")]).await;
    assert!(wrong.body.contains("recovery code is wrong"));
}
both!(second_factor_codes_work_once_and_recovery_codes_work);

async fn enrolment_recovery_codes_sign_in_once(app: TestApp) {
    let scope = app.org("beta", Nation::England).await;
    // An account without an authenticator whose role needs one enrols at sign-in.
    let mut tx = app.store.write(&scope).await.unwrap();
    let account = tx
        .create_member(&store::accounts::NewAccount {
            email: domain::text::Email::parse("officer@beta.example").unwrap(),
            display_name: domain::text::Name::parse("Olu").unwrap(),
            password: domain::text::NewPassword::parse(PASSWORD).unwrap(),
        })
        .await
        .unwrap();
    tx.grant_role(account, Role::SafeguardingOfficer, None).await.unwrap();
    tx.commit().await.unwrap();
    let answer = app.post_raw("/sign-in", &[("email", "officer@beta.example"), ("password", PASSWORD)]).await;
    assert_eq!(answer.location(), "/sign-in/enrol");
    let page = app.get("/sign-in/enrol").await;
    let secret = page.body.split("id=\"totp-secret\">").nth(1).unwrap().split('<').next().unwrap().to_owned();
    let codes_page = app.post("/sign-in/enrol", &[("code", &store::totp::code_at(&secret, app.store.now()))]).await;
    let codes: Vec<String> =
        codes_page.body.split("<li>").skip(1).map(|s| s.split("</li>").next().unwrap().to_owned()).collect();
    assert_eq!(codes.len(), 10);

    app.set_cookie(None);
    app.post_raw("/sign-in", &[("email", "officer@beta.example"), ("password", PASSWORD)]).await;
    app.get("/sign-in/recovery-code").await;
    assert_eq!(app.post("/sign-in/recovery-code", &[("code", &codes[0])]).await.location(), "/");
    app.set_cookie(None);
    app.post_raw("/sign-in", &[("email", "officer@beta.example"), ("password", PASSWORD)]).await;
    app.get("/sign-in/recovery-code").await;
    let again = app.post("/sign-in/recovery-code", &[("code", &codes[0])]).await;
    assert!(again.body.contains("recovery code is wrong or has already been used"));
}
both!(enrolment_recovery_codes_sign_in_once);

async fn failures_back_off_and_the_lock_ends(app: TestApp) {
    let scope = app.org("gamma", Nation::England).await;
    app.member(&scope, "tutor@gamma.example", Role::Staff).await;
    for _ in 0..5 {
        let answer =
            app.post_raw("/sign-in", &[("email", "tutor@gamma.example"), ("password", "wrong password!")]).await;
        assert!(answer.body.contains("Enter a correct email address and password"));
    }
    // Locked: even the right password is refused for now, with the answer an unknown address gets.
    let locked = app.post_raw("/sign-in", &[("email", "tutor@gamma.example"), ("password", PASSWORD)]).await;
    assert_eq!(locked.status, StatusCode::OK);
    assert!(locked.body.contains("Enter a correct email address and password"), "{}", locked.body);
    assert!(locked.headers.get(axum::http::header::SET_COOKIE).is_none(), "no session while locked");
    // The lock ends by itself.
    app.clock.advance(time::Duration::minutes(2));
    app.sign_in("tutor@gamma.example").await;
    // Unknown addresses get the same answer as wrong passwords.
    app.set_cookie(None);
    let unknown = app.post_raw("/sign-in", &[("email", "nobody@gamma.example"), ("password", PASSWORD)]).await;
    assert!(unknown.body.contains("Enter a correct email address and password"));
}
both!(failures_back_off_and_the_lock_ends);

async fn sessions_time_out_and_forms_need_the_csrf_token(app: TestApp) {
    let scope = app.org("delta", Nation::England).await;
    app.member(&scope, "admin@delta.example", Role::Admin).await;
    app.sign_in("admin@delta.example").await;
    assert_eq!(app.get("/users").await.status, StatusCode::OK);

    // A state-changing post without the token is refused, and changes nothing.
    let forged = app.post_raw("/users/invite", &[("email", "x@delta.example"), ("role", "staff")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(forged.body.contains("This form has expired"));
    assert!(app.store.pending_invitations(&scope).await.unwrap().is_empty());

    // Idle for 29 minutes is fine; 30 more is not.
    app.clock.advance(time::Duration::minutes(29));
    assert_eq!(app.get("/").await.status, StatusCode::OK);
    app.clock.advance(time::Duration::minutes(30));
    assert_eq!(app.get("/").await.location(), "/sign-in");

    // Sign-out ends the session on the server, not just the cookie.
    app.sign_in("admin@delta.example").await;
    let cookie = app.cookie();
    app.get("/").await;
    assert_eq!(app.post("/sign-out", &[]).await.location(), "/sign-in");
    app.set_cookie(cookie);
    assert_eq!(app.get("/").await.location(), "/sign-in");
}
both!(sessions_time_out_and_forms_need_the_csrf_token);

async fn pages_carry_security_headers_and_unknown_routes_get_a_404_page(app: TestApp) {
    let page = app.get("/sign-in").await;
    let csp = page.headers.get("content-security-policy").unwrap().to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"));
    assert_eq!(page.headers.get("x-content-type-options").unwrap(), "nosniff");
    assert_eq!(page.headers.get("cache-control").unwrap(), "no-store");
    let missing = app.get("/no-such-page").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.body.contains("Page not found"));
    let api_missing = app.get("/api/v1/no-such-thing").await;
    assert_eq!(api_missing.status, StatusCode::NOT_FOUND);
    assert_eq!(api_missing.json()["error"]["status"], 404);
    assert_eq!(app.get("/healthz").await.status, StatusCode::OK);
    assert_eq!(app.get("/readyz").await.body, "ready");
    let css = app.page("/assets/vendor/vigil.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(!css.body.contains("GDS Transport"));
}
both!(pages_carry_security_headers_and_unknown_routes_get_a_404_page);

async fn password_reset_by_emailed_link(app: TestApp) {
    let scope = app.org("epsilon", Nation::England).await;
    app.member(&scope, "coach@epsilon.example", Role::Staff).await;
    let sent = app.post_raw("/password-reset", &[("email", "coach@epsilon.example")]).await;
    assert!(sent.body.contains("Check your email"));
    let unknown = app.post_raw("/password-reset", &[("email", "nobody@epsilon.example")]).await;
    assert!(unknown.body.contains("Check your email"));
    app.run_jobs().await;
    assert_eq!(app.store.outbox(10).await.unwrap().len(), 1, "only the real account gets mail");
    let path = &app.emailed_link("/password-reset/").await;
    let short = app.post_raw(path, &[("password", "short")]).await;
    assert!(short.body.contains("12 characters or more"));
    assert_eq!(app.post_raw(path, &[("password", "a brand new passphrase")]).await.location(), "/sign-in");
    let reused = app.post_raw(path, &[("password", "another new passphrase")]).await;
    assert!(reused.body.contains("expired or has already been used"));
    let old = app.post_raw("/sign-in", &[("email", "coach@epsilon.example"), ("password", PASSWORD)]).await;
    assert!(old.body.contains("Enter a correct email address and password"));
}
both!(password_reset_by_emailed_link);

async fn two_servers_on_one_database_serve_the_same_sessions(app: TestApp) {
    let scope = app.org("zeta", Nation::England).await;
    app.member(&scope, "admin@zeta.example", Role::Admin).await;
    app.sign_in("admin@zeta.example").await;
    // A second server process: its own pool and router over the same database, nothing shared in memory.
    let (_, second) = app.second_server().await;
    let first = app.serve_with(second);
    assert!(app.page("/users").await.body.contains("admin@zeta.example"), "the session is known to the second");
    let _ = app.serve_with(first);
}
both!(two_servers_on_one_database_serve_the_same_sessions);

async fn the_session_cookie_is_locked_down(app: TestApp) {
    let scope = app.org("eta", Nation::England).await;
    app.member(&scope, "tutor@eta.example", Role::Staff).await;
    let answer = app.post_raw("/sign-in", &[("email", "tutor@eta.example"), ("password", PASSWORD)]).await;
    let cookie = answer.headers.get("set-cookie").unwrap().to_str().unwrap();
    assert!(cookie.starts_with("__Host-vigil_session="));
    for attribute in ["Path=/", "Secure", "HttpOnly", "SameSite=Lax"] {
        assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
    }
    // A token seen before the second factor is worthless after it: the session is rotated.
    let before = app.cookie().unwrap();
    app.get("/sign-in/code").await;
    app.post("/sign-in/code", &[("code", &app.code("tutor@eta.example"))]).await;
    assert_ne!(app.cookie().unwrap(), before);
    app.set_cookie(Some(before));
    assert_eq!(app.get("/").await.location(), "/sign-in");
}
both!(the_session_cookie_is_locked_down);

async fn a_server_error_shows_a_reference_and_no_internals(app: TestApp) {
    let mut raw = app.db.raw().await;
    sqlx::Executor::execute(&mut raw, "DROP TABLE outbox").await.unwrap();
    let page = app.get("/outbox").await;
    assert_eq!(page.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(page.body.contains("Sorry, there is a problem with the service"));
    assert!(page.body.contains("tell your administrator this reference"));
    // The reference is the request's id, which the request's log lines carry.
    let id = page.headers.get("x-request-id").and_then(|v| v.to_str().ok()).unwrap().to_owned();
    assert_eq!(id.len(), 12);
    assert!(page.body.contains(&id), "the page shows the request's id as its reference");
    for leak in ["outbox", "SELECT", "no such table", "relation", "sqlx"] {
        assert!(!page.body.contains(leak), "the page shows {leak}");
    }
}
both!(a_server_error_shows_a_reference_and_no_internals);

async fn changing_the_password_ends_the_other_sessions(app: TestApp) {
    let scope = app.org("theta", Nation::England).await;
    app.member(&scope, "coach@theta.example", Role::Staff).await;
    let elsewhere = app.session_token("coach@theta.example").await;
    app.sign_in("coach@theta.example").await;
    let account = app.get("/account").await;
    assert!(account.body.contains("This browser") && account.body.contains("Another browser"));
    app.get("/account/password").await;
    let wrong = app
        .post("/account/password", &[("current_password", "not it"), ("new_password", "a brand new passphrase")])
        .await;
    assert!(wrong.body.contains("Your current password is wrong"));
    let weak = app.post("/account/password", &[("current_password", PASSWORD), ("new_password", "short")]).await;
    assert!(weak.body.contains("12 characters or more"));
    let changed = app
        .post("/account/password", &[("current_password", PASSWORD), ("new_password", "a brand new passphrase")])
        .await;
    assert_eq!(changed.location(), "/account");
    assert_eq!(app.get("/account").await.status, StatusCode::OK, "this session stays");
    assert!(app.store.session(&elsewhere).await.unwrap().is_none(), "the other session ended");
}
both!(changing_the_password_ends_the_other_sessions);
