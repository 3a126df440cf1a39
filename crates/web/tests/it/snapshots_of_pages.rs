//! The key pages of each capability, as snapshots (insta) of their main content, the same on both
//! databases. Ids, CSRF tokens and hashes are redacted; the clock is fixed, so dates and times are not.
//! A change to a page shows in review as a change to its snapshot.

use crate::both;
use crate::support::TestApp;
use domain::org::Nation;
use domain::registry::Post;
use domain::roles::Role;

/// The page's `<main>`, as the person reads it.
fn main_of(body: &str) -> &str {
    let start = body.find("<main").expect("a main element");
    let end = body.find("</main>").expect("the end of main") + "</main>".len();
    &body[start..end]
}

fn settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "[id]");
    settings.add_filter(r#"name="_csrf" value="[^"]+""#, r#"name="_csrf" value="[csrf]""#);
    settings.add_filter(r"_csrf=[A-Za-z0-9_-]+", "_csrf=[csrf]");
    settings.add_filter(r"\b[0-9a-f]{64}\b", "[hash]");
    // References are drawn from the id: C- for a concern, S- for a case.
    settings.add_filter(r"\b([CS])-[0-9A-F]{8}\b", "$1-[reference]");
    settings.set_prepend_module_to_snapshot(false);
    settings
}

async fn the_key_pages_match_their_snapshots(app: TestApp) {
    let scope = app.org("alpha", Nation::England).await;
    app.member(&scope, "admin@alpha.example", Role::Admin).await;
    app.member(&scope, "lead@alpha.example", Role::SafeguardingLead).await;
    app.member(&scope, "tutor@alpha.example", Role::Staff).await;
    app.appoint(&scope, "lead@alpha.example", Post::Dsl).await;

    app.sign_in("tutor@alpha.example").await;
    let mut pages = vec![("staff_home", app.page("/").await), ("concern_form", app.page("/concerns/new").await)];
    let concern = [
        ("about", "someone"),
        ("about_name", "Sam Learner"),
        ("what_happened", "Sam said they would not be back after the group was shut down."),
        ("when_and_where", "Workshop, Monday morning"),
        ("category", "prevent"),
        ("immediate_danger", "no"),
        ("told_in_person", "no"),
    ];
    assert_eq!(app.post("/concerns/new", &concern).await.status, 303);
    pages.push(("concern_receipts", app.page("/concerns").await));

    app.sign_in("lead@alpha.example").await;
    let inbox = app.page("/safeguarding").await;
    let id = inbox.body.split("/safeguarding/concerns/").nth(1).unwrap().split('"').next().unwrap().to_owned();
    pages.push(("concern_inbox", inbox));
    pages.push(("concern", app.page(&format!("/safeguarding/concerns/{id}")).await));
    let case = app.post(&format!("/safeguarding/concerns/{id}/acknowledge"), &[]).await.location().to_owned();
    pages.push(("case", app.page(&case).await));
    pages.push(("case_triage_form", app.page(&format!("{case}/triage")).await));
    pages.push(("cases", app.page("/cases").await));

    app.sign_in("admin@alpha.example").await;
    pages.push(("admin_home", app.page("/").await));
    pages.push(("people", app.page("/people").await));
    pages.push(("registry", app.page("/registry").await));
    pages.push(("organisation", app.page("/organisation").await));
    pages.push(("sites", app.page("/sites").await));
    pages.push(("users", app.page("/users").await));

    settings().bind(|| {
        for (name, page) in &pages {
            insta::assert_snapshot!(*name, main_of(&page.body));
        }
    });
}
both!(the_key_pages_match_their_snapshots);
