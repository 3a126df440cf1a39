//! The organisation profile, kept as dated versions so that it can be shown "as at" any past date.

use crate::db::Reader;
use crate::db::{parse_ts, ts};
use crate::due::{Items, Source, Whose};
use crate::error::{StoreError, StoreResult};
use crate::scope::OrgScope;
use crate::{Store, WriteTx};
use domain::audit::AuditEvent;
use domain::due::{DueItem, Owner};
use domain::org::{Nation, ProviderType};
use domain::profile::yes_no;
use domain::profile::{Profile, Subcontracting};
use domain::roles::Role;
use domain::{AccountId, ProfileVersionId};
use sqlx::Row;
use sqlx::any::AnyRow;
use time::{Date, OffsetDateTime};

/// One recorded version of the profile.
#[derive(Debug, Clone)]
pub struct ProfileVersion {
    pub id: ProfileVersionId,
    pub recorded_at: OffsetDateTime,
    pub recorded_by: Option<AccountId>,
    pub profile: Profile,
}

const COLUMNS: &str = "id, recorded_at, recorded_by, nation, provider_type, enrols_under_18, subcontracting, \
                       has_premises, local_authorities";

fn version(row: &AnyRow) -> StoreResult<ProfileVersion> {
    let bad = |what| StoreError::Other(format!("bad {what} in profile_versions"));
    let text = |column: &str| row.try_get::<String, _>(column);
    Ok(ProfileVersion {
        id: text("id")?.parse().map_err(|_| bad("id"))?,
        recorded_at: parse_ts(&text("recorded_at")?)?,
        recorded_by: row
            .try_get::<Option<String>, _>("recorded_by")?
            .map(|a| a.parse())
            .transpose()
            .map_err(|_| bad("account"))?,
        profile: Profile {
            nation: Nation::parse(&text("nation")?).map_err(|_| bad("nation"))?,
            provider_type: ProviderType::parse(&text("provider_type")?).map_err(|_| bad("provider type"))?,
            enrols_under_18: text("enrols_under_18")? == "yes",
            subcontracting: Subcontracting::parse(&text("subcontracting")?).map_err(|_| bad("subcontracting"))?,
            has_premises: text("has_premises")? == "yes",
            local_authorities: text("local_authorities")?.lines().map(str::to_owned).collect(),
        },
    })
}

impl Store {
    /// The profile as it stood at the end of `day` (or now), if one had been recorded by then.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn profile_as_at(&self, scope: &OrgScope, day: Option<Date>) -> StoreResult<Option<ProfileVersion>> {
        self.profile_as_at_in(&mut Reader::Pool(&self.pool), scope, day).await
    }

    pub(crate) async fn profile_as_at_in(
        &self,
        db: &mut Reader<'_>,
        scope: &OrgScope,
        day: Option<Date>,
    ) -> StoreResult<Option<ProfileVersion>> {
        let until = match day {
            Some(day) => ts(day.next_day().unwrap_or(day).midnight().assume_utc()),
            None => ts(self.now() + time::Duration::seconds(1)),
        };
        let row = db
            .fetch_optional(
                sqlx::query(crate::db::sql(format!(
                    "SELECT {COLUMNS} FROM profile_versions WHERE org_id = $1 AND recorded_at < $2 \
             ORDER BY recorded_at DESC LIMIT 1"
                )))
                .bind(scope.org().to_string())
                .bind(until),
            )
            .await?;
        row.as_ref().map(version).transpose()
    }

    /// Every recorded version, newest first (at most 100).
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn profile_history(&self, scope: &OrgScope) -> StoreResult<Vec<ProfileVersion>> {
        let rows = sqlx::query(crate::db::sql(format!(
            "SELECT {COLUMNS} FROM profile_versions WHERE org_id = $1 ORDER BY recorded_at DESC LIMIT 100"
        )))
        .bind(scope.org().to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(version).collect()
    }
}

impl WriteTx<'_> {
    /// Records the profile as it is now. Recording it unchanged counts as the yearly review. The
    /// organisation's nation and provider type follow the profile.
    ///
    /// # Errors
    /// When the database cannot be written.
    pub async fn record_profile(&mut self, profile: &Profile) -> StoreResult<ProfileVersionId> {
        let org = self.org()?.to_string();
        let scope = self.scope()?;
        let previous = self.store().profile_as_at_in(&mut Reader::Tx(self.conn()), &scope, None).await?;
        let id = ProfileVersionId::new();
        sqlx::query(crate::db::sql(format!(
            "INSERT INTO profile_versions ({COLUMNS}, org_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        )))
        .bind(id.to_string())
        .bind(ts(self.store().now()))
        .bind(self.actor().account.map(|a| a.to_string()))
        .bind(profile.nation.as_str())
        .bind(profile.provider_type.as_str())
        .bind(yes_no(profile.enrols_under_18))
        .bind(profile.subcontracting.as_str())
        .bind(yes_no(profile.has_premises))
        .bind(profile.local_authorities.join("\n"))
        .bind(org.as_str())
        .execute(self.conn())
        .await?;
        sqlx::query("UPDATE organisations SET nation = $2, provider_type = $3 WHERE id = $1")
            .bind(org.as_str())
            .bind(profile.nation.as_str())
            .bind(profile.provider_type.as_str())
            .execute(self.conn())
            .await?;
        let changed = changed_fields(previous.as_ref().map(|v| &v.profile), profile);
        let action = if changed.is_empty() { "profile.reviewed" } else { "profile.changed" };
        self.audit(AuditEvent::new(action, "profile_version", id.0).fields(&changed));
        Ok(id)
    }
}

/// The names of the fields that differ between two versions (all of them for the first).
fn changed_fields(before: Option<&Profile>, after: &Profile) -> Vec<&'static str> {
    let Some(before) = before else {
        return vec![
            "nation",
            "provider_type",
            "enrols_under_18",
            "subcontracting",
            "has_premises",
            "local_authorities",
        ];
    };
    [
        ("nation", before.nation != after.nation),
        ("provider_type", before.provider_type != after.provider_type),
        ("enrols_under_18", before.enrols_under_18 != after.enrols_under_18),
        ("subcontracting", before.subcontracting != after.subcontracting),
        ("has_premises", before.has_premises != after.has_premises),
        ("local_authorities", before.local_authorities != after.local_authorities),
    ]
    .into_iter()
    .filter_map(|(name, differs)| differs.then_some(name))
    .collect()
}

/// Who keeps the profile up to date.
const MANAGERS: &[Role] = &[Role::Admin, Role::Leader];

/// The profile's yearly review, or its completion if it was never recorded, for the managers.
pub(crate) struct ProfileReview;

impl Source for ProfileReview {
    fn items<'a>(&'a self, store: &'a Store, scope: &'a OrgScope, whose: &'a Whose<'a>, _: Date) -> Items<'a> {
        Box::pin(async move {
            if !whose.takes(MANAGERS) {
                return Ok(Vec::new());
            }
            let row = sqlx::query("SELECT MAX(recorded_at) AS latest FROM profile_versions WHERE org_id = $1")
                .bind(scope.org().to_string())
                .fetch_one(&store.pool)
                .await?;
            let (title, due_on) = match row.try_get::<Option<String>, _>("latest")? {
                Some(recorded) => {
                    ("Review the organisation profile", domain::profile::review_due(parse_ts(&recorded)?))
                }
                None => ("Complete the organisation profile", store.organisation(scope).await?.created_at.date()),
            };
            Ok(vec![DueItem {
                source: "profile_review",
                title: title.into(),
                due_on,
                link: "/organisation".into(),
                owner: Owner::Roles(MANAGERS),
            }])
        })
    }
}
