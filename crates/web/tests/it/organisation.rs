//! The organisation profile, sites and departments: pages and API, "as at" history, validation, audit.

use crate::both;
use crate::support::TestApp;
use axum::http::{Method, StatusCode};
use domain::org::Nation;
use domain::roles::Role;
use serde_json::json;

async fn the_profile_is_recorded_reviewed_and_shown_as_at_a_date(app: TestApp) {
    let scope = app.org("alpha", Nation::England).await;
    app.member(&scope, "leader@alpha.example", Role::Leader).await;
    app.member(&scope, "tutor@alpha.example", Role::Staff).await;
    app.sign_in("leader@alpha.example").await;
    let empty = app.get("/organisation").await;
    assert!(empty.body.contains("Complete the profile"));

    app.get("/organisation/edit").await;
    let bad = app.post("/organisation/edit", &[("nation", "england"), ("local_authorities", "Leeds\nBradford")]).await;
    assert!(bad.body.contains("govuk-error-summary") && bad.body.contains("Select yes if you enrol learners under 18"));
    assert!(bad.body.contains("Leeds\nBradford"), "the typing is kept");
    let saved = app
        .post(
            "/organisation/edit",
            &[
                ("nation", "england"),
                ("provider_type", "independent_training_provider"),
                ("enrols_under_18", "no"),
                ("subcontracting", "none"),
                ("has_premises", "yes"),
                ("local_authorities", "Leeds\nBradford"),
            ],
        )
        .await;
    assert_eq!(saved.location(), "/organisation?notice=saved");
    let first_day = app.store.now().date();

    // A month later the provider starts enrolling 16 to 18 year olds.
    app.clock.advance(time::Duration::days(30));
    app.sign_in("leader@alpha.example").await;
    app.get("/organisation/edit").await;
    app.post(
        "/organisation/edit",
        &[
            ("nation", "england"),
            ("provider_type", "independent_training_provider"),
            ("enrols_under_18", "yes"),
            ("subcontracting", "over_100k"),
            ("has_premises", "yes"),
            ("local_authorities", "Leeds"),
        ],
    )
    .await;
    let now = app.get("/organisation").await;
    assert!(now.body.contains("Keeping Children Safe in Education"));
    assert!(now.body.contains("Prevent duty for your sub-contractors"));
    let then = app.page(&format!("/organisation?as_at={first_day}")).await;
    assert!(!then.body.contains("Keeping Children Safe in Education"), "as at the first day, no under-18s");
    assert!(then.body.contains("Leeds, Bradford"));
    let before = app.get("/organisation?as_at=01/01/2020").await;
    assert!(before.body.contains("No profile had been recorded by that date"));
    let nonsense = app.get("/organisation?as_at=31/02/2026").await;
    assert!(nonsense.body.contains("Enter a real date"));

    // The yearly review falls due, and confirming the profile records it.
    app.clock.advance(time::Duration::days(400));
    app.sign_in("leader@alpha.example").await;
    assert!(app.get("/organisation").await.body.contains("Overdue"));
    app.post("/organisation/review", &[]).await;
    assert!(!app.page("/organisation").await.body.contains("Overdue"));
    let events = app.store.audit_page(&scope, &store::audit::AuditFilter::default(), 1, 50).await.unwrap();
    let actions: Vec<&str> = events.items.iter().map(|e| e.action.as_str()).collect();
    assert!(actions.contains(&"profile.reviewed") && actions.contains(&"profile.changed"));
    let changed = events.items.iter().find(|e| e.action == "profile.changed").unwrap();
    assert_eq!(changed.fields, ["enrols_under_18", "subcontracting", "local_authorities"]);

    // Staff may read the profile but not change it.
    app.sign_in("tutor@alpha.example").await;
    assert_eq!(app.get("/organisation").await.status, StatusCode::OK);
    assert!(!app.page("/organisation").await.body.contains("Change the profile"));
    assert_eq!(app.get("/organisation/edit").await.status, StatusCode::FORBIDDEN);
}
both!(the_profile_is_recorded_reviewed_and_shown_as_at_a_date);

async fn sites_are_added_changed_and_retired_but_kept_in_history(app: TestApp) {
    let scope = app.org("beta", Nation::Wales).await;
    app.member(&scope, "admin@beta.example", Role::Admin).await;
    app.sign_in("admin@beta.example").await;
    assert!(app.get("/sites").await.body.contains("No sites have been added yet"));
    app.get("/sites/new").await;
    let bad = app.post("/sites/new", &[("name", "  "), ("address", "1 High Street"), ("postcode", "nonsense")]).await;
    assert!(
        bad.body.contains("Enter the site&#39;s name") || bad.body.contains("Enter the site's name"),
        "{}",
        bad.body
    );
    assert!(bad.body.contains("Enter a real postcode"));
    assert!(bad.body.contains("1 High Street"));
    assert!(app.store.sites_page(&scope, store::sites::Showing::All, 1, 10).await.unwrap().items.is_empty());
    let added = app
        .post(
            "/sites/new",
            &[
                ("name", "Cwm Campus"),
                ("kind", "main_site"),
                ("address", "1 High Street\nPontypridd"),
                ("postcode", "cf37 1aa"),
                ("shared_with", ""),
                ("let_to_others", "yes"),
            ],
        )
        .await;
    assert_eq!(added.location(), "/sites?notice=added");
    let site = app.store.sites_page(&scope, store::sites::Showing::Current, 1, 10).await.unwrap().items[0].clone();
    assert_eq!(site.postcode, "CF37 1AA");
    let day_added = app.store.now().date();

    app.clock.advance(time::Duration::days(10));
    app.sign_in("admin@beta.example").await;
    app.get(&format!("/sites/{}/edit", site.id)).await;
    app.post(
        &format!("/sites/{}/edit", site.id),
        &[
            ("name", "Cwm Campus"),
            ("kind", "main_site"),
            ("address", "1 High Street\nPontypridd"),
            ("postcode", "CF37 1AA"),
            ("shared_with", "Pontypridd Library"),
            ("let_to_others", "yes"),
        ],
    )
    .await;
    app.clock.advance(time::Duration::days(10));
    app.sign_in("admin@beta.example").await;
    app.get(&format!("/sites/{}", site.id)).await;
    assert_eq!(app.post(&format!("/sites/{}/retire", site.id), &[]).await.location(), "/sites?notice=retired");
    assert!(
        app.get("/sites").await.body.contains("No sites have been added yet")
            || !app.get("/sites").await.body.contains("Cwm Campus")
    );
    assert!(app.get("/sites?retired=show").await.body.contains("Cwm Campus"));
    assert!(app.get(&format!("/sites?as_at={day_added}")).await.body.contains("Cwm Campus"));
    let detail = app.get(&format!("/sites/{}", site.id)).await;
    assert!(detail.body.contains("Retired on") && !detail.body.contains("Retire this site"));
    let changed = app
        .store
        .audit_page(
            &scope,
            &store::audit::AuditFilter { action_prefix: Some("site.changed".into()), ..Default::default() },
            1,
            10,
        )
        .await
        .unwrap();
    assert_eq!(changed.items[0].fields, ["shared_with"]);

    // Departments.
    app.get("/departments").await;
    app.post("/departments", &[("name", "Engineering")]).await;
    let twice = app.post("/departments", &[("name", "engineering")]).await;
    assert!(twice.body.contains("There is already a department with this name"));
    assert!(app.get("/departments").await.body.contains("Engineering"));
    let dept = app.store.departments(&scope, store::sites::Showing::Current).await.unwrap()[0].id;
    app.get(&format!("/departments/{dept}")).await;
    let blank = app.post(&format!("/departments/{dept}/rename"), &[("name", "")]).await;
    assert!(blank.body.contains("Enter the department"));
    app.post(&format!("/departments/{dept}/rename"), &[("name", "Engineering and Manufacturing")]).await;
    assert!(app.get("/departments").await.body.contains("Engineering and Manufacturing"));
    app.get(&format!("/departments/{dept}")).await;
    app.post(&format!("/departments/{dept}/retire"), &[]).await;
    assert!(!app.page("/departments").await.body.contains("Engineering and Manufacturing"));
    assert!(app.get(&format!("/departments/{dept}")).await.body.contains("Retired on"));
}
both!(sites_are_added_changed_and_retired_but_kept_in_history);

async fn the_api_reads_and_writes_the_same_records(app: TestApp) {
    let alpha = app.org("alpha", Nation::England).await;
    let beta = app.org("beta", Nation::England).await;
    let leader = app.member(&alpha, "leader@alpha.example", Role::Leader).await;
    let token = app.api_token(&alpha, leader).await;
    let other = app.member(&beta, "leader@beta.example", Role::Leader).await;
    let other_token = app.api_token(&beta, other).await;

    assert_eq!(app.api("/api/v1/profile", &token).await.status, StatusCode::NOT_FOUND);
    let bad = app
        .api_send(
            Method::PUT,
            "/api/v1/profile",
            &token,
            Some(json!({"nation": "scotland", "provider_type": "other",
            "enrols_under_18": false, "subcontracting": "none", "has_premises": false})),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["error"]["field"], "nation");
    let wrong_type = app
        .api_send(
            Method::PUT,
            "/api/v1/profile",
            &token,
            Some(json!({"nation": "england", "provider_type": "other",
            "enrols_under_18": "sometimes", "subcontracting": "none", "has_premises": false})),
        )
        .await;
    assert_eq!(wrong_type.status, StatusCode::BAD_REQUEST);
    assert_eq!(wrong_type.json()["error"]["field"], "enrols_under_18");
    let saved = app
        .api_send(
            Method::PUT,
            "/api/v1/profile",
            &token,
            Some(json!({"nation": "england", "provider_type": "fe_college",
            "enrols_under_18": true, "subcontracting": "none", "has_premises": true, "local_authorities": ["Leeds"]})),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert!(
        saved.json()["rules"].as_array().unwrap().iter().any(|r| r["rule"] == "Keeping Children Safe in Education")
    );

    let no_name = app
        .api_send(
            Method::POST,
            "/api/v1/sites",
            &token,
            Some(json!({"name": "", "kind": "office", "address": "x",
            "postcode": "LS1 1AA", "let_to_others": false})),
        )
        .await;
    assert_eq!(no_name.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(no_name.json()["error"]["field"], "name");
    let created = app
        .api_send(
            Method::POST,
            "/api/v1/sites",
            &token,
            Some(json!({"name": "Leeds Office", "kind": "office",
            "address": "2 Park Row", "postcode": "ls1 5ab", "let_to_others": false})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let id = created.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(app.api(&format!("/api/v1/sites/{id}"), &token).await.json()["postcode"], "LS1 5AB");
    // Another organisation's site is not found, to read or to change.
    assert_eq!(app.api(&format!("/api/v1/sites/{id}"), &other_token).await.status, StatusCode::NOT_FOUND);
    let foreign = app
        .api_send(
            Method::PUT,
            &format!("/api/v1/sites/{id}"),
            &other_token,
            Some(json!({"name": "Mine", "kind": "office",
            "address": "x", "postcode": "LS1 1AA", "let_to_others": false})),
        )
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    assert_eq!(app.api("/api/v1/sites", &other_token).await.json()["total"], 0);
    let retired = app.api_send(Method::POST, &format!("/api/v1/sites/{id}/retire"), &token, None).await;
    assert!(retired.json()["retired_at"].is_string());
    assert_eq!(app.api("/api/v1/sites", &token).await.json()["total"], 0);
    assert_eq!(app.api("/api/v1/sites?include_retired=true", &token).await.json()["total"], 1);

    let dept = app.api_send(Method::POST, "/api/v1/departments", &token, Some(json!({"name": "Health"}))).await;
    assert_eq!(dept.status, StatusCode::CREATED);
    assert_eq!(app.api("/api/v1/departments", &token).await.json()["items"][0]["name"], "Health");
}
both!(the_api_reads_and_writes_the_same_records);
