//! No concern goes unseen: concerns open only once a lead who can sign in holds the post, they reach
//! the senior leader and the board's safeguarding lead when no lead or deputy can receive them, urgent ones
//! escalate in minutes, and the receipt says truthfully who was told.

use crate::both;
use crate::support::TestApp;
use axum::http::{Method, StatusCode};
use domain::org::Nation;
use domain::registry::Post;
use domain::roles::Role;
use serde_json::json;
use store::OrgScope;

const CONCERN: [(&str, &str); 6] = [
    ("about", "someone"),
    ("about_name", "A learner"),
    ("what_happened", "Said they were told online to stop coming in."),
    ("category", "online"),
    ("immediate_danger", "no"),
    ("told_in_person", "no"),
];

fn mail_to(mail: &[store::outbox::Mail], who: &str) -> Vec<String> {
    mail.iter().filter(|m| m.recipient == who).map(|m| m.subject.clone()).collect()
}

async fn raised(app: &TestApp, fields: &[(&str, &str)]) -> String {
    app.page("/concerns/new").await;
    let answer = app.post("/concerns/new", fields).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    answer.location().to_owned()
}

async fn no_concern_is_taken_until_a_lead_can_sign_in_and_the_receipt_tells_the_truth(app: TestApp) {
    let scope = app.org("nu", Nation::England).await;
    let admin = app.member(&scope, "admin@nu.example", Role::Admin).await;
    let tutor = app.member(&scope, "tutor@nu.example", Role::Staff).await;
    // The lead is appointed from the people register, but has no account yet.
    app.appoint(&scope, "lead@nu.example", Post::Dsl).await;

    app.sign_in("tutor@nu.example").await;
    let page = app.page("/concerns/new").await;
    assert!(page.body.contains("Concerns cannot be raised in Vigil yet"), "{}", page.body);
    assert!(page.body.contains("tel:999") && !page.body.contains("name=\"what_happened\""));
    let refused = app.post("/concerns/new", &CONCERN).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    let token = app.api_token(&scope, tutor).await;
    let body = json!({"about": "A learner", "what_happened": "Worried", "category": "online",
        "immediate_danger": false, "told_in_person": false});
    let api = app.api_send(Method::POST, "/api/v1/concerns", &token, Some(body.clone())).await;
    assert_eq!(api.status, StatusCode::CONFLICT, "{}", api.body);
    assert!(api.json()["error"]["message"].as_str().unwrap().contains("cannot be raised"));
    assert_eq!(app.store.outbox(50).await.unwrap().len(), 0, "nothing was sent to nobody");

    // The administrator sees why, and the set-up steps that remain.
    app.sign_in("admin@nu.example").await;
    let home = app.page("/").await;
    assert!(
        home.body.contains("Nobody can raise a concern in Vigil yet, because the safeguarding lead has no account")
    );
    assert!(home.body.contains("Invite your Designated Safeguarding Lead to Vigil"));
    assert!(home.body.contains("Appoint a deputy"), "the deputy is a required step");
    let _ = admin;

    // Once the lead has an account with an authenticator, concerns open and reach them.
    app.member(&scope, "lead@nu.example", Role::Staff).await;
    assert!(!app.page("/").await.body.contains("Nobody can raise a concern"));
    app.sign_in("tutor@nu.example").await;
    let receipt = raised(&app, &CONCERN).await;
    assert!(receipt.ends_with("told=team"), "{receipt}");
    let page = app.page(&receipt).await;
    assert!(page.body.contains("Your concern has gone to the safeguarding team"));
    assert!(page.body.contains("Email is not set up here, so nobody has been emailed"), "no SMTP here: {}", page.body);
    assert_eq!(mail_to(&app.store.outbox(50).await.unwrap(), "lead@nu.example").len(), 1);
    let api = app.api_send(Method::POST, "/api/v1/concerns", &token, Some(body)).await;
    assert_eq!(api.status, StatusCode::CREATED, "{}", api.body);
    assert_eq!(api.json()["told"], "team");
    assert_eq!(api.json()["emailed"], false);
}
both!(no_concern_is_taken_until_a_lead_can_sign_in_and_the_receipt_tells_the_truth);

/// An organisation whose lead and deputy can sign in, with a senior leader and a board safeguarding lead.
async fn a_team(app: &TestApp, slug: &str) -> OrgScope {
    let scope = app.org(slug, Nation::England).await;
    for (email, post) in [
        (format!("lead@{slug}.example"), Post::Dsl),
        (format!("deputy@{slug}.example"), Post::DeputyDsl),
        (format!("senior@{slug}.example"), Post::SeniorLeader),
        (format!("board@{slug}.example"), Post::BoardSafeguardingLead),
    ] {
        app.appoint(&scope, &email, post).await;
        app.member(&scope, &email, Role::Staff).await;
    }
    app.member(&scope, &format!("tutor@{slug}.example"), Role::Staff).await;
    scope
}

async fn a_concern_nobody_in_the_team_can_receive_goes_to_the_leadership(app: TestApp) {
    let scope = a_team(&app, "xi").await;
    let today = app.store.now().date();
    let mut tx = app.store.write(&scope).await.unwrap();
    for holder in app.store.holders_on(&scope, today).await.unwrap() {
        if matches!(holder.post, Post::Dsl | Post::DeputyDsl) {
            tx.record_absence(holder.id, today, today + time::Duration::days(5)).await.unwrap();
        }
    }
    tx.commit().await.unwrap();

    app.sign_in("tutor@xi.example").await;
    let receipt = raised(&app, &CONCERN).await;
    assert!(receipt.ends_with("told=leadership"), "{receipt}");
    let page = app.page(&receipt).await;
    assert!(page.body.contains("No safeguarding lead or deputy can receive it today"), "{}", page.body);
    let mail = app.store.outbox(50).await.unwrap();
    assert!(mail_to(&mail, "lead@xi.example").is_empty() && mail_to(&mail, "deputy@xi.example").is_empty());
    for who in ["senior@xi.example", "board@xi.example"] {
        let subjects = mail_to(&mail, who);
        assert_eq!(subjects, ["A safeguarding concern has reached nobody in the safeguarding team"], "{who}");
    }
}
both!(a_concern_nobody_in_the_team_can_receive_goes_to_the_leadership);

async fn a_concern_about_immediate_danger_escalates_to_the_senior_leader_in_minutes(app: TestApp) {
    let scope = a_team(&app, "omicron").await;
    app.sign_in("tutor@omicron.example").await;
    let mut urgent = CONCERN;
    urgent[4] = ("immediate_danger", "yes");
    raised(&app, &urgent).await;
    let mail = app.store.outbox(50).await.unwrap();
    for who in ["lead@omicron.example", "deputy@omicron.example"] {
        assert_eq!(mail_to(&mail, who), ["Urgent: a new safeguarding concern in Vigil"], "every lead at once: {who}");
    }
    let config = web::Config { public_url: "http://vigil.test".into(), demo: false, sends_email: false };
    let worker = web::jobs::Worker::new(web::AppState::new(app.store.clone(), config), "w".into(), None);
    let escalated = |mail: &[store::outbox::Mail], who: &str| {
        mail_to(mail, who).iter().filter(|s| s.contains("waiting to be acknowledged")).count()
    };
    app.clock.advance(time::Duration::minutes(14));
    worker.tick().await.unwrap();
    assert_eq!(escalated(&app.store.outbox(50).await.unwrap(), "senior@omicron.example"), 0, "not yet");
    app.clock.advance(time::Duration::minutes(2));
    worker.tick().await.unwrap();
    let mail = app.store.outbox(50).await.unwrap();
    assert_eq!(escalated(&mail, "senior@omicron.example"), 1, "the default is 15 minutes");
    assert_eq!(escalated(&mail, "deputy@omicron.example"), 1);
    let _ = scope;
}
both!(a_concern_about_immediate_danger_escalates_to_the_senior_leader_in_minutes);
