//! Safeguarding cases: one person's file, opened when a concern is acknowledged. Who reaches a case is
//! decided here, case by case, in one SQL expression ([`REACH`]); narratives are sealed; every read of
//! content is audited; the chronology is append-only; the status moves only through the domain's machine.

use crate::audit::Page;
use crate::db::Reader;
use crate::db::RowExt;
use crate::db::{date, parse_date, parse_id, parse_ts, sql, ts};
use crate::due::{Items, Source, Whose};
use crate::error::{OptionalExt, StoreError, StoreResult};
use crate::keys::Opener;
use crate::scope::OrgScope;
use crate::{Store, WriteTx};
use domain::audit::AuditEvent;
use domain::cases::{
    AgeGroup, CaseEvent, CaseStatus, Closure, Decision, Feedback, KeyContext, NewAction, NewDisclosure, NewEntry,
    NewReferral, Referral, RiskLevel, Triage,
};
use domain::due::{DueItem, Owner};
use domain::profile::yes_no;
use domain::roles::Role;
use domain::{AccountId, CaseActionId, CaseEntryId, CaseId, ConcernId, DisclosureId, ReferralId};
use sqlx::Row;
use sqlx::any::AnyRow;
use time::{Date, OffsetDateTime};

/// How far a person reaches into a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reach {
    /// Shared with them for a limited time: they read it.
    Read,
    /// An assigned officer, or a senior leader using break-glass: they work on it.
    Work,
    /// A lead (on a case that is not restricted), or a person named on the case: they also decide who
    /// else reaches it.
    Manage,
}

/// The reach of the actor (`$2`, at time `$3`, `$4` = `lead`, `officer` or `none` for their safeguarding
/// role today) into case `c`: 3 to manage, 2 to work, 1 to read, 0 for nothing. An assignment counts only
/// while the person is in the safeguarding team, so leaving the team ends it.
const REACH: &str = "CASE \
     WHEN EXISTS (SELECT 1 FROM case_access g WHERE g.case_id = c.id AND g.account_id = $2 AND g.kind = 'named') \
       OR (c.restricted = 'no' AND $4 = 'lead') THEN 3 \
     WHEN (EXISTS (SELECT 1 FROM case_access g WHERE g.case_id = c.id AND g.account_id = $2 AND g.kind = 'assigned') \
           AND $4 IN ('lead', 'officer')) \
       OR (c.restricted = 'no' AND EXISTS (SELECT 1 FROM break_glass b WHERE b.org_id = c.org_id \
           AND b.account_id = $2 AND b.expires_at > $3)) THEN 2 \
     WHEN EXISTS (SELECT 1 FROM case_access g WHERE g.case_id = c.id AND g.account_id = $2 AND g.kind = 'shared' \
           AND g.expires_at > $3) THEN 1 \
     ELSE 0 END";

/// The four values [`REACH`] is bound with, after the organisation as `$1`.
fn viewer(scope: &OrgScope, now: OffsetDateTime) -> (String, String, String, &'static str) {
    let team = if scope.has_role(Role::SafeguardingLead) {
        "lead"
    } else if scope.has_role(Role::SafeguardingOfficer) {
        "officer"
    } else {
        "none"
    };
    (scope.org().to_string(), scope.actor().account.map(|a| a.to_string()).unwrap_or_default(), ts(now), team)
}

fn reach_of(level: i64) -> Option<Reach> {
    match level {
        1 => Some(Reach::Read),
        2 => Some(Reach::Work),
        3 => Some(Reach::Manage),
        _ => None,
    }
}

/// A case in a list: no names, no content.
#[derive(Debug, Clone)]
pub struct CaseSummary {
    pub id: CaseId,
    pub reference: String,
    pub category: String,
    pub status: CaseStatus,
    pub risk: Option<RiskLevel>,
    pub restricted: bool,
    pub review_on: Option<Date>,
    pub opened_at: OffsetDateTime,
}

/// A case as the list shows it to those who reach it: its summary and who it is about.
#[derive(Debug, Clone)]
pub struct CaseEntry {
    pub summary: CaseSummary,
    pub subject: String,
}

const SUMMARY: &str = "c.id, c.reference, c.category, c.status, c.risk_level, c.restricted, c.review_on, c.created_at";

fn summary(row: &AnyRow) -> StoreResult<CaseSummary> {
    let bad = |what| StoreError::Other(format!("bad {what} in cases"));
    Ok(CaseSummary {
        id: row.try_get::<String, _>("id")?.parse().map_err(|_| bad("id"))?,
        reference: row.try_get("reference")?,
        category: row.try_get("category")?,
        status: CaseStatus::parse(&row.try_get::<String, _>("status")?).map_err(|_| bad("status"))?,
        risk: row.try_get::<Option<String>, _>("risk_level")?.and_then(|r| RiskLevel::parse(&r).ok()),
        restricted: row.try_get::<String, _>("restricted")? == "yes",
        review_on: row.opt_day("review_on")?,
        opened_at: row.time("created_at")?,
    })
}

/// Which cases a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CaseFilter {
    #[default]
    Open,
    /// Open cases whose review date has passed.
    PastReview,
    Closed,
}

/// An entry in the chronology, unsealed.
#[derive(Debug, Clone)]
pub struct Entry {
    pub id: CaseEntryId,
    pub kind: String,
    pub occurred_on: Date,
    pub text: String,
    pub corrects: Option<CaseEntryId>,
    /// Whether a later entry corrects this one.
    pub corrected: bool,
    pub author: Option<String>,
    pub written_at: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub struct DecisionRecord {
    pub decision: String,
    pub reason: String,
    pub decided_by: Option<String>,
    pub decided_at: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub struct ActionRecord {
    pub id: CaseActionId,
    pub what: String,
    pub owner: String,
    pub due_on: Date,
    pub done: bool,
}

#[derive(Debug, Clone)]
pub struct ReferralRecord {
    pub id: ReferralId,
    pub referral: Referral,
    pub feedback: Feedback,
}

#[derive(Debug, Clone)]
pub struct DisclosureRecord {
    pub disclosure: NewDisclosure,
    pub authorised_by: Option<String>,
}

/// Someone who reaches the case besides the leads.
#[derive(Debug, Clone)]
pub struct AccessRecord {
    pub name: String,
    /// `assigned`, `named` or `shared`.
    pub kind: String,
    pub expires_at: Option<OffsetDateTime>,
}

/// A case opened: everything in it, unsealed. Opening it is an audited read of case content.
#[derive(Debug, Clone)]
pub struct CaseFile {
    pub summary: CaseSummary,
    pub reach: Reach,
    pub subject: String,
    /// The concern the case was opened from, as raised.
    pub raised: crate::concerns::ConcernRecord,
    pub about_staff: bool,
    pub age: AgeGroup,
    pub prevent_type: String,
    pub context: KeyContext,
    pub outcome: Option<String>,
    pub entries: Vec<Entry>,
    pub decisions: Vec<DecisionRecord>,
    pub actions: Vec<ActionRecord>,
    pub referrals: Vec<ReferralRecord>,
    pub disclosures: Vec<DisclosureRecord>,
    pub access: Vec<AccessRecord>,
    /// The other cases opened from the same concern (the same incident), that the actor reaches.
    pub incident: Vec<(CaseId, String)>,
    /// Files added to the case, or to the concern by the person who raised it.
    pub attachments: Vec<crate::attachments::Attachment>,
}

/// What is known of a case without opening its content.
#[derive(Debug, Clone)]
pub struct CaseFacts {
    pub reference: String,
    pub status: CaseStatus,
    pub age: AgeGroup,
    pub about_staff: bool,
    pub reach: Reach,
}

/// The state of a case a change needs to check.
struct CaseState {
    status: CaseStatus,
    reach: Reach,
    concern: String,
}

impl Store {
    /// A page of the cases the actor reaches, most urgent first: past review, then high risk, then newest,
    /// each with who it is about (unsealed, as the case page does, for those who reach the case).
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn cases_page(
        &self,
        scope: &OrgScope,
        filter: CaseFilter,
        page: u32,
        per_page: u32,
    ) -> StoreResult<Page<CaseEntry>> {
        let page = page.max(1);
        let (org, account, now, lead) = viewer(scope, self.now());
        let which = match filter {
            CaseFilter::Open => "c.status <> 'closed'",
            CaseFilter::PastReview => "c.status <> 'closed' AND c.review_on < $5",
            CaseFilter::Closed => "c.status = 'closed'",
        };
        let condition = format!("c.org_id = $1 AND ({REACH}) > 0 AND {which}");
        let total: i64 = sqlx::query_scalar(sql(format!("SELECT COUNT(*) FROM cases c WHERE {condition}")))
            .bind(&org)
            .bind(&account)
            .bind(&now)
            .bind(lead)
            .bind(date(self.now().date()))
            .fetch_one(&self.pool)
            .await?;
        let rows = sqlx::query(sql(format!(
            "SELECT {SUMMARY}, c.subject_sealed FROM cases c WHERE {condition} ORDER BY \
             CASE WHEN c.review_on < $5 THEN 0 ELSE 1 END, \
             CASE c.risk_level WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, c.created_at DESC LIMIT $6 OFFSET $7"
        )))
        .bind(&org)
        .bind(&account)
        .bind(&now)
        .bind(lead)
        .bind(date(self.now().date()))
        .bind(i64::from(per_page))
        .bind(i64::from(per_page) * i64::from(page - 1))
        .fetch_all(&self.pool)
        .await?;
        let opener = self.opener(scope);
        let mut items = Vec::with_capacity(rows.len());
        for row in &rows {
            items.push(CaseEntry {
                summary: summary(row)?,
                subject: opener.text(&row.try_get::<String, _>("subject_sealed")?).await?,
            });
        }
        Ok(Page { items, page, per_page, total })
    }

    /// What a form about a case needs to know, with no content: its reference, status, the person's age
    /// group, whether it is about staff, and how far the actor reaches. `NotFound` when the actor does not
    /// reach it at all, exactly as for a missing case.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the actor does not reach the case.
    pub async fn case_facts(&self, scope: &OrgScope, id: CaseId) -> StoreResult<CaseFacts> {
        let (org, account, now, lead) = viewer(scope, self.now());
        let row = sqlx::query(sql(format!(
            "SELECT c.reference, c.status, c.age_group, c.about_staff, {REACH} AS reach FROM cases c \
             WHERE c.org_id = $1 AND c.id = $5"
        )))
        .bind(org)
        .bind(account)
        .bind(now)
        .bind(lead)
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await?
        .found()?;
        Ok(CaseFacts {
            reference: row.try_get("reference")?,
            status: CaseStatus::parse(&row.try_get::<String, _>("status")?)
                .map_err(|_| StoreError::Other("bad status in cases".into()))?,
            age: AgeGroup::parse(&row.try_get::<String, _>("age_group")?).unwrap_or(AgeGroup::Unknown),
            about_staff: row.try_get::<String, _>("about_staff")? == "yes",
            reach: reach_of(row.try_get("reach")?).ok_or(StoreError::NotFound)?,
        })
    }

    /// How far the actor reaches into a case.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the actor does not reach the case.
    pub async fn case_reach(&self, scope: &OrgScope, id: CaseId) -> StoreResult<Reach> {
        Ok(self.case_facts(scope, id).await?.reach)
    }

    /// Opens a case: all of it, unsealed, with the read audited as case content before anything is
    /// answered.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the actor does not reach the case.
    pub async fn open_case(&self, scope: &OrgScope, id: CaseId) -> StoreResult<CaseFile> {
        let reach = self.case_reach(scope, id).await?;
        self.record_read(scope, AuditEvent::new("case.viewed", "case", id.0).case_content()).await?;
        let row = sqlx::query(sql(format!(
            "SELECT {SUMMARY}, c.subject_sealed, c.concern_id, c.about_staff, c.age_group, c.prevent_type, \
             c.context_sealed, c.outcome_sealed FROM cases c WHERE c.org_id = $1 AND c.id = $2"
        )))
        .bind(scope.org().to_string())
        .bind(id.to_string())
        .fetch_one(&self.pool)
        .await?;
        let open = self.opener(scope);
        let context = match row.try_get::<Option<String>, _>("context_sealed")? {
            Some(sealed) => serde_json::from_str(&open.text(&sealed).await?)
                .map_err(|_| StoreError::Other("bad key context".into()))?,
            None => KeyContext::default(),
        };
        let concern: String = row.try_get("concern_id")?;
        let concern_id = concern.parse().map_err(|_| StoreError::Other("bad concern id".into()))?;
        Ok(CaseFile {
            summary: summary(&row)?,
            reach,
            subject: open.text(&row.try_get::<String, _>("subject_sealed")?).await?,
            raised: self.concern_content(scope, concern_id, "any").await?,
            about_staff: row.try_get::<String, _>("about_staff")? == "yes",
            age: AgeGroup::parse(&row.try_get::<String, _>("age_group")?).unwrap_or(AgeGroup::Unknown),
            prevent_type: row.try_get("prevent_type")?,
            context,
            outcome: open.optional(row.try_get("outcome_sealed")?).await?,
            entries: self.entries(&open, id).await?,
            decisions: self.decisions(&open, id).await?,
            actions: self.actions(&open, id).await?,
            referrals: self.referrals(&open, id).await?,
            disclosures: self.disclosures(&open, id).await?,
            access: self.access(id).await?,
            incident: self.cases_from(scope, &concern, Some(id)).await?,
            attachments: self.attachments(&open, id, "").await?.into_iter().map(|(a, _)| a).collect(),
        })
    }

    /// Who has opened a case or one of its files, and when, newest first, from the audit log: whether they
    /// opened a file is the third value. Only whoever reaches the case may see it.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the actor does not reach the case.
    pub async fn case_viewers(&self, scope: &OrgScope, id: CaseId) -> StoreResult<Vec<(String, OffsetDateTime, bool)>> {
        self.case_reach(scope, id).await?;
        let opened = self.opened_by(scope, id.0, &["case.viewed", "case.file_viewed"]).await?;
        Ok(opened.into_iter().map(|(who, at, action)| (who, at, action == "case.file_viewed")).collect())
    }

    /// The members a case's actions can be given to and cases assigned to: the safeguarding leads and
    /// officers, by name.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn safeguarding_team(&self, scope: &OrgScope) -> StoreResult<Vec<(AccountId, String)>> {
        self.safeguarding_team_in(&mut Reader::Pool(&self.pool), scope).await
    }

    pub(crate) async fn safeguarding_team_in(
        &self,
        db: &mut Reader<'_>,
        scope: &OrgScope,
    ) -> StoreResult<Vec<(AccountId, String)>> {
        self.members_holding_in(db, scope, "('safeguarding_lead', 'safeguarding_officer')").await
    }

    /// Every active member by name: a case can be shared with any colleague, or name any of them.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn colleagues(&self, scope: &OrgScope) -> StoreResult<Vec<(AccountId, String)>> {
        let rows = sqlx::query(
            "SELECT a.id, a.display_name FROM memberships m JOIN accounts a ON a.id = m.account_id \
             WHERE m.org_id = $1 AND m.disabled_at IS NULL ORDER BY a.display_name LIMIT 2000",
        )
        .bind(scope.org().to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(named_account).collect()
    }

    async fn members_holding_in(
        &self,
        db: &mut Reader<'_>,
        scope: &OrgScope,
        roles: &str,
    ) -> StoreResult<Vec<(AccountId, String)>> {
        let rows = db.fetch_all(sqlx::query(sql(format!(
            "SELECT DISTINCT a.id, a.display_name FROM effective_roles g JOIN accounts a ON a.id = g.account_id \
             JOIN memberships m ON m.account_id = g.account_id AND m.org_id = g.org_id \
             WHERE g.org_id = $1 AND g.role IN {roles} AND m.disabled_at IS NULL AND {} ORDER BY a.display_name",
            crate::accounts::in_force("$2")
                .replace("revoked_at", "g.revoked_at")
                .replace("starts_on", "g.starts_on")
                .replace("ends_on", "g.ends_on")
        )))
        .bind(scope.org().to_string())
        .bind(date(self.now().date()))
        )
        .await?;
        rows.iter().map(named_account).collect()
    }

    /// A case's referrals for choosing one: id, agency and the day sent (no content), in the scope's
    /// organisation. The caller has already checked the actor reaches the case.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn referral_choices(&self, scope: &OrgScope, id: CaseId) -> StoreResult<Vec<(ReferralId, String, Date)>> {
        let rows = sqlx::query(
            "SELECT r.id, r.agency, r.sent_on FROM case_referrals r JOIN cases c ON c.id = r.case_id \
             WHERE r.case_id = $1 AND c.org_id = $2 ORDER BY r.sent_on, r.created_at",
        )
        .bind(id.to_string())
        .bind(scope.org().to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok((r.id("id")?, r.try_get("agency")?, r.day("sent_on")?))).collect()
    }

    /// Until when the actor's break-glass access lasts, if they are using it now.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn break_glass_until(&self, scope: &OrgScope) -> StoreResult<Option<OffsetDateTime>> {
        let Some(account) = scope.actor().account else { return Ok(None) };
        let until: Option<String> = sqlx::query_scalar(
            "SELECT MAX(expires_at) FROM break_glass WHERE org_id = $1 AND account_id = $2 AND expires_at > $3",
        )
        .bind(scope.org().to_string())
        .bind(account.to_string())
        .bind(ts(self.now()))
        .fetch_one(&self.pool)
        .await?;
        until.map(|u| parse_ts(&u)).transpose()
    }

    /// Whether the actor is the senior leader named in the role registry today, who may use break-glass.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn may_break_glass(&self, scope: &OrgScope) -> StoreResult<bool> {
        self.may_break_glass_in(&mut Reader::Pool(&self.pool), scope).await
    }

    pub(crate) async fn may_break_glass_in(&self, db: &mut Reader<'_>, scope: &OrgScope) -> StoreResult<bool> {
        Ok(self.concerns_handled_in(db, scope).await? == Some("yes"))
    }

    async fn entries(&self, open: &Opener<'_>, id: CaseId) -> StoreResult<Vec<Entry>> {
        let rows = sqlx::query(
            "SELECT e.id, e.kind, e.occurred_on, e.text_sealed, e.corrects_id, e.created_at, a.display_name AS author, \
             (SELECT COUNT(*) FROM case_entries n WHERE n.corrects_id = e.id) AS corrections \
             FROM case_entries e LEFT JOIN accounts a ON a.id = e.author_id WHERE e.case_id = $1 \
             ORDER BY e.occurred_on, e.created_at, e.id",
        )
        .bind(id.to_string())
        .fetch_all(&self.pool)
        .await?;
        let mut entries = Vec::with_capacity(rows.len());
        for row in rows {
            entries.push(Entry {
                id: row.id("id")?,
                kind: row.try_get("kind")?,
                occurred_on: row.day("occurred_on")?,
                text: open.text(&row.try_get::<String, _>("text_sealed")?).await?,
                corrects: row.opt_id("corrects_id")?,
                corrected: row.try_get::<i64, _>("corrections")? > 0,
                author: row.try_get("author")?,
                written_at: row.time("created_at")?,
            });
        }
        Ok(entries)
    }

    async fn decisions(&self, open: &Opener<'_>, id: CaseId) -> StoreResult<Vec<DecisionRecord>> {
        let rows = sqlx::query(
            "SELECT d.decision, d.reason_sealed, d.decided_at, a.display_name FROM case_decisions d \
             LEFT JOIN accounts a ON a.id = d.decided_by WHERE d.case_id = $1 ORDER BY d.decided_at, d.id",
        )
        .bind(id.to_string())
        .fetch_all(&self.pool)
        .await?;
        let mut decisions = Vec::with_capacity(rows.len());
        for row in rows {
            decisions.push(DecisionRecord {
                decision: row.try_get("decision")?,
                reason: open.text(&row.try_get::<String, _>("reason_sealed")?).await?,
                decided_by: row.try_get("display_name")?,
                decided_at: row.time("decided_at")?,
            });
        }
        Ok(decisions)
    }

    async fn actions(&self, open: &Opener<'_>, id: CaseId) -> StoreResult<Vec<ActionRecord>> {
        let rows = sqlx::query(
            "SELECT t.id, t.what_sealed, t.due_on, t.done_at, a.display_name FROM case_actions t \
             JOIN accounts a ON a.id = t.owner_id WHERE t.case_id = $1 ORDER BY t.done_at IS NOT NULL, t.due_on, t.id",
        )
        .bind(id.to_string())
        .fetch_all(&self.pool)
        .await?;
        let mut actions = Vec::with_capacity(rows.len());
        for row in rows {
            actions.push(ActionRecord {
                id: row.id("id")?,
                what: open.text(&row.try_get::<String, _>("what_sealed")?).await?,
                owner: row.try_get("display_name")?,
                due_on: row.day("due_on")?,
                done: row.try_get::<Option<String>, _>("done_at")?.is_some(),
            });
        }
        Ok(actions)
    }

    async fn referrals(&self, open: &Opener<'_>, id: CaseId) -> StoreResult<Vec<ReferralRecord>> {
        let rows = sqlx::query("SELECT * FROM case_referrals WHERE case_id = $1 ORDER BY sent_on, created_at")
            .bind(id.to_string())
            .fetch_all(&self.pool)
            .await?;
        let mut referrals = Vec::with_capacity(rows.len());
        for row in rows {
            let text = |column: &'static str| row.try_get::<String, _>(column);
            referrals.push(ReferralRecord {
                id: parse_id(&text("id")?)?,
                referral: Referral {
                    agency: text("agency")?,
                    route: open.text(&text("route_sealed")?).await?,
                    sent_on: parse_date(&text("sent_on")?)?,
                    reference: open.text(&text("reference_sealed")?).await?,
                    learner_told: text("learner_told")? == "yes",
                    parent_told: text("parent_told")?,
                    not_told_why: open.text(&text("not_told_why_sealed")?).await?,
                    parallel: open.text(&text("parallel_sealed")?).await?,
                },
                feedback: Feedback {
                    outcome: text("outcome")?,
                    feedback: open.optional(row.try_get("feedback_sealed")?).await?.unwrap_or_default(),
                    channel_consent: text("channel_consent")?,
                    consent_by: text("consent_by")?,
                },
            });
        }
        Ok(referrals)
    }

    async fn disclosures(&self, open: &Opener<'_>, id: CaseId) -> StoreResult<Vec<DisclosureRecord>> {
        let rows = sqlx::query(
            "SELECT d.*, a.display_name FROM case_disclosures d LEFT JOIN accounts a ON a.id = d.authorised_by \
             WHERE d.case_id = $1 ORDER BY d.shared_on, d.created_at",
        )
        .bind(id.to_string())
        .fetch_all(&self.pool)
        .await?;
        let mut disclosures = Vec::with_capacity(rows.len());
        for row in rows {
            let text = |column: &'static str| row.try_get::<String, _>(column);
            disclosures.push(DisclosureRecord {
                disclosure: NewDisclosure {
                    recipient: open.text(&text("recipient_sealed")?).await?,
                    shared: open.text(&text("shared_sealed")?).await?,
                    purpose: open.text(&text("purpose_sealed")?).await?,
                    lawful_basis: text("lawful_basis")?,
                    shared_on: parse_date(&text("shared_on")?)?,
                },
                authorised_by: row.try_get("display_name")?,
            });
        }
        Ok(disclosures)
    }

    async fn access(&self, id: CaseId) -> StoreResult<Vec<AccessRecord>> {
        let rows = sqlx::query(
            "SELECT a.display_name, g.kind, g.expires_at FROM case_access g JOIN accounts a ON a.id = g.account_id \
             WHERE g.case_id = $1 AND (g.expires_at IS NULL OR g.expires_at > $2) ORDER BY g.kind, a.display_name",
        )
        .bind(id.to_string())
        .bind(ts(self.now()))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(AccessRecord {
                    name: row.try_get("display_name")?,
                    kind: row.try_get("kind")?,
                    expires_at: row.opt_time("expires_at")?,
                })
            })
            .collect()
    }

    /// The cases opened from a concern that the actor reaches, by id and reference.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn cases_from_concern(&self, scope: &OrgScope, concern: ConcernId) -> StoreResult<Vec<(CaseId, String)>> {
        self.cases_from(scope, &concern.to_string(), None).await
    }

    async fn cases_from(
        &self,
        scope: &OrgScope,
        concern: &str,
        except: Option<CaseId>,
    ) -> StoreResult<Vec<(CaseId, String)>> {
        let (org, account, now, lead) = viewer(scope, self.now());
        let rows = sqlx::query(sql(format!(
            "SELECT c.id, c.reference FROM cases c WHERE c.org_id = $1 AND c.concern_id = $5 AND c.id <> $6 \
             AND ({REACH}) > 0 ORDER BY c.created_at"
        )))
        .bind(org)
        .bind(account)
        .bind(now)
        .bind(lead)
        .bind(concern)
        .bind(except.map(|e| e.to_string()).unwrap_or_default())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok((r.id("id")?, r.try_get("reference")?))).collect()
    }
}

fn named_account(row: &AnyRow) -> StoreResult<(AccountId, String)> {
    Ok((row.id("id")?, row.try_get("display_name")?))
}

impl WriteTx<'_> {
    /// Opens a case for a person from a concern. The first case takes the concern's subject; another
    /// person involved in the same incident gets a case of their own, linked through the concern.
    /// A case about staff or the safeguarding team is restricted, with the person opening it named on it.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for a concern not in this organisation.
    pub async fn open_case_from_concern(&mut self, concern: ConcernId, subject: Option<&str>) -> StoreResult<CaseId> {
        let row = sqlx::query(
            "SELECT c.about_sealed, c.category, c.about_staff, c.created_at, a.display_name AS reporter, \
             p.date_of_birth, p.parent_carer_contact, p.workplace_contact FROM concerns c \
             LEFT JOIN accounts a ON a.id = c.reporter_id LEFT JOIN people p ON p.id = c.person_id \
             WHERE c.org_id = $1 AND c.id = $2",
        )
        .bind(self.org()?.to_string())
        .bind(concern.to_string())
        .fetch_optional(self.conn())
        .await?
        .found()?;
        let subject_sealed = match (subject, row.try_get::<Option<String>, _>("about_sealed")?) {
            (Some(name), _) => self.seal(name.as_bytes()).await?,
            (None, Some(sealed)) => sealed,
            (None, None) => {
                let reporter: Option<String> = row.try_get("reporter")?;
                self.seal(reporter.unwrap_or_else(|| "The person who raised the concern".into()).as_bytes()).await?
            }
        };
        let about_staff: String = row.try_get("about_staff")?;
        let raised = row.time("created_at")?;
        let id = CaseId::new();
        let now = ts(self.store().now());
        sqlx::query(
            "INSERT INTO cases (id, org_id, reference, concern_id, subject_sealed, category, about_staff, restricted, \
             status, opened_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7, 'triage', $8, $9)",
        )
        .bind(id.to_string())
        .bind(self.org()?.to_string())
        .bind(format!("S-{}", id.0.simple().to_string()[24..].to_uppercase()))
        .bind(concern.to_string())
        .bind(subject_sealed)
        .bind(row.try_get::<String, _>("category")?)
        .bind(about_staff.as_str())
        .bind(self.actor().account.map(|a| a.to_string()))
        .bind(now.as_str())
        .execute(self.conn())
        .await?;
        if about_staff == "yes"
            && let Some(account) = self.actor().account
        {
            self.grant(id, account, "named", None).await?;
        }
        let text = "Case opened from the concern as raised.";
        self.write_entry(id, "opened", raised.date(), text, None).await?;
        // The first case of a concern about someone chosen from the people register starts from the
        // register: their age on the day of the concern, and who to contact.
        if subject.is_none()
            && let Some(born) = row.try_get::<Option<String>, _>("date_of_birth")?
        {
            let under_18 = domain::people::under_18(Some(parse_date(&born)?), raised.date());
            let age = if under_18 { AgeGroup::Under18 } else { AgeGroup::Adult };
            let context = KeyContext {
                parent_carer: row.try_get("parent_carer_contact")?,
                workplace_contact: row.try_get("workplace_contact")?,
                ..KeyContext::default()
            };
            self.write_context(id, &context, age, None).await?;
        }
        self.audit(AuditEvent::new("case.opened", "case", id.0).fields(&["concern", "subject"]).case_content());
        Ok(id)
    }

    /// Opens a case for another person involved in the same incident as case `id`.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the actor does not manage case `id`.
    pub async fn open_linked_case(&mut self, id: CaseId, name: &str) -> StoreResult<CaseId> {
        let concern = self.case_concern(id, Reach::Manage).await?;
        self.open_case_from_concern(concern, Some(name)).await
    }

    /// The concern a case was opened from, when the actor reaches the case as far as `needed`.
    pub(crate) async fn case_concern(&mut self, id: CaseId, needed: Reach) -> StoreResult<ConcernId> {
        let state = self.case_state(id, needed).await?;
        state.concern.parse().map_err(|_| StoreError::Other("bad concern id".into()))
    }

    /// Adds an entry to the chronology; `corrects` names an earlier entry of the same case it corrects
    /// (that entry stays as it was).
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the actor cannot work on the case or the corrected entry is not in it.
    pub async fn add_entry(&mut self, id: CaseId, entry: &NewEntry, corrects: Option<CaseEntryId>) -> StoreResult<()> {
        let state = self.case_state(id, Reach::Work).await?;
        state.status.next(CaseEvent::Record).map_err(|e| StoreError::Conflict(e.0))?;
        if let Some(corrected) = corrects {
            let found: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM case_entries WHERE id = $1 AND case_id = $2")
                .bind(corrected.to_string())
                .bind(id.to_string())
                .fetch_one(self.conn())
                .await?;
            if found == 0 {
                return Err(StoreError::NotFound);
            }
        }
        self.write_entry(id, &entry.kind, entry.occurred_on, &entry.text, corrects).await?;
        let action = if corrects.is_some() { "case.entry_corrected" } else { "case.entry_added" };
        self.audit(AuditEvent::new(action, "case", id.0).fields(&["chronology"]).case_content());
        Ok(())
    }

    /// Records triage: the risk level (and any Prevent concern type) on the case, the rest in the chronology.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the actor cannot work on the case; `Invalid` when it is closed.
    pub async fn record_triage(&mut self, id: CaseId, triage: &Triage) -> StoreResult<()> {
        let state = self.case_state(id, Reach::Work).await?;
        state.status.next(CaseEvent::Record).map_err(|e| StoreError::Conflict(e.0))?;
        sqlx::query("UPDATE cases SET risk_level = $2, prevent_type = $3 WHERE id = $1")
            .bind(id.to_string())
            .bind(triage.risk.as_str())
            .bind(triage.prevent_type.as_str())
            .execute(self.conn())
            .await?;
        let advice = if triage.advice_from.is_empty() {
            "No advice sought.".to_owned()
        } else {
            let named = if triage.advice_named { "named" } else { "not named" };
            format!("Advice sought from {} (the person was {named}).", triage.advice_from)
        };
        let text = format!(
            "Risk level: {}.\nWhat was checked: {}\n{advice}\nOptions considered: {}",
            triage.risk.label(),
            triage.checked,
            triage.options
        );
        self.write_entry(id, "triage", self.store().now().date(), &text, None).await?;
        self.audit(
            AuditEvent::new("case.triaged", "case", id.0)
                .fields(&["risk_level", "prevent_type", "checked", "advice", "options"])
                .case_content(),
        );
        Ok(())
    }

    /// Records a decision with its reason (a decision not to refer needs one as much as a referral).
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the actor cannot work on the case; `Invalid` when it is closed.
    pub async fn record_decision(&mut self, id: CaseId, decision: &Decision) -> StoreResult<()> {
        let state = self.case_state(id, Reach::Work).await?;
        let status = state.status.next(CaseEvent::Decide).map_err(|e| StoreError::Conflict(e.0))?;
        let reason = self.seal(decision.reason.as_bytes()).await?;
        sqlx::query(
            "INSERT INTO case_decisions (id, case_id, decision, reason_sealed, decided_by, decided_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(domain::CaseEntryId::new().to_string())
        .bind(id.to_string())
        .bind(decision.decision.as_str())
        .bind(reason)
        .bind(self.actor().account.map(|a| a.to_string()))
        .bind(ts(self.store().now()))
        .execute(self.conn())
        .await?;
        let label = domain::cases::label_of("decision", &decision.decision, self.nation().await?);
        self.write_entry(
            id,
            "decision",
            self.store().now().date(),
            &format!("{label}. Reason: {}", decision.reason),
            None,
        )
        .await?;
        self.move_case(id, &state, status).await?;
        self.audit(AuditEvent::new("case.decided", "case", id.0).fields(&["decision", "reason"]).case_content());
        Ok(())
    }

    /// Adds an action with an owner from the safeguarding team and a due date: it shows in the owner's
    /// tasks as a safeguarding task, with no content.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the actor cannot work on the case; `Invalid` for an owner outside the
    /// safeguarding team, or a closed case.
    pub async fn add_action(&mut self, id: CaseId, action: &NewAction, owner: AccountId) -> StoreResult<()> {
        let state = self.case_state(id, Reach::Work).await?;
        state.status.next(CaseEvent::Record).map_err(|e| StoreError::Conflict(e.0))?;
        // Whoever manages the case gives tasks to the team (who then reach the case); anyone else only
        // takes tasks on themselves, so that nobody widens who reaches a case without managing it.
        let scope = self.scope()?;
        let team = self.store().safeguarding_team_in(&mut Reader::Tx(self.conn()), &scope).await?;
        let may_own = if state.reach == Reach::Manage {
            team.iter().any(|(member, _)| *member == owner)
        } else {
            self.actor().account == Some(owner)
        };
        if !may_own {
            return Err(StoreError::Invalid { field: "owner", message: "Choose someone in the safeguarding team" });
        }
        let what = self.seal(action.what.as_bytes()).await?;
        sqlx::query(
            "INSERT INTO case_actions (id, case_id, org_id, what_sealed, owner_id, due_on, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(CaseActionId::new().to_string())
        .bind(id.to_string())
        .bind(self.org()?.to_string())
        .bind(what)
        .bind(owner.to_string())
        .bind(date(action.due_on))
        .bind(self.actor().account.map(|a| a.to_string()))
        .bind(ts(self.store().now()))
        .execute(self.conn())
        .await?;
        if self.actor().account != Some(owner) {
            self.grant_if_absent(id, owner, "assigned").await?;
        }
        self.audit(
            AuditEvent::new("case.action_added", "case", id.0).fields(&["what", "owner", "due_on"]).case_content(),
        );
        Ok(())
    }

    /// Marks an action done.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the actor cannot work on the case or the action is not in it.
    pub async fn complete_action(&mut self, id: CaseId, action: CaseActionId) -> StoreResult<()> {
        self.case_state(id, Reach::Work).await?;
        let done =
            sqlx::query("UPDATE case_actions SET done_at = $3 WHERE id = $1 AND case_id = $2 AND done_at IS NULL")
                .bind(action.to_string())
                .bind(id.to_string())
                .bind(ts(self.store().now()))
                .execute(self.conn())
                .await?
                .rows_affected();
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        self.audit(AuditEvent::new("case.action_done", "case", id.0).fields(&["done_at"]).case_content());
        Ok(())
    }

    /// Records a referral as sent, and the disclosure it made in the information-sharing log.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the actor cannot work on the case; `Invalid` when it is closed.
    pub async fn record_referral(&mut self, id: CaseId, new: &NewReferral) -> StoreResult<ReferralId> {
        let referral = &new.referral;
        let state = self.case_state(id, Reach::Work).await?;
        let status = state.status.next(CaseEvent::Refer).map_err(|e| StoreError::Conflict(e.0))?;
        let referral_id = ReferralId::new();
        let sealed = [
            self.seal(referral.route.as_bytes()).await?,
            self.seal(referral.reference.as_bytes()).await?,
            self.seal(referral.not_told_why.as_bytes()).await?,
            self.seal(referral.parallel.as_bytes()).await?,
        ];
        let [route, reference, not_told_why, parallel] = sealed;
        sqlx::query(
            "INSERT INTO case_referrals (id, case_id, agency, route_sealed, sent_on, reference_sealed, learner_told, \
             parent_told, not_told_why_sealed, parallel_sealed, outcome, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'awaiting', $11, $12)",
        )
        .bind(referral_id.to_string())
        .bind(id.to_string())
        .bind(referral.agency.as_str())
        .bind(route)
        .bind(date(referral.sent_on))
        .bind(reference)
        .bind(yes_no(referral.learner_told))
        .bind(referral.parent_told.as_str())
        .bind(not_told_why)
        .bind(parallel)
        .bind(self.actor().account.map(|a| a.to_string()))
        .bind(ts(self.store().now()))
        .execute(self.conn())
        .await?;
        let nation = self.nation().await?;
        let agency = domain::cases::label_of("decision", &referral.agency, nation);
        let told = if referral.learner_told { "The learner was told." } else { "The learner was not told." };
        let text = format!("{agency}, sent by {}. {told}", referral.route);
        self.write_entry(id, "referral", referral.sent_on, &text, None).await?;
        let disclosure = NewDisclosure {
            recipient: format!("{agency}, by {}", referral.route),
            shared: new.shared.clone(),
            purpose: "Referral".into(),
            lawful_basis: new.lawful_basis.clone(),
            shared_on: referral.sent_on,
        };
        self.log_disclosure(id, &disclosure, None).await?;
        self.move_case(id, &state, status).await?;
        self.audit(
            AuditEvent::new("case.referred", "case", id.0)
                .fields(&["agency", "route", "sent_on", "reference", "told", "parallel"])
                .case_content(),
        );
        Ok(referral_id)
    }

    /// Records the feedback and outcome of a referral, and Channel consent apart from it.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the actor cannot work on the case or the referral is not in it.
    pub async fn record_feedback(&mut self, id: CaseId, referral: ReferralId, feedback: &Feedback) -> StoreResult<()> {
        let state = self.case_state(id, Reach::Work).await?;
        let event = if feedback.outcome == "awaiting" { CaseEvent::Record } else { CaseEvent::Feedback };
        let status = state.status.next(event).map_err(|e| StoreError::Conflict(e.0))?;
        let sealed = self.seal(feedback.feedback.as_bytes()).await?;
        let changed = sqlx::query(
            "UPDATE case_referrals SET outcome = $3, feedback_sealed = $4, channel_consent = $5, consent_by = $6 \
             WHERE id = $1 AND case_id = $2",
        )
        .bind(referral.to_string())
        .bind(id.to_string())
        .bind(feedback.outcome.as_str())
        .bind(sealed)
        .bind(feedback.channel_consent.as_str())
        .bind(feedback.consent_by.as_str())
        .execute(self.conn())
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        let nation = self.nation().await?;
        let outcome = domain::cases::label_of("outcome", &feedback.outcome, nation);
        let consent = match feedback.channel_consent.as_str() {
            "given" | "refused" => {
                format!(" Channel consent {} by the {}.", feedback.channel_consent, feedback.consent_by)
            }
            _ => String::new(),
        };
        let text = format!("Outcome: {outcome}.{consent} {}", feedback.feedback);
        self.write_entry(id, "feedback", self.store().now().date(), text.trim(), None).await?;
        self.move_case(id, &state, status).await?;
        self.audit(
            AuditEvent::new("case.referral_feedback", "case", id.0)
                .fields(&["outcome", "feedback", "channel_consent"])
                .case_content(),
        );
        Ok(())
    }

    /// Logs a disclosure in the information-sharing log, with the member of the team who authorised it. A
    /// closed case takes disclosures too: every disclosure is recorded, whenever it happens.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the actor cannot work on the case.
    pub async fn record_disclosure(
        &mut self,
        id: CaseId,
        disclosure: &NewDisclosure,
        authorised_by: AccountId,
    ) -> StoreResult<()> {
        self.case_state(id, Reach::Work).await?;
        let scope = self.scope()?;
        let team = self.store().safeguarding_team_in(&mut Reader::Tx(self.conn()), &scope).await?;
        if !team.iter().any(|(member, _)| *member == authorised_by) {
            let message = "Choose a member of the safeguarding team";
            return Err(StoreError::Invalid { field: "authorised_by", message });
        }
        self.log_disclosure(id, disclosure, Some(authorised_by)).await
    }

    /// Logs a disclosure, authorised by `authorised_by` (the actor when `None`).
    async fn log_disclosure(
        &mut self,
        id: CaseId,
        disclosure: &NewDisclosure,
        authorised_by: Option<AccountId>,
    ) -> StoreResult<()> {
        let recipient = self.seal(disclosure.recipient.as_bytes()).await?;
        let shared = self.seal(disclosure.shared.as_bytes()).await?;
        let purpose = self.seal(disclosure.purpose.as_bytes()).await?;
        sqlx::query(
            "INSERT INTO case_disclosures (id, case_id, recipient_sealed, shared_sealed, purpose_sealed, lawful_basis, \
             shared_on, authorised_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(DisclosureId::new().to_string())
        .bind(id.to_string())
        .bind(recipient)
        .bind(shared)
        .bind(purpose)
        .bind(disclosure.lawful_basis.as_str())
        .bind(date(disclosure.shared_on))
        .bind(authorised_by.or(self.actor().account).map(|a| a.to_string()))
        .bind(ts(self.store().now()))
        .execute(self.conn())
        .await?;
        let text =
            format!("Shared with {}.\nWhat: {}\nWhy: {}", disclosure.recipient, disclosure.shared, disclosure.purpose);
        self.write_entry(id, "sharing", disclosure.shared_on, &text, None).await?;
        self.audit(
            AuditEvent::new("case.information_shared", "case", id.0)
                .fields(&["recipient", "shared", "purpose", "lawful_basis"])
                .case_content(),
        );
        Ok(())
    }

    /// Records key context, the person's age group and the next review date.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the actor cannot work on the case.
    pub async fn record_context(
        &mut self,
        id: CaseId,
        context: &KeyContext,
        age: AgeGroup,
        review_on: Option<Date>,
    ) -> StoreResult<()> {
        let state = self.case_state(id, Reach::Work).await?;
        state.status.next(CaseEvent::Record).map_err(|e| StoreError::Conflict(e.0))?;
        self.write_context(id, context, age, review_on).await?;
        self.audit(
            AuditEvent::new("case.context_recorded", "case", id.0)
                .fields(&["key_context", "age_group", "review_on"])
                .case_content(),
        );
        Ok(())
    }

    /// Closes a case with its outcome and review date. A case is not closed before anything is decided.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the actor cannot work on the case; `Invalid` with no decision yet.
    pub async fn close_case(&mut self, id: CaseId, closure: &Closure) -> StoreResult<()> {
        let state = self.case_state(id, Reach::Work).await?;
        let status = state.status.next(CaseEvent::Close).map_err(|e| StoreError::Conflict(e.0))?;
        let decided: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM case_decisions WHERE case_id = $1")
            .bind(id.to_string())
            .fetch_one(self.conn())
            .await?;
        if decided == 0 {
            return Err(StoreError::Conflict("Record a decision and its reason before closing the case"));
        }
        let outcome = self.seal(closure.outcome.as_bytes()).await?;
        sqlx::query("UPDATE cases SET outcome_sealed = $2, closed_at = $3, review_on = $4 WHERE id = $1")
            .bind(id.to_string())
            .bind(outcome)
            .bind(ts(self.store().now()))
            .bind(closure.review_on.map(date))
            .execute(self.conn())
            .await?;
        self.write_entry(id, "closure", self.store().now().date(), &closure.outcome, None).await?;
        self.move_case(id, &state, status).await?;
        self.audit(AuditEvent::new("case.closed", "case", id.0).fields(&["outcome", "review_on"]).case_content());
        Ok(())
    }

    /// Reopens a closed case.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the actor cannot work on the case; `Invalid` when it is not closed.
    pub async fn reopen_case(&mut self, id: CaseId, why: &str) -> StoreResult<()> {
        let state = self.case_state(id, Reach::Work).await?;
        let status = state.status.next(CaseEvent::Reopen).map_err(|e| StoreError::Conflict(e.0))?;
        sqlx::query("UPDATE cases SET closed_at = NULL WHERE id = $1")
            .bind(id.to_string())
            .execute(self.conn())
            .await?;
        self.write_entry(id, "reopened", self.store().now().date(), why, None).await?;
        self.move_case(id, &state, status).await?;
        self.audit(AuditEvent::new("case.reopened", "case", id.0).fields(&["status"]).case_content());
        Ok(())
    }

    /// Gives a colleague access: `assigned` (an officer works on it), `named` (on a restricted case) or
    /// `shared` (they read it until `until`). Restricting a case names the actor on it first, so that nobody
    /// locks themselves out.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the actor does not manage the case; `Invalid` for an officer outside
    /// the team, or a share without an end within [`domain::cases::LONGEST_SHARE`].
    pub async fn give_access(
        &mut self,
        id: CaseId,
        account: AccountId,
        kind: &str,
        until: Option<OffsetDateTime>,
    ) -> StoreResult<()> {
        self.case_state(id, Reach::Manage).await?;
        let scope = self.scope()?;
        let eligible = match kind {
            "assigned" => {
                let team = self.store().safeguarding_team_in(&mut Reader::Tx(self.conn()), &scope).await?;
                team.iter().any(|(member, _)| *member == account)
            }
            _ => {
                let member = self.store().member_in(&mut Reader::Tx(self.conn()), &scope, account).await;
                member.ok().is_some_and(|m| m.disabled_at.is_none())
            }
        };
        if !eligible {
            return Err(StoreError::Invalid {
                field: "account",
                message: "Choose a colleague who can be given this access",
            });
        }
        let until = match (kind, until) {
            ("shared", Some(until))
                if until > self.store().now() && until <= self.store().now() + domain::cases::LONGEST_SHARE =>
            {
                Some(until)
            }
            ("shared", _) => {
                return Err(StoreError::Invalid { field: "until", message: "A share must end within 30 days" });
            }
            ("assigned" | "named", _) => None,
            _ => return Err(StoreError::Invalid { field: "kind", message: "Choose the kind of access" }),
        };
        sqlx::query("DELETE FROM case_access WHERE case_id = $1 AND account_id = $2 AND kind = $3")
            .bind(id.to_string())
            .bind(account.to_string())
            .bind(kind)
            .execute(self.conn())
            .await?;
        self.grant(id, account, kind, until).await?;
        self.audit(
            AuditEvent::new("case.access_given", "case", id.0)
                .fields(&["account", "kind", "expires_at"])
                .case_content(),
        );
        Ok(())
    }

    /// Restricts a case (only named people reach it) or lifts the restriction.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the actor does not manage the case.
    pub async fn restrict_case(&mut self, id: CaseId, restricted: bool) -> StoreResult<()> {
        self.case_state(id, Reach::Manage).await?;
        if restricted && let Some(account) = self.actor().account {
            self.grant_if_absent(id, account, "named").await?;
        }
        sqlx::query("UPDATE cases SET restricted = $2 WHERE id = $1")
            .bind(id.to_string())
            .bind(yes_no(restricted))
            .execute(self.conn())
            .await?;
        self.audit(AuditEvent::new("case.restriction_changed", "case", id.0).fields(&["restricted"]).case_content());
        Ok(())
    }

    /// Break-glass: the senior leader named in the registry today opens the caseload (not restricted cases)
    /// for [`domain::cases::BREAK_GLASS_FOR`], with a reason. Answers when it ends.
    ///
    /// # Errors
    /// `Invalid` for anyone but today's senior leader.
    pub async fn break_glass(&mut self, reason: &str) -> StoreResult<OffsetDateTime> {
        let scope = self.scope()?;
        let account = self.actor().account.ok_or(StoreError::NotFound)?;
        if !self.store().may_break_glass_in(&mut Reader::Tx(self.conn()), &scope).await? {
            return Err(StoreError::Conflict("Only the senior leader named in the role registry today can do this"));
        }
        let until = self.store().now() + domain::cases::BREAK_GLASS_FOR;
        let reason = self.seal(reason.as_bytes()).await?;
        sqlx::query(
            "INSERT INTO break_glass (id, org_id, account_id, reason_sealed, started_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(CaseEntryId::new().to_string())
        .bind(self.org()?.to_string())
        .bind(account.to_string())
        .bind(reason)
        .bind(ts(self.store().now()))
        .bind(ts(until))
        .execute(self.conn())
        .await?;
        self.audit(
            AuditEvent::new("case.break_glass", "account", account.0).fields(&["reason", "expires_at"]).case_content(),
        );
        Ok(until)
    }

    async fn write_context(
        &mut self,
        id: CaseId,
        context: &KeyContext,
        age: AgeGroup,
        review_on: Option<Date>,
    ) -> StoreResult<()> {
        let json = serde_json::to_string(context).map_err(|e| StoreError::Other(e.to_string()))?;
        let sealed = self.seal(json.as_bytes()).await?;
        sqlx::query("UPDATE cases SET context_sealed = $2, age_group = $3, review_on = $4 WHERE id = $1")
            .bind(id.to_string())
            .bind(sealed)
            .bind(age.as_str())
            .bind(review_on.map(date))
            .execute(self.conn())
            .await?;
        Ok(())
    }

    async fn case_state(&mut self, id: CaseId, needed: Reach) -> StoreResult<CaseState> {
        let scope = self.scope()?;
        let (org, account, now, lead) = viewer(&scope, self.store().now());
        let row = sqlx::query(sql(format!(
            "SELECT c.status, c.concern_id, {REACH} AS reach FROM cases c WHERE c.org_id = $1 AND c.id = $5"
        )))
        .bind(org)
        .bind(account)
        .bind(now)
        .bind(lead)
        .bind(id.to_string())
        .fetch_optional(self.conn())
        .await?
        .found()?;
        let reach = reach_of(row.try_get("reach")?).ok_or(StoreError::NotFound)?;
        if reach < needed {
            return Err(StoreError::NotFound);
        }
        Ok(CaseState {
            status: CaseStatus::parse(&row.try_get::<String, _>("status")?)
                .map_err(|_| StoreError::Other("bad status".into()))?,
            reach,
            concern: row.try_get("concern_id")?,
        })
    }

    /// Moves the case, and the reporter's view of its concern: closed once every case from it is closed.
    async fn move_case(&mut self, id: CaseId, state: &CaseState, to: CaseStatus) -> StoreResult<()> {
        if state.status == to {
            return Ok(());
        }
        sqlx::query("UPDATE cases SET status = $2 WHERE id = $1")
            .bind(id.to_string())
            .bind(to.as_str())
            .execute(self.conn())
            .await?;
        sqlx::query(
            "UPDATE concerns SET status = CASE WHEN EXISTS (SELECT 1 FROM cases c WHERE c.concern_id = concerns.id \
             AND c.status <> 'closed') THEN 'being_handled' ELSE 'closed' END WHERE id = $1",
        )
        .bind(state.concern.as_str())
        .execute(self.conn())
        .await?;
        Ok(())
    }

    async fn write_entry(
        &mut self,
        id: CaseId,
        kind: &str,
        occurred_on: Date,
        text: &str,
        corrects: Option<CaseEntryId>,
    ) -> StoreResult<()> {
        let sealed = self.seal(text.as_bytes()).await?;
        sqlx::query(
            "INSERT INTO case_entries (id, case_id, kind, occurred_on, text_sealed, corrects_id, author_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(CaseEntryId::new().to_string())
        .bind(id.to_string())
        .bind(kind)
        .bind(date(occurred_on))
        .bind(sealed)
        .bind(corrects.map(|c| c.to_string()))
        .bind(self.actor().account.map(|a| a.to_string()))
        .bind(ts(self.store().now()))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    async fn grant(
        &mut self,
        id: CaseId,
        account: AccountId,
        kind: &str,
        until: Option<OffsetDateTime>,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO case_access (case_id, account_id, kind, expires_at, granted_by, granted_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id.to_string())
        .bind(account.to_string())
        .bind(kind)
        .bind(until.map(ts))
        .bind(self.actor().account.map(|a| a.to_string()))
        .bind(ts(self.store().now()))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    async fn grant_if_absent(&mut self, id: CaseId, account: AccountId, kind: &str) -> StoreResult<()> {
        let held: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM case_access WHERE case_id = $1 AND account_id = $2 AND kind = $3")
                .bind(id.to_string())
                .bind(account.to_string())
                .bind(kind)
                .fetch_one(self.conn())
                .await?;
        if held == 0 {
            self.grant(id, account, kind, None).await?;
        }
        Ok(())
    }

    async fn nation(&mut self) -> StoreResult<domain::org::Nation> {
        let scope = self.scope()?;
        Ok(self.store().organisation_in(&mut Reader::Tx(self.conn()), scope.org()).await?.nation)
    }
}

/// Who reviews safeguarding cases that are not restricted.
const LEADS: &[Role] = &[Role::SafeguardingLead];

/// Open actions in safeguarding cases, for their owners. Titles carry no content: the link leads to the
/// case, which checks who reaches it.
pub(crate) struct CaseActions;

impl Source for CaseActions {
    fn items<'a>(&'a self, store: &'a Store, scope: &'a OrgScope, whose: &'a Whose<'a>, horizon: Date) -> Items<'a> {
        Box::pin(async move {
            let rows = sqlx::query(
                "SELECT t.case_id, t.owner_id, t.due_on, c.reference FROM case_actions t \
                 JOIN cases c ON c.id = t.case_id WHERE t.org_id = $1 AND t.done_at IS NULL \
                 AND c.status <> 'closed' AND t.due_on <= $2 AND ($3 = '' OR t.owner_id = $3) \
                 ORDER BY t.due_on",
            )
            .bind(scope.org().to_string())
            .bind(date(horizon))
            .bind(whose.account())
            .fetch_all(&store.pool)
            .await?;
            rows.iter()
                .map(|row| {
                    Ok(DueItem {
                        source: "case_action",
                        title: format!("Safeguarding task in case {}", row.try_get::<String, _>("reference")?),
                        due_on: row.day("due_on")?,
                        link: format!("/cases/{}", row.try_get::<String, _>("case_id")?),
                        owner: Owner::Account(row.id("owner_id")?),
                    })
                })
                .collect()
        })
    }
}

/// Open cases past their review date, for the leads, and restricted ones for the people named on them.
pub(crate) struct CaseReviews;

impl Source for CaseReviews {
    fn items<'a>(&'a self, store: &'a Store, scope: &'a OrgScope, whose: &'a Whose<'a>, horizon: Date) -> Items<'a> {
        Box::pin(async move {
            let rows = sqlx::query(
                "SELECT c.id, c.reference, c.review_on, g.account_id FROM cases c \
                 LEFT JOIN case_access g ON g.case_id = c.id AND g.kind = 'named' AND c.restricted = 'yes' \
                 WHERE c.org_id = $1 AND c.status <> 'closed' AND c.review_on IS NOT NULL AND c.review_on <= $2 \
                 AND ((c.restricted = 'no' AND $3 = 'yes') \
                 OR (g.account_id IS NOT NULL AND ($4 = '' OR g.account_id = $4))) \
                 ORDER BY c.review_on",
            )
            .bind(scope.org().to_string())
            .bind(date(horizon))
            .bind(whose.takes_sql(LEADS))
            .bind(whose.account())
            .fetch_all(&store.pool)
            .await?;
            rows.iter()
                .map(|row| {
                    let owner = match row.try_get::<Option<String>, _>("account_id")? {
                        Some(named) => Owner::Account(parse_id(&named)?),
                        None => Owner::Roles(LEADS),
                    };
                    Ok(DueItem {
                        source: "case_review",
                        title: format!("Review safeguarding case {}", row.try_get::<String, _>("reference")?),
                        due_on: row.day("review_on")?,
                        link: format!("/cases/{}", row.try_get::<String, _>("id")?),
                        owner,
                    })
                })
                .collect()
        })
    }
}
