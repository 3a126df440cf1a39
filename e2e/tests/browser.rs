//! Browser tests in headless Chromium (Debian's `chromium` and `chromium-driver`), with axe-core checking
//! every page visited against WCAG 2.2 AA. axe is injected by the driver, never by relaxing the CSP.
//! Each flow is a scenario of its own, with its own database, server and browser, so that one failure
//! hides none of the others. The app runs in-process on SQLite with an injected clock, so authenticator
//! codes are computed from the secret, exactly as a phone would; the browser waits for what it expects to
//! see, never for a length of time.

use domain::roles::Role;
use fantoccini::{Client, ClientBuilder, Locator};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use store::{Clock, FixedClock, OrgScope, Store};

const PASSWORD: &str = "correct horse battery staple";

/// chromedriver, stopped when dropped.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Starts chromedriver and waits for the line that says it is ready.
fn start_driver() -> (Driver, u16) {
    let port = free_port();
    let mut child = Command::new(std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into()))
        .arg(format!("--port={port}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver must be installed (Debian package chromium-driver); .ci/run installs it");
    let stdout = child.stdout.take().unwrap();
    let driver = Driver(child);
    let ready = BufReader::new(stdout).lines().map_while(Result::ok).any(|line| line.contains("started successfully"));
    assert!(ready, "chromedriver did not start");
    (driver, port)
}

async fn browser(port: u16, profile: &std::path::Path) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                     "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     format!("--user-data-dir={}", profile.display()), "--window-size=1280,900"]
        }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("connect to chromedriver")
}

/// Runs axe-core on the current page and fails on any WCAG 2.2 AA violation.
async fn check_accessibility(client: &Client, page: &str) {
    static AXE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let axe = AXE.get_or_init(|| {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../assets/build/node_modules/axe-core/axe.min.js");
        std::fs::read_to_string(path).expect("axe-core is installed by `npm ci` in assets/build (.ci/run does it)")
    });
    client.execute(axe, vec![]).await.expect("inject axe");
    let violations = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } })
                .then(r => done(r.violations.map(v => v.id + ': ' + v.help + ' at ' + v.nodes.map(n => n.html).join(', '))));",
            vec![],
        )
        .await
        .expect("run axe");
    let violations = violations.as_array().cloned().unwrap_or_default();
    assert!(violations.is_empty(), "accessibility violations on {page}: {violations:#?}");
}

async fn fill(client: &Client, field: &str, value: &str) {
    let input = client.find(Locator::Id(field)).await.unwrap_or_else(|_| panic!("field {field}"));
    input.clear().await.unwrap();
    input.send_keys(value).await.unwrap();
}

async fn choose(client: &Client, name: &str, value: &str) {
    client.find(Locator::Css(&format!("input[name='{name}'][value='{value}']"))).await.unwrap().click().await.unwrap();
}

async fn submit(client: &Client) {
    client.find(Locator::Css("main button[type='submit']")).await.unwrap().click().await.unwrap();
}

/// Waits for the page's main heading to contain `text`, checks its accessibility and that it is no wider
/// than the window (WCAG 1.4.10: at 390 pixels, a phone, nothing scrolls sideways), and saves a screenshot
/// when `VIGIL_SCREENSHOTS` names a folder.
async fn arrive(client: &Client, text: &str) {
    let xpath =
        format!("//h1[contains(normalize-space(.), \"{text}\")] | //h2[contains(normalize-space(.), \"{text}\")]");
    if client.wait().for_element(Locator::XPath(&xpath)).await.is_err() {
        panic!("expected a heading with {text:?}; page: {}", client.source().await.unwrap_or_default());
    }
    if let Ok(folder) = std::env::var("VIGIL_SCREENSHOTS") {
        let name: String = text.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
        let png = client.screenshot().await.unwrap();
        std::fs::write(std::path::Path::new(&folder).join(format!("{name}.png")), png).unwrap();
    }
    check_accessibility(client, text).await;
    let widths = client
        .execute("return [document.documentElement.scrollWidth, document.documentElement.clientWidth];", vec![])
        .await
        .unwrap();
    assert!(widths[0].as_i64() <= widths[1].as_i64(), "{text}: the page is wider than the window: {widths}");
}

async fn body_text(client: &Client) -> String {
    client.find(Locator::Css("body")).await.unwrap().text().await.unwrap()
}

/// One scenario's world: a fresh database, the app serving it, chromedriver and a browser.
struct Site {
    dir: std::path::PathBuf,
    clock: Arc<FixedClock>,
    store: Store,
    base: String,
    client: Client,
    _driver: Driver,
}

impl Site {
    async fn start() -> Self {
        let dir = std::env::temp_dir().join(format!("vigil-e2e-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let clock = Arc::new(FixedClock::new(time::OffsetDateTime::now_utc()));
        let store = Store::connect(&format!("sqlite://{}?mode=rwc", dir.join("vigil.db").display()), clock.clone())
            .await
            .unwrap()
            .with_master_key(store::keys::MasterKey::generate())
            .with_objects(store::files::open_objects(&dir.join("files").display().to_string()).unwrap());
        store.migrate().await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let app = web::router(web::AppState::new(
            store.clone(),
            web::Config { public_url: base.clone(), demo: true, sends_email: false },
        ));
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let (driver, port) = start_driver();
        let client = browser(port, &dir.join("profile")).await;
        Self { dir, clock, store, base, client, _driver: driver }
    }

    /// Signs in through the pages: the password, then (for an account with an authenticator) a new code.
    async fn sign_in(&self, email: &str, secret: Option<&str>, name: &str) {
        let client = &self.client;
        client.goto(&format!("{}/sign-in", self.base)).await.unwrap();
        arrive(client, "Sign in to Vigil").await;
        self.clock.advance(time::Duration::seconds(30));
        fill(client, "email", email).await;
        fill(client, "password", PASSWORD).await;
        submit(client).await;
        if let Some(secret) = secret {
            arrive(client, "Enter the code from your authenticator app").await;
            fill(client, "code", &store::totp::code_at(secret, self.clock.now())).await;
            submit(client).await;
        }
        arrive(client, &format!("Welcome, {name}")).await;
    }

    async fn finish(self) {
        self.client.close().await.unwrap();
        self.store.close().await;
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// An organisation with an administrator, Alex, who has an authenticator: what `vigil org create` and
/// `vigil user create` make.
async fn an_organisation(store: &Store) -> OrgScope {
    let new = store::orgs::NewOrganisation {
        name: domain::text::Name::parse("Riverside Training").unwrap(),
        ukprn: domain::org::Ukprn::parse("10012345").unwrap(),
        nation: domain::org::Nation::England,
        provider_type: domain::org::ProviderType::IndependentTrainingProvider,
        slug: Some(domain::org::Slug::parse("riverside").unwrap()),
    };
    store.create_organisation(&new).await.unwrap();
    let scope = store.operator_scope("riverside").await.unwrap();
    an_account(store, &scope, "alex@riverside.example", "Alex Admin", Some(Role::Admin), true).await;
    scope
}

/// An account, with a role granted directly or none (the role registry gives the lead's), and an
/// authenticator whose secret is derived from the email when `authenticator` is set.
async fn an_account(store: &Store, scope: &OrgScope, email: &str, name: &str, role: Option<Role>, authenticator: bool) {
    let mut tx = store.write(scope).await.unwrap();
    let account = tx
        .create_member(&store::accounts::NewAccount {
            email: domain::text::Email::parse(email).unwrap(),
            display_name: domain::text::Name::parse(name).unwrap(),
            password: domain::text::NewPassword::parse(PASSWORD).unwrap(),
        })
        .await
        .unwrap();
    if let Some(role) = role {
        tx.grant_role(account, role, None).await.unwrap();
    }
    if authenticator {
        tx.set_demo_second_factor(account, &store::totp::demo_secret(email)).await.unwrap();
    }
    tx.commit().await.unwrap();
}

/// The people register of the flows: Sam (the lead) and Dee (the deputy), appointed from today, and Jo,
/// an apprentice under 18.
async fn a_register(store: &Store, scope: &OrgScope) {
    let none = std::collections::HashSet::new();
    let known = domain::people::Known { departments: &none, sites: &none, staff_emails: &none };
    let today = store.now().date();
    let person = |cells: &[(&'static str, &str)]| {
        let cells = cells.iter().map(|(k, v)| (*k, (*v).to_owned())).collect();
        domain::people::parse_person(&cells, today, &known).unwrap()
    };
    let people = [
        person(&[
            ("kind", "staff"),
            ("given_name", "Sam"),
            ("family_name", "Lead"),
            ("email", "sam@riverside.example"),
        ]),
        person(&[
            ("kind", "staff"),
            ("given_name", "Dee"),
            ("family_name", "Deputy"),
            ("email", "dee@riverside.example"),
        ]),
        person(&[
            ("kind", "apprentice"),
            ("given_name", "Jo"),
            ("family_name", "Young"),
            ("uln", "1234567890"),
            ("date_of_birth", "28/02/2010"),
        ]),
    ];
    let mut tx = store.write(scope).await.unwrap();
    tx.import_people(&people).await.unwrap();
    tx.commit().await.unwrap();
    for (post, email) in [
        (domain::registry::Post::Dsl, "sam@riverside.example"),
        (domain::registry::Post::DeputyDsl, "dee@riverside.example"),
    ] {
        let person = store.person_by_email(scope, email).await.unwrap().unwrap();
        let mut tx = store.write(scope).await.unwrap();
        tx.appoint(post, person, None, today, None).await.unwrap();
        tx.commit().await.unwrap();
    }
}

/// The administrator invites Tara, a tutor: first without a role (the error summary shows), then properly.
async fn invite_a_tutor(client: &Client) {
    client.find(Locator::LinkText("Invite colleagues to use Vigil")).await.unwrap().click().await.unwrap();
    arrive(client, "Invite someone").await;
    fill(client, "email", "tara@riverside.example").await;
    submit(client).await;
    arrive(client, "There is a problem").await;
    choose(client, "role", "staff").await;
    submit(client).await;
    // No mail server here: the page says so, and shows the link to give Tara.
    arrive(client, "Give them their invitation link").await;
    let page = body_text(client).await;
    assert!(page.contains("nothing has been emailed") && page.contains("/invitations/"), "{page}");
}

/// Today as a person types it.
fn typed_today(clock: &FixedClock) -> String {
    let today = clock.now().date();
    format!("{:02}/{:02}/{}", today.day(), u8::from(today.month()), today.year())
}

/// A fresh install, as the README gives it, on a phone: set-up with its one-time code (a mistake first: the
/// error summary shows and the typing is kept), the administrator's authenticator, the set-up task list
/// (concerns closed until a lead can sign in), the people register, the lead's appointment and invitation
/// (no mail server: the link is shown), the lead's first sign-in, and the first concern reaching the lead.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fresh_install_reaches_its_first_concern() {
    let site = Site::start().await;
    let (client, base, clock, store, dir) = (&site.client, &site.base, &*site.clock, &site.store, &site.dir);
    client.set_window_size(390, 844).await.unwrap();
    let setup_code = store.issue_setup_token().await.unwrap().unwrap();

    // Set-up, with one mistake first: the error summary shows and the typing is kept.
    client.goto(&format!("{base}/setup")).await.unwrap();
    arrive(client, "Set up Vigil").await;
    fill(client, "setup_code", &setup_code).await;
    fill(client, "org_name", "Riverside Training").await;
    fill(client, "ukprn", "1234").await;
    choose(client, "nation", "england").await;
    choose(client, "provider_type", "independent_training_provider").await;
    fill(client, "admin_name", "Alex Admin").await;
    fill(client, "admin_email", "alex@riverside.example").await;
    fill(client, "password", PASSWORD).await;
    submit(client).await;
    arrive(client, "There is a problem").await;
    let value = client.find(Locator::Id("org_name")).await.unwrap().prop("value").await.unwrap();
    assert_eq!(value.as_deref(), Some("Riverside Training"));
    fill(client, "ukprn", "10012345").await;
    fill(client, "password", PASSWORD).await;
    submit(client).await;
    let secret = enrol(client, clock).await;
    arrive(client, "Welcome, Alex Admin").await;

    // Nobody can raise a concern yet, and the home page says why and what to do.
    let home = body_text(client).await;
    assert!(home.contains("Nobody can raise a concern in Vigil yet"), "{home}");
    client.goto(&format!("{base}/concerns/new")).await.unwrap();
    arrive(client, "Raise a concern").await;
    assert!(body_text(client).await.contains("Concerns cannot be raised in Vigil yet"));

    // The people register, then the lead's appointment.
    let people = dir.join("people.csv");
    std::fs::write(&people, "kind,given_name,family_name,email\nstaff,Sam,Lead,sam@riverside.example\n").unwrap();
    client.goto(&format!("{base}/people/import")).await.unwrap();
    arrive(client, "Import people").await;
    client.find(Locator::Id("file")).await.unwrap().send_keys(&people.display().to_string()).await.unwrap();
    submit(client).await;
    arrive(client, "Check the import").await;
    submit(client).await;
    arrive(client, "People").await;
    client.goto(&format!("{base}/")).await.unwrap();
    arrive(client, "Welcome, Alex Admin").await;
    client.find(Locator::LinkText("Appoint your Designated Safeguarding Lead")).await.unwrap().click().await.unwrap();
    arrive(client, "Appoint to a post").await;
    choose(client, "post", "dsl").await;
    fill(client, "email", "sam@riverside.example").await;
    fill(client, "starts_on", &typed_today(clock)).await;
    submit(client).await;
    arrive(client, "Role registry").await;

    // The lead is invited; with no mail server the page shows the link to give them.
    client.goto(&format!("{base}/")).await.unwrap();
    arrive(client, "Welcome, Alex Admin").await;
    assert!(body_text(client).await.contains("the safeguarding lead has no account yet"));
    client
        .find(Locator::LinkText("Invite your Designated Safeguarding Lead to Vigil"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    arrive(client, "Invite someone").await;
    fill(client, "email", "sam@riverside.example").await;
    choose(client, "role", "staff").await;
    submit(client).await;
    arrive(client, "Give them their invitation link").await;
    let link = client.find(Locator::Id("invitation-link")).await.unwrap().text().await.unwrap();
    sign_out(client).await;

    // The lead accepts, signs in for the first time and sets up an authenticator.
    client.goto(&link).await.unwrap();
    arrive(client, "Accept your invitation").await;
    fill(client, "display_name", "Sam Lead").await;
    fill(client, "password", PASSWORD).await;
    submit(client).await;
    arrive(client, "Sign in to Vigil").await;
    fill(client, "email", "sam@riverside.example").await;
    fill(client, "password", PASSWORD).await;
    submit(client).await;
    let lead_secret = enrol(client, clock).await;
    arrive(client, "Welcome, Sam Lead").await;
    sign_out(client).await;

    // Concerns are open: the administrator raises the first, and the receipt says truthfully who has it.
    site.sign_in("alex@riverside.example", Some(&secret), "Alex Admin").await;
    assert!(!body_text(client).await.contains("Nobody can raise a concern"));
    client.find(Locator::Css("a.govuk-button--start")).await.unwrap().click().await.unwrap();
    arrive(client, "Raise a concern").await;
    choose(client, "about", "someone").await;
    fill(client, "about_name", "Jo Young").await;
    fill(client, "what_happened", "Jo said people online told him to stop coming to work.").await;
    choose(client, "category", "online").await;
    choose(client, "immediate_danger", "no").await;
    choose(client, "told_in_person", "no").await;
    submit(client).await;
    arrive(client, "Your concern has been sent").await;
    let receipt = body_text(client).await;
    assert!(receipt.contains("gone to the safeguarding team") && receipt.contains("Email is not set up"), "{receipt}");
    every_page_fits(client, base, &["/users", "/people", "/registry", "/audit", "/organisation", "/concerns"]).await;
    sign_out(client).await;

    // The lead sees it waiting.
    site.sign_in("sam@riverside.example", Some(&lead_secret), "Sam Lead").await;
    assert!(body_text(client).await.contains("1 concern is waiting for you"));
    client.goto(&format!("{base}/safeguarding")).await.unwrap();
    arrive(client, "Safeguarding concerns").await;
    every_page_fits(client, base, &["/cases", "/registry", "/audit", "/confirmations", "/account"]).await;

    site.finish().await;
}

/// Visits each page, which [`arrive`] checks is no wider than the window (and accessible).
async fn every_page_fits(client: &Client, base: &str, pages: &[&str]) {
    for page in pages {
        client.goto(&format!("{base}{page}")).await.unwrap();
        let heading = client.wait().for_element(Locator::Css("main h1")).await.unwrap().text().await.unwrap();
        arrive(client, &heading).await;
    }
}

/// Signs out from the menu, opening it first where a phone's narrow window folds it away.
async fn sign_out(client: &Client) {
    let toggle = client.find(Locator::Css(".govuk-service-navigation__toggle")).await.unwrap();
    if toggle.is_displayed().await.unwrap() {
        toggle.click().await.unwrap();
    }
    client.find(Locator::Css("form[action='/sign-out'] button")).await.unwrap().click().await.unwrap();
    arrive(client, "Sign in to Vigil").await;
}

/// Sets up an authenticator on the page it is offered, with the code computed from the key shown, and
/// leaves the recovery codes page; answers the key.
async fn enrol(client: &Client, clock: &FixedClock) -> String {
    arrive(client, "Set up your authenticator app").await;
    let secret = client.find(Locator::Id("totp-secret")).await.unwrap().text().await.unwrap();
    fill(client, "code", &store::totp::code_at(&secret, clock.now())).await;
    submit(client).await;
    arrive(client, "Save your recovery codes").await;
    client.find(Locator::LinkText("I have saved my codes")).await.unwrap().click().await.unwrap();
    secret
}

/// The administrator invites a colleague, reads the audit log, records the profile, a site and a department, imports the people register (a bad file refused whole first) and appoints the lead and deputy, whom the contact card then names; the account page works on a phone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn organisation_people_and_registry() {
    let site = Site::start().await;
    let (client, base, clock, store, dir) = (&site.client, &site.base, &*site.clock, &site.store, &site.dir);
    an_organisation(store).await;
    site.sign_in("alex@riverside.example", Some(&store::totp::demo_secret("alex@riverside.example")), "Alex Admin")
        .await;

    invite_a_tutor(client).await;

    // The audit log shows what happened, by id.
    client.goto(&format!("{base}/audit")).await.unwrap();
    arrive(client, "Audit log").await;
    assert!(body_text(client).await.contains("invitation.created"));

    // The organisation profile, a site and a department.
    client.goto(&format!("{base}/organisation")).await.unwrap();
    arrive(client, "Organisation profile").await;
    client.find(Locator::LinkText("Complete the profile")).await.unwrap().click().await.unwrap();
    arrive(client, "Organisation profile").await;
    choose(client, "enrols_under_18", "yes").await;
    choose(client, "subcontracting", "none").await;
    submit(client).await;
    arrive(client, "There is a problem").await;
    choose(client, "has_premises", "yes").await;
    fill(client, "local_authorities", "Leeds\nBradford").await;
    submit(client).await;
    arrive(client, "Rules that apply").await;
    assert!(body_text(client).await.contains("Keeping Children Safe in Education"));
    client.goto(&format!("{base}/sites/new")).await.unwrap();
    arrive(client, "Add a site").await;
    fill(client, "name", "Riverside Training Centre").await;
    choose(client, "kind", "training_centre").await;
    fill(client, "address", "14 Wharf Street\nLeeds").await;
    fill(client, "postcode", "ls2 7eq").await;
    choose(client, "let_to_others", "no").await;
    submit(client).await;
    arrive(client, "Sites").await;
    client.find(Locator::LinkText("Riverside Training Centre")).await.unwrap().click().await.unwrap();
    arrive(client, "Riverside Training Centre").await;
    client.goto(&format!("{base}/departments")).await.unwrap();
    arrive(client, "Departments").await;

    // Import people: a file with a bad row is refused whole; the fixed file is checked, previewed, imported.
    let bad = dir.join("people-bad.csv");
    std::fs::write(&bad, "kind,given_name,family_name,email,uln,date_of_birth\nstaff,Sam,Lead,sam@riverside.example,,\nstaff,Dee,Deputy,dee@riverside.example,,\napprentice,Jo,Young,,1234567890,31/02/2010\n").unwrap();
    let good = dir.join("people.csv");
    std::fs::write(&good, "kind,given_name,family_name,email,uln,date_of_birth\nstaff,Sam,Lead,sam@riverside.example,,\nstaff,Dee,Deputy,dee@riverside.example,,\napprentice,Jo,Young,,1234567890,28/02/2010\n").unwrap();
    client.goto(&format!("{base}/people/import")).await.unwrap();
    arrive(client, "Import people").await;
    client.find(Locator::Id("file")).await.unwrap().send_keys(&bad.display().to_string()).await.unwrap();
    submit(client).await;
    arrive(client, "There is a problem").await;
    assert!(body_text(client).await.contains("Enter a real date"));
    client.find(Locator::Id("file")).await.unwrap().send_keys(&good.display().to_string()).await.unwrap();
    submit(client).await;
    arrive(client, "Check the import").await;
    submit(client).await;
    arrive(client, "People").await;
    assert!(body_text(client).await.contains("Imported: 3 new"));

    // Appoint the lead and a deputy, from today; the contact card on every page then names them.
    let today = typed_today(clock);
    for (post, email) in [("dsl", "sam@riverside.example"), ("deputy_dsl", "dee@riverside.example")] {
        client.goto(&format!("{base}/registry/appoint")).await.unwrap();
        arrive(client, "Appoint to a post").await;
        choose(client, "post", post).await;
        fill(client, "email", email).await;
        fill(client, "starts_on", &today).await;
        submit(client).await;
        arrive(client, "Role registry").await;
    }
    let footer = client.find(Locator::Css(".vigil-contact-card")).await.unwrap().text().await.unwrap();
    assert!(footer.contains("Sam Lead") && footer.contains("Dee Deputy"), "{footer}");

    // On a phone-sized window, the account page still works.
    client.set_window_size(390, 844).await.unwrap();
    client.goto(&format!("{base}/account")).await.unwrap();
    arrive(client, "Your account").await;

    site.finish().await;
}

/// An invited tutor accepts, signs in, sees who to go to, and on a phone raises a concern (a missed answer first); the receipt shows no content.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invitation_accepted_and_a_concern_raised_on_a_phone() {
    let site = Site::start().await;
    let (client, base, store) = (&site.client, &site.base, &site.store);
    let scope = an_organisation(store).await;
    a_register(store, &scope).await;
    // Concerns open once the lead can sign in (an account with an authenticator).
    an_account(store, &scope, "sam@riverside.example", "Sam Lead", None, true).await;
    site.sign_in("alex@riverside.example", Some(&store::totp::demo_secret("alex@riverside.example")), "Alex Admin")
        .await;

    invite_a_tutor(client).await;

    // The invitation, read from the demo outbox, lets the tutor create an account; signed in, the tutor sees
    // who to go to on every page.
    client.find(Locator::Css("form[action='/sign-out'] button")).await.unwrap().click().await.unwrap();
    arrive(client, "Sign in to Vigil").await;
    client.goto(&format!("{base}/outbox")).await.unwrap();
    arrive(client, "Demo outbox").await;
    let outbox = body_text(client).await;
    let link = outbox.split_whitespace().find(|w| w.contains("/invitations/")).unwrap().to_owned();
    client.goto(&link).await.unwrap();
    arrive(client, "Accept your invitation").await;
    fill(client, "display_name", "Tara Tutor").await;
    fill(client, "password", PASSWORD).await;
    submit(client).await;
    arrive(client, "Sign in to Vigil").await;
    fill(client, "email", "tara@riverside.example").await;
    fill(client, "password", PASSWORD).await;
    submit(client).await;
    arrive(client, "Welcome, Tara Tutor").await;
    let card = client.find(Locator::Css(".vigil-contact-card")).await.unwrap().text().await.unwrap();
    assert!(card.contains("Sam Lead") && card.contains("Dee Deputy") && card.contains("999"), "{card}");

    // On a phone, the tutor raises a concern: a missed answer first, then sent; the receipt shows no content.
    client.set_window_size(390, 844).await.unwrap();
    client.goto(&format!("{base}/concerns/new")).await.unwrap();
    arrive(client, "Raise a concern").await;
    choose(client, "about", "someone").await;
    fill(client, "about_name", "Jo Young").await;
    fill(client, "what_happened", "Jo said people online told him to stop coming to work.").await;
    submit(client).await;
    arrive(client, "There is a problem").await;
    choose(client, "category", "online").await;
    choose(client, "immediate_danger", "no").await;
    choose(client, "told_in_person", "no").await;
    submit(client).await;
    arrive(client, "Your concern has been sent").await;
    let receipt = body_text(client).await;
    assert!(receipt.contains("Received") && !receipt.contains("Jo Young"), "{receipt}");
    client.find(Locator::Css("main a[href$='/attach']")).await.unwrap().click().await.unwrap();
    arrive(client, "Add a file to your concern").await;
    assert!(body_text(client).await.contains("Never add, copy, keep or forward indecent images"));

    site.finish().await;
}

/// The lead acknowledges a concern, which opens a case; triages, decides, refers (a missed answer first), records key context and closes it, and visits its access, restriction, viewers and chronology pages; the tutor then sees, on a phone, only that it is closed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_case_from_acknowledgement_to_closure() {
    let site = Site::start().await;
    let (client, base, clock, store) = (&site.client, &site.base, &*site.clock, &site.store);
    let scope = an_organisation(store).await;
    a_register(store, &scope).await;
    an_account(store, &scope, "tara@riverside.example", "Tara Tutor", Some(Role::Staff), false).await;
    an_account(store, &scope, "sam@riverside.example", "Sam Lead", None, true).await;
    let today = typed_today(clock);

    // The tutor raises a concern about Jo, chosen from the people register.
    site.sign_in("tara@riverside.example", None, "Tara Tutor").await;
    client.goto(&format!("{base}/concerns/new")).await.unwrap();
    arrive(client, "Raise a concern").await;
    choose(client, "about", "someone").await;
    fill(client, "about_name", "Jo Young").await;
    fill(client, "what_happened", "Jo said people online told him to stop coming to work.").await;
    choose(client, "category", "online").await;
    choose(client, "immediate_danger", "no").await;
    choose(client, "told_in_person", "no").await;
    submit(client).await;
    arrive(client, "Your concern has been sent").await;
    client.find(Locator::Css("form[action='/sign-out'] button")).await.unwrap().click().await.unwrap();
    arrive(client, "Sign in to Vigil").await;

    // The lead, Sam, signs in on a desktop.
    site.sign_in("sam@riverside.example", Some(&store::totp::demo_secret("sam@riverside.example")), "Sam Lead").await;

    // The lead opens the concern and acknowledges it, which opens a case; then triages, decides, refers
    // (a missed answer first) and closes it.
    client.goto(&format!("{base}/safeguarding")).await.unwrap();
    arrive(client, "Safeguarding concerns").await;
    client.find(Locator::Css("main table a")).await.unwrap().click().await.unwrap();
    arrive(client, "Concern C-").await;
    submit(client).await;
    arrive(client, "Case S-").await;
    assert!(body_text(client).await.contains("Jo Young"));
    client.find(Locator::LinkText("Triage: risk, checks, advice and options")).await.unwrap().click().await.unwrap();
    arrive(client, "Triage").await;
    choose(client, "risk", "low").await;
    fill(client, "checked", "Attendance record; spoke to Jo's manager").await;
    fill(client, "options", "Monitor; internal support; Prevent referral").await;
    submit(client).await;
    arrive(client, "Case S-").await;
    client.find(Locator::LinkText("A decision and its reason")).await.unwrap().click().await.unwrap();
    arrive(client, "Record a decision").await;
    choose(client, "decision", "prevent").await;
    fill(client, "reason", "Online contacts urging him to withdraw; advice from the police Prevent team").await;
    submit(client).await;
    arrive(client, "Case S-").await;
    client.find(Locator::LinkText("A referral")).await.unwrap().click().await.unwrap();
    arrive(client, "Record a referral").await;
    choose(client, "agency", "prevent").await;
    fill(client, "route", "Police Prevent mailbox").await;
    fill(client, "sent_on", &today).await;
    choose(client, "learner_told", "yes").await;
    submit(client).await;
    arrive(client, "There is a problem").await;
    // Jo was chosen from the people register, so the case knows he is under 18: a parent or carer is told.
    choose(client, "parent_told", "yes").await;
    fill(client, "shared", "The concern and the chronology").await;
    choose(client, "lawful_basis", "public_task").await;
    submit(client).await;
    arrive(client, "Case S-").await;
    assert!(body_text(client).await.contains("Referred, awaiting feedback"));
    client.find(Locator::LinkText("Key context, age group and review date")).await.unwrap().click().await.unwrap();
    arrive(client, "Key context").await;
    fill(client, "review_on", &today).await;
    submit(client).await;
    arrive(client, "Case S-").await;
    client.find(Locator::LinkText("Close the case")).await.unwrap().click().await.unwrap();
    arrive(client, "Close the case").await;
    fill(client, "outcome", "Referral made; Jo supported by his tutor").await;
    submit(client).await;
    arrive(client, "Case S-").await;
    let case_url = client.current_url().await.unwrap().as_ref().split(['?', '#']).next().unwrap().to_owned();
    for (path, heading) in [
        ("access", "Give a colleague access"),
        ("restrict", "Restrict the case"),
        ("viewers", "Who has viewed this case"),
    ] {
        client.goto(&format!("{case_url}/{path}")).await.unwrap();
        arrive(client, heading).await;
    }
    client.goto(&case_url).await.unwrap();
    arrive(client, "Case S-").await;
    client.find(Locator::LinkText("Printable chronology")).await.unwrap().click().await.unwrap();
    arrive(client, "Chronology of case").await;
    client.goto(&format!("{base}/cases?show=closed")).await.unwrap();
    arrive(client, "Safeguarding cases").await;
    client.goto(&format!("{base}/safeguarding/settings")).await.unwrap();
    arrive(client, "How concerns are raised").await;

    // The tutor, on a phone again, sees only that it is closed.
    client.goto(&format!("{base}/")).await.unwrap();
    client.find(Locator::Css("form[action='/sign-out'] button")).await.unwrap().click().await.unwrap();
    arrive(client, "Sign in to Vigil").await;
    client.set_window_size(390, 844).await.unwrap();
    fill(client, "email", "tara@riverside.example").await;
    fill(client, "password", PASSWORD).await;
    submit(client).await;
    arrive(client, "Welcome, Tara Tutor").await;
    client.goto(&format!("{base}/concerns")).await.unwrap();
    arrive(client, "Concerns you have raised").await;
    let receipts = body_text(client).await;
    assert!(receipts.contains("Closed") && !receipts.contains("Jo Young") && !receipts.contains("Prevent referral"));

    site.finish().await;
}
