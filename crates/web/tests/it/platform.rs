//! Platform services: things that fall due, and background jobs with leases.

use crate::both;
use crate::support::TestApp;
use axum::http::StatusCode;
use domain::org::Nation;
use domain::roles::Role;
use store::audit::AuditFilter;
use store::jobs::JobKind;
use web::jobs::Worker;

/// A worker of a demonstration server: without SMTP, mail stays in the outbox to be read.
fn worker(store: store::Store, name: &str) -> Worker {
    let config = web::Config { public_url: "http://vigil.test".into(), demo: true, sends_email: false };
    Worker::new(web::AppState::new(store, config), name.into(), None)
}

async fn tasks_fall_due_for_their_owners(app: TestApp) {
    let scope = app.org("alpha", Nation::England).await;
    let admin = app.member(&scope, "admin@alpha.example", Role::Admin).await;
    app.member(&scope, "tutor@alpha.example", Role::Staff).await;
    app.sign_in("admin@alpha.example").await;
    let home = app.get("/").await;
    assert!(home.body.contains("Complete the organisation profile"), "{}", home.body);
    app.sign_in("tutor@alpha.example").await;
    assert!(app.get("/").await.body.contains("Nothing is due in the next 14 days"), "staff have no tasks");

    // Once recorded, the review falls due a year later: not soon, then soon, then overdue.
    let mut tx = app.store.write(&scope).await.unwrap();
    tx.record_profile(&domain::profile::Profile {
        nation: Nation::England,
        provider_type: domain::org::ProviderType::Other,
        enrols_under_18: false,
        subcontracting: domain::profile::Subcontracting::None,
        has_premises: false,
        local_authorities: Vec::new(),
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let token = app.api_token(&scope, admin).await;
    let sources = |tasks: serde_json::Value| -> Vec<String> {
        tasks["items"].as_array().unwrap().iter().map(|t| t["source"].as_str().unwrap().to_owned()).collect()
    };
    assert!(!sources(app.api("/api/v1/tasks", &token).await.json()).contains(&"profile_review".to_owned()));
    app.clock.advance(time::Duration::days(355));
    let review = |tasks: serde_json::Value| {
        tasks["items"].as_array().unwrap().iter().find(|t| t["source"] == "profile_review").cloned().unwrap()
    };
    assert_eq!(review(app.api("/api/v1/tasks", &token).await.json())["overdue"], false);
    app.clock.advance(time::Duration::days(15));
    assert_eq!(review(app.api("/api/v1/tasks", &token).await.json())["overdue"], true);
    app.sign_in("admin@alpha.example").await;
    assert!(app.get("/").await.body.contains("Overdue since"));

    // An invitation about to expire is a task for whoever sent it.
    app.get("/users/invite").await;
    app.post("/users/invite", &[("email", "late@alpha.example"), ("role", "staff")]).await;
    let tasks = app.api("/api/v1/tasks", &token).await.json();
    assert!(tasks["items"].as_array().unwrap().iter().any(|t| t["source"] == "invitation_expiry"));
    let tutor = app
        .store
        .member_by_email(&scope, &domain::text::Email::parse("tutor@alpha.example").unwrap())
        .await
        .unwrap()
        .unwrap();
    let tutor_token = app.api_token(&scope, tutor).await;
    assert_eq!(app.api("/api/v1/tasks", &tutor_token).await.json()["items"], serde_json::json!([]));
    assert!(
        sources(app.api("/api/v1/tasks", &token).await.json()).contains(&"no_cover".to_owned()),
        "no lead or deputy yet"
    );
}
both!(tasks_fall_due_for_their_owners);

async fn queued_mail_is_delivered_by_a_job(app: TestApp) {
    let scope = app.org("beta", Nation::England).await;
    let mut tx = app.store.write(&scope).await.unwrap();
    tx.queue_mail("someone@beta.example", "Subject", "Body").await.unwrap();
    tx.audit(domain::audit::AuditEvent::new("test.mail", "test", None));
    tx.commit().await.unwrap();
    let jobs = app.store.open_jobs().await.unwrap();
    assert!(jobs.iter().any(|j| j.kind == "deliver_mail" && j.state == "queued"));
    // Without SMTP the mail stays in the outbox, and the job is done.
    let ran = worker(app.store.clone(), "one").tick().await.unwrap();
    assert!(ran >= 1);
    assert!(!app.store.open_jobs().await.unwrap().iter().any(|j| j.kind == "deliver_mail"));
}
both!(queued_mail_is_delivered_by_a_job);

async fn two_servers_run_a_scheduled_job_once(app: TestApp) {
    let scope = app.org("gamma", Nation::England).await;
    app.member(&scope, "admin@gamma.example", Role::Admin).await;
    app.member(&scope, "leader@gamma.example", Role::Leader).await;
    app.member(&scope, "tutor@gamma.example", Role::Staff).await;
    let second = store::Store::connect(&app.db.url, app.clock.clone()).await.unwrap();
    let (a, b) = (worker(app.store.clone(), "server-a"), worker(second, "server-b"));
    let (ran_a, ran_b) = tokio::join!(a.tick(), b.tick());
    let digests = app
        .store
        .audit_page(
            &scope,
            &AuditFilter { action_prefix: Some("digest.queued".into()), ..AuditFilter::default() },
            1,
            10,
        )
        .await
        .unwrap();
    assert_eq!(digests.total, 1, "one digest between two servers");
    assert!(ran_a.unwrap() + ran_b.unwrap() >= 1);
    // The admin and the leader must complete the profile; the tutor has nothing due and gets no email.
    let mail = app.store.outbox(10).await.unwrap();
    let mut recipients: Vec<&str> = mail.iter().map(|m| m.recipient.as_str()).collect();
    recipients.sort_unstable();
    assert_eq!(recipients, ["admin@gamma.example", "leader@gamma.example"]);
    assert!(mail.iter().all(|m| m.body.contains("0 tasks overdue") || m.body.contains("1 task")));
    assert!(mail.iter().all(|m| !m.body.contains("Person")), "no names in the digest");
    // Next tick in the same week schedules nothing new.
    assert_eq!(a.tick().await.unwrap(), 0);
}
both!(two_servers_run_a_scheduled_job_once);

async fn a_crashed_workers_job_is_taken_over_and_failures_retry(app: TestApp) {
    let scope = app.org("delta", Nation::England).await;
    app.store.schedule_job(JobKind::WeeklyDigest, Some(scope.org()), "test-job", app.store.now()).await.unwrap();
    let job = app.store.claim_job("crashed").await.unwrap().expect("a due job");
    assert!(app.store.claim_job("other").await.unwrap().is_none(), "leased to the first worker");
    app.clock.advance(store::jobs::LEASE + time::Duration::seconds(1));
    let taken = app.store.claim_job("other").await.unwrap().expect("the lease ran out");
    assert_eq!(taken.id, job.id);
    assert_eq!(taken.attempts, 2);
    // The crashed worker coming back cannot finish a job it no longer holds.
    app.store.finish_job(&job, "crashed").await.unwrap();
    assert_eq!(app.store.open_jobs().await.unwrap().len(), 1);

    app.store.fail_job(&taken, "other", "the mail server could not be reached").await.unwrap();
    let row = &app.store.open_jobs().await.unwrap()[0];
    assert_eq!(row.state, "queued");
    assert_eq!(row.last_error.as_deref(), Some("the mail server could not be reached"));
    assert!(app.store.claim_job("other").await.unwrap().is_none(), "retried later, not at once");
    app.clock.advance(time::Duration::minutes(5));
    let third = app.store.claim_job("other").await.unwrap().unwrap();
    assert_eq!(third.attempts, 3);
    app.store.fail_job(&third, "other", "still failing").await.unwrap();
    assert_eq!(app.store.open_jobs().await.unwrap()[0].state, "failed", "a digest is tried three times");
}
both!(a_crashed_workers_job_is_taken_over_and_failures_retry);

async fn the_tasks_api_needs_a_token(app: TestApp) {
    assert_eq!(app.api("/api/v1/tasks", "nothing").await.status, StatusCode::UNAUTHORIZED);
}
both!(the_tasks_api_needs_a_token);

/// The operator's metrics: requests by route pattern and status, latency, jobs and connections, in the
/// Prometheus text format, on the operator's own router only.
async fn metrics_count_requests_by_route_on_the_operators_router_only(app: TestApp) {
    let scope = app.org("alpha", Nation::England).await;
    app.member(&scope, "admin@alpha.example", Role::Admin).await;
    app.sign_in("admin@alpha.example").await;
    let site = format!("/sites/{}", domain::SiteId::new());
    assert_eq!(app.get(&site).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/metrics").await.status, StatusCode::NOT_FOUND, "never beside the pages");

    let operator = web::metrics_router(app.state.clone());
    let answer = tower::ServiceExt::oneshot(
        operator,
        axum::http::Request::get("/metrics").body(axum::body::Body::empty()).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    let body = http_body_util::BodyExt::collect(answer.into_body()).await.unwrap().to_bytes();
    let text = String::from_utf8(body.to_vec()).unwrap();
    for family in
        ["vigil_jobs_waiting", "vigil_jobs_failed", "vigil_db_connections_open", "vigil_db_connections_in_use"]
    {
        assert!(text.contains(family), "{family} in {text}");
    }
    assert!(text.ends_with("# EOF\n"), "{text}");
    let counted = r#"vigil_http_requests_total{route="/sites/{id}",method="GET",status="404"} 1"#;
    assert!(text.contains(counted), "by route pattern, never the path: {text}");
    assert!(!text.contains(&site), "{text}");
    assert!(text.contains(r#"vigil_http_request_duration_seconds_count{route="/sites/{id}"} 1"#), "{text}");
}
both!(metrics_count_requests_by_route_on_the_operators_router_only);
