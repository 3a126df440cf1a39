//! The test harness: the real router over a fresh database per test, SQLite or PostgreSQL, with an
//! injected clock, and helpers that act like a browser (cookie, CSRF token) or an API client.

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use domain::org::{Nation, ProviderType, Slug, Ukprn};
use domain::roles::Role;
use domain::text::{Email, Name, NewPassword};
use http_body_util::BodyExt;
use std::sync::{Arc, Mutex};
use store::accounts::NewAccount;
use store::auth::{NextStep, PasswordOutcome};
use store::orgs::NewOrganisation;
use store::{Backend, FixedClock, OrgScope, Store};
use testdb::TestDb;
use tower::ServiceExt;

pub const PASSWORD: &str = "correct horse battery staple";

/// An answer from the router.
pub struct Answer {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn location(&self) -> &str {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// The application under test, and a browser's memory of its cookie and latest CSRF token.
pub struct TestApp {
    /// The router requests go to; [`TestApp::serve_with`] puts another in its place.
    router: Mutex<Router>,
    /// What the router serves from, for the operator's metrics router.
    pub state: web::AppState,
    pub store: Store,
    pub clock: Arc<FixedClock>,
    pub db: TestDb,
    /// The master key the store was given, for a second server on the same database.
    master_key: store::keys::MasterKey,
    /// Where uploaded files went (in memory).
    pub objects: store::files::Objects,
    cookie: Mutex<Option<String>>,
    csrf: Mutex<String>,
}

impl TestApp {
    pub async fn new(backend: Backend) -> Self {
        let db = TestDb::new(backend).await;
        let clock = Arc::new(FixedClock::new(time::macros::datetime!(2026-11-30 09:00 UTC)));
        let objects: store::files::Objects = std::sync::Arc::new(object_store::memory::InMemory::new());
        let master_key = store::keys::MasterKey::generate();
        let store = Store::connect(&db.url, clock.clone())
            .await
            .expect("connect")
            .with_master_key(master_key.clone())
            .with_objects(objects.clone());
        store.migrate().await.expect("migrate");
        let config = web::Config { public_url: "http://vigil.test".into(), demo: true, sends_email: false };
        let state = web::AppState::new(store.clone(), config);
        let router = web::router(state.clone());
        Self {
            router: Mutex::new(router),
            state,
            master_key,
            store,
            clock,
            db,
            objects,
            cookie: Mutex::new(None),
            csrf: Mutex::new(String::new()),
        }
    }

    /// A second server on the same database, as another process would be: its own pool and router, the
    /// same master key, nothing shared in memory.
    pub async fn second_server(&self) -> (Store, Router) {
        let store = Store::connect(&self.db.url, self.clock.clone())
            .await
            .expect("connect")
            .with_master_key(self.master_key.clone())
            .with_objects(self.objects.clone());
        let config = web::Config { public_url: "http://vigil.test".into(), demo: true, sends_email: false };
        let router = web::router(web::AppState::new(store.clone(), config));
        (store, router)
    }

    /// Sends the next requests to this router instead (a second server on the same database); answers
    /// the one it replaces.
    #[must_use = "put the first server back when done"]
    pub fn serve_with(&self, router: Router) -> Router {
        std::mem::replace(&mut *self.router.lock().unwrap(), router)
    }

    /// Sends a request as the browser: with its cookie, remembering any new cookie and CSRF token.
    pub async fn send(&self, request: Request<Body>) -> Answer {
        let router = self.router.lock().unwrap().clone();
        let response = router.oneshot(request).await.expect("router answers");
        let status = response.status();
        let headers = response.headers().clone();
        if let Some(cookie) = headers.get(header::SET_COOKIE).and_then(|v| v.to_str().ok()) {
            let value = cookie.split(';').next().unwrap_or("").split_once('=').map(|(_, v)| v.to_owned());
            *self.cookie.lock().unwrap() = value.filter(|v| !v.is_empty());
        }
        let bytes = response.into_body().collect().await.expect("body").to_bytes();
        let body = String::from_utf8_lossy(&bytes).into_owned();
        if let Some(token) = body.split("name=\"_csrf\" value=\"").nth(1).and_then(|rest| rest.split('"').next()) {
            *self.csrf.lock().unwrap() = token.to_owned();
        }
        Answer { status, headers, body }
    }

    /// Sends every request at once, each on its own task (no cookie is remembered): for tests of what
    /// must hold under parallel requests. Answers each status and body, in no particular order.
    pub async fn send_all(&self, requests: Vec<Request<Body>>) -> Vec<(StatusCode, String)> {
        let router = self.router.lock().unwrap().clone();
        let mut tasks = tokio::task::JoinSet::new();
        for request in requests {
            let router = router.clone();
            tasks.spawn(async move {
                let response = router.oneshot(request).await.expect("router answers");
                let status = response.status();
                let bytes = response.into_body().collect().await.expect("body").to_bytes();
                (status, String::from_utf8_lossy(&bytes).into_owned())
            });
        }
        tasks.join_all().await
    }

    /// The router the requests go to, to serve it on a real listener.
    pub fn router(&self) -> Router {
        self.router.lock().unwrap().clone()
    }

    /// The CSRF token of the page last read.
    pub fn csrf(&self) -> String {
        self.csrf.lock().unwrap().clone()
    }

    fn request(&self, method: Method, path: &str) -> axum::http::request::Builder {
        let mut builder = Request::builder().method(method).uri(path).header(header::USER_AGENT, "test browser");
        if let Some(cookie) = self.cookie.lock().unwrap().as_ref() {
            builder = builder.header(header::COOKIE, format!("{}={cookie}", web::SESSION_COOKIE));
        }
        builder
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.send(self.request(Method::GET, path).body(Body::empty()).unwrap()).await
    }

    /// A page that must be there: its status is asserted (200) before its body is read, so that an error
    /// page can never pass a check that something is absent from it.
    pub async fn page(&self, path: &str) -> Answer {
        let answer = self.get(path).await;
        assert_eq!(answer.status, StatusCode::OK, "GET {path}: {}", answer.body);
        answer
    }

    /// An API answer that must be there, as [`TestApp::page`] is for pages.
    pub async fn api_ok(&self, path: &str, token: &str) -> Answer {
        let answer = self.api(path, token).await;
        assert_eq!(answer.status, StatusCode::OK, "GET {path}: {}", answer.body);
        answer
    }

    /// Posts a form with the latest CSRF token, as a browser's form would.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let csrf = self.csrf.lock().unwrap().clone();
        let mut all: Vec<(&str, &str)> = vec![("_csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// Raises a concern about oneself through the page, as the person signed in.
    pub async fn raise_a_concern(&self) {
        self.get("/concerns/new").await;
        let concern = [
            ("about", "me"),
            ("what_happened", "Worried"),
            ("category", "other"),
            ("immediate_danger", "no"),
            ("told_in_person", "no"),
        ];
        assert_eq!(self.post("/concerns/new", &concern).await.status, StatusCode::SEE_OTHER);
    }

    /// Posts exactly these fields.
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let body = serde_urlencoded::to_string(fields).unwrap();
        let request = self
            .request(Method::POST, path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.send(request).await
    }

    pub async fn api(&self, path: &str, token: &str) -> Answer {
        self.api_send(Method::GET, path, token, None).await
    }

    /// Posts a file from a page's upload form: multipart, with the CSRF token in the query string.
    pub async fn post_file(&self, path: &str, filename: &str, bytes: &[u8]) -> Answer {
        let csrf = self.csrf.lock().unwrap().clone();
        let boundary = "vigil-test-boundary";
        let mut body = Vec::new();
        body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: text/csv\r\n\r\n").as_bytes());
        body.extend(bytes);
        body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
        let request = self
            .request(Method::POST, &format!("{path}?_csrf={csrf}"))
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .body(Body::from(body))
            .unwrap();
        self.send(request).await
    }

    /// Uploads a file to the API as a browser or integration would: a multipart body with `file` and
    /// `confidential`.
    pub async fn upload(&self, token: &str, filename: &str, bytes: &[u8], confidential: bool) -> Answer {
        self.upload_to("/api/v1/files", token, filename, bytes, confidential).await
    }

    /// Uploads a file to an API path that takes one, as [`TestApp::upload`] does.
    pub async fn upload_to(&self, path: &str, token: &str, filename: &str, bytes: &[u8], confidential: bool) -> Answer {
        let boundary = "vigil-test-boundary";
        let mut body = Vec::new();
        body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: application/pdf\r\n\r\n").as_bytes());
        body.extend(bytes);
        body.extend(format!("\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"confidential\"\r\n\r\n{confidential}\r\n--{boundary}--\r\n").as_bytes());
        let request = Request::post(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .body(Body::from(body))
            .unwrap();
        self.send(request).await
    }

    /// Sends an API request with an optional JSON body.
    pub async fn api_send(&self, method: Method, path: &str, token: &str, json: Option<serde_json::Value>) -> Answer {
        let builder =
            Request::builder().method(method).uri(path).header(header::AUTHORIZATION, format!("Bearer {token}"));
        let request = match json {
            Some(json) => builder.header(header::CONTENT_TYPE, "application/json").body(Body::from(json.to_string())),
            None => builder.body(Body::empty()),
        };
        self.send(request.unwrap()).await
    }

    /// Sends a body of any content type to the API.
    pub async fn api_send_raw(
        &self,
        method: Method,
        path: &str,
        token: &str,
        content_type: &str,
        body: &str,
    ) -> Answer {
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body.to_owned()))
            .unwrap();
        self.send(request).await
    }

    pub fn set_cookie(&self, token: Option<String>) {
        *self.cookie.lock().unwrap() = token;
    }

    pub fn cookie(&self) -> Option<String> {
        self.cookie.lock().unwrap().clone()
    }

    /// Runs the background jobs that are due, as a demonstration server's worker would (without SMTP, so
    /// mail stays in the outbox to be read).
    pub async fn run_jobs(&self) {
        let config = web::Config { public_url: "http://vigil.test".into(), demo: true, sends_email: false };
        let worker = web::jobs::Worker::new(web::AppState::new(self.store.clone(), config), "test".into(), None);
        worker.tick().await.unwrap();
    }

    /// The path of the newest emailed link containing `marker` (like `/invitations/`).
    pub async fn emailed_link(&self, marker: &str) -> String {
        let mail = self.store.outbox(50).await.unwrap();
        let line = mail.iter().flat_map(|m| m.body.lines()).find(|l| l.contains(marker));
        line.unwrap_or_else(|| panic!("no email with {marker}")).trim_start_matches("http://vigil.test").to_owned()
    }

    /// Creates an organisation from the command line's point of view; answers the operator's scope.
    pub async fn org(&self, slug: &str, nation: Nation) -> OrgScope {
        let new = NewOrganisation {
            name: Name::parse(&format!("Org {slug}")).unwrap(),
            ukprn: Ukprn::parse("10012345").unwrap(),
            nation,
            provider_type: ProviderType::IndependentTrainingProvider,
            slug: Some(Slug::parse(slug).unwrap()),
        };
        self.store.create_organisation(&new).await.expect("create organisation");
        self.store.operator_scope(slug).await.unwrap()
    }

    /// Adds a member with a role (and an authenticator, whose secret is derived from the email).
    pub async fn member(&self, scope: &OrgScope, email: &str, role: Role) -> domain::AccountId {
        let mut tx = self.store.write(scope).await.unwrap();
        let account = tx
            .create_member(&NewAccount {
                email: Email::parse(email).unwrap(),
                display_name: Name::parse(&format!("Person {email}")).unwrap(),
                password: NewPassword::parse(PASSWORD).unwrap(),
            })
            .await
            .unwrap();
        let ends_on = role.requires_end_date().then(|| self.store.now().date() + time::Duration::days(30));
        tx.grant_role(account, role, ends_on).await.unwrap();
        tx.set_demo_second_factor(account, &store::totp::demo_secret(email)).await.unwrap();
        tx.commit().await.unwrap();
        account
    }

    /// The authenticator code for an account made by [`TestApp::member`], now.
    pub fn code(&self, email: &str) -> String {
        store::totp::code_at(&store::totp::demo_secret(email), self.store.now())
    }

    /// Signs in through the pages (password, then code), leaving the browser signed in.
    pub async fn sign_in(&self, email: &str) {
        // Each sign-in uses a fresh time step: codes are accepted once.
        self.clock.advance(time::Duration::seconds(30));
        self.set_cookie(None);
        let answer = self.post_raw("/sign-in", &[("email", email), ("password", PASSWORD)]).await;
        assert_eq!(answer.location(), "/sign-in/code", "password step for {email}: {}", answer.body);
        self.get("/sign-in/code").await;
        let answer = self.post("/sign-in/code", &[("code", &self.code(email))]).await;
        assert_eq!(answer.location(), "/", "code step for {email}: {}", answer.body);
    }

    /// A signed-in session token for an account, made through the store (no HTTP), for the matrix tests.
    pub async fn session_token(&self, email: &str) -> String {
        self.clock.advance(time::Duration::seconds(30));
        match self.store.sign_in_password(email, PASSWORD, "test").await.unwrap() {
            PasswordOutcome::Accepted { token, next: NextStep::SignedIn } => token,
            PasswordOutcome::Accepted { token, next: NextStep::EnterCode } => {
                let session = self.store.session(&token).await.unwrap().unwrap();
                self.store.sign_in_code(&session, &self.code(email)).await.unwrap()
            }
            other => panic!("sign-in for {email} failed: {other:?}"),
        }
    }

    /// Puts the person with this email in the people register (as staff) and appoints them to a post in
    /// the role registry from today.
    pub async fn appoint(&self, scope: &OrgScope, email: &str, post: domain::registry::Post) {
        let none = std::collections::HashSet::new();
        let known = domain::people::Known { departments: &none, sites: &none, staff_emails: &none };
        let cells = std::collections::HashMap::from([
            ("kind", "staff".to_owned()),
            ("given_name", "Named".to_owned()),
            ("family_name", post.as_str().replace('_', " ")),
            ("email", email.to_owned()),
        ]);
        let person = domain::people::parse_person(&cells, self.store.now().date(), &known).unwrap();
        let mut tx = self.store.write(scope).await.unwrap();
        tx.import_people(&[person]).await.unwrap();
        tx.commit().await.unwrap();
        let person = self.store.person_by_email(scope, email).await.unwrap().unwrap();
        let mut tx = self.store.write(scope).await.unwrap();
        tx.appoint(post, person, None, self.store.now().date(), None).await.unwrap();
        tx.commit().await.unwrap();
    }

    /// Looks for each of `secrets` anywhere in the database, as someone with a copy of it would: the SQLite
    /// file itself (after its write-ahead log is folded in), or every PostgreSQL table as text. `marker` is a
    /// word stored in clear, found to prove the scan reads the right place.
    pub async fn assert_nowhere_in_database(&self, secrets: &[&str], marker: &str) {
        let mut raw = self.db.raw().await;
        match self.store.backend() {
            Backend::Postgres => {
                let tables: Vec<String> = sqlx::query_scalar(
                    "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' \
                     AND table_type = 'BASE TABLE'",
                )
                .fetch_all(&mut raw)
                .await
                .unwrap();
                let mut marked = false;
                for table in tables {
                    for words in secrets.iter().chain([&marker]) {
                        let text = format!("SELECT COUNT(*) FROM \"{table}\" t WHERE t::text LIKE '%{words}%'");
                        let found: i64 =
                            sqlx::query_scalar(sqlx::AssertSqlSafe(text)).fetch_one(&mut raw).await.unwrap();
                        if *words == marker {
                            marked |= found > 0;
                        } else {
                            assert_eq!(found, 0, "{table} holds {words} in clear");
                        }
                    }
                }
                assert!(marked, "the scan reads the right database");
            }
            Backend::Sqlite => {
                sqlx::Executor::execute(&mut raw, "PRAGMA wal_checkpoint(TRUNCATE)").await.unwrap();
                let path = self.db.url.trim_start_matches("sqlite://").split('?').next().unwrap().to_owned();
                let bytes = std::fs::read(&path).unwrap();
                let holds = |words: &str| bytes.windows(words.len()).any(|w| w == words.as_bytes());
                assert!(holds(marker), "the scan reads the right file");
                for words in secrets {
                    assert!(!holds(words), "the database file holds {words}");
                }
            }
        }
    }

    /// An API token for an account.
    pub async fn api_token(&self, scope: &OrgScope, account: domain::AccountId) -> String {
        let mut tx = self.store.write(scope).await.unwrap();
        let (_, token) = tx.create_api_token(account, "test").await.unwrap();
        tx.commit().await.unwrap();
        token
    }
}

/// Runs a test against both databases.
#[macro_export]
macro_rules! both {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::support::TestApp::new(store::Backend::Sqlite).await).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name($crate::support::TestApp::new(store::Backend::Postgres).await).await;
            }
        }
    };
}
