//! `vigil org`: creating and listing organisations.

use super::{flag, print};
use anyhow::Result;
use clap::Subcommand;
use domain::org::{Nation, ProviderType, Slug, Ukprn};
use domain::text::Name;
use store::Store;
use store::orgs::NewOrganisation;

#[derive(Subcommand)]
pub enum OrgCommand {
    /// Create an organisation; prints its slug on the last line.
    Create {
        #[arg(long)]
        name: String,
        /// UK provider reference number: 8 digits starting with 1.
        #[arg(long)]
        ukprn: String,
        #[arg(long, value_parser = ["england", "wales"])]
        nation: String,
        /// independent_training_provider, employer_provider, fe_college or other.
        #[arg(long, default_value = "independent_training_provider")]
        provider_type: String,
        /// Short name for the command line; derived from the name when absent.
        #[arg(long)]
        slug: Option<String>,
    },
    /// List organisations.
    List {
        /// Print a JSON array.
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(store: &Store, command: OrgCommand) -> Result<()> {
    match command {
        OrgCommand::Create { name, ukprn, nation, provider_type, slug } => {
            let new = NewOrganisation {
                name: Name::parse(&name).map_err(flag("name"))?,
                ukprn: Ukprn::parse(&ukprn).map_err(flag("ukprn"))?,
                nation: Nation::parse(&nation).map_err(flag("nation"))?,
                provider_type: ProviderType::parse(&provider_type).map_err(flag("provider-type"))?,
                slug: slug.map(|s| Slug::parse(&s)).transpose().map_err(flag("slug"))?,
            };
            let org = store.create_organisation(&new).await?;
            print(&[format!("created {}", org.name), org.slug])
        }
        OrgCommand::List { json } => {
            let orgs = store.all_organisations().await?;
            if json {
                return print(&[serde_json::to_string_pretty(&orgs)?]);
            }
            print(
                &orgs
                    .iter()
                    .map(|o| format!("{}\t{}\t{}\t{}", o.slug, o.ukprn, o.nation.as_str(), o.name))
                    .collect::<Vec<_>>(),
            )
        }
    }
}
