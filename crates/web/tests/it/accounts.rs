//! Accounts and roles: invitations, separation of duties, disabling accounts.

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
    // No mail server here: the page says nothing was emailed, and shows the link to give instead.
    let sent = app.post("/users/invite", &[("email", "tara@alpha.example"), ("role", "staff")]).await;
    assert_eq!(sent.status, StatusCode::OK);
    assert!(sent.body.contains("nothing has been emailed") && !sent.body.contains("Invitation emailed"));
    let shown = sent.body.split("http://vigil.test").nth(1).unwrap().split('<').next().unwrap().to_owned();
    assert!(app.page("/users").await.body.contains("tara@alpha.example"), "listed as open");

    let link = app.emailed_link("/invitations/").await;
    assert_eq!(shown, link, "the link shown is the link that works");
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
    let late_link = app.emailed_link("/invitations/").await;
    app.clock.advance(time::Duration::days(8));
    assert_eq!(app.get(&late_link).await.status, StatusCode::CONFLICT);
}
both!(an_invited_person_accepts_and_signs_in);

async fn an_open_invitation_can_get_a_new_link_or_be_cancelled(app: TestApp) {
    let scope = app.org("omega", Nation::England).await;
    app.member(&scope, "admin@omega.example", Role::Admin).await;
    app.sign_in("admin@omega.example").await;
    app.page("/users/invite").await;
    app.post("/users/invite", &[("email", "sam@omega.example"), ("role", "staff")]).await;
    let first = app.emailed_link("/invitations/").await;
    let id: String = sqlx::query_scalar("SELECT id FROM invitations").fetch_one(&mut app.db.raw().await).await.unwrap();
    app.page("/users").await;
    let again = app.post(&format!("/users/invitations/{id}/resend"), &[]).await;
    assert_eq!(again.status, StatusCode::OK);
    let second = again.body.split("http://vigil.test").nth(1).unwrap().split('<').next().unwrap().to_owned();
    assert_ne!(first, second);
    assert_eq!(app.get(&first).await.status, StatusCode::CONFLICT, "the old link stops working");
    assert_eq!(app.get(&second).await.status, StatusCode::OK);
    app.page("/users").await;
    let cancelled = app.post(&format!("/users/invitations/{id}/cancel"), &[]).await;
    assert_eq!(cancelled.location(), "/users?notice=cancelled");
    assert_eq!(app.get(&second).await.status, StatusCode::CONFLICT, "a cancelled invitation's link is dead");
    assert!(!app.page("/users").await.body.contains("sam@omega.example"));
    let twice = app.post(&format!("/users/invitations/{id}/cancel"), &[]).await;
    assert_eq!(twice.status, StatusCode::NOT_FOUND);

    // The audit log says what happened in words, and who did it by name; it narrows to a kind of event.
    let log = app.page("/audit?action=invitation.").await;
    assert!(log.body.contains("Cancelled an invitation") && log.body.contains("Sent an invitation a new link"));
    assert!(log.body.contains("Person admin@omega.example"), "by name");
    assert!(!log.body.contains("sign_in.succeeded"), "only invitations");
}
both!(an_open_invitation_can_get_a_new_link_or_be_cancelled);

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

    // The lead's role comes from the role registry only.
    app.get(&format!("/users/{tutor}")).await;
    let direct = app.post(&format!("/users/{tutor}/roles"), &[("role", "safeguarding_lead")]).await;
    assert!(direct.body.contains("Appoint a safeguarding lead or deputy in the role registry"), "{}", direct.body);
    app.get("/users/invite").await;
    let invited = app.post("/users/invite", &[("email", "new.lead@beta.example"), ("role", "safeguarding_lead")]).await;
    assert!(invited.body.contains("Appoint a safeguarding lead or deputy in the role registry"));

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

async fn administrators_reset_sign_in_details_with_a_leads_confirmation_for_the_team(app: TestApp) {
    let scope = app.org("delta", Nation::England).await;
    app.member(&scope, "admin@delta.example", Role::Admin).await;
    let lead = app.member(&scope, "lead@delta.example", Role::SafeguardingLead).await;
    app.member(&scope, "deputy@delta.example", Role::SafeguardingLead).await;
    let tutor = app.member(&scope, "tutor@delta.example", Role::Staff).await;
    let tutor_session = app.session_token("tutor@delta.example").await;
    app.sign_in("admin@delta.example").await;

    // A member of staff: done at once, and their sessions end.
    app.get(&format!("/users/{tutor}")).await;
    assert_eq!(app.post(&format!("/users/{tutor}/reset-second-factor"), &[]).await.location(), "/users?notice=reset");
    assert!(!app.store.member(&scope, tutor).await.unwrap().second_factor);
    assert!(app.store.session(&tutor_session).await.unwrap().is_none());
    app.get(&format!("/users/{tutor}")).await;
    let taken = app.post(&format!("/users/{tutor}/email"), &[("email", "lead@delta.example")]).await;
    assert!(taken.body.contains("An account already uses this email address"));
    app.post(&format!("/users/{tutor}/email"), &[("email", "tara@delta.example")]).await;
    assert_eq!(app.store.member(&scope, tutor).await.unwrap().email, "tara@delta.example");
    app.get(&format!("/users/{tutor}")).await;
    assert_eq!(app.post(&format!("/users/{tutor}/reset-password"), &[]).await.location(), "/users?notice=link_sent");
    assert!(app.store.outbox(10).await.unwrap().iter().any(|m| m.recipient == "tara@delta.example"));

    // A safeguarding lead: nothing happens until another lead confirms.
    app.get(&format!("/users/{lead}")).await;
    assert_eq!(app.post(&format!("/users/{lead}/reset-second-factor"), &[]).await.location(), "/users?notice=awaiting");
    assert!(app.store.member(&scope, lead).await.unwrap().second_factor);
    // The lead cannot confirm a change to their own account.
    app.sign_in("lead@delta.example").await;
    let id = app.store.pending_confirmations(&scope).await.unwrap()[0].id;
    app.get("/confirmations").await;
    assert_eq!(
        app.post(&format!("/confirmations/{id}"), &[("decision", "confirm")]).await.status,
        StatusCode::CONFLICT
    );
    app.sign_in("deputy@delta.example").await;
    let page = app.get("/confirmations").await;
    assert!(page.body.contains("Reset their authenticator app"));
    app.post(&format!("/confirmations/{id}"), &[("decision", "confirm")]).await;
    assert!(!app.store.member(&scope, lead).await.unwrap().second_factor);
}
both!(administrators_reset_sign_in_details_with_a_leads_confirmation_for_the_team);

async fn a_person_in_two_organisations_works_in_one_at_a_time(app: TestApp) {
    let alpha = app.org("alpha", Nation::England).await;
    let beta = app.org("beta", Nation::Wales).await;
    app.member(&alpha, "admin@alpha.example", Role::Admin).await;
    app.member(&beta, "admin@beta.example", Role::Admin).await;
    let shared = app.member(&alpha, "dsl@group.example", Role::Staff).await;
    // The beta administrator (in Wales) invites the same person; they accept with their existing password.
    app.sign_in("admin@beta.example").await;
    assert!(app.get("/").await.body.contains("Appoint your Designated Safeguarding Person"));
    app.get("/users/invite").await;
    app.post("/users/invite", &[("email", "dsl@group.example"), ("role", "leader")]).await;
    let link = app.emailed_link("/invitations/").await;
    app.set_cookie(None);
    assert!(app.get(&link).await.body.contains("You already have a Vigil account"));
    let wrong = app.post_raw(&link, &[("password", "not the password")]).await;
    assert!(wrong.body.contains("The password is wrong"));
    assert_eq!(app.post_raw(&link, &[("password", PASSWORD)]).await.location(), "/sign-in");

    // An administrator of one organisation cannot reset a shared account's authenticator.
    app.sign_in("admin@alpha.example").await;
    app.get(&format!("/users/{shared}")).await;
    let refused = app.post(&format!("/users/{shared}/reset-second-factor"), &[]).await;
    assert!(refused.body.contains("also belongs to another organisation"));

    app.sign_in("dsl@group.example").await;
    let home = app.get("/").await;
    assert!(home.body.contains("Org alpha") && home.body.contains("Staff"));
    let account = app.get("/account").await;
    assert!(account.body.contains("Switch to Org beta"));
    assert_eq!(app.post("/account/organisation", &[("org", &beta.org().to_string())]).await.location(), "/");
    let home = app.get("/").await;
    assert!(home.body.contains("Org beta") && home.body.contains("Leader"), "{}", home.body);
    // An organisation the account does not belong to is not found.
    app.get("/account").await;
    let other = app.post("/account/organisation", &[("org", &domain::OrgId::new().to_string())]).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
}
both!(a_person_in_two_organisations_works_in_one_at_a_time);

async fn people_revoke_their_own_api_tokens(app: TestApp) {
    let scope = app.org("eta", Nation::England).await;
    let tutor = app.member(&scope, "tutor@eta.example", Role::Staff).await;
    let token = app.api_token(&scope, tutor).await;
    app.sign_in("tutor@eta.example").await;
    app.api("/api/v1/me", &token).await;
    let page = app.get("/account").await;
    assert!(page.body.contains("Revoke"));
    let id = app
        .store
        .own_api_tokens(&app.store.session(&app.cookie().unwrap()).await.unwrap().unwrap().scope.unwrap())
        .await
        .unwrap()[0]
        .id;
    app.get("/account").await;
    assert_eq!(app.post(&format!("/account/tokens/{id}/revoke"), &[]).await.location(), "/account");
    assert_eq!(app.api("/api/v1/me", &token).await.status, StatusCode::UNAUTHORIZED);
}
both!(people_revoke_their_own_api_tokens);

async fn confirming_safeguarding_changes_needs_a_fresh_code(app: TestApp) {
    let scope = app.org("theta", Nation::England).await;
    app.member(&scope, "lead@theta.example", Role::SafeguardingLead).await;
    app.sign_in("lead@theta.example").await;
    assert_eq!(app.get("/confirmations").await.status, StatusCode::OK);
    app.clock.advance(time::Duration::minutes(11));
    let stale = app.get("/confirmations").await;
    assert_eq!(stale.location(), "/sign-in/again?next=%2Fconfirmations");
    let page = app.get(stale.location()).await;
    assert!(page.body.contains("Confirm it is you"));
    let wrong = app.post("/sign-in/again", &[("code", "000000"), ("next", "/confirmations")]).await;
    assert!(wrong.body.contains("The code is wrong"));
    // Only a path on this site may follow.
    let code = app.code("lead@theta.example");
    assert_eq!(app.post("/sign-in/again", &[("code", &code), ("next", "//evil.example/")]).await.location(), "/");
    assert_eq!(app.get("/confirmations").await.status, StatusCode::OK);
}
both!(confirming_safeguarding_changes_needs_a_fresh_code);
