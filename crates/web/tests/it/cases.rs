//! Safeguarding cases: triage, decisions with reasons, referrals and the information-sharing log, an
//! append-only chronology, actions as tasks, closure; who reaches a case; break-glass; and the words of a
//! case absent from the database and the logs.

use crate::both;
use crate::support::TestApp;
use axum::http::{Method, StatusCode};
use domain::org::Nation;
use domain::registry::Post;
use domain::roles::Role;
use serde_json::json;
use store::OrgScope;

/// A tutor raises a concern about a learner; the lead acknowledges it. Answers the case's path.
/// After a form is saved, the case page is shown at the section it changed, with a banner naming it.
fn assert_saved(answer: &crate::support::Answer, case: &str, form: &str) {
    assert_eq!(answer.location().split('#').next(), Some(format!("{case}?saved={form}").as_str()), "{}", answer.body);
}

async fn a_case(app: &TestApp, scope: &OrgScope, slug: &str) -> String {
    let (lead, tutor) = (format!("lead@{slug}.example"), format!("tutor@{slug}.example"));
    app.member(scope, &lead, Role::SafeguardingLead).await;
    app.member(scope, &tutor, Role::Staff).await;
    app.sign_in(&tutor).await;
    app.get("/concerns/new").await;
    let fields = [
        ("about", "someone"),
        ("about_name", "Sam Learner"),
        ("what_happened", "Sam said \"they will see what happens\" after the group chat was shut down."),
        ("when_and_where", "Workshop, Monday morning"),
        ("category", "prevent"),
        ("immediate_danger", "no"),
        ("told_in_person", "no"),
    ];
    app.post("/concerns/new", &fields).await;
    app.sign_in(&lead).await;
    let id: String = sqlx::query_scalar("SELECT id FROM concerns ORDER BY created_at DESC LIMIT 1")
        .fetch_one(&mut app.db.raw().await)
        .await
        .unwrap();
    app.get(&format!("/safeguarding/concerns/{id}")).await;
    let case = app.post(&format!("/safeguarding/concerns/{id}/acknowledge"), &[]).await.location().to_owned();
    assert!(case.starts_with("/cases/"), "acknowledging opens a case: {case}");
    case
}

async fn the_lead_triages_decides_refers_and_closes_with_reasons(app: TestApp) {
    let scope = app.org("alpha", Nation::England).await;
    let case = a_case(&app, &scope, "alpha").await;
    let page = app.get(&case).await;
    assert!(page.body.contains("Sam Learner") && page.body.contains("they will see what happens"));
    assert!(app.page("/cases").await.body.contains("Sam Learner"), "the list says who each case is about");
    assert!(page.body.contains("Waiting for triage"));

    app.get(&format!("{case}/triage")).await;
    let triage = [
        ("risk", "medium"),
        ("checked", "Attendance and the tutor's notes"),
        ("advice_from", "Local authority Prevent lead"),
        ("advice_named", "no"),
        ("options", "Monitor; internal support; Prevent referral"),
        ("prevent_type", "mixed_unclear_unstable"),
    ];
    let saved = app.post(&format!("{case}/triage"), &triage).await;
    assert_saved(&saved, &case, "triage");
    let shown = app.page(saved.location().split('#').next().unwrap()).await;
    assert!(shown.body.contains("The triage has been saved") && shown.body.contains("Triaged: waiting for a decision"));

    // Children's social care is only for a learner under 18, so the age group comes first.
    app.get(&format!("{case}/decisions")).await;
    let refused =
        app.post(&format!("{case}/decisions"), &[("decision", "childrens_social_care"), ("reason", "Age 17")]).await;
    assert!(refused.body.contains("only for a learner under 18") && refused.body.contains("Age 17"), "typing kept");
    app.get(&format!("{case}/context")).await;
    let context = [
        ("age_group", "under_18"),
        ("parent_carer", "Pat Learner, 07700 900123"),
        ("care_leaver", ""),
        ("ehcp", "no"),
        ("review_on", "14/12/2026"),
    ];
    assert_saved(&app.post(&format!("{case}/context"), &context).await, &case, "context");
    assert!(app.get(&format!("{case}/context")).await.body.contains("Pat Learner"), "the form starts from the case");
    app.get(&format!("{case}/decisions")).await;
    let missing = app.post(&format!("{case}/decisions"), &[("decision", "prevent")]).await;
    assert!(missing.body.contains("Give the reason for the decision"));
    app.post(
        &format!("{case}/decisions"),
        &[("decision", "prevent"), ("reason", "Stated intent after exposure to the group")],
    )
    .await;
    app.post(
        &format!("{case}/decisions"),
        &[("decision", "childrens_social_care"), ("reason", "Under 18, in parallel")],
    )
    .await;

    app.get(&format!("{case}/referrals")).await;
    let mut referral = vec![
        ("agency", "prevent"),
        ("route", "Police Prevent mailbox"),
        ("sent_on", "30/11/2026"),
        ("reference", "PR-2026-0042"),
        ("learner_told", "no"),
        ("parent_told", "no"),
        ("shared", "The concern, the chronology and the tutor's notes"),
        ("lawful_basis", "public_task"),
    ];
    let why = app.post(&format!("{case}/referrals"), &referral).await;
    assert!(why.body.contains("Say why the learner or their parent or carer was not told"));
    referral.push(("not_told_why", "Telling the family could increase the risk; police advised waiting"));
    assert_saved(&app.post(&format!("{case}/referrals"), &referral).await, &case, "referrals");
    let page = app.get(&case).await;
    assert!(page.body.contains("Referred, awaiting feedback") && page.body.contains("PR-2026-0042"));
    assert!(
        page.body.contains("Information-sharing log")
            && page.body.contains("The concern, the chronology and the tutor")
    );
    assert!(page.body.contains("Public task"), "the lawful basis is logged with the disclosure");

    // Closing needs nothing more than a decision, which there is; first the feedback.
    let referral_id: String =
        sqlx::query_scalar("SELECT id FROM case_referrals").fetch_one(&mut app.db.raw().await).await.unwrap();
    app.get(&format!("{case}/feedback")).await;
    let child_consent = [
        ("referral", referral_id.as_str()),
        ("outcome", "channel"),
        ("channel_consent", "given"),
        ("consent_by", "learner"),
    ];
    assert!(
        app.post(&format!("{case}/feedback"), &child_consent)
            .await
            .body
            .contains("a parent or carer gives Channel consent")
    );
    let feedback = [
        ("referral", referral_id.as_str()),
        ("outcome", "channel"),
        ("channel_consent", "given"),
        ("consent_by", "parent"),
        ("feedback", "Panel on 10 December"),
    ];
    assert_saved(&app.post(&format!("{case}/feedback"), &feedback).await, &case, "feedback");
    assert!(app.get(&case).await.body.contains("Given, by a parent or carer"));

    // A disclosure to the employer, authorised by the lead: a missed answer first.
    let lead: String = sqlx::query_scalar("SELECT id FROM accounts WHERE email = 'lead@alpha.example'")
        .fetch_one(&mut app.db.raw().await)
        .await
        .unwrap();
    app.get(&format!("{case}/disclosures")).await;
    let mut disclosure = vec![
        ("recipient", "Sam's employer, the site manager"),
        ("shared", "That Sam needs Friday afternoons free for appointments"),
        ("purpose", "Support agreed with Sam"),
        ("lawful_basis", "legitimate_interests"),
        ("shared_on", "30/11/2026"),
    ];
    assert!(app.post(&format!("{case}/disclosures"), &disclosure).await.body.contains("Choose who authorised it"));
    disclosure.push(("authorised_by", &lead));
    assert_saved(&app.post(&format!("{case}/disclosures"), &disclosure).await, &case, "disclosures");
    assert!(app.get(&case).await.body.contains("Friday afternoons free"));

    app.get(&format!("{case}/close")).await;
    app.post(
        &format!("{case}/close"),
        &[("outcome", "Channel support in place; mentoring agreed"), ("review_on", "30/5/2027")],
    )
    .await;
    let page = app.page(&case).await;
    assert!(page.body.contains("Closed") && page.body.contains("Reopen the case"));
    assert!(!page.body.contains(&format!("{case}/decisions")), "a closed case takes nothing but reopening");
    let late = app.post(&format!("{case}/decisions"), &[("decision", "monitor"), ("reason", "Late")]).await;
    assert!(late.body.contains("This case is closed"), "{}", late.status);

    // The tutor sees only the status of what they raised.
    app.sign_in("tutor@alpha.example").await;
    let receipts = app.get("/concerns").await;
    assert!(receipts.body.contains("Closed") && !receipts.body.contains("Sam"));
    assert_eq!(app.get(&case).await.status, StatusCode::NOT_FOUND);

    // The printable chronology has every step, each section on a page of its own.
    app.sign_in("lead@alpha.example").await;
    let print = app.get(&format!("{case}/chronology")).await;
    for heading in
        ["Case opened", "Triage", "Decision", "Referral", "Information shared", "Referral feedback", "Case closed"]
    {
        assert!(print.body.contains(heading), "{heading} in the chronology");
    }
    assert!(print.body.contains("vigil-print-section") && print.body.contains("Confidential: safeguarding record"));
    let viewers = app.get(&format!("{case}/viewers")).await;
    assert!(viewers.body.contains("Person lead@alpha.example"));
}
both!(the_lead_triages_decides_refers_and_closes_with_reasons);

async fn the_chronology_is_never_edited_and_actions_become_tasks(app: TestApp) {
    let scope = app.org("beta", Nation::Wales).await;
    let case = a_case(&app, &scope, "beta").await;
    app.get(&format!("{case}/entries")).await;
    let entry = [("kind", "voice"), ("occurred_on", "29/11/2026"), ("text", "Sam said he wants to keep his placement")];
    assert_saved(&app.post(&format!("{case}/entries"), &entry).await, &case, "entries");
    let first: String = sqlx::query_scalar("SELECT id FROM case_entries WHERE kind = 'voice'")
        .fetch_one(&mut app.db.raw().await)
        .await
        .unwrap();
    let form = app.get(&format!("{case}/entries?corrects={first}")).await;
    assert!(form.body.contains(&first), "the correction names the entry it corrects");
    let correction = [
        ("kind", "voice"),
        ("occurred_on", "29/11/2026"),
        ("text", "Sam said he wants to keep his apprenticeship"),
        ("corrects", first.as_str()),
    ];
    app.post(&format!("{case}/entries"), &correction).await;
    let page = app.get(&case).await;
    assert!(page.body.contains("keep his placement") && page.body.contains("keep his apprenticeship"), "both stay");
    assert!(page.body.contains("(corrected below)") && page.body.contains("(a correction)"));
    let edits: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'case.entry_corrected'")
        .fetch_one(&mut app.db.raw().await)
        .await
        .unwrap();
    assert_eq!(edits, 1);

    // The Welsh vocabulary, and no LADO for a case not about staff.
    let decisions = app.get(&format!("{case}/decisions")).await;
    assert!(decisions.body.contains("Referral to local authority children"));
    let lado = app.post(&format!("{case}/decisions"), &[("decision", "lado"), ("reason", "x")]).await;
    assert!(lado.body.contains("only for allegations against staff"));

    // An action for an officer: it shows as a safeguarding task with a link and nothing else.
    let officer = app.member(&scope, "officer@beta.example", Role::SafeguardingOfficer).await;
    app.sign_in("lead@beta.example").await;
    app.get(&format!("{case}/actions")).await;
    let action =
        [("what", "Ring Sam's employer about Monday"), ("owner", &officer.to_string()), ("due_on", "2/12/2026")];
    assert_saved(&app.post(&format!("{case}/actions"), &action).await, &case, "actions");
    app.sign_in("officer@beta.example").await;
    let home = app.page("/").await;
    assert!(home.body.contains("Safeguarding task") && home.body.contains(&case));
    assert!(!home.body.contains("employer about Monday"), "no content outside the case");
    let page = app.get(&case).await;
    assert_eq!(page.status, StatusCode::OK, "the owner is assigned to the case");
    let action_id: String =
        sqlx::query_scalar("SELECT id FROM case_actions").fetch_one(&mut app.db.raw().await).await.unwrap();
    app.post(&format!("{case}/actions/done"), &[("action", &action_id)]).await;
    assert!(!app.page("/").await.body.contains("Safeguarding task"));
    assert!(
        app.get(&format!("{case}/access")).await.status == StatusCode::NOT_FOUND,
        "an officer works on the case but does not decide who else sees it"
    );
    // Leaving the safeguarding team ends the assignment.
    let mut tx = app.store.write(&scope).await.unwrap();
    tx.revoke_role(officer, Role::SafeguardingOfficer).await.unwrap();
    tx.commit().await.unwrap();
    app.sign_in("officer@beta.example").await;
    assert_eq!(app.get(&case).await.status, StatusCode::NOT_FOUND);
}
both!(the_chronology_is_never_edited_and_actions_become_tasks);

async fn one_incident_keeps_a_file_for_each_learner(app: TestApp) {
    let scope = app.org("gamma", Nation::England).await;
    let case = a_case(&app, &scope, "gamma").await;
    app.get(&format!("{case}/another-person")).await;
    let second = app.post(&format!("{case}/another-person"), &[("name", "Alex Other")]).await;
    let second = second.location().split(['?', '#']).next().unwrap().to_owned();
    assert!(second.starts_with("/cases/") && second != case);
    let page = app.get(&second).await;
    assert!(page.body.contains("Alex Other") && !page.body.contains("Sam Learner"), "each keeps their own file");
    assert!(page.body.contains(case.trim_start_matches("/cases/")), "linked to the first");
    // The reporter's concern closes only when every case from it is closed.
    for path in [&case, &second] {
        app.get(&format!("{path}/decisions")).await;
        app.post(&format!("{path}/decisions"), &[("decision", "no_further_action"), ("reason", "Checked; no concern")])
            .await;
        app.post(&format!("{path}/close"), &[("outcome", "No further action")]).await;
        let status: String =
            sqlx::query_scalar("SELECT status FROM concerns").fetch_one(&mut app.db.raw().await).await.unwrap();
        assert_eq!(status, if *path == case { "being_handled" } else { "closed" });
    }
}
both!(one_incident_keeps_a_file_for_each_learner);

async fn sharing_restriction_and_break_glass_hold(app: TestApp) {
    let scope = app.org("delta", Nation::England).await;
    let case = a_case(&app, &scope, "delta").await;
    let deputy = "deputy@delta.example";
    app.member(&scope, deputy, Role::SafeguardingLead).await;
    let colleague = app.member(&scope, "head@delta.example", Role::Leader).await;
    app.appoint(&scope, "head@delta.example", Post::SeniorLeader).await;

    // Shared with a colleague until tomorrow: they read it, change nothing, and lose it after.
    app.sign_in("lead@delta.example").await;
    app.get(&format!("{case}/access")).await;
    let share = [("account", colleague.to_string()), ("kind", "shared".into()), ("until", "1/12/2026".into())];
    let share: Vec<(&str, &str)> = share.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_saved(&app.post(&format!("{case}/access"), &share).await, &case, "access");
    app.sign_in("head@delta.example").await;
    assert!(app.get(&case).await.body.contains("Sam Learner"));
    assert_eq!(app.get(&format!("{case}/entries")).await.status, StatusCode::NOT_FOUND, "reading only");
    app.clock.advance(time::Duration::days(2));
    app.sign_in("head@delta.example").await;
    assert_eq!(app.get(&case).await.status, StatusCode::NOT_FOUND, "the share ended");

    // Restricted: the deputy no longer sees it; the lead who restricted it does.
    app.sign_in("lead@delta.example").await;
    app.get(&format!("{case}/restrict")).await;
    app.post(&format!("{case}/restrict"), &[("restricted", "yes")]).await;
    app.sign_in(deputy).await;
    assert_eq!(app.get(&case).await.status, StatusCode::NOT_FOUND);
    assert!(!app.page("/cases").await.body.contains("S-"));
    // The concern as raised goes with the case: out of the deputy's inbox too.
    let concern: String =
        sqlx::query_scalar("SELECT id FROM concerns").fetch_one(&mut app.db.raw().await).await.unwrap();
    assert_eq!(app.get(&format!("/safeguarding/concerns/{concern}")).await.status, StatusCode::NOT_FOUND);
    assert!(!app.page("/safeguarding").await.body.contains(&concern));
    app.sign_in("lead@delta.example").await;
    assert_eq!(app.get(&case).await.status, StatusCode::OK);
    app.post(&format!("{case}/restrict"), &[("restricted", "no")]).await;

    // Break-glass: refused to anyone but today's senior leader; theirs needs a reason, tells the leads,
    // and ends after four hours.
    app.sign_in(deputy).await;
    app.get("/break-glass").await;
    assert_eq!(app.post("/break-glass", &[("reason", "Curious")]).await.status, StatusCode::CONFLICT);
    app.sign_in("head@delta.example").await;
    assert!(app.get("/").await.body.contains("href=\"/break-glass\""), "the senior leader finds it from home");
    assert!(app.get("/break-glass").await.body.contains("Why do you need access now?"));
    assert!(app.post("/break-glass", &[("reason", " ")]).await.body.contains("Say why you need access now"));
    assert_eq!(
        app.post("/break-glass", &[("reason", "Police rang at 11pm about a learner")]).await.location(),
        "/cases"
    );
    assert!(app.get("/cases").await.body.contains("break-glass access"));
    assert!(app.get(&case).await.body.contains("Sam Learner"));
    let mail = app.store.outbox(20).await.unwrap();
    let told = mail.iter().find(|m| m.recipient == "lead@delta.example" && m.subject.contains("Emergency access"));
    assert!(told.is_some_and(|m| !m.body.contains("Police")), "the leads are told, without the reason");
    app.clock.advance(time::Duration::hours(5));
    app.sign_in("head@delta.example").await;
    assert_eq!(app.get(&case).await.status, StatusCode::NOT_FOUND, "break-glass expired");
}
both!(sharing_restriction_and_break_glass_hold);

/// Collects every log line written.
#[derive(Clone, Default)]
struct Logs(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Logs {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The process's log, captured from every thread (SQLite's driver logs from a thread of its own). Each test
/// runs in a process of its own under nextest; under `cargo test` tests share it, which only adds lines.
fn captured_logs() -> Logs {
    static LOGS: std::sync::OnceLock<Logs> = std::sync::OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Logs::default();
        let writer = logs.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("the only subscriber in the tests");
        logs
    })
    .clone()
}

async fn a_narrative_written_through_the_api_is_in_neither_the_database_nor_the_logs(app: TestApp) {
    let logs = captured_logs();

    let scope = app.org("eta", Nation::England).await;
    let lead = app.member(&scope, "lead@eta.example", Role::SafeguardingLead).await;
    let apprentice = app.member(&scope, "ari@eta.example", Role::Apprentice).await;
    let (lead, apprentice) = (app.api_token(&scope, lead).await, app.api_token(&scope, apprentice).await);
    let raised = app
        .api_send(
            Method::POST,
            "/api/v1/concerns",
            &apprentice,
            Some(json!({"about": "Quinn Zephyr",
            "what_happened": "Quinn showed me a video praising the attack", "category": "prevent",
            "immediate_danger": false, "told_in_person": false})),
        )
        .await;
    let concern = raised.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(app.api("/api/v1/concerns/inbox", &apprentice).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.api("/api/v1/concerns/inbox", &lead).await.json()["total"], 1);
    let opened = app.api_send(Method::POST, &format!("/api/v1/concerns/{concern}/acknowledge"), &lead, None).await;
    assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.body);
    let case = opened.json()["case"].as_str().unwrap().to_owned();

    let entries = format!("/api/v1/cases/{case}/entries");
    // Typed JSON: a date that is not ISO 8601 is malformed (400); a missing one is refused by the check (422).
    let bad =
        app.api_send(Method::POST, &entries, &lead, Some(json!({"kind": "fact", "occurred_on": "30/11/2026"}))).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    assert_eq!(bad.json()["error"]["field"], "occurred_on");
    let missing = app.api_send(Method::POST, &entries, &lead, Some(json!({"kind": "fact", "text": "Seen"}))).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", missing.body);
    assert_eq!(missing.json()["error"]["field"], "occurred_on");
    let unknown =
        app.api_send(Method::POST, &entries, &lead, Some(json!({"kind": "fact", "occured_on": "2026-11-29"}))).await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST, "a misspelt field is named, not ignored: {}", unknown.body);
    let trailing = app
        .send(
            axum::http::Request::post(&entries)
                .header("authorization", format!("Bearer {lead}"))
                .header("content-type", "application/json")
                .body(axum::body::Body::from(
                    r#"{"kind": "fact", "occurred_on": "2026-11-29", "text": "Seen"} and more"#,
                ))
                .unwrap(),
        )
        .await;
    assert_eq!(trailing.status, StatusCode::BAD_REQUEST, "text after the body is refused: {}", trailing.body);
    assert_eq!(trailing.json()["error"]["field"], "body");
    let narrative = "Quinn told me about the Marbleford rally plans";
    let added = app
        .api_send(
            Method::POST,
            &entries,
            &lead,
            Some(json!({"kind": "fact", "occurred_on": "2026-11-29", "text": narrative})),
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
    let decided = app
        .api_send(
            Method::POST,
            &format!("/api/v1/cases/{case}/decisions"),
            &lead,
            Some(json!({"decision": "monitor", "reason": "Zephyr-specific reasons recorded"})),
        )
        .await;
    assert_eq!(decided.status, StatusCode::CREATED);
    let whole = app.api(&format!("/api/v1/cases/{case}"), &lead).await.json();
    assert_eq!(whole["status"], "open");
    let closed = app
        .api_send(
            Method::POST,
            &format!("/api/v1/cases/{case}/close"),
            &lead,
            Some(json!({"outcome": "Monitored; no further concern"})),
        )
        .await;
    assert_eq!(closed.status, StatusCode::CREATED);
    let late = app
        .api_send(
            Method::POST,
            &format!("/api/v1/cases/{case}/decisions"),
            &lead,
            Some(json!({"decision": "monitor", "reason": "x"})),
        )
        .await;
    assert_eq!(late.status, StatusCode::CONFLICT, "a closed case takes nothing but reopening: {}", late.body);
    let reopened = app
        .api_send(Method::POST, &format!("/api/v1/cases/{case}/reopen"), &lead, Some(json!({"why": "New information"})))
        .await;
    assert_eq!(reopened.status, StatusCode::CREATED);
    assert_eq!(app.api(&format!("/api/v1/cases/{case}"), &lead).await.json()["status"], "open");
    assert!(whole["chronology"].as_array().unwrap().iter().any(|e| e["text"] == narrative));
    // Files through the API: the reporter adds one to the concern, the lead one to the case; only the lead reads them.
    let pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";
    let added = app
        .upload_to(&format!("/api/v1/concerns/{concern}/files"), &apprentice, "Quinn video notes.pdf", pdf, false)
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
    let added = app.upload_to(&format!("/api/v1/cases/{case}/files"), &lead, "Meeting.pdf", pdf, false).await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
    let files = app.api(&format!("/api/v1/cases/{case}"), &lead).await.json()["files"].clone();
    assert_eq!(files.as_array().unwrap().len(), 2);
    let file = files[0]["id"].as_str().unwrap().to_owned();
    let download = app.api(&format!("/api/v1/cases/{case}/file?file={file}"), &lead).await;
    assert_eq!(download.body.as_bytes(), pdf);
    assert_eq!(
        app.api(&format!("/api/v1/cases/{case}/file?file={file}"), &apprentice).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.api(&format!("/api/v1/cases/{case}"), &apprentice).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.api("/api/v1/cases", &apprentice).await.json()["total"], 0);
    assert_eq!(app.api("/api/v1/cases", &lead).await.json()["total"], 1);

    let secrets = ["Marbleford", "Quinn", "Zephyr", "praising the attack", "Meeting.pdf"];
    let captured = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(captured.contains("case_entries"), "the capture sees the queries that wrote the entry");
    assert!(
        captured.contains("http.route=/api/v1/cases/{id}/entries") && captured.contains("answered"),
        "the capture sees the request log: its route pattern, never its path"
    );
    for words in secrets {
        assert!(!captured.contains(words), "the logs hold {words}");
    }
    app.assert_nowhere_in_database(&secrets, "monitor").await;
}
both!(a_narrative_written_through_the_api_is_in_neither_the_database_nor_the_logs);

async fn files_reach_the_case_encrypted_and_only_those_who_reach_it_open_them(app: TestApp) {
    let scope = app.org("theta", Nation::England).await;
    app.member(&scope, "assessor@theta.example", Role::Staff).await;
    let case = a_case(&app, &scope, "theta").await;
    let pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

    // The tutor adds a file to the concern they raised, after the warning; they cannot open it again.
    app.sign_in("tutor@theta.example").await;
    let receipts = app.get("/concerns").await;
    let attach =
        receipts.body.split("href=\"").find(|h| h.contains("/attach\"")).unwrap().split('"').next().unwrap().to_owned();
    let form = app.get(&attach).await;
    assert!(form.body.contains("Never add, copy, keep or forward indecent images"));
    assert_eq!(app.post_file(&attach, "Sam Learner statement.pdf", pdf).await.location(), "/concerns?attached=true");
    let refused = app.post_file(&attach, "notes.exe", b"MZ\x90\x00binary").await;
    assert!(refused.body.contains("govuk-error-summary"), "{}", refused.status);

    // The lead sees it in the case and downloads it; the read is audited.
    app.sign_in("lead@theta.example").await;
    app.get(&format!("{case}/attach")).await;
    app.post_file(&format!("{case}/attach"), "Meeting notes.pdf", pdf).await;
    let page = app.get(&case).await;
    assert!(page.body.contains("Sam Learner statement.pdf") && page.body.contains("Meeting notes.pdf"));
    let link = page
        .body
        .split("href=\"")
        .find(|h| h.contains("/attachment?file="))
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let link = link.replace("&amp;", "&");
    let download = app.get(&link).await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(download.body.as_bytes(), pdf);
    assert!(download.headers["content-disposition"].to_str().unwrap().starts_with("attachment"));
    let reads: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'case.file_viewed'")
        .fetch_one(&mut app.db.raw().await)
        .await
        .unwrap();
    assert_eq!(reads, 1);

    // Nobody else opens it, and neither its name nor its bytes are kept in clear.
    app.sign_in("assessor@theta.example").await;
    assert_eq!(app.get(&link).await.status, StatusCode::NOT_FOUND);
    let names: Vec<String> =
        sqlx::query_scalar("SELECT filename FROM files").fetch_all(&mut app.db.raw().await).await.unwrap();
    assert!(names.iter().all(|n| n == "attachment.pdf"), "{names:?}");
    let keys: Vec<String> =
        sqlx::query_scalar("SELECT storage_key FROM files").fetch_all(&mut app.db.raw().await).await.unwrap();
    assert_eq!(keys.len(), 2);
    for key in keys {
        let path = object_store::path::Path::from(key);
        let stored = object_store::ObjectStoreExt::get(&app.objects, &path).await.unwrap().bytes().await.unwrap();
        assert!(!stored.windows(8).any(|w| w == b"%PDF-1.4"), "stored encrypted");
    }
}
both!(files_reach_the_case_encrypted_and_only_those_who_reach_it_open_them);
