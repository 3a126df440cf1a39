//! `vigil demo`: two demonstration organisations, an English training provider and a Welsh college, with
//! one account for every role. Loading twice changes nothing. Demo accounts have published passwords and
//! authenticator secrets: never load the demo into an instance with real data.

mod cases;

use anyhow::Result;
use domain::org::{Nation, ProviderType, Slug, Ukprn};
use domain::people::{PersonDetails, PersonKind};
use domain::profile::{Profile, SiteKind, Subcontracting, parse_postcode};
use domain::registry::Post;
use domain::roles::Role;
use domain::text::{Email, Name, NewPassword};
use store::Store;
use store::accounts::NewAccount;
use store::orgs::NewOrganisation;
use store::registry::ContactSettings;
use store::sites::SiteDetails;

/// The password of every demonstration account.
pub const DEMO_PASSWORD: &str = "demo-password-2026";

struct DemoOrg {
    slug: &'static str,
    name: &'static str,
    ukprn: &'static str,
    nation: Nation,
    provider_type: ProviderType,
    domain: &'static str,
    enrols_under_18: bool,
    subcontracting: Subcontracting,
    local_authorities: &'static [&'static str],
    /// Name, kind, address, postcode, shared with, let to others.
    sites: &'static [(&'static str, SiteKind, &'static str, &'static str, &'static str, bool)],
    departments: &'static [&'static str],
}

const ORGS: [DemoOrg; 2] = [
    DemoOrg {
        slug: "riverside-training",
        name: "Riverside Training Ltd",
        ukprn: "10099901",
        nation: Nation::England,
        provider_type: ProviderType::IndependentTrainingProvider,
        domain: "riverside.example",
        enrols_under_18: true,
        subcontracting: Subcontracting::UpTo100k,
        local_authorities: &["Leeds", "Bradford", "Wakefield"],
        sites: &[
            ("Riverside Training Centre", SiteKind::TrainingCentre, "14 Wharf Street\nLeeds", "LS2 7EQ", "", true),
            ("Head office", SiteKind::Office, "3 Park Square\nLeeds", "LS1 2NE", "", false),
            (
                "Aire Valley Engineering (employer)",
                SiteKind::EmployerWorkplace,
                "Unit 4, Canal Road\nBradford",
                "BD2 1AR",
                "Aire Valley Engineering Ltd",
                false,
            ),
        ],
        departments: &["Engineering apprenticeships", "Health and social care", "Business and administration"],
    },
    DemoOrg {
        slug: "coleg-y-cwm",
        name: "Coleg y Cwm",
        ukprn: "10099902",
        nation: Nation::Wales,
        provider_type: ProviderType::FeCollege,
        domain: "colegycwm.example",
        enrols_under_18: true,
        subcontracting: Subcontracting::Over100k,
        local_authorities: &["Rhondda Cynon Taf", "Merthyr Tydfil", "Caerphilly"],
        sites: &[
            (
                "Campws Pontypridd",
                SiteKind::MainSite,
                "Heol y Coleg\nPontypridd",
                "CF37 1DL",
                "Pontypridd Library",
                true,
            ),
            (
                "Canolfan Sgiliau Merthyr",
                SiteKind::TrainingCentre,
                "Stryd y Castell\nMerthyr Tudful",
                "CF47 8AB",
                "",
                false,
            ),
        ],
        departments: &["Adeiladu / Construction", "Gofal / Care", "Peirianneg / Engineering", "Busnes / Business"],
    },
];

/// A person for each role, by first name.
const PEOPLE: [(Role, &str); 10] = [
    (Role::Admin, "Alex Admin"),
    (Role::Leader, "Lee Leader"),
    (Role::Board, "Bea Board"),
    (Role::SafeguardingLead, "Sam Lead"),
    (Role::SafeguardingOfficer, "Olu Officer"),
    (Role::Staff, "Tara Tutor"),
    (Role::Apprentice, "Ari Apprentice"),
    (Role::Employer, "Eve Employer"),
    (Role::Subcontractor, "Sol Subcontractor"),
    (Role::Inspector, "Ina Inspector"),
];

/// The email address of the demo account for a role.
pub fn email(role: Role, domain: &str) -> String {
    format!("{}@{domain}", role.as_str().replace('_', "."))
}

/// Loads the demonstration data; answers the lines to print (the logins and their TOTP secrets).
pub async fn load(store: &Store) -> Result<Vec<String>> {
    let mut lines = vec![format!("Demo accounts (password for all: {DEMO_PASSWORD}):")];
    let existing = store.all_organisations().await?;
    for org in &ORGS {
        if !existing.iter().any(|o| o.slug == org.slug) {
            create(store, org).await?;
        }
        lines.push(format!("{} ({})", org.name, org.slug));
        for (role, _) in PEOPLE {
            let email = email(role, org.domain);
            lines.push(format!(
                "  {:<22} {:<40} TOTP secret {}",
                role.as_str(),
                email,
                store::totp::demo_secret(&email)
            ));
        }
    }
    lines.push("Start the server with `vigil serve --demo` to read mail at /outbox.".into());
    Ok(lines)
}

async fn create(store: &Store, org: &DemoOrg) -> Result<()> {
    let new = NewOrganisation {
        name: Name::parse(org.name)?,
        ukprn: Ukprn::parse(org.ukprn)?,
        nation: org.nation,
        provider_type: org.provider_type,
        slug: Some(Slug::parse(org.slug)?),
    };
    store.create_organisation(&new).await?;
    let scope = store.operator_scope(org.slug).await?;
    let mut tx = store.write(&scope).await?;
    let inspector_until = store.now().date() + time::Duration::days(90);
    for (role, name) in PEOPLE {
        let email = email(role, org.domain);
        let account = tx
            .create_member(&NewAccount {
                email: Email::parse(&email)?,
                display_name: Name::parse(name)?,
                password: NewPassword::parse(DEMO_PASSWORD)?,
            })
            .await?;
        tx.grant_role(account, role, (role == Role::Inspector).then_some(inspector_until)).await?;
        tx.set_demo_second_factor(account, &store::totp::demo_secret(&email)).await?;
    }
    tx.record_profile(&Profile {
        nation: org.nation,
        provider_type: org.provider_type,
        enrols_under_18: org.enrols_under_18,
        subcontracting: org.subcontracting,
        has_premises: true,
        local_authorities: org.local_authorities.iter().map(|s| (*s).to_owned()).collect(),
    })
    .await?;
    for (name, kind, address, postcode, shared_with, let_to_others) in org.sites {
        tx.add_site(&SiteDetails {
            name: Name::parse(name)?,
            kind: *kind,
            address: (*address).to_owned(),
            postcode: parse_postcode(postcode)?,
            shared_with: (*shared_with).to_owned(),
            let_to_others: *let_to_others,
        })
        .await?;
    }
    for department in org.departments {
        tx.add_department(&Name::parse(department)?).await?;
    }
    // A colleague who has been invited but not yet accepted, and one who has left.
    tx.invite(&Email::parse(&format!("new.tutor@{}", org.domain))?, Role::Staff, None).await?;
    let leaver = tx
        .create_member(&NewAccount {
            email: Email::parse(&format!("former.assessor@{}", org.domain))?,
            display_name: Name::parse("Fran Former")?,
            password: NewPassword::parse(DEMO_PASSWORD)?,
        })
        .await?;
    tx.grant_role(leaver, Role::Staff, None).await?;
    tx.disable_member(leaver).await?;
    tx.commit().await?;
    register_people(store, &scope, org).await?;
    let concerns = raise_concerns(store, &scope).await?;
    cases::build(
        store,
        &scope,
        &email(Role::SafeguardingLead, org.domain),
        &email(Role::SafeguardingOfficer, org.domain),
        &concerns,
    )
    .await
}

/// A few concerns across categories, as the safeguarding team records them from calls and conversations:
/// most are not about Prevent, and none leans on a stereotype. Answers their ids, in order.
async fn raise_concerns(store: &Store, scope: &store::OrgScope) -> Result<Vec<domain::ConcernId>> {
    let concerns = [
        (
            "Ari Apprentice",
            "Ari has missed three days at the workplace and told the coach they are not sleeping and feel they cannot cope.",
            "Review meeting, Monday afternoon",
            "mental_health",
            false,
        ),
        (
            "Jo Young",
            "Jo said an older man he met through a gaming chat keeps offering him lifts and money and asked him not to tell anyone.",
            "Said during a break at the training centre",
            "exploitation",
            true,
        ),
        (
            "Kit Evans",
            "Kit shared videos in the group chat praising an attack and said people like the victims deserve it. Others in the chat were upset.",
            "Cohort group chat, last week",
            "prevent",
            false,
        ),
        (
            "Eve's team member (name not given)",
            "The employer rang to say an apprentice came in with bruises and said their partner gets angry about money.",
            "Phone call from the employer this morning",
            "domestic",
            false,
        ),
    ];
    let mut tx = store.write(scope).await?;
    let mut ids = Vec::new();
    for (n, (about, what, when, category, danger)) in concerns.into_iter().enumerate() {
        let (id, _) = tx
            .raise_concern(&domain::concerns::NewConcern {
                about: Some(about.to_owned()),
                what_happened: what.to_owned(),
                when_and_where: when.to_owned(),
                category: category.to_owned(),
                immediate_danger: danger,
                told_in_person: n % 2 == 0,
                about_staff: false,
                received_via: if n == 3 { "phone" } else { "in_person" }.into(),
                person: store.learner_named(scope, about).await?,
            })
            .await?;
        ids.push(id);
    }
    tx.commit().await?;
    Ok(ids)
}

/// A staff member for each demo account, apprentices (one under 18) and their employers' contacts, then
/// the registry: the lead, a deputy, the board's safeguarding lead, the senior leader and department
/// contacts, and how to reach the team.
async fn register_people(store: &Store, scope: &store::OrgScope, org: &DemoOrg) -> Result<()> {
    let today = store.now().date();
    let person = |kind: PersonKind, given: &str, family: &str, email: Option<String>, role: &str| PersonDetails {
        kind,
        given_name: given.into(),
        family_name: family.into(),
        email,
        uln: None,
        role_title: role.into(),
        department: None,
        site: None,
        line_manager_email: None,
        start_date: Some(today - time::Duration::days(400)),
        end_date: None,
        programme: String::new(),
        level: String::new(),
        employer: String::new(),
        workplace_contact: String::new(),
        planned_end_date: None,
        date_of_birth: None,
        parent_carer_contact: String::new(),
        home_local_authority: String::new(),
        workplace_local_authority: String::new(),
    };
    let mut people = Vec::new();
    for (role, name, title) in [
        (Role::Admin, "Alex Admin", "Systems administrator"),
        (Role::Leader, "Lee Leader", "Managing director"),
        (Role::SafeguardingLead, "Sam Lead", "Head of safeguarding"),
        (Role::SafeguardingOfficer, "Olu Officer", "Safeguarding officer"),
        (Role::Staff, "Tara Tutor", "Skills coach"),
        (Role::Staff, "Dev Deputy", "Quality manager"),
    ] {
        let (given, family) = name.split_once(' ').unwrap_or((name, ""));
        let email = if given == "Dev" { format!("dev.deputy@{}", org.domain) } else { email(role, org.domain) };
        people.push(person(PersonKind::Staff, given, family, Some(email), title));
    }
    people.push(person(
        PersonKind::Board,
        "Bea",
        "Board",
        Some(email(Role::Board, org.domain)),
        "Governor for safeguarding",
    ));
    people.push(person(
        PersonKind::Employer,
        "Eve",
        "Employer",
        Some(email(Role::Employer, org.domain)),
        "Aire Valley Engineering Ltd",
    ));
    for (n, (given, family, born)) in
        [("Ari", "Apprentice", 19 * 365), ("Jo", "Young", 17 * 365), ("Kit", "Evans", 23 * 365)].into_iter().enumerate()
    {
        let mut apprentice = person(PersonKind::Apprentice, given, family, None, "");
        apprentice.email = (n == 0).then(|| email(Role::Apprentice, org.domain));
        apprentice.uln =
            Some(format!("{}", 1_000_000_000_u64 + org.ukprn.parse::<u64>().unwrap_or(0) % 1000 * 10 + n as u64));
        apprentice.date_of_birth = Some(today - time::Duration::days(born));
        apprentice.programme = "Engineering technician".into();
        apprentice.level = "3".into();
        apprentice.employer = "Aire Valley Engineering Ltd".into();
        apprentice.workplace_contact = "Eve Employer, 0113 496 0000".into();
        if born < 18 * 365 {
            apprentice.parent_carer_contact = "Pat Young, 07700 900123".into();
        }
        apprentice.home_local_authority = org.local_authorities.first().copied().unwrap_or_default().into();
        apprentice.workplace_local_authority = org.local_authorities.last().copied().unwrap_or_default().into();
        people.push(apprentice);
    }
    let mut tx = store.write(scope).await?;
    tx.import_people(&people).await?;
    tx.commit().await?;
    let everyone = store.all_people(scope).await?;
    let find = |email: &str| everyone.iter().find(|p| p.details.email.as_deref() == Some(email)).map(|p| p.id);
    let since = today - time::Duration::days(365);
    let mut tx = store.write(scope).await?;
    for (post, who) in [
        (Post::Dsl, email(Role::SafeguardingLead, org.domain)),
        (Post::DeputyDsl, format!("dev.deputy@{}", org.domain)),
        (Post::BoardSafeguardingLead, email(Role::Board, org.domain)),
        (Post::SeniorLeader, email(Role::Leader, org.domain)),
    ] {
        if let Some(id) = find(&who) {
            tx.appoint(post, id, None, since, None).await?;
        }
    }
    let departments = store.departments(scope, store::sites::Showing::Current).await?;
    if let (Some(first), Some(tutor)) = (departments.first(), find(&email(Role::Staff, org.domain))) {
        tx.appoint(Post::DepartmentPreventContact, tutor, Some(first.id), since, None).await?;
    }
    tx.set_contact_settings(&ContactSettings {
        team_mailbox: format!("safeguarding@{}", org.domain),
        team_phone: "0300 123 4567".into(),
        out_of_hours: "Call the local authority's emergency duty team on 0300 765 4321, or 101 for the police when it is not an emergency".into(),
        public_card: true,
    })
    .await?;
    tx.commit().await?;
    Ok(())
}
