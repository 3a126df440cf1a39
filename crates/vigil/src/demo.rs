//! `vigil demo`: two demonstration organisations, an English training provider and a Welsh college, with
//! one account for every role. Loading twice changes nothing. Demo accounts have published passwords and
//! authenticator secrets: never load the demo into an instance with real data.

use anyhow::Result;
use domain::org::{Nation, ProviderType, Slug, Ukprn};
use domain::profile::{Profile, SiteKind, Subcontracting, parse_postcode};
use domain::roles::Role;
use domain::text::{Email, Name, NewPassword};
use store::Store;
use store::accounts::NewAccount;
use store::orgs::NewOrganisation;
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
    Ok(())
}
