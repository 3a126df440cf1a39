//! Concerns as raised: sealed before they are stored, readable in full only by the safeguarding team,
//! each read audited as case content. A reporter sees a receipt and the status, never the content.

use crate::audit::Page;
use crate::db::Reader;
use crate::db::RowExt;
use crate::db::ts;
use crate::due::{Items, Source, Whose};
use crate::error::{OptionalExt, StoreError, StoreResult};
use crate::scope::OrgScope;
use crate::{Store, WriteTx};
use domain::audit::AuditEvent;
use domain::concerns::{ConcernStatus, NewConcern};
use domain::due::{DueItem, Owner};
use domain::profile::yes_no;
use domain::reach::{self, Told};
use domain::roles::Role;
use domain::{CaseId, ConcernId};
use sqlx::Row;
use sqlx::any::AnyRow;
use time::Date;
use time::OffsetDateTime;

/// What anyone who may list a concern sees: no content.
#[derive(Debug, Clone)]
pub struct ConcernSummary {
    pub id: ConcernId,
    pub reference: String,
    pub category: String,
    pub immediate_danger: bool,
    pub status: ConcernStatus,
    pub raised_at: OffsetDateTime,
}

/// A concern as the inbox lists it for whoever handles it: what a lead scans for.
#[derive(Debug, Clone)]
pub struct InboxEntry {
    pub summary: ConcernSummary,
    /// Who it is about (`None` when the reporter raised it about themselves).
    pub about: Option<String>,
    /// Who raised it, by name, when they raised it in Vigil.
    pub reporter_name: Option<String>,
    /// The case it opened, once acknowledged.
    pub case_reference: Option<String>,
}

/// What decides who an escalated concern goes to.
#[derive(Debug, Clone, Copy)]
pub struct Escalated {
    pub about_staff: bool,
    pub immediate_danger: bool,
}

/// A concern opened by the safeguarding team, with its content unsealed.
#[derive(Debug, Clone)]
pub struct ConcernRecord {
    pub summary: ConcernSummary,
    /// `None` when the reporter raised it about themselves.
    pub about: Option<String>,
    pub what_happened: String,
    pub when_and_where: String,
    pub told_in_person: bool,
    pub reporter_name: Option<String>,
    /// `vigil`, or how it reached the team.
    pub received_via: String,
}

/// A concern none of whose cases is restricted away from the actor (`$3`, an account id): once a case is
/// restricted, its concern as raised is for the people named on the case only.
const NOT_RESTRICTED_AWAY: &str = "NOT EXISTS (SELECT 1 FROM cases c WHERE c.concern_id = concerns.id \
     AND c.restricted = 'yes' AND NOT EXISTS (SELECT 1 FROM case_access g WHERE g.case_id = c.id \
     AND g.account_id = $3 AND g.kind = 'named'))";

const SUMMARY: &str = "id, reference, category, immediate_danger, status, created_at";

fn summary(row: &AnyRow) -> StoreResult<ConcernSummary> {
    let bad = |what| StoreError::Other(format!("bad {what} in concerns"));
    Ok(ConcernSummary {
        id: row.try_get::<String, _>("id")?.parse().map_err(|_| bad("id"))?,
        reference: row.try_get("reference")?,
        category: row.try_get("category")?,
        immediate_danger: row.try_get::<String, _>("immediate_danger")? == "yes",
        status: ConcernStatus::parse(&row.try_get::<String, _>("status")?).map_err(|_| bad("status"))?,
        raised_at: row.time("created_at")?,
    })
}

impl WriteTx<'_> {
    /// Raises a concern: its words are sealed, and it is received for the safeguarding team. Answers its
    /// id and the reference for the reporter's receipt.
    ///
    /// # Errors
    /// When no master key is configured, or the database cannot be written.
    pub async fn raise_concern(&mut self, concern: &NewConcern) -> StoreResult<(ConcernId, String)> {
        let id = ConcernId::new();
        // The random end of the id, so that references do not reveal how many concerns there are.
        let reference = format!("C-{}", id.0.simple().to_string()[24..].to_uppercase());
        let about = match &concern.about {
            Some(name) => Some(self.seal(name.as_bytes()).await?),
            None => None,
        };
        let what = self.seal(concern.what_happened.as_bytes()).await?;
        let when = self.seal(concern.when_and_where.as_bytes()).await?;
        sqlx::query(
            "INSERT INTO concerns (id, org_id, reference, reporter_id, about_sealed, what_happened_sealed, \
             when_and_where_sealed, category, immediate_danger, told_in_person, about_staff, received_via, status, \
             created_at, person_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'received', $13, $14)",
        )
        .bind(id.to_string())
        .bind(self.org()?.to_string())
        .bind(reference.as_str())
        .bind(self.actor().account.map(|a| a.to_string()))
        .bind(about)
        .bind(what)
        .bind(when)
        .bind(concern.category.as_str())
        .bind(yes_no(concern.immediate_danger))
        .bind(yes_no(concern.told_in_person))
        .bind(yes_no(concern.about_staff))
        .bind(concern.received_via.as_str())
        .bind(ts(self.store().now()))
        .bind(concern.person.map(|p| p.to_string()))
        .execute(self.conn())
        .await?;
        self.discard_concern_draft().await?;
        self.audit(
            AuditEvent::new("concern.raised", "concern", id.0)
                .fields(&["about", "what_happened", "when_and_where", "category", "immediate_danger", "told_in_person"])
                .case_content(),
        );
        Ok((id, reference))
    }

    /// Escalates a concern still waiting to be acknowledged, once. Answers what decides who it goes to, or
    /// `None` when it was acknowledged (or escalated) in the meantime.
    ///
    /// # Errors
    /// When the database cannot be written.
    pub async fn escalate_concern(&mut self, id: ConcernId) -> StoreResult<Option<Escalated>> {
        let row = sqlx::query(
            "UPDATE concerns SET escalated_at = $3 WHERE org_id = $1 AND id = $2 AND status = 'received' \
             AND escalated_at IS NULL RETURNING about_staff, immediate_danger",
        )
        .bind(self.org()?.to_string())
        .bind(id.to_string())
        .bind(ts(self.store().now()))
        .fetch_optional(self.conn())
        .await?;
        let Some(row) = row else { return Ok(None) };
        self.audit(AuditEvent::new("concern.escalated", "concern", id.0).fields(&["escalated_at"]).case_content());
        Ok(Some(Escalated {
            about_staff: row.try_get::<String, _>("about_staff")? == "yes",
            immediate_danger: row.try_get::<String, _>("immediate_danger")? == "yes",
        }))
    }

    /// The safeguarding team acknowledges a concern: it is now being handled, in a case opened for the
    /// person it is about. Answers the case.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for a concern not waiting to be acknowledged.
    pub async fn acknowledge_concern(&mut self, id: ConcernId) -> StoreResult<CaseId> {
        let handled = match self.actor().kind {
            crate::scope::ActorKind::Operator => None,
            _ => {
                let scope = self.scope()?;
                let handled = self.store().concerns_handled_in(&mut Reader::Tx(self.conn()), &scope).await?;
                Some(handled.ok_or(StoreError::NotFound)?)
            }
        };
        let changed = sqlx::query(
            "UPDATE concerns SET status = 'being_handled', acknowledged_at = $3, acknowledged_by = $4 \
             WHERE org_id = $1 AND id = $2 AND status = 'received' AND ($5 = '' OR about_staff = $5)",
        )
        .bind(self.org()?.to_string())
        .bind(id.to_string())
        .bind(ts(self.store().now()))
        .bind(self.actor().account.map(|a| a.to_string()))
        .bind(handled.unwrap_or(""))
        .execute(self.conn())
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        self.audit(AuditEvent::new("concern.acknowledged", "concern", id.0).fields(&["status"]).case_content());
        self.open_case_from_concern(id, None).await
    }
}

impl Store {
    /// The concerns the actor raised: receipts with the status, no content.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn my_concerns(&self, scope: &OrgScope) -> StoreResult<Vec<ConcernSummary>> {
        let Some(account) = scope.actor().account else { return Ok(Vec::new()) };
        let rows = sqlx::query(crate::db::sql(format!(
            "SELECT {SUMMARY} FROM concerns WHERE org_id = $1 AND reporter_id = $2 ORDER BY created_at DESC LIMIT 200"
        )))
        .bind(scope.org().to_string())
        .bind(account.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(summary).collect()
    }

    /// The list of concerns the actor handles, open ones first, those with someone in immediate danger at the
    /// top: for the safeguarding leads, every concern except those about staff or the team; for the senior
    /// leader named in the role registry today, only those. Anyone else gets an empty list.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn concern_inbox(&self, scope: &OrgScope, page: u32, per_page: u32) -> StoreResult<Page<InboxEntry>> {
        let page = page.max(1);
        let Some(about_staff) = self.concerns_handled(scope).await? else {
            return Ok(Page { items: Vec::new(), page, per_page, total: 0 });
        };
        let account = scope.actor().account.map(|a| a.to_string()).unwrap_or_default();
        let total: i64 = sqlx::query_scalar(crate::db::sql(format!(
            "SELECT COUNT(*) FROM concerns WHERE org_id = $1 AND about_staff = $2 AND {NOT_RESTRICTED_AWAY}"
        )))
        .bind(scope.org().to_string())
        .bind(about_staff)
        .bind(account.as_str())
        .fetch_one(&self.pool)
        .await?;
        let rows = sqlx::query(crate::db::sql(format!(
            "SELECT {SUMMARY}, about_sealed, (SELECT a.display_name FROM accounts a WHERE a.id = concerns.reporter_id) \
             AS reporter_name, (SELECT MIN(c.reference) FROM cases c WHERE c.concern_id = concerns.id) AS case_reference \
             FROM concerns WHERE org_id = $1 AND about_staff = $2 AND {NOT_RESTRICTED_AWAY} \
             ORDER BY CASE status WHEN 'closed' THEN 1 ELSE 0 END, immediate_danger DESC, created_at DESC LIMIT $4 OFFSET $5"
        )))
        .bind(scope.org().to_string())
        .bind(about_staff)
        .bind(account.as_str())
        .bind(i64::from(per_page))
        .bind(i64::from(per_page) * i64::from(page - 1))
        .fetch_all(&self.pool)
        .await?;
        let opener = self.opener(scope);
        let mut items = Vec::with_capacity(rows.len());
        for row in &rows {
            items.push(InboxEntry {
                summary: summary(row)?,
                about: opener.optional(row.try_get("about_sealed")?).await?,
                reporter_name: row.try_get("reporter_name")?,
                case_reference: row.try_get("case_reference")?,
            });
        }
        Ok(Page { items, page, per_page, total })
    }

    /// Who has opened a concern, and when, newest first: the "who viewed this" record, from the audit log.
    /// Only whoever may open the concern may see it.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for a concern the actor does not handle.
    pub async fn concern_viewers(&self, scope: &OrgScope, id: ConcernId) -> StoreResult<Vec<(String, OffsetDateTime)>> {
        self.concern_in_reach(scope, id).await?;
        let opened = self.opened_by(scope, id.0, &["concern.viewed"]).await?;
        Ok(opened.into_iter().map(|(who, at, _)| (who, at)).collect())
    }

    /// Whether the actor may open a concern: one they handle, not restricted away from them. Answers which
    /// concerns they handle (see [`Store::concerns_handled`]).
    async fn concern_in_reach(&self, scope: &OrgScope, id: ConcernId) -> StoreResult<&'static str> {
        let about_staff = self.concerns_handled(scope).await?.ok_or(StoreError::NotFound)?;
        let handled: i64 = sqlx::query_scalar(crate::db::sql(format!(
            "SELECT COUNT(*) FROM concerns WHERE org_id = $1 AND about_staff = $2 AND {NOT_RESTRICTED_AWAY} AND id = $4"
        )))
        .bind(scope.org().to_string())
        .bind(about_staff)
        .bind(scope.actor().account.map(|a| a.to_string()).unwrap_or_default())
        .bind(id.to_string())
        .fetch_one(&self.pool)
        .await?;
        if handled == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(about_staff)
    }

    /// How many concerns the actor handles are waiting to be acknowledged, and how many of those are urgent.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn concerns_waiting(&self, scope: &OrgScope) -> StoreResult<(i64, i64)> {
        let Some(about_staff) = self.concerns_handled(scope).await? else { return Ok((0, 0)) };
        let row = sqlx::query(
            "SELECT COUNT(*) AS waiting, COALESCE(SUM(CASE WHEN immediate_danger = 'yes' THEN 1 ELSE 0 END), 0) AS urgent \
             FROM concerns WHERE org_id = $1 AND about_staff = $2 AND status = 'received'",
        )
        .bind(scope.org().to_string())
        .bind(about_staff)
        .fetch_one(&self.pool)
        .await?;
        Ok((row.try_get("waiting")?, row.try_get("urgent")?))
    }

    /// Which concerns the actor handles: `Some("no")` for a safeguarding lead (all but those about staff),
    /// `Some("yes")` for today's senior leader in the role registry (only those), `None` for anyone else.
    pub(crate) async fn concerns_handled(&self, scope: &OrgScope) -> StoreResult<Option<&'static str>> {
        self.concerns_handled_in(&mut Reader::Pool(&self.pool), scope).await
    }

    pub(crate) async fn concerns_handled_in(
        &self,
        db: &mut Reader<'_>,
        scope: &OrgScope,
    ) -> StoreResult<Option<&'static str>> {
        if scope.has_role(domain::roles::Role::SafeguardingLead) {
            return Ok(Some("no"));
        }
        let Some(account) = scope.actor().account else { return Ok(None) };
        let row = db
            .fetch_optional(sqlx::query("SELECT email FROM accounts WHERE id = $1").bind(account.to_string()))
            .await?;
        let email: Option<String> = row.map(|row| row.try_get("email")).transpose()?;
        let holders = self.holders_on_in(db, &scope.org().to_string(), self.now().date()).await?;
        let is_senior_leader = holders
            .iter()
            .any(|h| h.post == domain::registry::Post::SeniorLeader && h.email.is_some() && h.email == email);
        Ok(is_senior_leader.then_some("yes"))
    }

    /// Who a new concern alerts, and which group that is: the leads who can act on it today, or, when
    /// none can, the senior leader and the board's safeguarding lead (see [`reach::recipients`]).
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn concern_recipients(&self, scope: &OrgScope, about_staff: bool) -> StoreResult<(Told, Vec<String>)> {
        Ok(reach::recipients(&self.reach(scope).await?, about_staff))
    }

    /// Who an unacknowledged concern escalates to (see [`reach::escalation`]).
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn escalation_recipients(&self, scope: &OrgScope, escalated: Escalated) -> StoreResult<Vec<String>> {
        Ok(reach::escalation(&self.reach(scope).await?, escalated.about_staff, escalated.immediate_danger))
    }

    /// The current apprentices in the people register by name, for staff choosing who a concern is about.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn learner_names(&self, scope: &OrgScope) -> StoreResult<Vec<String>> {
        let rows = sqlx::query(
            "SELECT given_name, family_name FROM people WHERE org_id = $1 AND kind = 'apprentice' \
             AND (end_date IS NULL OR end_date >= $2) ORDER BY given_name, family_name LIMIT 5000",
        )
        .bind(scope.org().to_string())
        .bind(crate::db::date(self.now().date()))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(format!("{} {}", r.try_get::<String, _>("given_name")?, r.try_get::<String, _>("family_name")?))
            })
            .collect()
    }

    /// The current apprentice with exactly this name, when there is only one.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn learner_named(&self, scope: &OrgScope, name: &str) -> StoreResult<Option<domain::PersonId>> {
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM people WHERE org_id = $1 AND kind = 'apprentice' AND (end_date IS NULL OR end_date >= $2) \
             AND LOWER(given_name || ' ' || family_name) = LOWER($3) LIMIT 2",
        )
        .bind(scope.org().to_string())
        .bind(crate::db::date(self.now().date()))
        .bind(name.trim())
        .fetch_all(&self.pool)
        .await?;
        match ids.as_slice() {
            [one] => Ok(one.parse().ok()),
            _ => Ok(None),
        }
    }

    /// Opens a concern for the safeguarding team: its content is unsealed, and the read is audited as case
    /// content in the same step, so there is no read without its record.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for another organisation's concern.
    pub async fn open_concern(&self, scope: &OrgScope, id: ConcernId) -> StoreResult<ConcernRecord> {
        let about_staff = self.concern_in_reach(scope, id).await?;
        let record = self.concern_content(scope, id, about_staff).await?;
        self.record_read(scope, AuditEvent::new("concern.viewed", "concern", id.0).case_content()).await?;
        Ok(record)
    }

    /// A concern's content, unsealed, when it is about staff (`about_staff` = `yes`) or not (`no`), or
    /// either (`any`). The caller has checked the actor may read it, and audits the read.
    pub(crate) async fn concern_content(
        &self,
        scope: &OrgScope,
        id: ConcernId,
        about_staff: &str,
    ) -> StoreResult<ConcernRecord> {
        let row = sqlx::query(crate::db::sql(format!(
            "SELECT {SUMMARY}, about_sealed, what_happened_sealed, when_and_where_sealed, told_in_person, received_via, \
             (SELECT display_name FROM accounts a WHERE a.id = reporter_id) AS reporter FROM concerns \
             WHERE org_id = $1 AND id = $2 AND ($3 = 'any' OR about_staff = $3)"
        )))
        .bind(scope.org().to_string())
        .bind(id.to_string())
        .bind(about_staff)
        .fetch_optional(&self.pool)
        .await?
        .found()?;
        let unseal = |sealed: String| async move {
            let bytes = self.open_sealed(scope, &sealed).await?;
            String::from_utf8(bytes).map_err(|_| StoreError::Other("a sealed concern is not text".into()))
        };
        let about = match row.try_get::<Option<String>, _>("about_sealed")? {
            Some(sealed) => Some(unseal(sealed).await?),
            None => None,
        };
        let record = ConcernRecord {
            summary: summary(&row)?,
            about,
            what_happened: unseal(row.try_get("what_happened_sealed")?).await?,
            when_and_where: unseal(row.try_get("when_and_where_sealed")?).await?,
            told_in_person: row.try_get::<String, _>("told_in_person")? == "yes",
            reporter_name: row.try_get("reporter")?,
            received_via: row.try_get("received_via")?,
        };
        Ok(record)
    }
}

/// Concerns for the safeguarding team that nobody has acknowledged in time: a task for every lead and
/// deputy. (Concerns about staff are the senior leader's, and are not listed to the team.)
pub(crate) struct UnacknowledgedConcerns;

impl Source for UnacknowledgedConcerns {
    fn items<'a>(&'a self, store: &'a Store, scope: &'a OrgScope, whose: &'a Whose<'a>, _: Date) -> Items<'a> {
        const TEAM: &[Role] = &[Role::SafeguardingLead];
        Box::pin(async move {
            if !whose.takes(TEAM) {
                return Ok(Vec::new());
            }
            let cutoff = ts(store.now() - store.concern_settings(scope).await?.acknowledge_within());
            // One row is enough to know (the index on organisation, status and time finds it).
            let waiting = sqlx::query(
                "SELECT id FROM concerns WHERE org_id = $1 AND status = 'received' AND about_staff = 'no' \
                 AND created_at < $2 LIMIT 1",
            )
            .bind(scope.org().to_string())
            .bind(cutoff)
            .fetch_optional(&store.pool)
            .await?
            .is_some();
            Ok(waiting
                .then(|| DueItem {
                    source: "unacknowledged_concern",
                    title: "A concern has waited longer than the time set for acknowledging it".into(),
                    due_on: store.now().date(),
                    link: "/safeguarding".into(),
                    owner: Owner::Roles(TEAM),
                })
                .into_iter()
                .collect())
        })
    }
}
