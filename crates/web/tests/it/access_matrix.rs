//! The access matrix: walks the route table and proves, for every route, every role and no sign-in at all,
//! that the router allows exactly what the policy says, and that another organisation's records are
//! "not found". A route whose action has no row in `EXPECTED` fails the test.

use crate::both;
use crate::support::{Answer, TestApp};
use axum::http::{Method, StatusCode};
use domain::org::Nation;
use domain::policy::{Access, Action};
use domain::roles::Role;
use web::routes::{Route, Surface};
use web::table;

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
    // A profile, so that reading it answers the profile rather than "nothing recorded yet".
    let admin_token = &people.iter().find(|(role, ..)| *role == Role::Admin).unwrap().2;
    let profile = serde_json::json!({"nation": "england", "provider_type": "fe_college", "enrols_under_18": true,
        "subcontracting": "none", "has_premises": true});
    assert_eq!(app.api_send(Method::PUT, "/api/v1/profile", admin_token, Some(profile)).await.status, StatusCode::OK);

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
                assert!(anonymous.location().starts_with("/sign-in"), "{} {path} needs sign-in", route.method);
            }
            (_, Surface::Api) => {
                assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED, "{} {path} needs a token", route.method);
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
            if allowed {
                assert_reached(&route, &path, &answer, *role);
            }
        }
    }
}
both!(every_route_allows_exactly_what_the_policy_says);

/// What an allowed call must answer, beyond "not refused": never a server error, and the thing itself
/// (a page, a redirect that is not to sign-in, or for a form posted without its token the CSRF check that
/// comes after the policy). A route with an id answers "not found" for an id of the wrong kind.
fn assert_reached(route: &Route, path: &str, answer: &Answer, role: Role) {
    let what = format!("{role:?} {} {path}: {} {}", route.method, answer.status, answer.body);
    assert!(!answer.status.is_server_error(), "{what}");
    let shown = answer.status.is_success() || answer.status.is_redirection();
    let has_id = route.path.contains('{');
    match (route.surface, &route.method) {
        (Surface::Page, &Method::GET) if has_id => assert!(shown || answer.status == StatusCode::NOT_FOUND, "{what}"),
        (Surface::Page, &Method::GET) => assert!(shown, "{what}"),
        // The policy let the post through to the CSRF check, which refused it for want of its token.
        (Surface::Page, _) => {
            assert_eq!(answer.status, StatusCode::FORBIDDEN, "{what}");
            assert!(answer.body.contains("This form has expired"), "{what}");
        }
        (Surface::Api, &Method::GET) if !has_id => assert!(answer.status.is_success(), "{what}"),
        // A write without a body, or an id of the wrong kind: a client error naming what is wrong.
        (Surface::Api, _) => assert!(answer.status.is_client_error() || answer.status.is_success(), "{what}"),
    }
}

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
    let listed = app.page("/users").await;
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

/// Puts one record of every kind a route names by id into the organisation: accounts, a session, an API
/// token, a pending confirmation, a site, a department, people and a post in the registry, an uploaded
/// file, a concern, its case, an action and a case file.
async fn one_of_everything(app: &TestApp, scope: &store::OrgScope, domain: &str) {
    let admin = format!("admin@{domain}");
    let lead = format!("lead@{domain}");
    let tutor = format!("tutor@{domain}");
    app.member(scope, &admin, Role::Admin).await;
    let lead_account = app.member(scope, &lead, Role::SafeguardingLead).await;
    let tutor_account = app.member(scope, &tutor, Role::Staff).await;
    app.appoint(scope, &lead, domain::registry::Post::Dsl).await;
    let token = app.api_token(scope, tutor_account).await;
    assert_eq!(app.upload(&token, "a.pdf", PDF, false).await.status, StatusCode::CREATED);
    let mut tx = app.store.write(scope).await.unwrap();
    tx.add_department(&domain::text::Name::parse("Engineering").unwrap()).await.unwrap();
    tx.commit().await.unwrap();

    app.sign_in(&admin).await;
    app.get("/sites/new").await;
    let site = [
        ("name", "Main site"),
        ("kind", "main_site"),
        ("address", "1 High Street"),
        ("postcode", "AB1 2CD"),
        ("let_to_others", "no"),
    ];
    assert_eq!(app.post("/sites/new", &site).await.status, StatusCode::SEE_OTHER);
    app.get(&format!("/users/{tutor_account}")).await;
    let asked = app.post(&format!("/users/{tutor_account}/roles"), &[("role", "safeguarding_officer")]).await;
    assert_eq!(asked.location(), "/users?notice=awaiting", "{}", asked.body);

    app.sign_in(&tutor).await;
    app.raise_a_concern().await;
    let concern: String = sqlx::query_scalar("SELECT id FROM concerns WHERE org_id = $1")
        .bind(scope.org().to_string())
        .fetch_one(&mut app.db.raw().await)
        .await
        .unwrap();
    app.sign_in(&lead).await;
    let case = app.post(&format!("/safeguarding/concerns/{concern}/acknowledge"), &[]).await.location().to_owned();
    assert!(case.starts_with("/cases/"), "the case opened");
    app.get(&format!("{case}/attach")).await;
    app.post_file(&format!("{case}/attach"), "a.pdf", PDF).await;
    app.get(&format!("{case}/actions")).await;
    let owner = lead_account.to_string();
    let action = [("what", "Call the employer"), ("owner", owner.as_str()), ("due_on", "7/12/2026")];
    let added = app.post(&format!("{case}/actions"), &action).await;
    assert!(added.location().starts_with(&format!("{case}?saved=actions")), "{}", added.body);
}

/// Every id an organisation holds: the `id` of each of its rows in every table with an `org_id`, and its
/// members' accounts. Read from the schema, so a new table is covered without a change here.
async fn ids_held_by(app: &TestApp, scope: &store::OrgScope) -> Vec<String> {
    let mut raw = app.db.raw().await;
    let with_column = |column: &str| match app.store.backend() {
        store::Backend::Postgres => format!(
            "SELECT table_name::text FROM information_schema.columns WHERE table_schema = 'public' \
             AND column_name = '{column}'"
        ),
        store::Backend::Sqlite => format!(
            "SELECT m.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND p.name = '{column}'"
        ),
    };
    let owned: Vec<String> =
        sqlx::query_scalar(sqlx::AssertSqlSafe(with_column("org_id"))).fetch_all(&mut raw).await.unwrap();
    let with_id: Vec<String> =
        sqlx::query_scalar(sqlx::AssertSqlSafe(with_column("id"))).fetch_all(&mut raw).await.unwrap();
    let org = scope.org().to_string();
    let mut ids: Vec<String> = sqlx::query_scalar("SELECT account_id FROM memberships WHERE org_id = $1")
        .bind(&org)
        .fetch_all(&mut raw)
        .await
        .unwrap();
    for table in owned.iter().filter(|t| with_id.contains(t) && t.as_str() != "audit_events") {
        let query = format!("SELECT id FROM \"{table}\" WHERE org_id = $1");
        let found: Vec<String> =
            sqlx::query_scalar(sqlx::AssertSqlSafe(query)).bind(&org).fetch_all(&mut raw).await.unwrap();
        ids.extend(found);
    }
    ids
}

/// Calls a route with an id, as a browser (with the session's CSRF token) or an API client (with a body).
async fn ask(app: &TestApp, route: &Route, token: &str, id: &str) -> Answer {
    let path = route.path.replace("{id}", id).replace("{role}", "staff");
    match (route.surface, &route.method) {
        (Surface::Api, &Method::GET) => app.api(&path, token).await,
        (Surface::Api, method) => app.api_send(method.clone(), &path, token, Some(serde_json::json!({}))).await,
        (Surface::Page, &Method::GET) => app.get(&path).await,
        (Surface::Page, _) => app.post(&path, &[]).await,
    }
}

/// For every route with an id, and every caller allowed to use it, each id held by another organisation
/// answers exactly as an id nobody holds: the same status and the same page, byte for byte.
async fn every_id_of_another_organisation_answers_like_a_missing_one(app: TestApp) {
    let alpha = app.org("alpha", Nation::England).await;
    let beta = app.org("beta", Nation::England).await;
    one_of_everything(&app, &beta, "beta.example").await;
    let foreign = ids_held_by(&app, &beta).await;
    assert!(foreign.len() >= 15, "beta holds a record of every kind: {}", foreign.len());

    let mut callers = Vec::new();
    for role in [Role::Admin, Role::Leader, Role::SafeguardingLead, Role::Staff] {
        let email = format!("{}@alpha.example", role.as_str());
        let account = app.member(&alpha, &email, role).await;
        callers.push((role, app.session_token(&email).await, app.api_token(&alpha, account).await));
    }
    let nobodys = domain::CaseId::new().to_string();
    let mut compared = 0;
    let mut wrong = Vec::new();
    for (route, _) in table().into_iter().filter(|(r, _)| r.path.contains("{id}")) {
        let allowed = expected(route.action).unwrap_or(&[]);
        for (role, session, token) in callers.iter().filter(|(role, ..)| allowed.contains(role)) {
            app.set_cookie(Some(session.clone()));
            app.get("/").await;
            let missing = ask(&app, &route, token, &nobodys).await;
            if missing.status.is_success() {
                wrong.push(format!(
                    "{role:?} {} {} answers {} for an id nobody holds",
                    route.method, route.path, missing.status
                ));
            }
            for id in &foreign {
                let answer = ask(&app, &route, token, id).await;
                if (answer.status, &answer.body) != (missing.status, &missing.body) {
                    wrong.push(format!(
                        "{role:?} {} {} with another organisation's {id}: {}",
                        route.method, route.path, answer.status
                    ));
                    break;
                }
                compared += 1;
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(compared > 500, "compared {compared}");
}
both!(every_id_of_another_organisation_answers_like_a_missing_one);
