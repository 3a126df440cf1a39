//! People and roles: invitations, separation of duties, disabling accounts.

use crate::both;
use crate::support::{PASSWORD, TestApp};
use axum::http::StatusCode;
use domain::org::Nation;
use domain::roles::Role;

async fn an_invited_person_accepts_and_signs_in(app: TestApp) {
    let scope = app.org("alpha", Nation::England).await;
    app.member(&scope, "admin@alpha.example", Role::Admin).await;
    app.sign_in("admin@alpha.example").await;
    app.get("/users/invite").await;
    let bad = app.post("/users/invite", &[("email", "not an email"), ("role", "")]).await;
    assert!(bad.body.contains("govuk-error-summary") && bad.body.contains("Select a role"));
    assert!(bad.body.contains("value=\"not an email\""));
    let inspector = app.post("/users/invite", &[("email", "ina@ofsted.example"), ("role", "inspector")]).await;
    assert!(
        inspector.body.contains("Enter the date an inspector&#39;s access ends")
            || inspector.body.contains("inspector")
    );
    let sent = app.post("/users/invite", &[("email", "tara@alpha.example"), ("role", "staff")]).await;
    assert_eq!(sent.location(), "/users?notice=invited");
    let list = app.get("/users?notice=invited").await;
    assert!(list.body.contains("Invitation sent") && list.body.contains("tara@alpha.example"));

    let mail = app.store.outbox(10).await.unwrap();
    let link = mail[0]
        .body
        .lines()
        .find(|l| l.contains("/invitations/"))
        .unwrap()
        .trim_start_matches("http://vigil.test")
        .to_owned();
    app.set_cookie(None);
    let page = app.get(&link).await;
    assert!(page.body.contains("Accept your invitation"));
    let weak = app.post_raw(&link, &[("display_name", "Tara Tutor"), ("password", "short")]).await;
    assert!(weak.body.contains("12 characters or more") && weak.body.contains("value=\"Tara Tutor\""));
    assert_eq!(
        app.post_raw(&link, &[("display_name", "Tara Tutor"), ("password", PASSWORD)]).await.location(),
        "/sign-in"
    );
    // The link works once.
    assert_eq!(app.get(&link).await.status, StatusCode::CONFLICT);
    // Staff need no authenticator: the password signs them in.
    assert_eq!(
        app.post_raw("/sign-in", &[("email", "tara@alpha.example"), ("password", PASSWORD)]).await.location(),
        "/"
    );
    let home = app.get("/").await;
    assert!(home.body.contains("Welcome, Tara Tutor") && home.body.contains("Staff"));
    // Invitations expire.
    app.set_cookie(None);
    app.sign_in("admin@alpha.example").await;
    app.get("/users/invite").await;
    app.post("/users/invite", &[("email", "late@alpha.example"), ("role", "staff")]).await;
    let late = app.store.outbox(10).await.unwrap();
    let late_link = late[0]
        .body
        .lines()
        .find(|l| l.contains("/invitations/"))
        .unwrap()
        .trim_start_matches("http://vigil.test")
        .to_owned();
    app.clock.advance(time::Duration::days(8));
    assert_eq!(app.get(&late_link).await.status, StatusCode::CONFLICT);
}
both!(an_invited_person_accepts_and_signs_in);

async fn safeguarding_roles_need_a_leads_confirmation(app: TestApp) {
    let scope = app.org("beta", Nation::England).await;
    let admin = app.member(&scope, "admin@beta.example", Role::Admin).await;
    app.member(&scope, "lead@beta.example", Role::SafeguardingLead).await;
    let tutor = app.member(&scope, "tutor@beta.example", Role::Staff).await;
    app.sign_in("admin@beta.example").await;

    // Nobody grants a role to themselves.
    app.get(&format!("/users/{admin}")).await;
    let own = app.post(&format!("/users/{admin}/roles"), &[("role", "safeguarding_lead")]).await;
    assert!(own.body.contains("You cannot give a role to yourself"), "{}", own.body);

    app.get(&format!("/users/{tutor}")).await;
    let asked = app.post(&format!("/users/{tutor}/roles"), &[("role", "safeguarding_officer")]).await;
    assert_eq!(asked.location(), "/users?notice=awaiting");
    let member = app.store.member(&scope, tutor).await.unwrap();
    assert!(!member.roles.iter().any(|r| r.role == Role::SafeguardingOfficer), "not granted until confirmed");
    let mail = app.store.outbox(10).await.unwrap();
    assert!(mail.iter().any(|m| m.recipient == "lead@beta.example" && !m.body.contains("tutor")));

    // The administrator cannot confirm; the lead can.
    assert_eq!(app.get("/confirmations").await.status, StatusCode::FORBIDDEN);
    app.sign_in("lead@beta.example").await;
    let page = app.get("/confirmations").await;
    assert!(page.body.contains("tutor@beta.example"));
    let id = app.store.pending_confirmations(&scope).await.unwrap()[0].id;
    app.post(&format!("/confirmations/{id}"), &[("decision", "confirm")]).await;
    let member = app.store.member(&scope, tutor).await.unwrap();
    assert!(member.roles.iter().any(|r| r.role == Role::SafeguardingOfficer));
}
both!(safeguarding_roles_need_a_leads_confirmation);

async fn disabling_an_account_ends_its_sessions_and_tokens(app: TestApp) {
    let scope = app.org("gamma", Nation::England).await;
    app.member(&scope, "admin@gamma.example", Role::Admin).await;
    let tutor = app.member(&scope, "tutor@gamma.example", Role::Staff).await;
    let token = app.api_token(&scope, tutor).await;
    assert_eq!(app.api("/api/v1/me", &token).await.status, StatusCode::OK);
    let tutor_session = app.session_token("tutor@gamma.example").await;

    app.sign_in("admin@gamma.example").await;
    app.get(&format!("/users/{tutor}")).await;
    assert_eq!(app.post(&format!("/users/{tutor}/disable"), &[]).await.location(), "/users?notice=disabled");

    assert_eq!(app.api("/api/v1/me", &token).await.status, StatusCode::UNAUTHORIZED);
    app.set_cookie(Some(tutor_session));
    assert_eq!(app.get("/").await.location(), "/sign-in");
    let refused = app.post_raw("/sign-in", &[("email", "tutor@gamma.example"), ("password", PASSWORD)]).await;
    assert!(refused.body.contains("Enter a correct email address and password"));
}
both!(disabling_an_account_ends_its_sessions_and_tokens);
