//! The access matrix: walks the route table and proves, for every route, every role and no sign-in at all,
//! that the router allows exactly what the policy says, and that another organisation's records are
//! "not found". A route whose action has no row in `EXPECTED` fails the test.

use crate::both;
use crate::support::TestApp;
use axum::http::{Method, StatusCode};
use domain::org::Nation;
use domain::policy::{Access, Action};
use domain::roles::Role;
use web::routes::{Surface, table};

/// Who may take each action, written out by hand so that a change to the policy must change this too.
const EXPECTED: &[(Action, Option<&[Role]>)] = &[
    (Action::ViewPublic, None),
    (Action::SignIn, None),
    (Action::CompleteSecondFactor, None),
    (Action::ReadDemoOutbox, None),
    (Action::UseOwnAccount, Some(&Role::ALL)),
    (Action::ManageOwnAccount, Some(&Role::ALL)),
    (Action::ListAccounts, Some(&[Role::Admin])),
    (Action::ManageAccounts, Some(&[Role::Admin])),
    (Action::ConfirmSafeguardingChange, Some(&[Role::SafeguardingLead])),
    (Action::ReadAuditLog, Some(&[Role::Admin, Role::SafeguardingLead])),
    (
        Action::ViewOrganisation,
        Some(&[
            Role::Admin,
            Role::Leader,
            Role::Board,
            Role::SafeguardingLead,
            Role::SafeguardingOfficer,
            Role::Staff,
            Role::Inspector,
        ]),
    ),
    (Action::ManageOrganisation, Some(&[Role::Admin, Role::Leader])),
    (Action::UploadFiles, Some(&Role::ALL)),
    (Action::ViewPeople, Some(&[Role::Admin, Role::Leader, Role::SafeguardingLead, Role::SafeguardingOfficer])),
    (Action::ManagePeople, Some(&[Role::Admin])),
    (Action::ExportPeople, Some(&[Role::Admin])),
    (Action::ViewOwnRecord, Some(&[Role::Apprentice, Role::Employer])),
    (
        Action::ViewRegistry,
        Some(&[
            Role::Admin,
            Role::Leader,
            Role::Board,
            Role::SafeguardingLead,
            Role::SafeguardingOfficer,
            Role::Staff,
            Role::Inspector,
        ]),
    ),
    (Action::ManageRegistry, Some(&[Role::Admin, Role::Leader, Role::SafeguardingLead])),
    (Action::RaiseConcern, Some(&Role::ALL)),
    (Action::HandleConcerns, Some(&[Role::SafeguardingLead])),
    (Action::HandleConcernsAboutStaff, Some(&Role::ALL)),
    // Open at the door; the store decides case by case (proved by `case_content_reaches_only_the_team`).
    (Action::WorkOnCases, Some(&Role::ALL)),
    // Open at the door; the store lets only today's senior leader in the registry use it.
    (Action::BreakGlass, Some(&Role::ALL)),
];

fn expected(action: Action) -> Option<&'static [Role]> {
    EXPECTED
        .iter()
        .find(|(a, _)| *a == action)
        .unwrap_or_else(|| panic!("{action:?} has no row in the access matrix"))
        .1
}

fn concrete(path: &str, member: &str) -> String {
    path.replace("{id}", member)
        .replace("{token}", "no-such-token")
        .replace("{role}", "staff")
        .replace("{slug}", "alpha")
        .replace("{*path}", "vendor/vigil.css")
}

async fn every_route_allows_exactly_what_the_policy_says(app: TestApp) {
    let scope = app.org("alpha", Nation::England).await;
    let mut people = Vec::new();
    for role in Role::ALL {
        let email = format!("{}@alpha.example", role.as_str());
        let account = app.member(&scope, &email, role).await;
        people.push((role, app.session_token(&email).await, app.api_token(&scope, account).await));
    }
    let target = app.member(&scope, "target@alpha.example", Role::Staff).await.to_string();

    for (route, _) in table() {
        let path = concrete(route.path, &target);
        let rule = route.action.access();
        // Nobody signed in.
        app.set_cookie(None);
        let anonymous = match (route.surface, &route.method) {
            (Surface::Api, method) => app.api_send(method.clone(), &path, "no-token", None).await,
            (Surface::Page, &Method::GET) => app.get(&path).await,
            (Surface::Page, _) => app.post_raw(&path, &[]).await,
        };
        match (rule, route.surface) {
            (Access::Public, _) => assert!(
                !matches!(anonymous.status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN),
                "{} {path} is public",
                route.method
            ),
            (_, Surface::Page) => {
                assert!(anonymous.location().starts_with("/sign-in"), "{} {path} needs sign-in", route.method)
            }
            (_, Surface::Api) => {
                assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED, "{} {path} needs a token", route.method)
            }
        }
        let Some(allowed_roles) = expected(route.action) else {
            continue;
        };
        assert_eq!(
            rule,
            if allowed_roles.len() == Role::ALL.len() { Access::Member } else { Access::Roles(allowed_roles) }
        );
        for (role, session, token) in &people {
            let allowed = allowed_roles.contains(role);
            let answer = match (route.surface, &route.method) {
                // An API write without a body: the policy answers first, then the missing body is refused.
                (Surface::Api, method) => app.api_send(method.clone(), &path, token, None).await,
                (Surface::Page, &Method::GET) => {
                    app.set_cookie(Some(session.clone()));
                    app.get(&path).await
                }
                // A post without the CSRF token: the policy answers first, so an allowed role reaches the
                // CSRF check (and changes nothing) and a refused role is turned away before it.
                (Surface::Page, _) => {
                    app.set_cookie(Some(session.clone()));
                    app.post_raw(&path, &[]).await
                }
            };
            let refused_by_policy =
                answer.status == StatusCode::FORBIDDEN && !answer.body.contains("This form has expired");
            assert_eq!(
                !refused_by_policy, allowed,
                "{role:?} {} {path}: {} {}",
                route.method, answer.status, answer.body
            );
            assert!(!answer.location().starts_with("/sign-in"), "{role:?} stays signed in at {path}");
        }
    }
}
both!(every_route_allows_exactly_what_the_policy_says);

async fn another_organisations_records_are_not_found(app: TestApp) {
    let alpha = app.org("alpha", Nation::England).await;
    let beta = app.org("beta", Nation::Wales).await;
    app.member(&alpha, "admin@alpha.example", Role::Admin).await;
    let outsider = app.member(&beta, "tutor@beta.example", Role::Staff).await;
    let insider = app.member(&alpha, "tutor@alpha.example", Role::Staff).await;
    app.sign_in("admin@alpha.example").await;
    assert_eq!(app.get(&format!("/users/{insider}")).await.status, StatusCode::OK);
    let missing = app.get(&format!("/users/{}", domain::AccountId::new())).await;
    let foreign = app.get(&format!("/users/{outsider}")).await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    assert_eq!(foreign.body, missing.body, "another organisation's record looks exactly like a missing one");
    app.get(&format!("/users/{insider}")).await;
    assert_eq!(app.post(&format!("/users/{outsider}/disable"), &[]).await.status, StatusCode::NOT_FOUND);
    assert!(app.store.member(&beta, outsider).await.unwrap().disabled_at.is_none());
    let listed = app.get("/users").await;
    assert!(!listed.body.contains("tutor@beta.example"));
}
both!(another_organisations_records_are_not_found);

const PDF: &[u8] = b"%PDF-1.4\n%%EOF\n";

/// Every case route is open to every member at the door, so this proves what the store lets through:
/// for a real case, each role but the safeguarding lead gets "not found" from every case page, form and
/// API call, and an empty list; so does another organisation's lead.
async fn case_content_reaches_only_the_team(app: TestApp) {
    let scope = app.org("alpha", Nation::England).await;
    let mut people = Vec::new();
    for role in Role::ALL {
        let email = format!("{}@alpha.example", role.as_str());
        let account = app.member(&scope, &email, role).await;
        people.push((role, email, app.api_token(&scope, account).await));
    }
    let beta = app.org("beta", Nation::England).await;
    let outsider = app.member(&beta, "lead@beta.example", Role::SafeguardingLead).await;
    people.push((Role::SafeguardingLead, "lead@beta.example".into(), app.api_token(&beta, outsider).await));

    // A concern raised by the apprentice and acknowledged by the lead.
    app.sign_in("apprentice@alpha.example").await;
    app.get("/concerns/new").await;
    let concern = [
        ("about", "me"),
        ("what_happened", "Pressure at work to join a group"),
        ("category", "workplace"),
        ("immediate_danger", "no"),
        ("told_in_person", "no"),
    ];
    app.post("/concerns/new", &concern).await;
    let id: String = sqlx::query_scalar("SELECT id FROM concerns").fetch_one(&mut app.db.raw().await).await.unwrap();
    app.sign_in("safeguarding_lead@alpha.example").await;
    let case = app.post(&format!("/safeguarding/concerns/{id}/acknowledge"), &[]).await.location().to_owned();
    let case_id = case.trim_start_matches("/cases/").to_owned();
    app.get(&format!("{case}/attach")).await;
    app.post_file(&format!("{case}/attach"), "a.pdf", PDF).await;
    let file: String =
        sqlx::query_scalar("SELECT id FROM case_attachments").fetch_one(&mut app.db.raw().await).await.unwrap();

    let case_routes: Vec<_> = table().into_iter().map(|(r, _)| r).filter(|r| r.path.contains("cases/{id}")).collect();
    assert!(case_routes.len() > 20, "every case page, form and API call");
    for (role, email, token) in &people {
        let reaches = *role == Role::SafeguardingLead && email.ends_with("@alpha.example");
        app.sign_in(email).await;
        let list = app.get("/cases").await;
        assert_eq!(list.body.contains(&case_id), reaches, "{email} lists the case");
        assert_eq!(app.api("/api/v1/cases", token).await.json()["total"], i64::from(reaches), "{email}");
        for route in &case_routes {
            let path = route.path.replace("{id}", &case_id);
            let path = if path.ends_with("/attachment") || path.ends_with("/file") {
                format!("{path}?file={file}")
            } else {
                path
            };
            let answer = match (route.surface, &route.method) {
                (Surface::Api, _) if path.ends_with("/files") => app.upload_to(&path, token, "a.pdf", PDF, false).await,
                (Surface::Api, method) => app.api_send(method.clone(), &path, token, Some(serde_json::json!({}))).await,
                (Surface::Page, &Method::GET) => app.get(&path).await,
                // Uploads are multipart; a real (if tiny) PDF reaches the store's check.
                (Surface::Page, _) if path.ends_with("/attach") => {
                    app.post_file(&path, "a.pdf", b"%PDF-1.4\n%%EOF\n").await
                }
                (Surface::Page, _) => app.post(&path, &[]).await,
            };
            assert_eq!(
                answer.status != StatusCode::NOT_FOUND,
                reaches,
                "{email} {} {path}: {} {}",
                route.method,
                answer.status,
                answer.body
            );
        }
    }
}
both!(case_content_reaches_only_the_team);
