//! The role registry: posts with dates, the safeguarding lead's access following the post, "who was the lead
//! on a date", the contact card on every page and on the public page, and the "no cover" alert.

use crate::both;
use crate::support::TestApp;
use axum::http::StatusCode;
use domain::org::Nation;
use domain::roles::Role;

async fn import_staff(app: &TestApp, token: &str) {
    let csv = "kind,given_name,family_name,email\n\
               staff,Sam,Lead,sam@alpha.example\n\
               staff,Dee,Deputy,dee@alpha.example\n\
               staff,Tara,Tutor,tara@alpha.example\n\
               staff,Nia,Next,nia@alpha.example\n";
    let request = axum::http::Request::post("/api/v1/people/import")
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "text/csv")
        .body(axum::body::Body::from(csv))
        .unwrap();
    assert_eq!(app.send(request).await.status, StatusCode::OK);
}

async fn holding_the_lead_post_grants_the_leads_access_for_its_dates(app: TestApp) {
    let scope = app.org("alpha", Nation::England).await;
    let admin = app.member(&scope, "admin@alpha.example", Role::Admin).await;
    for email in ["sam@alpha.example", "dee@alpha.example", "tara@alpha.example", "nia@alpha.example"] {
        app.member(&scope, email, Role::Staff).await;
    }
    let token = app.api_token(&scope, admin).await;
    import_staff(&app, &token).await;
    app.sign_in("tara@alpha.example").await;
    assert!(app.get("/").await.body.contains("No Designated Safeguarding Lead is recorded yet"));

    // The administrator appoints the first lead (there is no lead yet to do it).
    app.sign_in("admin@alpha.example").await;
    app.get("/registry/appoint").await;
    let unknown = app
        .post("/registry/appoint", &[("post", "dsl"), ("email", "nobody@alpha.example"), ("starts_on", "30/11/2026")])
        .await;
    assert!(unknown.body.contains("No one in the people register has this email address"));
    let appointed = app
        .post("/registry/appoint", &[("post", "dsl"), ("email", "sam@alpha.example"), ("starts_on", "30/11/2026")])
        .await;
    assert_eq!(appointed.location(), "/registry?notice=appointed");
    // Once there is a lead, only a lead appoints leads and deputies.
    app.get("/registry/appoint").await;
    let refused = app
        .post(
            "/registry/appoint",
            &[("post", "deputy_dsl"), ("email", "dee@alpha.example"), ("starts_on", "30/11/2026")],
        )
        .await;
    assert!(refused.body.contains("Only a safeguarding lead can appoint"));

    // Sam now has the lead's access, and appoints a deputy; everyone sees them on every page.
    app.sign_in("sam@alpha.example").await;
    assert_eq!(app.get("/confirmations").await.status, StatusCode::OK, "the post grants safeguarding_lead");
    app.get("/registry/appoint").await;
    app.post(
        "/registry/appoint",
        &[("post", "deputy_dsl"), ("email", "dee@alpha.example"), ("starts_on", "30/11/2026")],
    )
    .await;
    app.get("/registry/contact").await;
    app.post(
        "/registry/contact",
        &[
            ("team_mailbox", "safeguarding@alpha.example"),
            ("team_phone", "0113 496 0000"),
            ("out_of_hours", "Leeds emergency duty team 0113 535 0600"),
            ("public_card", "yes"),
        ],
    )
    .await;
    app.sign_in("tara@alpha.example").await;
    let page = app.get("/").await;
    assert!(
        page.body.contains("Sam Lead")
            && page.body.contains("Dee Deputy")
            && page.body.contains("safeguarding@alpha.example")
    );
    assert!(page.body.contains("Leeds emergency duty team"));
    app.set_cookie(None);
    let public = app.get("/contact/alpha").await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(public.body.contains("Sam Lead") && !public.body.contains("Tara"));

    // When the lead and the deputy are both away, "no cover" is raised for the team and managers.
    app.sign_in("sam@alpha.example").await;
    let registry = app.get("/registry").await;
    let ids: Vec<String> = registry
        .body
        .match_indices("/absence\"")
        .map(|(i, _)| registry.body[..i].rsplit("/registry/").next().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 2, "the lead and the deputy can be recorded as away");
    assert!(!app.api_ok("/api/v1/tasks", &token).await.body.contains("arrange cover"));
    for id in &ids {
        app.post(&format!("/registry/{id}/absence"), &[("away_from", "30/11/2026"), ("away_until", "04/12/2026")])
            .await;
    }
    let tasks = app.api("/api/v1/tasks", &token).await.body;
    assert!(tasks.contains("No safeguarding lead or deputy is available today"), "{tasks}");
    assert!(app.get("/").await.body.contains("away today"));

    // A new lead from a later date ends Sam's term the day before; "who was the lead" has an answer on each day.
    app.clock.advance(time::Duration::days(40));
    app.sign_in("sam@alpha.example").await;
    app.get("/registry/appoint").await;
    app.post("/registry/appoint", &[("post", "dsl"), ("email", "nia@alpha.example"), ("starts_on", "15/01/2027")])
        .await;
    let on = |day: &str| {
        let token = token.clone();
        let app = &app;
        let day = day.to_owned();
        async move {
            let registry = app.api(&format!("/api/v1/roles?as_at={day}"), &token).await.json();
            registry["holders"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|h| h["post"] == "dsl")
                .map(|h| h["name"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(on("2026-12-01").await, ["Sam Lead"]);
    assert_eq!(on("2027-01-14").await, ["Sam Lead"]);
    assert_eq!(on("2027-01-15").await, ["Nia Next"]);
    assert_eq!(on("2026-11-01").await, Vec::<String>::new());
    // After the handover, Sam no longer has the lead's access.
    app.clock.advance(time::Duration::days(10));
    app.sign_in("sam@alpha.example").await;
    assert_eq!(app.get("/confirmations").await.status, StatusCode::FORBIDDEN);
}
both!(holding_the_lead_post_grants_the_leads_access_for_its_dates);

async fn the_public_card_is_shown_only_when_switched_on(app: TestApp) {
    app.org("beta", Nation::Wales).await;
    assert_eq!(app.get("/contact/beta").await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/contact/nowhere").await.status, StatusCode::NOT_FOUND);
}
both!(the_public_card_is_shown_only_when_switched_on);
