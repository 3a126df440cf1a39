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
    let receipts = app.page(&receipt).await;
    assert!(receipts.body.contains("Your concern has been sent") && receipts.body.contains("Received"));
    assert!(!receipts.body.contains("Jo Young") && !receipts.body.contains("Workshop"), "the reporter sees no content");

    // The leads are told at once, without names or content.
    let mail = app.store.outbox(10).await.unwrap();
    let alert = mail.iter().find(|m| m.recipient == "lead@alpha.example").expect("the lead is alerted");
    assert!(alert.subject.starts_with("Urgent"));
    assert!(!alert.body.contains("Jo") && !alert.body.contains("plot") && !alert.body.contains("tutor"));

    // Unacknowledged after four hours, it becomes a task for every lead and deputy.
    app.sign_in("lead@alpha.example").await;
    let home = app.page("/").await;
    assert!(
        home.body.contains("1 concern is waiting for you") && home.body.contains("1 urgent"),
        "alerted in the app at once"
    );
    assert!(!home.body.contains("waited longer than the time set"));
    app.clock.advance(time::Duration::hours(5));
    app.sign_in("lead@alpha.example").await;
    assert!(app.get("/").await.body.contains("waited longer than the time set"));

    // Nobody outside the safeguarding team can list or open it.
    let id: String = sqlx::query_scalar("SELECT id FROM concerns").fetch_one(&mut app.db.raw().await).await.unwrap();
    for outsider in ["tutor@alpha.example", "admin@alpha.example", "leader@alpha.example"] {
        app.sign_in(outsider).await;
        assert_eq!(app.get("/safeguarding").await.status, StatusCode::FORBIDDEN, "{outsider}");
        assert_eq!(app.get(&format!("/safeguarding/concerns/{id}")).await.status, StatusCode::FORBIDDEN, "{outsider}");
    }

    // The lead sees it first in the list, opens it (an audited read of case content) and acknowledges it.
    app.sign_in("lead@alpha.example").await;
    // The list shows what a lead scans for: who it is about, who raised it, how long it has waited; the
    // words stay on the concern's page.
    let inbox = app.page("/safeguarding").await;
    assert!(inbox.body.contains("Urgent") && inbox.body.contains("Jo Young"), "{}", inbox.body);
    assert!(inbox.body.contains("Person tutor@alpha.example") && inbox.body.contains("Waiting "));
    assert!(!inbox.body.contains(WORDS), "the words stay on the concern's page");
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
    app.member(&scope, "lead@gamma.example", Role::SafeguardingLead).await;
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
    assert!(!app.api_ok("/api/v1/concerns", &token).await.body.contains("Kim"));

    // Look for the words anywhere in the database, as someone with a copy of it would.
    app.assert_nowhere_in_database(&["plot", "Kim Other", "Bus stop"], "prevent").await;
}
both!(the_words_of_a_concern_are_never_stored_in_clear);

async fn a_concern_about_staff_goes_to_the_senior_leader_only(app: TestApp) {
    let scope = app.org("delta", Nation::England).await;
    app.member(&scope, "lead@delta.example", Role::SafeguardingLead).await;
    app.member(&scope, "head@delta.example", Role::Leader).await;
    app.member(&scope, "tutor@delta.example", Role::Staff).await;
    // The head is named in the role registry as the senior leader for concerns about staff.
    app.appoint(&scope, "head@delta.example", domain::registry::Post::SeniorLeader).await;

    app.sign_in("tutor@delta.example").await;
    app.get("/concerns/new").await;
    app.post(
        "/concerns/new",
        &[
            ("about", "someone"),
            ("about_name", "A colleague"),
            ("what_happened", "Messages to a learner late at night."),
            ("category", "other"),
            ("immediate_danger", "no"),
            ("told_in_person", "no"),
            ("about_staff", "yes"),
        ],
    )
    .await;
    let mail = app.store.outbox(10).await.unwrap();
    assert!(mail.iter().any(|m| m.recipient == "head@delta.example" && m.body.contains("/concerns/about-staff")));
    assert!(!mail.iter().any(|m| m.recipient == "lead@delta.example"), "the safeguarding team is not told");

    app.sign_in("lead@delta.example").await;
    assert!(app.get("/safeguarding").await.body.contains("No concerns have been raised"));
    assert!(app.get("/concerns/about-staff").await.body.contains("No concerns have been raised"));
    let id: String = sqlx::query_scalar("SELECT id FROM concerns").fetch_one(&mut app.db.raw().await).await.unwrap();
    assert_eq!(app.get(&format!("/safeguarding/concerns/{id}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&format!("/concerns/about-staff/concerns/{id}")).await.status, StatusCode::NOT_FOUND);

    app.sign_in("head@delta.example").await;
    let list = app.get("/concerns/about-staff").await;
    assert!(list.body.contains("Concerns about staff or the safeguarding team") && list.body.contains("C-"));
    let page = app.get(&format!("/concerns/about-staff/concerns/{id}")).await;
    assert!(page.body.contains("Messages to a learner late at night."));
    // Acknowledging opens a case restricted to the senior leader, out of the safeguarding team's sight.
    let case = app.post(&format!("/concerns/about-staff/concerns/{id}/acknowledge"), &[]).await.location().to_owned();
    assert!(case.starts_with("/cases/"), "{case}");
    assert!(app.get(&case).await.body.contains("Messages to a learner late at night."));
    app.sign_in("lead@delta.example").await;
    assert_eq!(app.get(&case).await.status, StatusCode::NOT_FOUND);
    assert!(!app.page("/cases").await.body.contains("S-"));
    app.sign_in("tutor@delta.example").await;
    assert!(app.get("/concerns").await.body.contains("Being handled"));
    assert_eq!(app.get(&format!("/concerns/about-staff/concerns/{id}")).await.status, StatusCode::NOT_FOUND);
}
both!(a_concern_about_staff_goes_to_the_senior_leader_only);

async fn the_team_records_concerns_that_reach_them_another_way(app: TestApp) {
    let scope = app.org("eta", Nation::Wales).await;
    app.member(&scope, "lead@eta.example", Role::SafeguardingLead).await;
    app.member(&scope, "tutor@eta.example", Role::Staff).await;
    app.sign_in("tutor@eta.example").await;
    assert!(!app.page("/concerns/new").await.body.contains("how did it reach you"), "only the team is asked");
    app.sign_in("lead@eta.example").await;
    assert!(app.get("/concerns/new").await.body.contains("how did it reach you"));
    let recorded = app
        .post(
            "/concerns/new",
            &[
                ("received_via", "phone"),
                ("about", "someone"),
                ("about_name", "A learner"),
                ("what_happened", "The employer rang."),
                ("category", "workplace"),
                ("immediate_danger", "no"),
                ("told_in_person", "no"),
                ("about_staff", "no"),
            ],
        )
        .await;
    assert!(recorded.location().starts_with("/concerns?raised="));
    let id: String = sqlx::query_scalar("SELECT id FROM concerns").fetch_one(&mut app.db.raw().await).await.unwrap();
    assert!(app.get(&format!("/safeguarding/concerns/{id}")).await.body.contains("A phone call"));
}
both!(the_team_records_concerns_that_reach_them_another_way);

async fn an_unacknowledged_concern_escalates_to_the_deputies_in_the_time_set(app: TestApp) {
    let scope = app.org("theta", Nation::England).await;
    app.member(&scope, "lead@theta.example", Role::SafeguardingLead).await;
    app.member(&scope, "tutor@theta.example", Role::Staff).await;
    app.appoint(&scope, "deputy@theta.example", domain::registry::Post::DeputyDsl).await;

    // The team sets two hours, and stops offering a category they do not use; Prevent cannot be hidden.
    app.sign_in("lead@theta.example").await;
    assert!(app.get("/safeguarding/settings").await.body.contains("value=\"4\""));
    let bad = app.post("/safeguarding/settings", &[("acknowledge_within_hours", "0")]).await;
    assert!(bad.body.contains("from 1 to 72") && bad.body.contains("govuk-error-summary"));
    let fields = [
        ("acknowledge_within_hours", "2"),
        ("danger_escalates_after_minutes", "15"),
        ("offered", "online"),
        ("offered", "mental_health"),
    ];
    assert_eq!(app.post("/safeguarding/settings", &fields).await.location(), "/safeguarding/settings?saved=true");
    let settings = app.store.concern_settings(&scope).await.unwrap();
    assert_eq!(settings.acknowledge_within_hours, 2);
    assert!(settings.hidden_categories.contains(&"bullying".to_owned()));
    assert!(!settings.hidden_categories.contains(&"prevent".to_owned()));

    app.sign_in("tutor@theta.example").await;
    let form = app.page("/concerns/new").await;
    assert!(!form.body.contains("value=\"bullying\"") && form.body.contains("value=\"prevent\""));
    let sent = [
        ("about", "someone"),
        ("about_name", "A learner"),
        ("what_happened", "Left crying after a call."),
        ("category", "mental_health"),
        ("immediate_danger", "no"),
        ("told_in_person", "no"),
    ];
    app.post("/concerns/new", &sent).await;
    let worker = web::jobs::Worker::new(
        web::AppState::new(
            app.store.clone(),
            web::Config { public_url: "http://vigil.test".into(), demo: false, sends_email: false },
        ),
        "w".into(),
        None,
    );
    worker.tick().await.unwrap();
    let escalations =
        |mail: &[store::outbox::Mail]| mail.iter().filter(|m| m.subject.contains("waiting to be acknowledged")).count();
    assert_eq!(escalations(&app.store.outbox(50).await.unwrap()), 0, "not yet");
    app.clock.advance(time::Duration::minutes(121));
    worker.tick().await.unwrap();
    let mail = app.store.outbox(50).await.unwrap();
    let to_deputy = mail.iter().find(|m| m.subject.contains("waiting to be acknowledged")).expect("escalated");
    assert_eq!(to_deputy.recipient, "deputy@theta.example");
    assert!(!to_deputy.body.contains("crying") && !to_deputy.body.contains("learner"));
    worker.tick().await.unwrap();
    assert_eq!(escalations(&app.store.outbox(50).await.unwrap()), 1, "once");
}
both!(an_unacknowledged_concern_escalates_to_the_deputies_in_the_time_set);

async fn a_draft_is_kept_until_the_concern_is_sent_and_staff_choose_from_the_register(app: TestApp) {
    let scope = app.org("iota", Nation::England).await;
    app.member(&scope, "lead@iota.example", Role::SafeguardingLead).await;
    app.member(&scope, "tutor@iota.example", Role::Staff).await;
    let none = std::collections::HashSet::new();
    let known = domain::people::Known { departments: &none, sites: &none, staff_emails: &none };
    let cells = std::collections::HashMap::from([
        ("kind", "apprentice".to_owned()),
        ("given_name", "Robin".to_owned()),
        ("family_name", "Ash".to_owned()),
        ("uln", "1234567890".to_owned()),
        ("date_of_birth", "01/06/2010".to_owned()),
        ("parent_carer_contact", "Jan Ash, 07700 900456".to_owned()),
    ]);
    let robin = domain::people::parse_person(&cells, app.store.now().date(), &known).unwrap();
    let mut tx = app.store.write(&scope).await.unwrap();
    tx.import_people(&[robin]).await.unwrap();
    tx.commit().await.unwrap();

    app.sign_in("tutor@iota.example").await;
    let form = app.get("/concerns/new").await;
    assert!(form.body.contains("<option value=\"Robin Ash\">"), "staff choose from the register");
    let typed =
        [("about", "someone"), ("about_name", "Robin Ash"), ("what_happened", "Robin said he is scared to go home")];
    assert_eq!(app.post("/concerns/draft", &typed).await.location(), "/concerns/new");
    let restored = app.get("/concerns/new").await;
    assert!(restored.body.contains("This is your draft") && restored.body.contains("scared to go home"));
    let draft: String = sqlx::query_scalar("SELECT answers_sealed FROM concern_drafts")
        .fetch_one(&mut app.db.raw().await)
        .await
        .unwrap();
    assert!(!draft.contains("scared"), "drafts are sealed");
    let mut sent = typed.to_vec();
    sent.extend([("category", "physical"), ("immediate_danger", "no"), ("told_in_person", "no")]);
    app.post("/concerns/new", &sent).await;
    assert!(!app.page("/concerns/new").await.body.contains("This is your draft"), "sending removes the draft");

    // The case starts from the register: under 18 on the day, with the parent's contact.
    app.sign_in("lead@iota.example").await;
    let id: String = sqlx::query_scalar("SELECT id FROM concerns").fetch_one(&mut app.db.raw().await).await.unwrap();
    let case = app.post(&format!("/safeguarding/concerns/{id}/acknowledge"), &[]).await.location().to_owned();
    let page = app.get(&case).await;
    assert!(page.body.contains("Under 18 on the date of the concern") && page.body.contains("Jan Ash, 07700 900456"));
}
both!(a_draft_is_kept_until_the_concern_is_sent_and_staff_choose_from_the_register);
