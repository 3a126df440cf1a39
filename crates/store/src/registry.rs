//! The role registry (who holds each safeguarding post, with dates) and how to reach the safeguarding team.

use crate::db::Reader;
use crate::db::RowExt;
use crate::db::{date, ts};
use crate::due::{Items, Source, Whose};
use crate::error::{OptionalExt, StoreError, StoreResult};
use crate::scope::{ActorKind, OrgScope};
use crate::{Store, WriteTx};
use domain::audit::AuditEvent;
use domain::due::{DueItem, Owner};
use domain::reach;
use domain::registry::Post;
use domain::roles::Role;
use domain::{AccountId, DepartmentId, OrgId, PersonId, PostHolderId};
use sqlx::Row;
use sqlx::any::AnyRow;
use time::Date;

/// One person's term in a post.
#[derive(Debug, Clone)]
pub struct Holding {
    pub id: PostHolderId,
    pub post: Post,
    pub person: PersonId,
    pub name: String,
    pub email: Option<String>,
    pub department: Option<String>,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
    /// Whether the holder is recorded as away on the day asked about.
    pub away: bool,
    /// Whether the appointment still waits for a safeguarding lead's confirmation.
    pub pending: bool,
}

/// What became of an appointment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Appointed {
    /// The term counts from its start date.
    Done(PostHolderId),
    /// The term waits for a safeguarding lead's confirmation.
    AwaitingConfirmation(PostHolderId),
}

/// How to reach the safeguarding team.
#[derive(Debug, Clone, Default)]
pub struct ContactSettings {
    pub team_mailbox: String,
    pub team_phone: String,
    pub out_of_hours: String,
    pub public_card: bool,
}

/// Selects holdings; `$2` is the day for which `away` is judged.
const SELECT: &str = "SELECT h.id, h.post, h.person_id, p.given_name, p.family_name, p.email, d.name AS department, \
     h.starts_on, h.ends_on, h.confirmed_at, (SELECT COUNT(*) FROM post_absences a WHERE a.post_holder_id = h.id \
     AND a.starts_on <= $2 AND a.ends_on >= $2) AS away FROM post_holders h JOIN people p ON p.id = h.person_id \
     LEFT JOIN departments d ON d.id = h.department_id";

fn holding(row: &AnyRow) -> StoreResult<Holding> {
    let bad = |what| StoreError::Other(format!("bad {what} in post_holders"));
    Ok(Holding {
        id: row.try_get::<String, _>("id")?.parse().map_err(|_| bad("id"))?,
        post: Post::parse(&row.try_get::<String, _>("post")?).map_err(|_| bad("post"))?,
        person: row.try_get::<String, _>("person_id")?.parse().map_err(|_| bad("person"))?,
        name: format!("{} {}", row.try_get::<String, _>("given_name")?, row.try_get::<String, _>("family_name")?),
        email: row.try_get("email")?,
        department: row.try_get("department")?,
        starts_on: row.day("starts_on")?,
        ends_on: row.opt_day("ends_on")?,
        away: row.try_get::<i64, _>("away")? > 0,
        pending: row.try_get::<Option<String>, _>("confirmed_at")?.is_none(),
    })
}

impl Store {
    /// The current staff and board members in the people register who have an email address, as (name,
    /// email), for choosing who to appoint to a post.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn appointable_people(&self, scope: &OrgScope) -> StoreResult<Vec<(String, String)>> {
        let rows = sqlx::query(
            "SELECT given_name, family_name, email FROM people WHERE org_id = $1 AND kind IN ('staff', 'board') \
             AND email IS NOT NULL AND (end_date IS NULL OR end_date >= $2) ORDER BY given_name, family_name LIMIT 5000",
        )
        .bind(scope.org().to_string())
        .bind(crate::db::date(self.now().date()))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let name =
                    format!("{} {}", r.try_get::<String, _>("given_name")?, r.try_get::<String, _>("family_name")?);
                Ok((name, r.try_get("email")?))
            })
            .collect()
    }

    /// Who held each post on `day`.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn holders_on(&self, scope: &OrgScope, day: Date) -> StoreResult<Vec<Holding>> {
        self.holders_on_org(&scope.org().to_string(), day).await
    }

    async fn holders_on_org(&self, org: &str, day: Date) -> StoreResult<Vec<Holding>> {
        self.holders_on_in(&mut Reader::Pool(&self.pool), org, day).await
    }

    pub(crate) async fn holders_on_in(&self, db: &mut Reader<'_>, org: &str, day: Date) -> StoreResult<Vec<Holding>> {
        let rows = db
            .fetch_all(
                sqlx::query(crate::db::sql(format!(
                    "{SELECT} WHERE h.org_id = $1 AND h.confirmed_at IS NOT NULL AND h.starts_on <= $2 \
             AND (h.ends_on IS NULL OR h.ends_on >= $2) \
             ORDER BY CASE h.post WHEN 'dsl' THEN 1 WHEN 'deputy_dsl' THEN 2 WHEN 'senior_leader' THEN 3 \
             WHEN 'board_safeguarding_lead' THEN 4 ELSE 5 END, d.name, h.starts_on"
                )))
                .bind(org)
                .bind(date(day)),
            )
            .await?;
        rows.iter().map(holding).collect()
    }

    /// The holders of the safeguarding team's and the leadership's posts today, with whether each can sign
    /// in: what decides who a concern reaches. A safeguarding lead given the role directly (from the
    /// command line) counts as the lead would.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn reach(&self, scope: &OrgScope) -> StoreResult<Vec<reach::Holder>> {
        self.reach_in(&mut Reader::Pool(&self.pool), scope).await
    }

    pub(crate) async fn reach_in(&self, db: &mut Reader<'_>, scope: &OrgScope) -> StoreResult<Vec<reach::Holder>> {
        let query = sqlx::query(
            "SELECT h.post, p.email, a.id AS account_id, a.totp_confirmed_at, m.account_id AS member, m.disabled_at, \
             (SELECT COUNT(*) FROM post_absences x WHERE x.post_holder_id = h.id AND x.starts_on <= $2 \
             AND x.ends_on >= $2) AS away \
             FROM post_holders h JOIN people p ON p.id = h.person_id \
             LEFT JOIN accounts a ON a.email = p.email \
             LEFT JOIN memberships m ON m.account_id = a.id AND m.org_id = h.org_id \
             WHERE h.org_id = $1 AND h.confirmed_at IS NOT NULL AND h.starts_on <= $2 \
             AND (h.ends_on IS NULL OR h.ends_on >= $2) \
             AND h.post IN ('dsl', 'deputy_dsl', 'senior_leader', 'board_safeguarding_lead') \
             UNION ALL \
             SELECT 'dsl' AS post, a.email, a.id AS account_id, a.totp_confirmed_at, m.account_id AS member, \
             m.disabled_at, CAST(0 AS BIGINT) AS away \
             FROM role_grants g JOIN accounts a ON a.id = g.account_id \
             JOIN memberships m ON m.account_id = g.account_id AND m.org_id = g.org_id \
             WHERE g.org_id = $1 AND g.role = 'safeguarding_lead' AND g.revoked_at IS NULL \
             AND (g.ends_on IS NULL OR g.ends_on >= $2)",
        )
        .bind(scope.org().to_string())
        .bind(date(self.now().date()));
        let rows = db.fetch_all(query).await?;
        rows.iter()
            .map(|row| {
                let post = Post::parse(&row.try_get::<String, _>("post")?)
                    .map_err(|_| StoreError::Other("bad post in post_holders".into()))?;
                let has_account = row.try_get::<Option<String>, _>("member")?.is_some()
                    && row.try_get::<Option<String>, _>("disabled_at")?.is_none();
                let second_factor = row.try_get::<Option<String>, _>("totp_confirmed_at")?.is_some();
                Ok(reach::Holder {
                    post,
                    email: row.try_get("email")?,
                    can_sign_in: has_account && second_factor,
                    has_account,
                    away: row.try_get::<i64, _>("away")? > 0,
                })
            })
            .collect()
    }

    /// Whether an account holds, today, a post that reaches concerns about staff or emergency access (the
    /// senior leader's or the board safeguarding lead's): it needs a second factor like the team does.
    pub(crate) async fn holds_leadership_post_in(
        &self,
        db: &mut Reader<'_>,
        org: OrgId,
        account: AccountId,
    ) -> StoreResult<bool> {
        let query = sqlx::query(
            "SELECT h.id FROM post_holders h JOIN people p ON p.id = h.person_id JOIN accounts a ON a.email = p.email \
             WHERE h.org_id = $1 AND a.id = $2 AND h.post IN ('senior_leader', 'board_safeguarding_lead') \
             AND h.confirmed_at IS NOT NULL AND h.starts_on <= $3 AND (h.ends_on IS NULL OR h.ends_on >= $3) LIMIT 1",
        )
        .bind(org.to_string())
        .bind(account.to_string())
        .bind(date(self.now().date()));
        Ok(db.fetch_optional(query).await?.is_some())
    }

    /// Appointments waiting for a safeguarding lead's confirmation, oldest first.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn pending_appointments(&self, scope: &OrgScope) -> StoreResult<Vec<Holding>> {
        let rows = sqlx::query(crate::db::sql(format!(
            "{SELECT} WHERE h.org_id = $1 AND h.confirmed_at IS NULL AND h.refused_at IS NULL \
             ORDER BY h.created_at LIMIT 100"
        )))
        .bind(scope.org().to_string())
        .bind(date(self.now().date()))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(holding).collect()
    }

    /// Every term in every post, newest first (at most 500).
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn post_history(&self, scope: &OrgScope) -> StoreResult<Vec<Holding>> {
        let rows = sqlx::query(crate::db::sql(format!(
            "{SELECT} WHERE h.org_id = $1 AND h.refused_at IS NULL ORDER BY h.starts_on DESC, h.id DESC LIMIT 500"
        )))
        .bind(scope.org().to_string())
        .bind(date(self.now().date()))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(holding).collect()
    }

    /// How to reach the safeguarding team (empty until someone records it).
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn contact_settings(&self, scope: &OrgScope) -> StoreResult<ContactSettings> {
        self.contact_settings_of(&scope.org().to_string()).await
    }

    async fn contact_settings_of(&self, org: &str) -> StoreResult<ContactSettings> {
        let row = sqlx::query(
            "SELECT team_mailbox, team_phone, out_of_hours, public_card FROM contact_settings WHERE org_id = $1",
        )
        .bind(org)
        .fetch_optional(&self.pool)
        .await?;
        row.map_or(Ok(ContactSettings::default()), |row| {
            Ok(ContactSettings {
                team_mailbox: row.try_get("team_mailbox")?,
                team_phone: row.try_get("team_phone")?,
                out_of_hours: row.try_get("out_of_hours")?,
                public_card: row.try_get::<String, _>("public_card")? == "yes",
            })
        })
    }

    /// The public contact card of the organisation with this slug, if it has switched it on: its name,
    /// nation, today's post holders and contact settings.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn public_contact_card(
        &self,
        slug: &str,
    ) -> StoreResult<Option<(crate::orgs::Organisation, Vec<Holding>, ContactSettings)>> {
        let Some(org) = self.organisation_by_slug(slug).await? else { return Ok(None) };
        let settings = self.contact_settings_of(&org.id.to_string()).await?;
        if !settings.public_card {
            return Ok(None);
        }
        let holders = self.holders_on_org(&org.id.to_string(), self.now().date()).await?;
        Ok(Some((org, holders, settings)))
    }
}

impl WriteTx<'_> {
    /// Appoints a person from the register to a post from a date. For a post with one holder, the previous
    /// holder's term ends the day before. Appointing a safeguarding lead or deputy gives access to case
    /// files, so once the organisation has a lead only a lead (or the operator) may do it. An appointment
    /// to a post that reaches concerns about staff or emergency access waits for a safeguarding lead's
    /// confirmation unless the operator makes it.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] for those rules; [`StoreError::NotFound`] for a person not in the register.
    pub async fn appoint(
        &mut self,
        post: Post,
        person: PersonId,
        department: Option<DepartmentId>,
        starts_on: Date,
        ends_on: Option<Date>,
    ) -> StoreResult<Appointed> {
        let org = self.org()?.to_string();
        if ends_on.is_some_and(|end| end < starts_on) {
            return Err(StoreError::Invalid { field: "ends_on", message: "The end date must be after the start date" });
        }
        if post == Post::DepartmentPreventContact && department.is_none() {
            return Err(StoreError::Invalid { field: "department", message: "Select the department" });
        }
        let scope = self.scope()?;
        let leads = self.store().safeguarding_lead_emails_in(&mut Reader::Tx(self.conn()), &scope).await?;
        let leads_exist = !leads.is_empty();
        let actor = self.actor();
        let operator = actor.kind == ActorKind::Operator;
        if post.grants_safeguarding_lead() && leads_exist && !operator && !actor.roles.contains(&Role::SafeguardingLead)
        {
            return Err(StoreError::Conflict("Only a safeguarding lead can appoint a safeguarding lead or deputy"));
        }
        let left: Option<Option<String>> =
            sqlx::query_scalar("SELECT end_date FROM people WHERE org_id = $1 AND id = $2")
                .bind(org.as_str())
                .bind(person.to_string())
                .fetch_optional(self.conn())
                .await?;
        if left.found()?.is_some_and(|end| end < date(starts_on)) {
            return Err(StoreError::Conflict("This person has left"));
        }
        let confirmed = operator || !post.needs_confirmation();
        if confirmed {
            self.end_previous_terms(post, starts_on).await?;
        }
        let id = PostHolderId::new();
        let now = ts(self.store().now());
        sqlx::query(
            "INSERT INTO post_holders (id, org_id, post, department_id, person_id, starts_on, ends_on, created_at, \
             requested_by, confirmed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(id.to_string())
        .bind(org.as_str())
        .bind(post.as_str())
        .bind(department.map(|d| d.to_string()))
        .bind(person.to_string())
        .bind(date(starts_on))
        .bind(ends_on.map(date))
        .bind(now.as_str())
        .bind(self.actor().account.map(|a| a.to_string()))
        .bind(confirmed.then_some(now.as_str()))
        .execute(self.conn())
        .await?;
        let action = if confirmed { "post.appointed" } else { "post.appointment_requested" };
        self.audit(AuditEvent::new(action, "post_holder", id.0).fields(&["post", "person_id", "starts_on", "ends_on"]));
        Ok(if confirmed { Appointed::Done(id) } else { Appointed::AwaitingConfirmation(id) })
    }

    /// For a post with one holder, ends the terms that a new term starting on `starts_on` replaces.
    async fn end_previous_terms(&mut self, post: Post, starts_on: Date) -> StoreResult<()> {
        if !post.single_holder() {
            return Ok(());
        }
        let org = self.org()?.to_string();
        let previous = starts_on.previous_day().unwrap_or(starts_on);
        let ended: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM post_holders WHERE org_id = $1 AND post = $2 AND confirmed_at IS NOT NULL \
             AND starts_on < $3 AND (ends_on IS NULL OR ends_on >= $3)",
        )
        .bind(org.as_str())
        .bind(post.as_str())
        .bind(date(starts_on))
        .fetch_all(self.conn())
        .await?;
        for id in ended {
            sqlx::query("UPDATE post_holders SET ends_on = $3 WHERE org_id = $1 AND id = $2")
                .bind(org.as_str())
                .bind(id.as_str())
                .bind(date(previous))
                .execute(self.conn())
                .await?;
            self.audit(
                AuditEvent::new("post.ended", "post_holder", id.parse::<uuid::Uuid>().ok()).fields(&["ends_on"]),
            );
        }
        Ok(())
    }

    /// A safeguarding lead confirms or refuses an appointment waiting for confirmation. Nobody decides their
    /// own appointment, or one they asked for: two people make every such appointment.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown or decided appointment; [`StoreError::Conflict`] for one's own.
    pub async fn decide_appointment(&mut self, id: PostHolderId, confirm: bool) -> StoreResult<()> {
        let org = self.org()?.to_string();
        let row = sqlx::query(
            "SELECT h.post, h.starts_on, h.requested_by, a.id AS appointee FROM post_holders h \
             JOIN people p ON p.id = h.person_id \
             LEFT JOIN accounts a ON a.email = p.email \
             WHERE h.org_id = $1 AND h.id = $2 AND h.confirmed_at IS NULL AND h.refused_at IS NULL",
        )
        .bind(org.as_str())
        .bind(id.to_string())
        .fetch_optional(self.conn())
        .await?
        .found()?;
        let me = self.actor().account.map(|a| a.to_string());
        let (appointee, requested_by): (Option<String>, Option<String>) =
            (row.try_get("appointee")?, row.try_get("requested_by")?);
        if me.is_some() && (appointee == me || requested_by == me) {
            return Err(StoreError::Conflict(
                "Another safeguarding lead must decide this: it is your own request or appointment",
            ));
        }
        let now = ts(self.store().now());
        if confirm {
            let post =
                Post::parse(&row.try_get::<String, _>("post")?).map_err(|_| StoreError::Other("bad post".into()))?;
            self.end_previous_terms(post, row.day("starts_on")?).await?;
        }
        let column = if confirm { "confirmed_at" } else { "refused_at" };
        let changed = sqlx::query(crate::db::sql(format!(
            "UPDATE post_holders SET {column} = $3, confirmed_by = $4 WHERE org_id = $1 AND id = $2 \
             AND confirmed_at IS NULL AND refused_at IS NULL"
        )))
        .bind(org.as_str())
        .bind(id.to_string())
        .bind(now.as_str())
        .bind(me)
        .execute(self.conn())
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        let action = if confirm { "post.appointment_confirmed" } else { "post.appointment_refused" };
        self.audit(AuditEvent::new(action, "post_holder", id.0).fields(&[column]));
        Ok(())
    }

    /// Ends a term on a date.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown term; [`StoreError::Conflict`] for an end before the start.
    pub async fn end_term(&mut self, id: PostHolderId, ends_on: Date) -> StoreResult<()> {
        let org = self.org()?.to_string();
        let row = sqlx::query("SELECT post, starts_on FROM post_holders WHERE org_id = $1 AND id = $2")
            .bind(org.as_str())
            .bind(id.to_string())
            .fetch_optional(self.conn())
            .await?
            .found()?;
        if row.day("starts_on")? > ends_on {
            return Err(StoreError::Invalid { field: "ends_on", message: "The end date must be after the start date" });
        }
        let post = Post::parse(&row.try_get::<String, _>("post")?).map_err(|_| StoreError::Other("bad post".into()))?;
        let actor = self.actor();
        if post.grants_safeguarding_lead()
            && actor.kind != ActorKind::Operator
            && !actor.roles.contains(&Role::SafeguardingLead)
        {
            return Err(StoreError::Conflict(
                "Only a safeguarding lead can end a safeguarding lead's or deputy's term",
            ));
        }
        sqlx::query("UPDATE post_holders SET ends_on = $3 WHERE org_id = $1 AND id = $2")
            .bind(org.as_str())
            .bind(id.to_string())
            .bind(date(ends_on))
            .execute(self.conn())
            .await?;
        self.audit(AuditEvent::new("post.ended", "post_holder", id.0).fields(&["ends_on"]));
        Ok(())
    }

    /// Records that a post holder is away for some days (inclusive).
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown term; [`StoreError::Conflict`] for dates the wrong way round.
    pub async fn record_absence(&mut self, holder: PostHolderId, starts_on: Date, ends_on: Date) -> StoreResult<()> {
        if ends_on < starts_on {
            return Err(StoreError::Invalid {
                field: "away_until",
                message: "The last day away must be after the first",
            });
        }
        let org = self.org()?.to_string();
        let known: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM post_holders WHERE org_id = $1 AND id = $2")
            .bind(org.as_str())
            .bind(holder.to_string())
            .fetch_one(self.conn())
            .await?;
        if known == 0 {
            return Err(StoreError::NotFound);
        }
        let id = uuid::Uuid::now_v7();
        sqlx::query(
            "INSERT INTO post_absences (id, org_id, post_holder_id, starts_on, ends_on, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id.to_string())
        .bind(org.as_str())
        .bind(holder.to_string())
        .bind(date(starts_on))
        .bind(date(ends_on))
        .bind(ts(self.store().now()))
        .execute(self.conn())
        .await?;
        self.audit(AuditEvent::new("post.absence_recorded", "post_holder", holder.0).fields(&["starts_on", "ends_on"]));
        Ok(())
    }

    /// Records how to reach the safeguarding team.
    ///
    /// # Errors
    /// When the database cannot be written.
    pub async fn set_contact_settings(&mut self, settings: &ContactSettings) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO contact_settings (org_id, team_mailbox, team_phone, out_of_hours, public_card, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (org_id) DO UPDATE SET team_mailbox = excluded.team_mailbox, \
             team_phone = excluded.team_phone, out_of_hours = excluded.out_of_hours, public_card = excluded.public_card, \
             updated_at = excluded.updated_at",
        )
        .bind(self.org()?.to_string())
        .bind(settings.team_mailbox.as_str())
        .bind(settings.team_phone.as_str())
        .bind(settings.out_of_hours.as_str())
        .bind(domain::profile::yes_no(settings.public_card))
        .bind(ts(self.store().now()))
        .execute(self.conn())
        .await?;
        self.audit(AuditEvent::new("contact_settings.changed", "organisation", self.org()?.0).fields(&[
            "team_mailbox",
            "team_phone",
            "out_of_hours",
            "public_card",
        ]));
        Ok(())
    }
}

/// Who keeps the registry's safeguarding posts filled.
const COVER: &[Role] = &[Role::Admin, Role::Leader, Role::SafeguardingLead];

/// A "no cover" alert when nobody holds the lead post or no deputy does, or when the lead and every
/// deputy are away today.
pub(crate) struct MissingCover;

impl Source for MissingCover {
    fn items<'a>(&'a self, store: &'a Store, scope: &'a OrgScope, whose: &'a Whose<'a>, _: Date) -> Items<'a> {
        Box::pin(async move {
            if !whose.takes(COVER) {
                return Ok(Vec::new());
            }
            let today = store.now().date();
            let holders = store.holders_on(scope, today).await?;
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
                items.push(alert(
                    "No deputy safeguarding lead is appointed, so there is no cover when the lead is away",
                ));
            } else if !present(Post::Dsl) && !present(Post::DeputyDsl) {
                items.push(alert("No safeguarding lead or deputy is available today: arrange cover"));
            }
            Ok(items)
        })
    }
}
