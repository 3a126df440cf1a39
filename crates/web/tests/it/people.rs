//! The people register: import with checks and preview (all or nothing), re-import updates, export with
//! formulas neutralised, own records for apprentices, and the API.

use crate::both;
use crate::support::TestApp;
use axum::http::{Method, StatusCode};
use domain::org::Nation;
use domain::roles::Role;

const HEADER: &str =
    "kind,given_name,family_name,email,uln,role_title,department,line_manager_email,date_of_birth,start_date";

fn file(rows: &[&str]) -> String {
    format!("{HEADER}\n{}\n", rows.join("\n"))
}

async fn people_are_imported_only_when_every_row_is_right(app: TestApp) {
    let scope = app.org("alpha", Nation::England).await;
    app.member(&scope, "admin@alpha.example", Role::Admin).await;
    let mut tx = app.store.write(&scope).await.unwrap();
    tx.add_department(&domain::text::Name::parse("Engineering").unwrap()).await.unwrap();
    tx.commit().await.unwrap();
    app.sign_in("admin@alpha.example").await;
    assert!(app.get("/people").await.body.contains("Nobody is in the register yet"));
    let template = app.get("/people/template.csv").await;
    assert!(template.body.starts_with("kind,given_name,family_name,email,uln"));

    app.get("/people/import").await;
    let bad = file(&[
        "staff,Tara,Tutor,tara@alpha.example,,Tutor,Engineering,,,01/09/2026",
        "apprentice,Sam,Taylor,,1234567890,,Engineering,tara@alpha.example,31/02/2009,01/09/2026",
        "staff,Tom,Two,tara@alpha.example,,Assessor,Plumbing,,,",
    ]);
    let checked = app.post_file("/people/import", "people.csv", bad.as_bytes()).await;
    assert_eq!(checked.status, StatusCode::OK, "{}", checked.body);
    assert!(checked.body.contains("nothing has been imported"));
    assert!(checked.body.contains("Enter a real date"), "row 3 date_of_birth");
    assert!(checked.body.contains("This email address is also on row 2"));
    assert!(checked.body.contains("There is no department with this name"));
    assert_eq!(app.store.all_people(&scope).await.unwrap().len(), 0, "nothing half-imported");

    let good = file(&[
        "staff,Tara,Tutor,tara@alpha.example,,Tutor,Engineering,,,01/09/2026",
        "apprentice,Sam,Taylor,,1234567890,,Engineering,tara@alpha.example,14/02/2010,01/09/2026",
        "board,Bea,Board,bea@alpha.example,,Chair,,,,",
    ]);
    let preview = app.post_file("/people/import", "people.csv", good.as_bytes()).await;
    assert!(preview.body.contains("Importing will add <strong>3</strong>"), "{}", preview.body);
    assert_eq!(app.store.all_people(&scope).await.unwrap().len(), 0, "not before confirming");
    let upload = preview.body.split("name=\"upload\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let done = app.post("/people/import/confirm", &[("upload", &upload)]).await;
    assert_eq!(done.location(), "/people?notice=imported&created=3&updated=0");
    let list = app.get("/people").await;
    assert!(list.body.contains("Sam Taylor") && list.body.contains("Under 18"));

    // A re-import matches on email, or ULN for apprentices, and updates.
    app.get("/people/import").await;
    let again = file(&["apprentice,Samuel,Taylor,,1234567890,,Engineering,,14/02/2010,01/09/2026"]);
    let preview = app.post_file("/people/import", "people.csv", again.as_bytes()).await;
    assert!(preview.body.contains("update <strong>1</strong>"), "{}", preview.body);
    let upload = preview.body.split("name=\"upload\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    app.post("/people/import/confirm", &[("upload", &upload)]).await;
    let everyone = app.store.all_people(&scope).await.unwrap();
    assert_eq!(everyone.len(), 3);
    assert!(everyone.iter().any(|p| p.details.given_name == "Samuel"));

    // Archive a leaver: they leave the list, and stay in history.
    let tara = everyone.iter().find(|p| p.details.given_name == "Tara").unwrap().id;
    let page = app.get(&format!("/people/{tara}")).await;
    assert!(
        page.body.contains("/users/invite?email=tara%40alpha.example"),
        "a person can be invited to have an account"
    );
    assert!(app.get("/users/invite?email=tara%40alpha.example").await.body.contains("value=\"tara@alpha.example\""));
    app.get(&format!("/people/{tara}")).await;
    let bad_date = app.post(&format!("/people/{tara}/archive"), &[("end_date", "yesterday")]).await;
    assert!(bad_date.body.contains("Enter a date like"));
    app.post(&format!("/people/{tara}/archive"), &[("end_date", "01/10/2026")]).await;
    assert!(!app.page("/people").await.body.contains("Tara Tutor"));
    assert!(app.get("/people?archived=show").await.body.contains("Tara Tutor"));
}
both!(people_are_imported_only_when_every_row_is_right);

async fn exports_neutralise_formulas_and_are_audited(app: TestApp) {
    let scope = app.org("beta", Nation::England).await;
    let admin = app.member(&scope, "admin@beta.example", Role::Admin).await;
    let token = app.api_token(&scope, admin).await;
    let csv = file(&["staff,=HYPERLINK(\"http://evil.example\"),Smith,smith@beta.example,,@SUM(A1),,,,"]);
    let imported = app
        .send(
            axum::http::Request::post("/api/v1/people/import")
                .header("authorization", format!("Bearer {token}"))
                .header("content-type", "text/csv")
                .body(axum::body::Body::from(csv))
                .unwrap(),
        )
        .await;
    assert_eq!(imported.status, StatusCode::OK, "{}", imported.body);
    assert_eq!(imported.json()["created"], 1);
    app.sign_in("admin@beta.example").await;
    let export = app.get("/people/export.csv").await;
    assert_eq!(export.status, StatusCode::OK);
    assert!(export.headers.get("content-disposition").unwrap().to_str().unwrap().starts_with("attachment"));
    assert!(export.body.contains("\"'=HYPERLINK(\"\"http://evil.example\"\")\""), "{}", export.body);
    assert!(export.body.contains("'@SUM(A1)"));
    let exported = app
        .store
        .audit_page(
            &scope,
            &store::audit::AuditFilter { action_prefix: Some("people.exported".into()), ..Default::default() },
            1,
            5,
        )
        .await
        .unwrap();
    assert_eq!(exported.total, 1);
    // An export needs a fresh second factor.
    app.clock.advance(time::Duration::minutes(11));
    assert!(app.get("/people/export.csv").await.location().starts_with("/sign-in/again"));
    // And never by API token: there is no API export, and the import answers problems by row and column.
    let bad = app
        .send(
            axum::http::Request::post("/api/v1/people/import")
                .header("authorization", format!("Bearer {token}"))
                .header("content-type", "text/csv")
                .body(axum::body::Body::from(file(&["staff,,Smith,,,,,,,"])))
                .unwrap(),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["problems"][0]["row"], 2);
}
both!(exports_neutralise_formulas_and_are_audited);

async fn apprentices_see_only_their_own_record(app: TestApp) {
    let scope = app.org("gamma", Nation::Wales).await;
    let admin = app.member(&scope, "admin@gamma.example", Role::Admin).await;
    app.member(&scope, "sam@gamma.example", Role::Apprentice).await;
    let token = app.api_token(&scope, admin).await;
    let csv = file(&[
        "apprentice,Sam,Taylor,sam@gamma.example,1234567890,,,,14/02/2008,",
        "apprentice,Kim,Other,kim@gamma.example,1234567891,,,,14/02/2008,",
    ]);
    let request = axum::http::Request::post("/api/v1/people/import")
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "text/csv")
        .body(axum::body::Body::from(csv))
        .unwrap();
    assert_eq!(app.send(request).await.status, StatusCode::OK);
    let listed = app.api("/api/v1/people?kind=apprentice&search=kim", &token).await.json();
    assert_eq!(listed["total"], 1);
    // Another organisation's administrator finds nobody, by list or by id.
    let other = app.org("other", Nation::England).await;
    let outsider = app.member(&other, "admin@other.example", Role::Admin).await;
    let outsider_token = app.api_token(&other, outsider).await;
    let kim = listed["items"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(app.api(&format!("/api/v1/people/{kim}"), &outsider_token).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.api("/api/v1/people", &outsider_token).await.json()["total"], 0);
    assert_eq!(app.api(&format!("/api/v1/people/{kim}"), &token).await.status, StatusCode::OK);
    assert_eq!(app.api("/api/v1/people?kind=robot", &token).await.json()["error"]["field"], "kind");

    app.sign_in("sam@gamma.example").await;
    let own = app.get("/my-record").await;
    assert!(own.body.contains("1234567890") && !own.body.contains("Kim"));
    assert_eq!(app.get("/people").await.status, StatusCode::FORBIDDEN);
    let sam_token = app
        .api_token(
            &scope,
            app.store
                .member_by_email(&scope, &domain::text::Email::parse("sam@gamma.example").unwrap())
                .await
                .unwrap()
                .unwrap(),
        )
        .await;
    assert_eq!(app.api("/api/v1/people", &sam_token).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.api_send(Method::POST, "/api/v1/people/import", &sam_token, None).await.status,
        StatusCode::FORBIDDEN
    );
}
both!(apprentices_see_only_their_own_record);

async fn one_person_is_added_with_the_same_checks(app: TestApp) {
    let scope = app.org("delta", Nation::England).await;
    app.member(&scope, "admin@delta.example", Role::Admin).await;
    app.sign_in("admin@delta.example").await;
    app.get("/people/new").await;
    let bad = app.post("/people/new", &[("kind", "staff"), ("given_name", "Ada"), ("family_name", "")]).await;
    assert!(bad.body.contains("Enter a family name") && bad.body.contains("value=\"Ada\""));
    let no_email =
        app.post("/people/new", &[("kind", "staff"), ("given_name", "Ada"), ("family_name", "Lovelace")]).await;
    assert!(no_email.body.contains("Enter an email address for staff"));
    let added = app
        .post(
            "/people/new",
            &[("kind", "staff"), ("given_name", "Ada"), ("family_name", "Lovelace"), ("email", "ada@delta.example")],
        )
        .await;
    assert_eq!(added.location(), "/people?notice=added");
    app.get("/people/new").await;
    let twice = app
        .post(
            "/people/new",
            &[("kind", "staff"), ("given_name", "Ada"), ("family_name", "L"), ("email", "ada@delta.example")],
        )
        .await;
    assert!(twice.body.contains("already has this email address"), "{}", twice.body);

    // Change the details: the same checks, and the typing kept on an error.
    let ada = app.store.all_people(&scope).await.unwrap()[0].id;
    let form = app.get(&format!("/people/{ada}/edit")).await;
    assert!(form.body.contains("value=\"ada@delta.example\""));
    let bad = app
        .post(
            &format!("/people/{ada}/edit"),
            &[
                ("kind", "staff"),
                ("given_name", "Ada"),
                ("family_name", "Lovelace"),
                ("email", "ada@delta.example"),
                ("start_date", "32/01/2026"),
            ],
        )
        .await;
    assert!(bad.body.contains("Enter a real date") && bad.body.contains("value=\"32/01/2026\""));
    let saved = app
        .post(
            &format!("/people/{ada}/edit"),
            &[
                ("kind", "staff"),
                ("given_name", "Ada"),
                ("family_name", "King"),
                ("email", "ada.king@delta.example"),
                ("role_title", "Head of quality"),
            ],
        )
        .await;
    assert_eq!(saved.location(), format!("/people/{ada}"));
    let page = app.get(&format!("/people/{ada}")).await;
    assert!(
        page.body.contains("Ada King")
            && page.body.contains("Head of quality")
            && page.body.contains("ada.king@delta.example")
    );
}
both!(one_person_is_added_with_the_same_checks);

async fn long_lists_are_paged(app: TestApp) {
    let scope = app.org("epsilon", Nation::England).await;
    let admin = app.member(&scope, "admin@epsilon.example", Role::Admin).await;
    let token = app.api_token(&scope, admin).await;
    let rows: Vec<String> = (0..60).map(|n| format!("staff,Person{n:02},Example,p{n}@epsilon.example,,,,,,")).collect();
    let csv = file(&rows.iter().map(String::as_str).collect::<Vec<_>>());
    let request = axum::http::Request::post("/api/v1/people/import")
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "text/csv")
        .body(axum::body::Body::from(csv))
        .unwrap();
    assert_eq!(app.send(request).await.json()["created"], 60);
    app.sign_in("admin@epsilon.example").await;
    let first = app.get("/people?search=person").await;
    assert!(first.body.contains("Page 1 of 2") && first.body.contains("Person00") && !first.body.contains("Person59"));
    let next = first.body.split("rel=\"next\"").next().unwrap().rsplit("href=\"").next().unwrap();
    let next = next.trim_end().trim_end_matches('"').replace("&#38;", "&").replace("&amp;", "&");
    let second = app.get(&next).await;
    assert!(second.body.contains("Page 2 of 2") && second.body.contains("Person59"), "{next}");
}
both!(long_lists_are_paged);
