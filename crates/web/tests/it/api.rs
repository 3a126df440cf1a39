//! The JSON API: bearer tokens only, pagination, errors naming the field, and the OpenAPI document.

use crate::both;
use crate::support::TestApp;
use axum::http::StatusCode;
use domain::org::Nation;
use domain::roles::Role;

async fn tokens_act_as_their_user_in_their_organisation(app: TestApp) {
    let scope = app.org("alpha", Nation::Wales).await;
    let admin = app.member(&scope, "admin@alpha.example", Role::Admin).await;
    let token = app.api_token(&scope, admin).await;
    let me = app.api("/api/v1/me", &token).await.json();
    assert_eq!(me["email"], "admin@alpha.example");
    assert_eq!(me["organisation"]["regulator"], "Estyn");
    assert_eq!(me["roles"], serde_json::json!(["admin"]));

    // A session cookie is not an API credential.
    app.sign_in("admin@alpha.example").await;
    let cookie_only = app.get("/api/v1/me").await;
    assert_eq!(cookie_only.status, StatusCode::UNAUTHORIZED);
    assert!(cookie_only.json()["error"]["message"].as_str().unwrap().contains("Bearer"));
    assert_eq!(app.api("/api/v1/me", "vigil_not-a-token").await.status, StatusCode::UNAUTHORIZED);
}
both!(tokens_act_as_their_user_in_their_organisation);

async fn lists_are_paginated(app: TestApp) {
    let scope = app.org("beta", Nation::England).await;
    let admin = app.member(&scope, "admin@beta.example", Role::Admin).await;
    for n in 0..4 {
        app.member(&scope, &format!("staff{n}@beta.example"), Role::Staff).await;
    }
    let token = app.api_token(&scope, admin).await;
    let first = app.api("/api/v1/users?page=1&per_page=2", &token).await.json();
    assert_eq!(first["total"], 5);
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    let last = app.api("/api/v1/users?page=3&per_page=2", &token).await.json();
    assert_eq!(last["items"].as_array().unwrap().len(), 1);
    let events = app.api("/api/v1/audit-events?action=role.&per_page=100", &token).await.json();
    assert!(events["items"].as_array().unwrap().iter().all(|e| e["action"].as_str().unwrap().starts_with("role.")));
    assert_eq!(events["total"], 5);
}
both!(lists_are_paginated);

#[tokio::test]
async fn the_openapi_document_matches_its_snapshot() {
    let app = TestApp::new(store::Backend::Sqlite).await;
    let document = app.get("/api/v1/openapi.json").await.json();
    insta::assert_json_snapshot!("openapi", document);
}

/// The document and the route table agree: every API route is documented with its method, and every
/// documented path is a route. A route added without its documentation fails here.
#[tokio::test]
async fn the_openapi_document_lists_every_api_route() {
    let document = serde_json::to_value(web::api_document()).unwrap();
    let mut documented: Vec<(String, String)> = document["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object().unwrap().keys().map(move |method| (method.to_uppercase(), path.clone()))
        })
        .collect();
    let mut routed: Vec<(String, String)> = web::table()
        .into_iter()
        .map(|(route, _)| route)
        .filter(|route| route.surface == web::routes::Surface::Api && route.path != "/api/v1/openapi.json")
        .map(|route| (route.method.to_string(), route.path.to_owned()))
        .collect();
    documented.sort();
    routed.sort();
    assert_eq!(documented, routed);
}

async fn bad_query_parameters_get_a_json_error_naming_the_field(app: TestApp) {
    let scope = app.org("gamma", Nation::England).await;
    let admin = app.member(&scope, "admin@gamma.example", Role::Admin).await;
    let token = app.api_token(&scope, admin).await;
    let bad = app.api("/api/v1/users?page=first", &token).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.json()["error"]["field"], "page");
    let staff = app.member(&scope, "staff@gamma.example", Role::Staff).await;
    let staff_token = app.api_token(&scope, staff).await;
    let refused = app.api("/api/v1/users", &staff_token).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.json()["error"]["status"], 403);
}
both!(bad_query_parameters_get_a_json_error_naming_the_field);

/// Every operation documents the errors any request may get; those that need a token, the token's too.
#[test]
fn every_operation_documents_the_errors_it_can_answer() {
    let document = serde_json::to_value(web::api_document()).unwrap();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let responses = operation["responses"].as_object().unwrap();
            let secured = operation.get("security").is_some_and(|s| !s.as_array().unwrap().is_empty());
            let needed: &[&str] = if secured { &["400", "401", "403", "409", "422"] } else { &["400", "422"] };
            for status in needed {
                assert!(responses.contains_key(*status), "{method} {path} does not document {status}");
            }
        }
    }
}

async fn limits_are_refused_not_clamped_and_searches_are_literal(app: TestApp) {
    let scope = app.org("delta", Nation::England).await;
    let admin = app.member(&scope, "admin@delta.example", Role::Admin).await;
    let token = app.api_token(&scope, admin).await;
    for (query, field) in [("per_page=101", "per_page"), ("per_page=0", "per_page"), ("page=0", "page")] {
        let answer = app.api(&format!("/api/v1/users?{query}"), &token).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(answer.json()["error"]["field"], field, "{query}");
    }
    assert_eq!(app.api("/api/v1/users?per_page=100", &token).await.status, StatusCode::OK);

    // `%` and `_` in a search are the characters themselves, not wildcards.
    let csv =
        "kind,given_name,family_name,email\nstaff,Ann,Smith,ann@delta.example\nstaff,Bo,O_Neil,bo@delta.example\n";
    let imported = app.api_send_raw(axum::http::Method::POST, "/api/v1/people/import", &token, "text/csv", csv).await;
    assert_eq!(imported.status, StatusCode::OK, "{}", imported.body);
    let count = |body: serde_json::Value| body["items"].as_array().unwrap().len();
    assert_eq!(count(app.api_ok("/api/v1/people?search=%25", &token).await.json()), 0, "no name has a %");
    assert_eq!(count(app.api_ok("/api/v1/people?search=_", &token).await.json()), 1, "only O_Neil has a _");
    assert_eq!(count(app.api_ok("/api/v1/people?search=o_n", &token).await.json()), 1);

    // Bodies refused before any handler runs still get the JSON error shape.
    let hidden = "kind,given_name,family_name\nstaff,A\u{0}n,Smith\n";
    let refused = app.api_send_raw(axum::http::Method::POST, "/api/v1/people/import", &token, "text/csv", hidden).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.json()["error"]["field"], "row 2 given_name");
    let not_multipart =
        app.api_send_raw(axum::http::Method::POST, "/api/v1/files", &token, "multipart/form-data", "x").await;
    assert_eq!(not_multipart.status, StatusCode::BAD_REQUEST, "{}", not_multipart.body);
    assert_eq!(not_multipart.json()["error"]["status"], 400);
}
both!(limits_are_refused_not_clamped_and_searches_are_literal);
