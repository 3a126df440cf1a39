//! Nobody gives themselves, or anyone, a post that reaches case content alone: appointing the senior
//! leader or the board's safeguarding lead waits for a safeguarding lead's confirmation, nobody confirms
//! their own, and everyone holding those posts signs in with a second factor.

use crate::both;
use crate::support::{PASSWORD, TestApp};
use axum::http::StatusCode;
use domain::org::Nation;
use domain::registry::Post;
use domain::roles::Role;
use store::OrgScope;

/// Puts a person in the people register (as staff) without appointing them.
async fn in_register(app: &TestApp, scope: &OrgScope, email: &str) {
    let none = std::collections::HashSet::new();
    let known = domain::people::Known { departments: &none, sites: &none, staff_emails: &none };
    let cells = std::collections::HashMap::from([
        ("kind", "staff"),
        ("given_name", "Reg"),
        ("family_name", "Istered"),
        ("email", email),
    ]);
    let cells = cells.into_iter().map(|(k, v)| (k, v.to_owned())).collect();
    let person = domain::people::parse_person(&cells, app.store.now().date(), &known).unwrap();
    let mut tx = app.store.write(scope).await.unwrap();
    tx.import_people(&[person]).await.unwrap();
    tx.commit().await.unwrap();
}

async fn holds(app: &TestApp, scope: &OrgScope, post: Post, email: &str) -> bool {
    let holders = app.store.holders_on(scope, app.store.now().date()).await.unwrap();
    holders.iter().any(|h| h.post == post && h.email.as_deref() == Some(email))
}

async fn appointing_the_senior_leader_or_board_lead_waits_for_another_lead(app: TestApp) {
    let scope = app.org("pi", Nation::England).await;
    app.member(&scope, "lead@pi.example", Role::SafeguardingLead).await;
    app.member(&scope, "other-lead@pi.example", Role::SafeguardingLead).await;
    for (n, role) in [Role::Admin, Role::Leader, Role::SafeguardingLead].into_iter().enumerate() {
        for post in [Post::SeniorLeader, Post::BoardSafeguardingLead] {
            let email = format!("{}-{n}-{}@pi.example", role.as_str(), post.as_str()).replace('_', "-");
            if role == Role::SafeguardingLead {
                let account = app.member(&scope, &email, Role::Staff).await;
                let mut tx = app.store.write(&scope).await.unwrap();
                tx.grant_role(account, Role::SafeguardingLead, None).await.unwrap();
                tx.commit().await.unwrap();
            } else {
                app.member(&scope, &email, role).await;
            }
            in_register(&app, &scope, &email).await;

            // They appoint themselves: recorded, but it does not count.
            app.sign_in(&email).await;
            let form = app.page("/registry/appoint").await;
            assert!(
                form.body.contains(&format!("<option value=\"{email}\">Reg Istered</option>")),
                "chosen from the register"
            );
            let today = app.store.now().date();
            let typed = format!("{:02}/{:02}/{}", today.day(), u8::from(today.month()), today.year());
            let fields = [("post", post.as_str()), ("email", email.as_str()), ("starts_on", typed.as_str())];
            let answer = app.post("/registry/appoint", &fields).await;
            assert_eq!(answer.location(), "/registry?notice=awaiting", "{role:?} {post:?}: {}", answer.body);
            assert!(!holds(&app, &scope, post, &email).await, "{role:?} {post:?} holds it unconfirmed");
            let pending = app.store.pending_appointments(&scope).await.unwrap();
            let id = pending.iter().find(|h| h.email.as_deref() == Some(email.as_str())).unwrap().id;
            let own = app.post(&format!("/confirmations/appointments/{id}"), &[("decision", "confirm")]).await;
            if role == Role::SafeguardingLead {
                assert_eq!(own.status, StatusCode::CONFLICT, "a lead cannot confirm their own appointment");
            } else {
                assert_eq!(own.status, StatusCode::FORBIDDEN, "{role:?} cannot confirm");
            }
            assert!(!holds(&app, &scope, post, &email).await);

            // Another lead, with a fresh second factor, confirms it; from then it counts.
            app.sign_in("lead@pi.example").await;
            let list = app.page("/confirmations").await;
            assert!(list.body.contains(&format!("/confirmations/appointments/{id}")));
            let confirmed = app.post(&format!("/confirmations/appointments/{id}"), &[("decision", "confirm")]).await;
            assert_eq!(confirmed.location(), "/confirmations?decided=confirmed", "{}", confirmed.body);
            assert!(holds(&app, &scope, post, &email).await, "{role:?} {post:?} confirmed");
            let again = app.post(&format!("/confirmations/appointments/{id}"), &[("decision", "confirm")]).await;
            assert_eq!(again.status, StatusCode::NOT_FOUND, "decided once");
        }
    }
}
both!(appointing_the_senior_leader_or_board_lead_waits_for_another_lead);

async fn a_refused_appointment_never_counts(app: TestApp) {
    let scope = app.org("rho", Nation::Wales).await;
    app.member(&scope, "lead@rho.example", Role::SafeguardingLead).await;
    app.member(&scope, "admin@rho.example", Role::Admin).await;
    in_register(&app, &scope, "admin@rho.example").await;
    let person = app.store.person_by_email(&scope, "admin@rho.example").await.unwrap().unwrap();
    let token = app.session_token("admin@rho.example").await;
    let admin = app.store.session(&token).await.unwrap().unwrap().scope.unwrap();
    let mut tx = app.store.write(&admin).await.unwrap();
    let outcome = tx.appoint(Post::SeniorLeader, person, None, app.store.now().date(), None).await.unwrap();
    tx.commit().await.unwrap();
    let store::registry::Appointed::AwaitingConfirmation(id) = outcome else { panic!("{outcome:?}") };
    app.sign_in("lead@rho.example").await;
    app.page("/confirmations").await;
    let refused = app.post(&format!("/confirmations/appointments/{id}"), &[("decision", "refuse")]).await;
    assert_eq!(refused.location(), "/confirmations?decided=refused");
    assert!(!holds(&app, &scope, Post::SeniorLeader, "admin@rho.example").await);
    assert!(app.store.pending_appointments(&scope).await.unwrap().is_empty());

    // A lead who asks for an appointment cannot confirm it either: two people make every one.
    let token = app.session_token("lead@rho.example").await;
    let lead = app.store.session(&token).await.unwrap().unwrap().scope.unwrap();
    let mut tx = app.store.write(&lead).await.unwrap();
    let outcome = tx.appoint(Post::BoardSafeguardingLead, person, None, app.store.now().date(), None).await.unwrap();
    tx.commit().await.unwrap();
    let store::registry::Appointed::AwaitingConfirmation(id) = outcome else { panic!("{outcome:?}") };
    app.sign_in("lead@rho.example").await;
    app.page("/confirmations").await;
    let own = app.post(&format!("/confirmations/appointments/{id}"), &[("decision", "confirm")]).await;
    assert_eq!(own.status, StatusCode::CONFLICT, "{}", own.body);
}
both!(a_refused_appointment_never_counts);

async fn a_senior_leader_must_sign_in_with_a_second_factor(app: TestApp) {
    let scope = app.org("sigma", Nation::England).await;
    app.member(&scope, "admin@sigma.example", Role::Admin).await;
    app.member(&scope, "lead@sigma.example", Role::SafeguardingLead).await;
    // A leader with no authenticator is appointed senior leader (from the command line: confirmed at once).
    let mut tx = app.store.write(&scope).await.unwrap();
    let leader = tx
        .create_member(&store::accounts::NewAccount {
            email: domain::text::Email::parse("head@sigma.example").unwrap(),
            display_name: domain::text::Name::parse("Head").unwrap(),
            password: domain::text::NewPassword::parse(PASSWORD).unwrap(),
        })
        .await
        .unwrap();
    tx.grant_role(leader, Role::Leader, None).await.unwrap();
    tx.commit().await.unwrap();
    app.appoint(&scope, "head@sigma.example", Post::SeniorLeader).await;
    app.set_cookie(None);
    let answer = app.post_raw("/sign-in", &[("email", "head@sigma.example"), ("password", PASSWORD)]).await;
    assert_eq!(answer.location(), "/sign-in/enrol", "the senior leader sets up an authenticator first");

    // The administrator cannot reset the senior leader's second factor alone.
    app.sign_in("admin@sigma.example").await;
    app.page(&format!("/users/{leader}")).await;
    let reset = app.post(&format!("/users/{leader}/reset-second-factor"), &[]).await;
    assert_eq!(reset.location(), "/users?notice=awaiting", "{}", reset.body);
    assert_eq!(app.store.pending_confirmations(&scope).await.unwrap().len(), 1);
}
both!(a_senior_leader_must_sign_in_with_a_second_factor);

async fn an_administrator_cannot_move_a_post_to_their_own_address(app: TestApp) {
    let scope = app.org("kappa", Nation::England).await;
    app.member(&scope, "admin@kappa.example", Role::Admin).await;
    app.appoint(&scope, "lead@kappa.example", Post::Dsl).await;
    let person = app.store.person_by_email(&scope, "lead@kappa.example").await.unwrap().unwrap();
    // The post follows the register's email to an account: changing it would hand the post over.
    app.sign_in("admin@kappa.example").await;
    let form = app.page(&format!("/people/{person}/edit")).await;
    assert!(form.body.contains("lead@kappa.example"));
    let fields = [("kind", "staff"), ("given_name", "Named"), ("family_name", "dsl"), ("email", "admin@kappa.example")];
    let moved = app.post(&format!("/people/{person}/edit"), &fields).await;
    assert_eq!(moved.status, StatusCode::OK, "shown again with the problem");
    assert!(moved.body.contains("end their term in"), "{}", moved.body);
    assert!(moved.body.contains("value=\"admin@kappa.example\""), "the typing is kept");
    assert!(app.store.person_by_email(&scope, "admin@kappa.example").await.unwrap().is_none());
    let admin_scope = app.store.session(&app.session_token("admin@kappa.example").await).await.unwrap().unwrap();
    assert!(!admin_scope.scope.unwrap().has_role(Role::SafeguardingLead));
    // Other details of the same person can still be changed.
    let renamed = [("kind", "staff"), ("given_name", "Sam"), ("family_name", "Lead"), ("email", "lead@kappa.example")];
    assert_eq!(app.post(&format!("/people/{person}/edit"), &renamed).await.location(), format!("/people/{person}"));
}
both!(an_administrator_cannot_move_a_post_to_their_own_address);
