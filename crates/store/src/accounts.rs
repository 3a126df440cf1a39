//! Accounts, their memberships of organisations, and the roles they hold there.
//!
//! Separation of duties is enforced here, below every caller: nobody grants a role to themselves, and once
//! an organisation has a safeguarding lead, a safeguarding role is only granted when another lead confirms.

use crate::audit::Page;
use crate::db::Reader;
use crate::db::RowExt;
use crate::db::{date, parse_date, parse_id, ts};
use crate::error::{OptionalExt, StoreError, StoreResult};
use crate::scope::{ActorKind, OrgScope};
use crate::{Store, WriteTx, secrets};
use domain::audit::AuditEvent;
use domain::roles::Role;
use domain::text::{Email, Name, NewPassword};
use domain::{AccountId, ConfirmationId, MembershipId, OrgId, RoleGrantId};
use serde::Serialize;
use sqlx::Row;
use time::{Date, OffsetDateTime};

/// A role held by a member, with its end date if it has one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeldRole {
    pub role: Role,
    pub ends_on: Option<Date>,
}

/// A member of an organisation, as administrators see them.
#[derive(Debug, Clone, Serialize)]
pub struct Member {
    pub account_id: AccountId,
    pub email: String,
    pub display_name: String,
    pub roles: Vec<HeldRole>,
    pub second_factor: bool,
    #[serde(with = "time::serde::rfc3339::option")]
    pub disabled_at: Option<OffsetDateTime>,
}

/// What happened to a request for a role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantOutcome {
    Granted,
    /// The role is a safeguarding role: a safeguarding lead must confirm it.
    AwaitingConfirmation,
}

/// An administrator's change to someone else's sign-in details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountReset {
    /// Remove the authenticator and recovery codes: the person enrols again at their next sign-in.
    SecondFactor,
    /// Email the person a password-reset link.
    Password,
    /// Change the email address the person signs in with.
    Email(Email),
}

impl AccountReset {
    fn kind(&self) -> &'static str {
        match self {
            AccountReset::SecondFactor => "reset_second_factor",
            AccountReset::Password => "reset_password",
            AccountReset::Email(_) => "change_email",
        }
    }
}

/// What happened to a request for a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeOutcome {
    /// Done. For a password reset, the link's token, to be emailed in the same transaction.
    Done { password_link: Option<String> },
    /// The account holds a safeguarding role: a safeguarding lead must confirm the change.
    AwaitingConfirmation,
}

/// A change waiting for a safeguarding lead.
#[derive(Debug, Clone, Serialize)]
pub struct Confirmation {
    pub id: ConfirmationId,
    /// `grant_role`, `reset_second_factor`, `reset_password` or `change_email`.
    pub kind: String,
    pub account_id: AccountId,
    pub email: String,
    pub display_name: String,
    pub role: Option<Role>,
    pub role_ends_on: Option<Date>,
    pub new_email: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub requested_at: OffsetDateTime,
    pub requested_by: Option<AccountId>,
}

/// Why the safeguarding lead's role cannot be given like other roles.
pub(crate) const REGISTRY_GRANTS_LEAD: &str =
    "Appoint a safeguarding lead or deputy in the role registry: holding the post gives the role for its dates";

/// The SQL condition for a row of `effective_roles` in force today ($today as a date).
const IN_FORCE: &str = "revoked_at IS NULL AND starts_on <= $today AND (ends_on IS NULL OR ends_on >= $today)";

pub(crate) fn in_force(param: &str) -> String {
    IN_FORCE.replace("$today", param)
}

impl Store {
    /// How many members the organisation has, counting no further than `up_to`: enough to say whether
    /// there are some, at a cost that does not grow with the organisation.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn members_up_to(&self, scope: &OrgScope, up_to: i64) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM (SELECT 1 FROM memberships WHERE org_id = $1 LIMIT $2) AS some_members",
        )
        .bind(scope.org().to_string())
        .bind(up_to)
        .fetch_one(&self.pool)
        .await?)
    }

    /// The members' names, as (account id, name) in name order, at most `limit`: for choosing a person.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn member_names(&self, scope: &OrgScope, limit: i64) -> StoreResult<Vec<(String, String)>> {
        Ok(sqlx::query_as(
            "SELECT a.id, a.display_name FROM memberships m JOIN accounts a ON a.id = m.account_id \
             WHERE m.org_id = $1 ORDER BY a.display_name, a.email LIMIT $2",
        )
        .bind(scope.org().to_string())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// A page of the organisation's members with their roles, in two queries whatever the page size.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn members_page(&self, scope: &OrgScope, page: u32, per_page: u32) -> StoreResult<Page<Member>> {
        let org = scope.org().to_string();
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM memberships WHERE org_id = $1")
            .bind(org.as_str())
            .fetch_one(&self.pool)
            .await?;
        let page = page.max(1);
        let rows = sqlx::query(
            "SELECT a.id, a.email, a.display_name, a.totp_confirmed_at, m.disabled_at \
             FROM memberships m JOIN accounts a ON a.id = m.account_id WHERE m.org_id = $1 \
             ORDER BY a.display_name, a.email LIMIT $2 OFFSET $3",
        )
        .bind(org.as_str())
        .bind(i64::from(per_page))
        .bind(i64::from(per_page) * i64::from(page - 1))
        .fetch_all(&self.pool)
        .await?;
        let mut members = rows
            .iter()
            .map(|row| {
                Ok(Member {
                    account_id: row.id("id")?,
                    email: row.try_get("email")?,
                    display_name: row.try_get("display_name")?,
                    roles: Vec::new(),
                    second_factor: row.try_get::<Option<String>, _>("totp_confirmed_at")?.is_some(),
                    disabled_at: row.opt_time("disabled_at")?,
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        let ids: Vec<AccountId> = members.iter().map(|m| m.account_id).collect();
        let roles = self.roles_of(scope.org(), &ids).await?;
        for member in &mut members {
            member.roles =
                roles.iter().filter(|(id, _)| *id == member.account_id).map(|(_, held)| held.clone()).collect();
        }
        Ok(Page { items: members, page, per_page, total })
    }

    /// One member of the organisation; another organisation's account is "not found".
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the account is not a member.
    pub async fn member(&self, scope: &OrgScope, account: AccountId) -> StoreResult<Member> {
        self.member_in(&mut Reader::Pool(&self.pool), scope, account).await
    }

    pub(crate) async fn member_in(
        &self,
        db: &mut Reader<'_>,
        scope: &OrgScope,
        account: AccountId,
    ) -> StoreResult<Member> {
        let row = db
            .fetch_optional(
                sqlx::query(
                    "SELECT a.id, a.email, a.display_name, a.totp_confirmed_at, m.disabled_at \
             FROM memberships m JOIN accounts a ON a.id = m.account_id WHERE m.org_id = $1 AND a.id = $2",
                )
                .bind(scope.org().to_string())
                .bind(account.to_string()),
            )
            .await?
            .found()?;
        let roles = self.roles_in(db, scope.org(), &[account]).await?;
        Ok(Member {
            account_id: account,
            email: row.try_get("email")?,
            display_name: row.try_get("display_name")?,
            roles: roles.into_iter().map(|(_, held)| held).collect(),
            second_factor: row.try_get::<Option<String>, _>("totp_confirmed_at")?.is_some(),
            disabled_at: row.opt_time("disabled_at")?,
        })
    }

    /// The roles in force today for some accounts of one organisation, in one query.
    pub(crate) async fn roles_of(&self, org: OrgId, accounts: &[AccountId]) -> StoreResult<Vec<(AccountId, HeldRole)>> {
        self.roles_in(&mut Reader::Pool(&self.pool), org, accounts).await
    }

    pub(crate) async fn roles_in(
        &self,
        db: &mut Reader<'_>,
        org: OrgId,
        accounts: &[AccountId],
    ) -> StoreResult<Vec<(AccountId, HeldRole)>> {
        if accounts.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> = (0..accounts.len()).map(|i| format!("${}", i + 3)).collect();
        let text = format!(
            "SELECT account_id, role, ends_on FROM effective_roles WHERE org_id = $1 AND {} \
             AND account_id IN ({}) ORDER BY role",
            in_force("$2"),
            placeholders.join(", ")
        );
        let mut query = sqlx::query(crate::db::sql(text)).bind(org.to_string()).bind(date(self.now().date()));
        for account in accounts {
            query = query.bind(account.to_string());
        }
        let rows = db.fetch_all(query).await?;
        let mut held = rows
            .iter()
            .map(|row| {
                let role = Role::parse(&row.try_get::<String, _>("role")?)
                    .map_err(|_| StoreError::Other("bad role in database".into()))?;
                Ok((row.id("account_id")?, HeldRole { role, ends_on: row.opt_day("ends_on")? }))
            })
            .collect::<StoreResult<Vec<_>>>()?;
        held.sort_by_key(|(id, h)| (*id, h.role));
        held.dedup_by(|a, b| a.0 == b.0 && a.1.role == b.1.role);
        Ok(held)
    }

    /// Changes waiting for a safeguarding lead's confirmation.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn pending_confirmations(&self, scope: &OrgScope) -> StoreResult<Vec<Confirmation>> {
        let rows = sqlx::query(
            "SELECT c.id, c.kind, c.account_id, a.email, a.display_name, c.role, c.role_ends_on, c.new_email, \
             c.requested_at, c.requested_by FROM confirmations c JOIN accounts a ON a.id = c.account_id \
             WHERE c.org_id = $1 AND c.decided_at IS NULL ORDER BY c.requested_at",
        )
        .bind(scope.org().to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Confirmation {
                    id: row.id("id")?,
                    kind: row.try_get("kind")?,
                    account_id: row.id("account_id")?,
                    email: row.try_get("email")?,
                    display_name: row.try_get("display_name")?,
                    role: row.try_get::<Option<String>, _>("role")?.and_then(|r| Role::parse(&r).ok()),
                    new_email: row.try_get("new_email")?,
                    role_ends_on: row
                        .try_get::<Option<String>, _>("role_ends_on")?
                        .map(|d| parse_date(&d))
                        .transpose()?,
                    requested_at: row.time("requested_at")?,
                    requested_by: row
                        .try_get::<Option<String>, _>("requested_by")?
                        .map(|t| parse_id(&t))
                        .transpose()?,
                })
            })
            .collect()
    }

    /// The email addresses of the organisation's safeguarding leads, for notifications that carry no content.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn safeguarding_lead_emails(&self, scope: &OrgScope) -> StoreResult<Vec<String>> {
        self.safeguarding_lead_emails_in(&mut Reader::Pool(&self.pool), scope).await
    }

    pub(crate) async fn safeguarding_lead_emails_in(
        &self,
        db: &mut Reader<'_>,
        scope: &OrgScope,
    ) -> StoreResult<Vec<String>> {
        let text = format!(
            "SELECT DISTINCT a.email FROM effective_roles g JOIN accounts a ON a.id = g.account_id \
             JOIN memberships m ON m.account_id = g.account_id AND m.org_id = g.org_id \
             WHERE g.org_id = $1 AND g.role = 'safeguarding_lead' AND m.disabled_at IS NULL AND {}",
            in_force("$2")
                .replace("revoked_at", "g.revoked_at")
                .replace("starts_on", "g.starts_on")
                .replace("ends_on", "g.ends_on")
        );
        let query = sqlx::query(crate::db::sql(text)).bind(scope.org().to_string()).bind(date(self.now().date()));
        let rows = db.fetch_all(query).await?;
        Ok(rows.iter().map(|row| row.try_get("email")).collect::<Result<_, _>>()?)
    }
}

/// A new account's details, already validated.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub email: Email,
    pub display_name: Name,
    pub password: NewPassword,
}

impl WriteTx<'_> {
    /// Creates an account (hashing its password) and makes it a member of the transaction's organisation.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] on the `email` field when an account already uses the address.
    pub async fn create_member(&mut self, new: &NewAccount) -> StoreResult<AccountId> {
        let password_hash = hash_off_thread(new.password.expose().to_owned()).await?;
        let account = self.insert_account(new, &password_hash).await?;
        self.add_membership(account).await?;
        Ok(account)
    }

    pub(crate) async fn insert_account(&mut self, new: &NewAccount, password_hash: &str) -> StoreResult<AccountId> {
        let exists: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM accounts WHERE email = $1")
            .bind(new.email.as_str())
            .fetch_one(self.conn())
            .await?;
        if exists > 0 {
            return Err(StoreError::Invalid { field: "email", message: "An account already uses this email address" });
        }
        let id = AccountId::new();
        sqlx::query(
            "INSERT INTO accounts (id, email, display_name, password_hash, failed_sign_ins, created_at) \
             VALUES ($1, $2, $3, $4, 0, $5)",
        )
        .bind(id.to_string())
        .bind(new.email.as_str())
        .bind(new.display_name.as_str())
        .bind(password_hash)
        .bind(ts(self.store().now()))
        .execute(self.conn())
        .await?;
        Ok(id)
    }

    /// Makes an existing account a member of the transaction's organisation.
    pub(crate) async fn add_membership(&mut self, account: AccountId) -> StoreResult<()> {
        let org = self.org()?;
        let id = MembershipId::new();
        let inserted = sqlx::query(
            "INSERT INTO memberships (id, org_id, account_id, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (org_id, account_id) DO NOTHING",
        )
        .bind(id.to_string())
        .bind(org.to_string())
        .bind(account.to_string())
        .bind(ts(self.store().now()))
        .execute(self.conn())
        .await?
        .rows_affected();
        if inserted > 0 {
            self.audit(AuditEvent::new("membership.created", "account", account.0));
        }
        Ok(())
    }

    /// Gives a member a role. A safeguarding role waits for a lead's confirmation when the organisation
    /// already has a lead and the request does not come from the operator's command line.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] for a grant to oneself or an inspector grant without an end date.
    pub async fn grant_role(
        &mut self,
        account: AccountId,
        role: Role,
        ends_on: Option<Date>,
    ) -> StoreResult<GrantOutcome> {
        if self.actor().account == Some(account) {
            return Err(StoreError::Conflict("You cannot give a role to yourself"));
        }
        if !role.granted_directly() && self.actor().kind != ActorKind::Operator {
            return Err(StoreError::Conflict(REGISTRY_GRANTS_LEAD));
        }
        if role.requires_end_date() && ends_on.is_none() {
            return Err(StoreError::Conflict("An inspector's access must have an end date"));
        }
        if ends_on.is_some_and(|d| d < self.store().now().date()) {
            return Err(StoreError::Conflict("The end date must be today or in the future"));
        }
        self.require_member(account).await?;
        if self.lead_must_confirm(role.is_safeguarding()).await? {
            self.request_confirmation("grant_role", account, Some((role, ends_on)), None).await?;
            return Ok(GrantOutcome::AwaitingConfirmation);
        }
        self.insert_grant(account, role, ends_on).await?;
        Ok(GrantOutcome::Granted)
    }

    async fn insert_grant(&mut self, account: AccountId, role: Role, ends_on: Option<Date>) -> StoreResult<()> {
        let org = self.org()?;
        // A new grant replaces one in force, so that changing an end date is one step.
        sqlx::query(
            "UPDATE role_grants SET revoked_at = $4 WHERE org_id = $1 AND account_id = $2 AND role = $3 \
             AND revoked_at IS NULL",
        )
        .bind(org.to_string())
        .bind(account.to_string())
        .bind(role.as_str())
        .bind(ts(self.store().now()))
        .execute(self.conn())
        .await?;
        let id = RoleGrantId::new();
        sqlx::query(
            "INSERT INTO role_grants (id, org_id, account_id, role, ends_on, granted_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id.to_string())
        .bind(org.to_string())
        .bind(account.to_string())
        .bind(role.as_str())
        .bind(ends_on.map(date))
        .bind(ts(self.store().now()))
        .execute(self.conn())
        .await?;
        self.audit(AuditEvent::new("role.granted", "account", account.0).fields(&["role", "ends_on"]));
        Ok(())
    }

    /// Takes a role away from a member.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when removing one's own administrator role, which could leave nobody able
    /// to manage the organisation; [`StoreError::NotFound`] when the member does not hold the role.
    pub async fn revoke_role(&mut self, account: AccountId, role: Role) -> StoreResult<()> {
        let org = self.org()?;
        if self.actor().account == Some(account) && role == Role::Admin {
            return Err(StoreError::Conflict("You cannot remove your own administrator role"));
        }
        let changed = sqlx::query(
            "UPDATE role_grants SET revoked_at = $4 WHERE org_id = $1 AND account_id = $2 AND role = $3 \
             AND revoked_at IS NULL",
        )
        .bind(org.to_string())
        .bind(account.to_string())
        .bind(role.as_str())
        .bind(ts(self.store().now()))
        .execute(self.conn())
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        self.audit(AuditEvent::new("role.revoked", "account", account.0).fields(&["role"]));
        Ok(())
    }

    /// Disables a member: their sessions in this organisation end and their API tokens are revoked at once.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] for one's own account; [`StoreError::NotFound`] for a non-member.
    pub async fn disable_member(&mut self, account: AccountId) -> StoreResult<()> {
        let org = self.org()?.to_string();
        if self.actor().account == Some(account) {
            return Err(StoreError::Conflict("You cannot disable your own account"));
        }
        let now = ts(self.store().now());
        let changed = sqlx::query(
            "UPDATE memberships SET disabled_at = $3 WHERE org_id = $1 AND account_id = $2 AND disabled_at IS NULL",
        )
        .bind(org.as_str())
        .bind(account.to_string())
        .bind(now.as_str())
        .execute(self.conn())
        .await?
        .rows_affected();
        if changed == 0 {
            self.require_member(account).await?;
            return Ok(());
        }
        sqlx::query("UPDATE sessions SET ended_at = $3 WHERE org_id = $1 AND account_id = $2 AND ended_at IS NULL")
            .bind(org.as_str())
            .bind(account.to_string())
            .bind(now.as_str())
            .execute(self.conn())
            .await?;
        sqlx::query(
            "UPDATE api_tokens SET revoked_at = $3 WHERE org_id = $1 AND account_id = $2 AND revoked_at IS NULL",
        )
        .bind(org.as_str())
        .bind(account.to_string())
        .bind(now.as_str())
        .execute(self.conn())
        .await?;
        self.audit(AuditEvent::new("membership.disabled", "account", account.0).fields(&["disabled_at"]));
        Ok(())
    }

    /// Enables a disabled member again.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for a non-member.
    pub async fn enable_member(&mut self, account: AccountId) -> StoreResult<()> {
        self.require_member(account).await?;
        sqlx::query("UPDATE memberships SET disabled_at = NULL WHERE org_id = $1 AND account_id = $2")
            .bind(self.org()?.to_string())
            .bind(account.to_string())
            .execute(self.conn())
            .await?;
        self.audit(AuditEvent::new("membership.enabled", "account", account.0).fields(&["disabled_at"]));
        Ok(())
    }

    /// Resets another member's second factor, emails them a password link, or changes their email address.
    /// For an account holding a safeguarding role, the change waits for a safeguarding lead's confirmation.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] for one's own account or an account shared with another organisation (whose
    /// security this organisation must not change); [`StoreError::Invalid`] for an email in use.
    pub async fn reset_account(&mut self, account: AccountId, reset: AccountReset) -> StoreResult<ChangeOutcome> {
        if self.actor().account == Some(account) {
            return Err(StoreError::Conflict("Change your own details from your account page"));
        }
        self.require_member(account).await?;
        let organisations: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM memberships WHERE account_id = $1")
            .bind(account.to_string())
            .fetch_one(self.conn())
            .await?;
        if organisations > 1 && reset != AccountReset::Password {
            return Err(StoreError::Conflict(
                "This account also belongs to another organisation: only its owner can change this",
            ));
        }
        if let AccountReset::Email(email) = &reset {
            self.require_unused_email(email.as_str()).await?;
        }
        let holds_safeguarding_role = {
            let (store, org) = (self.store(), self.org()?);
            store.roles_in(&mut Reader::Tx(self.conn()), org, &[account]).await?
        }
        .iter()
        .any(|(_, held)| held.role.is_safeguarding())
            || {
                let (store, org) = (self.store(), self.org()?);
                store.holds_leadership_post_in(&mut Reader::Tx(self.conn()), org, account).await?
            };
        if self.lead_must_confirm(holds_safeguarding_role).await? {
            let new_email = match &reset {
                AccountReset::Email(email) => Some(email.as_str().to_owned()),
                _ => None,
            };
            self.request_confirmation(reset.kind(), account, None, new_email).await?;
            return Ok(ChangeOutcome::AwaitingConfirmation);
        }
        let password_link = self.apply_reset(account, &reset).await?;
        Ok(ChangeOutcome::Done { password_link })
    }

    async fn apply_reset(&mut self, account: AccountId, reset: &AccountReset) -> StoreResult<Option<String>> {
        let now = ts(self.store().now());
        match reset {
            AccountReset::SecondFactor => {
                sqlx::query(
                    "UPDATE accounts SET totp_secret = NULL, totp_confirmed_at = NULL, totp_last_step = NULL, \
                     failed_codes = 0, codes_locked_until = NULL WHERE id = $1",
                )
                .bind(account.to_string())
                .execute(self.conn())
                .await?;
                sqlx::query("DELETE FROM recovery_codes WHERE account_id = $1")
                    .bind(account.to_string())
                    .execute(self.conn())
                    .await?;
                self.end_sessions_of(account, &now).await?;
                self.audit(
                    AuditEvent::new("second_factor.reset", "account", account.0)
                        .fields(&["totp_secret", "recovery_codes"]),
                );
                Ok(None)
            }
            AccountReset::Password => {
                let token = self.insert_password_reset(account).await?;
                self.audit(AuditEvent::new("password.reset_requested", "account", account.0));
                Ok(Some(token))
            }
            AccountReset::Email(email) => {
                self.require_unused_email(email.as_str()).await?;
                sqlx::query("UPDATE accounts SET email = $2 WHERE id = $1")
                    .bind(account.to_string())
                    .bind(email.as_str())
                    .execute(self.conn())
                    .await?;
                self.end_sessions_of(account, &now).await?;
                self.audit(AuditEvent::new("account.email_changed", "account", account.0).fields(&["email"]));
                Ok(None)
            }
        }
    }

    async fn require_unused_email(&mut self, email: &str) -> StoreResult<()> {
        let used: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM accounts WHERE email = $1")
            .bind(email)
            .fetch_one(self.conn())
            .await?;
        if used > 0 {
            return Err(StoreError::Invalid { field: "email", message: "An account already uses this email address" });
        }
        Ok(())
    }

    pub(crate) async fn end_sessions_of(&mut self, account: AccountId, now: &str) -> StoreResult<()> {
        sqlx::query("UPDATE sessions SET ended_at = $2 WHERE account_id = $1 AND ended_at IS NULL")
            .bind(account.to_string())
            .bind(now)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// Whether a change touching safeguarding access must wait for a safeguarding lead: it must unless it
    /// comes from the operator's command line or from a lead, or the organisation has no lead yet (set-up).
    async fn lead_must_confirm(&mut self, touches_safeguarding: bool) -> StoreResult<bool> {
        Ok(touches_safeguarding
            && self.actor().kind != ActorKind::Operator
            && !self.actor().roles.contains(&Role::SafeguardingLead)
            && self.has_safeguarding_lead().await?)
    }

    async fn request_confirmation(
        &mut self,
        kind: &'static str,
        account: AccountId,
        role: Option<(Role, Option<Date>)>,
        new_email: Option<String>,
    ) -> StoreResult<()> {
        let id = ConfirmationId::new();
        sqlx::query(
            "INSERT INTO confirmations (id, org_id, kind, account_id, role, role_ends_on, new_email, requested_by, \
             requested_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(id.to_string())
        .bind(self.org()?.to_string())
        .bind(kind)
        .bind(account.to_string())
        .bind(role.map(|(r, _)| r.as_str()))
        .bind(role.and_then(|(_, ends)| ends).map(date))
        .bind(new_email)
        .bind(self.actor().account.map(|a| a.to_string()))
        .bind(ts(self.store().now()))
        .execute(self.conn())
        .await?;
        self.audit(AuditEvent::new("confirmation.requested", "confirmation", id.0).fields(&["kind", "account_id"]));
        Ok(())
    }

    /// A safeguarding lead confirms or refuses a requested change, which then takes effect. A lead cannot
    /// decide a request they made or one about themselves. Answers the account changed and, for a
    /// confirmed password reset, the link's token to email.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown or decided request; [`StoreError::Conflict`] for one's own.
    pub async fn decide_confirmation(
        &mut self,
        id: ConfirmationId,
        confirm: bool,
    ) -> StoreResult<(AccountId, Option<String>)> {
        let org = self.org()?;
        let row = sqlx::query(
            "SELECT kind, account_id, role, role_ends_on, new_email, requested_by FROM confirmations \
             WHERE id = $1 AND org_id = $2 AND decided_at IS NULL",
        )
        .bind(id.to_string())
        .bind(org.to_string())
        .fetch_optional(self.conn())
        .await?
        .found()?;
        let account: AccountId = row.id("account_id")?;
        let requested_by: Option<String> = row.try_get("requested_by")?;
        let me = self.actor().account.map(|a| a.to_string());
        if me.is_some() && (requested_by == me || Some(account.to_string()) == me) {
            return Err(StoreError::Conflict("Another safeguarding lead must decide this"));
        }
        sqlx::query("UPDATE confirmations SET decided_by = $2, decided_at = $3, decision = $4 WHERE id = $1")
            .bind(id.to_string())
            .bind(me)
            .bind(ts(self.store().now()))
            .bind(if confirm { "confirmed" } else { "refused" })
            .execute(self.conn())
            .await?;
        self.audit(AuditEvent::new(
            if confirm { "confirmation.confirmed" } else { "confirmation.refused" },
            "confirmation",
            id.0,
        ));
        if !confirm {
            return Ok((account, None));
        }
        let bad = || StoreError::Other("bad confirmation in database".into());
        let kind: String = row.try_get("kind")?;
        let reset = match kind.as_str() {
            "grant_role" => {
                let role =
                    Role::parse(&row.try_get::<Option<String>, _>("role")?.unwrap_or_default()).map_err(|_| bad())?;
                let ends_on = row.opt_day("role_ends_on")?;
                self.insert_grant(account, role, ends_on).await?;
                return Ok((account, None));
            }
            "reset_second_factor" => AccountReset::SecondFactor,
            "reset_password" => AccountReset::Password,
            "change_email" => AccountReset::Email(
                Email::parse(&row.try_get::<Option<String>, _>("new_email")?.unwrap_or_default()).map_err(|_| bad())?,
            ),
            _ => return Err(bad()),
        };
        Ok((account, self.apply_reset(account, &reset).await?))
    }

    async fn require_member(&mut self, account: AccountId) -> StoreResult<()> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM memberships WHERE org_id = $1 AND account_id = $2")
            .bind(self.org()?.to_string())
            .bind(account.to_string())
            .fetch_one(self.conn())
            .await?;
        if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    async fn has_safeguarding_lead(&mut self) -> StoreResult<bool> {
        let text = format!(
            "SELECT COUNT(*) FROM effective_roles WHERE org_id = $1 AND role = 'safeguarding_lead' AND {}",
            in_force("$2")
        );
        let today = date(self.store().now().date());
        let n: i64 = sqlx::query_scalar(crate::db::sql(text))
            .bind(self.org()?.to_string())
            .bind(today)
            .fetch_one(self.conn())
            .await?;
        Ok(n > 0)
    }
}

/// Argon2 is slow by design; it runs on the blocking pool so that it never stalls other requests.
pub(crate) async fn hash_off_thread(password: String) -> StoreResult<String> {
    tokio::task::spawn_blocking(move || secrets::hash_password(&password))
        .await
        .map_err(|e| StoreError::Other(format!("password hashing failed: {e}")))
}

impl Store {
    /// The member of the organisation with this email address, if there is one.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn member_by_email(&self, scope: &OrgScope, email: &Email) -> StoreResult<Option<AccountId>> {
        let id: Option<String> = sqlx::query_scalar(
            "SELECT a.id FROM accounts a JOIN memberships m ON m.account_id = a.id WHERE m.org_id = $1 AND a.email = $2",
        )
        .bind(scope.org().to_string())
        .bind(email.as_str())
        .fetch_optional(&self.pool)
        .await?;
        id.map(|i| parse_id(&i)).transpose()
    }
}
