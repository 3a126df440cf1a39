//! The things-that-fall-due engine: each source is one query, so a person's tasks cost a constant number of
//! queries however many there are. Later capabilities add sources here.

use crate::Store;
use crate::db::{parse_ts, ts};
use crate::error::StoreResult;
use crate::scope::OrgScope;
use domain::due::{DUE_SOON, DueItem, Owner};
use domain::registry::Post;
use domain::roles::Role;
use sqlx::Row;

/// Who keeps the profile and the organisation's people up to date.
const MANAGERS: &[Role] = &[Role::Admin, Role::Leader];
const ADMINS: &[Role] = &[Role::Admin];
/// Who reviews safeguarding cases that are not restricted.
const LEADS: &[Role] = &[Role::SafeguardingLead];
/// Who keeps the registry's safeguarding posts filled.
const COVER: &[Role] = &[Role::Admin, Role::Leader, Role::SafeguardingLead];

impl Store {
    /// Everything in the organisation that is overdue or falls due within [`DUE_SOON`], soonest first.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn due_items(&self, scope: &OrgScope) -> StoreResult<Vec<DueItem>> {
        let mut items = Vec::new();
        items.extend(self.profile_review(scope).await?);
        items.extend(self.expiring_invitations(scope).await?);
        items.extend(self.missing_cover(scope).await?);
        items.extend(self.unacknowledged_concerns(scope).await?);
        items.extend(self.case_tasks(scope).await?);
        let horizon = self.now().date() + DUE_SOON;
        items.retain(|item| item.due_on <= horizon);
        items.sort_by(|a, b| a.due_on.cmp(&b.due_on).then(a.source.cmp(b.source)));
        Ok(items)
    }

    /// The actor's own tasks: items owned by them or by a role they hold.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn my_tasks(&self, scope: &OrgScope) -> StoreResult<Vec<DueItem>> {
        let mut items = self.due_items(scope).await?;
        items.retain(|item| item.is_for(scope.actor().account, scope.roles()));
        Ok(items)
    }

    /// The profile's yearly review, or its completion if it was never recorded.
    async fn profile_review(&self, scope: &OrgScope) -> StoreResult<Option<DueItem>> {
        let latest: Option<String> =
            sqlx::query_scalar("SELECT MAX(recorded_at) FROM profile_versions WHERE org_id = $1")
                .bind(scope.org().to_string())
                .fetch_one(&self.pool)
                .await?;
        let item = match latest {
            Some(recorded) => DueItem {
                source: "profile_review",
                title: "Review the organisation profile".into(),
                due_on: domain::profile::review_due(parse_ts(&recorded)?),
                link: "/organisation".into(),
                owner: Owner::Roles(MANAGERS),
            },
            None => DueItem {
                source: "profile_review",
                title: "Complete the organisation profile".into(),
                due_on: self.organisation(scope).await?.created_at.date(),
                link: "/organisation".into(),
                owner: Owner::Roles(MANAGERS),
            },
        };
        Ok(Some(item))
    }

    /// A "no cover" alert when nobody holds the lead post or no deputy does, or when the lead and every
    /// deputy are away today.
    async fn missing_cover(&self, scope: &OrgScope) -> StoreResult<Vec<DueItem>> {
        let today = self.now().date();
        let holders = self.holders_on(scope, today).await?;
        let held = |post| holders.iter().any(|h| h.post == post);
        let present = |post| holders.iter().any(|h| h.post == post && !h.away);
        let alert = |title: &str| DueItem {
            source: "no_cover",
            title: title.into(),
            due_on: today,
            link: "/registry".into(),
            owner: Owner::Roles(COVER),
        };
        let mut items = Vec::new();
        if !held(Post::Dsl) {
            items.push(alert("No one holds the safeguarding lead post: appoint one in the role registry"));
        }
        if !held(Post::DeputyDsl) {
            items.push(alert("No deputy safeguarding lead is appointed, so there is no cover when the lead is away"));
        } else if !present(Post::Dsl) && !present(Post::DeputyDsl) {
            items.push(alert("No safeguarding lead or deputy is available today: arrange cover"));
        }
        Ok(items)
    }

    /// Concerns for the safeguarding team that nobody has acknowledged in time: a task for every lead and
    /// deputy. (Concerns about staff are the senior leader's, and are not listed to the team.)
    async fn unacknowledged_concerns(&self, scope: &OrgScope) -> StoreResult<Vec<DueItem>> {
        let cutoff = ts(self.now() - self.concern_settings(scope).await?.acknowledge_within());
        let waiting: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM concerns WHERE org_id = $1 AND status = 'received' AND about_staff = 'no' AND created_at < $2",
        )
        .bind(scope.org().to_string())
        .bind(cutoff)
        .fetch_one(&self.pool)
        .await?;
        Ok((waiting > 0)
            .then(|| DueItem {
                source: "unacknowledged_concern",
                title: "A concern has waited longer than the time set for acknowledging it".into(),
                due_on: self.now().date(),
                link: "/safeguarding".into(),
                owner: Owner::Roles(&[Role::SafeguardingLead]),
            })
            .into_iter()
            .collect())
    }

    /// Invitations that expire soon without being accepted, for whoever sent them.
    async fn expiring_invitations(&self, scope: &OrgScope) -> StoreResult<Vec<DueItem>> {
        let now = self.now();
        let rows = sqlx::query(
            "SELECT invited_by, expires_at FROM invitations WHERE org_id = $1 AND accepted_at IS NULL \
             AND revoked_at IS NULL AND expires_at > $2 AND expires_at <= $3 ORDER BY expires_at LIMIT 500",
        )
        .bind(scope.org().to_string())
        .bind(ts(now))
        .bind(ts(now + DUE_SOON))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let by: Option<String> = row.try_get("invited_by")?;
                Ok(DueItem {
                    source: "invitation_expiry",
                    title: "An invitation expires soon and has not been accepted".into(),
                    due_on: parse_ts(&row.try_get::<String, _>("expires_at")?)?.date(),
                    link: "/users".into(),
                    owner: match by.and_then(|b| b.parse().ok()) {
                        Some(account) => Owner::Account(account),
                        None => Owner::Roles(ADMINS),
                    },
                })
            })
            .collect()
    }

    /// Open actions in safeguarding cases, for their owners, and open cases past their review date, for the
    /// leads (restricted cases for the people named on them). Titles carry no content: the link leads to the
    /// case, which checks who reaches it.
    async fn case_tasks(&self, scope: &OrgScope) -> StoreResult<Vec<DueItem>> {
        let actions = sqlx::query(
            "SELECT t.case_id, t.owner_id, t.due_on, c.reference FROM case_actions t JOIN cases c ON c.id = t.case_id \
             WHERE t.org_id = $1 AND t.done_at IS NULL AND c.status <> 'closed'",
        )
        .bind(scope.org().to_string())
        .fetch_all(&self.pool)
        .await?;
        let mut items = Vec::with_capacity(actions.len());
        for row in actions {
            let owner: String = row.try_get("owner_id")?;
            items.push(DueItem {
                source: "case_action",
                title: format!("Safeguarding task in case {}", row.try_get::<String, _>("reference")?),
                due_on: crate::db::parse_date(&row.try_get::<String, _>("due_on")?)?,
                link: format!("/cases/{}", row.try_get::<String, _>("case_id")?),
                owner: Owner::Account(owner.parse().map_err(|_| crate::StoreError::Other("bad owner".into()))?),
            });
        }
        let reviews = sqlx::query(
            "SELECT c.id, c.reference, c.review_on, g.account_id FROM cases c \
             LEFT JOIN case_access g ON g.case_id = c.id AND g.kind = 'named' AND c.restricted = 'yes' \
             WHERE c.org_id = $1 AND c.status <> 'closed' AND c.review_on IS NOT NULL \
             AND (c.restricted = 'no' OR g.account_id IS NOT NULL)",
        )
        .bind(scope.org().to_string())
        .fetch_all(&self.pool)
        .await?;
        for row in reviews {
            let owner = match row.try_get::<Option<String>, _>("account_id")? {
                Some(named) => {
                    Owner::Account(named.parse().map_err(|_| crate::StoreError::Other("bad account".into()))?)
                }
                None => Owner::Roles(LEADS),
            };
            items.push(DueItem {
                source: "case_review",
                title: format!("Review safeguarding case {}", row.try_get::<String, _>("reference")?),
                due_on: crate::db::parse_date(&row.try_get::<String, _>("review_on")?)?,
                link: format!("/cases/{}", row.try_get::<String, _>("id")?),
                owner,
            });
        }
        Ok(items)
    }
}
