//! Authentication: set-up, sign-in with password and second factor, sessions, API tokens, password reset.
//! These functions are the only places an [`OrgScope`] is built.

use crate::accounts::{NewAccount, hash_off_thread};
use crate::db::{Reader, RowExt};
use crate::db::{parse_ts, ts};
use crate::error::{OptionalExt, StoreError, StoreResult};
use crate::keys::MasterKey;
use crate::orgs::NewOrganisation;
use crate::scope::{Actor, ActorKind, OrgScope};
use crate::{Store, WriteTx, secrets, totp};
use domain::audit::AuditEvent;
use domain::roles::Role;
use domain::security::{self, PASSWORD_RESET_VALID};
use domain::text::{Email, NewPassword};
use domain::{AccountId, OrgId, TokenId};
use sqlx::Row;
use sqlx::any::AnyRow;
use time::OffsetDateTime;

/// API tokens start with this, so that a leaked one is recognisable by secret scanners.
pub const API_TOKEN_PREFIX: &str = "vigil_";

pub(crate) fn operator() -> Actor {
    Actor { kind: ActorKind::Operator, account: None, roles: Vec::new() }
}

fn anonymous() -> Actor {
    Actor { kind: ActorKind::Anonymous, account: None, roles: Vec::new() }
}

/// A signed-in or half-signed-in browser session.
#[derive(Debug, Clone)]
pub struct Session {
    pub id: String,
    pub account: AccountId,
    pub email: String,
    pub display_name: String,
    pub org: OrgId,
    pub csrf_token: String,
    /// Set once the person is fully signed in (second factor given, or not needed).
    pub scope: Option<OrgScope>,
    /// Whether the account has a confirmed second factor.
    pub has_second_factor: bool,
    pub second_factor_at: Option<OffsetDateTime>,
    pub last_seen_at: OffsetDateTime,
}

/// What comes after a correct password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextStep {
    EnterCode,
    EnrolSecondFactor,
    SignedIn,
}

/// The answer to a password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordOutcome {
    /// A wrong password, an unknown address, or an account locked after failures: one answer for all, so
    /// that it reveals nothing about which addresses exist.
    Rejected,
    Accepted {
        token: String,
        next: NextStep,
    },
}

/// One of a person's own sessions, for the "your sessions" page.
#[derive(Debug, Clone)]
pub struct SessionSummary {
    pub id: String,
    pub user_agent: String,
    pub created_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
    pub current: bool,
}

/// How a second factor was given.
enum SecondFactor {
    /// An authenticator code, matched at this time step.
    Code(i64),
    /// A recovery code, by its row id.
    RecoveryCode(String),
    /// A first code at enrolment, with the hashes of the new recovery codes.
    Enrolment(i64, Vec<String>),
}

/// One of a person's API tokens (the token itself is never shown again).
#[derive(Debug, Clone)]
pub struct ApiTokenSummary {
    pub id: TokenId,
    pub name: String,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
}

struct AccountRow {
    id: AccountId,
    password_hash: String,
    totp_secret: Option<String>,
    totp_confirmed: bool,
    totp_last_step: Option<i64>,
}

impl AccountRow {
    /// The time step a code from the account's confirmed authenticator matches, if it is later than the
    /// last step used: each code is accepted once.
    fn unused_step(&self, code: &str, now: OffsetDateTime) -> Option<i64> {
        self.totp_secret
            .as_deref()
            .filter(|_| self.totp_confirmed)
            .and_then(|secret| totp::matching_step(secret, code, now))
            .filter(|step| self.totp_last_step.is_none_or(|last| *step > last))
    }
}

/// Which attempts a count is of: passwords and codes are counted apart, so that a right password never
/// wipes the count of codes guessed.
#[derive(Debug, Clone, Copy)]
enum Factor {
    Password,
    /// An authenticator or recovery code.
    Code,
    /// Both, once a whole sign-in succeeds.
    Both,
}

impl Factor {
    /// The count's column and its lock's.
    fn columns(self) -> (&'static str, &'static str) {
        match self {
            Factor::Password | Factor::Both => ("failed_sign_ins", "locked_until"),
            Factor::Code => ("failed_codes", "codes_locked_until"),
        }
    }
}

/// Does the work of checking a password against a decoy hash, for an answer that must take as long as a
/// real check.
async fn spend_a_password_check(password: &str) {
    let decoy = secrets::decoy_hash().to_owned();
    let password = password.to_owned();
    let _ = tokio::task::spawn_blocking(move || secrets::verify_password(&password, &decoy)).await;
}

/// What an authenticator secret is bound to when sealed: its account.
fn totp_purpose(account: AccountId) -> String {
    format!("totp:{account}")
}

/// Re-seals every account's authenticator secret under a new master key, in the transaction that moves the
/// data keys to it.
pub(crate) async fn reseal_second_factors(tx: &mut WriteTx<'_>, old: &MasterKey, new: &MasterKey) -> StoreResult<()> {
    let rows =
        sqlx::query("SELECT id, totp_secret FROM accounts WHERE totp_secret IS NOT NULL").fetch_all(tx.conn()).await?;
    for row in rows {
        let account = parse_account(&row.try_get::<String, _>("id")?)?;
        let purpose = totp_purpose(account);
        let secret = old.open_secret(&purpose, &row.try_get::<String, _>("totp_secret")?)?;
        sqlx::query("UPDATE accounts SET totp_secret = $2 WHERE id = $1")
            .bind(account.to_string())
            .bind(new.seal_secret(&purpose, &secret)?)
            .execute(tx.conn())
            .await?;
    }
    Ok(())
}

/// Seals an authenticator secret for storage: a copy of the database alone never yields a code.
fn seal_totp(master: &MasterKey, account: AccountId, secret: &str) -> StoreResult<String> {
    master.seal_secret(&totp_purpose(account), secret.as_bytes())
}

impl Store {
    fn account_row(&self, row: &AnyRow) -> StoreResult<AccountRow> {
        let id = parse_account(&row.try_get::<String, _>("id")?)?;
        let totp_secret = match row.try_get::<Option<String>, _>("totp_secret")? {
            Some(sealed) => Some(
                String::from_utf8(self.master()?.open_secret(&totp_purpose(id), &sealed)?)
                    .map_err(|_| StoreError::Other("an authenticator secret is not text".into()))?,
            ),
            None => None,
        };
        account_fields(id, totp_secret, row)
    }

    /// Seals the authenticator secrets stored in clear before they were sealed; run with the migrations.
    pub(crate) async fn seal_clear_second_factors(&self) -> StoreResult<()> {
        let Ok(master) = self.master() else { return Ok(()) };
        let clear: Vec<(String, String)> = sqlx::query_as(
            "SELECT id, totp_secret FROM accounts WHERE totp_secret IS NOT NULL AND totp_secret NOT LIKE '%:%'",
        )
        .fetch_all(&self.pool)
        .await?;
        if clear.is_empty() {
            return Ok(());
        }
        let mut tx = self.write_instance(operator()).await?;
        for (id, secret) in &clear {
            let sealed = seal_totp(master, parse_account(id)?, secret)?;
            sqlx::query("UPDATE accounts SET totp_secret = $2 WHERE id = $1 AND totp_secret = $3")
                .bind(id.as_str())
                .bind(sealed)
                .bind(secret.as_str())
                .execute(tx.conn())
                .await?;
        }
        tx.audit_in(None, AuditEvent::new("second_factor.secrets_sealed", "instance", None).fields(&["totp_secret"]));
        tx.commit().await
    }
}

fn account_fields(id: AccountId, totp_secret: Option<String>, row: &AnyRow) -> StoreResult<AccountRow> {
    Ok(AccountRow {
        id,
        password_hash: row.try_get("password_hash")?,
        totp_secret,
        totp_confirmed: row.try_get::<Option<String>, _>("totp_confirmed_at")?.is_some(),
        totp_last_step: row.try_get("totp_last_step")?,
    })
}

fn parse_account(text: &str) -> StoreResult<AccountId> {
    text.parse().map_err(|_| StoreError::Other("bad account id in database".into()))
}

fn parse_org(text: &str) -> StoreResult<OrgId> {
    text.parse().map_err(|_| StoreError::Other("bad organisation id in database".into()))
}

const ACCOUNT_COLUMNS: &str = "id, password_hash, totp_secret, totp_confirmed_at, totp_last_step";

impl Store {
    // ----- set-up -------------------------------------------------------------------------------------

    /// Issues a fresh one-time set-up token while the instance has no organisation, replacing any earlier
    /// one. The server prints it to its console, so only whoever runs the server can claim the instance.
    ///
    /// # Errors
    /// When the database cannot be written.
    pub async fn issue_setup_token(&self) -> StoreResult<Option<String>> {
        if !self.needs_setup().await? {
            return Ok(None);
        }
        let token = secrets::new_token();
        let mut tx = self.write_instance(operator()).await?;
        sqlx::query(
            "INSERT INTO instance_setup (id, token_hash, issued_at) VALUES ('instance', $1, $2) \
             ON CONFLICT (id) DO UPDATE SET token_hash = excluded.token_hash, issued_at = excluded.issued_at",
        )
        .bind(secrets::hash_token(&token))
        .bind(ts(self.now()))
        .execute(tx.conn())
        .await?;
        tx.audit_in(None, AuditEvent::new("setup.token_issued", "instance", None));
        tx.commit().await?;
        Ok(Some(token))
    }

    /// Creates the first organisation and its administrator, if the token is the one the server printed.
    /// Answers a session token at the password stage: the administrator enrols a second factor next.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] for a wrong or used token; [`StoreError::Invalid`] for a taken email.
    pub async fn complete_setup(
        &self,
        setup_token: &str,
        org: &NewOrganisation,
        admin: &NewAccount,
        user_agent: &str,
    ) -> StoreResult<String> {
        let password_hash = hash_off_thread(admin.password.expose().to_owned()).await?;
        let mut tx = self.write_instance(anonymous()).await?;
        let claimed = sqlx::query("DELETE FROM instance_setup WHERE id = 'instance' AND token_hash = $1")
            .bind(secrets::hash_token(setup_token))
            .execute(tx.conn())
            .await?
            .rows_affected();
        let organisations: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM organisations").fetch_one(tx.conn()).await?;
        if claimed != 1 || organisations > 0 {
            return Err(StoreError::Conflict("The set-up code is wrong or has already been used"));
        }
        let org_id = tx.create_organisation(org).await?;
        tx.enter(org_id);
        let account = tx.insert_account(admin, &password_hash).await?;
        tx.add_membership(account).await?;
        tx.grant_role(account, Role::Admin, None).await?;
        tx.audit(AuditEvent::new("setup.completed", "organisation", org_id.0));
        let token = tx.insert_session(account, org_id, user_agent, false).await?;
        tx.commit().await?;
        Ok(token)
    }

    // ----- scopes for the command line and the server itself ----------------------------------------

    /// The scope of the operator at the command line, in the organisation with this slug.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when there is no such organisation.
    pub async fn operator_scope(&self, slug: &str) -> StoreResult<OrgScope> {
        let id: String = sqlx::query_scalar("SELECT id FROM organisations WHERE slug = $1")
            .bind(slug)
            .fetch_optional(&self.pool)
            .await?
            .found()?;
        Ok(OrgScope::new(parse_org(&id)?, operator()))
    }

    // ----- sign-in ------------------------------------------------------------------------------------

    /// Checks an email and password. Failures are counted and audited; after several, sign-in backs off.
    ///
    /// # Errors
    /// When the database cannot be used.
    pub async fn sign_in_password(
        &self,
        email: &str,
        password: &str,
        user_agent: &str,
    ) -> StoreResult<PasswordOutcome> {
        let email = Email::parse(email).map(|e| e.as_str().to_owned()).unwrap_or_default();
        let row = sqlx::query(crate::db::sql(format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE email = $1")))
            .bind(email.as_str())
            .fetch_optional(&self.pool)
            .await?;
        let Some(account) = row.as_ref().map(|r| self.account_row(r)).transpose()? else {
            // Spend the same time as a real check, so the answer does not reveal which addresses exist.
            spend_a_password_check(password).await;
            let mut tx = self.write_instance(anonymous()).await?;
            tx.audit_in(None, AuditEvent::new("sign_in.failed", "account", None).fields(&["email"]));
            tx.commit().await?;
            return Ok(PasswordOutcome::Rejected);
        };
        if !self.claim_attempt(account.id, Factor::Password).await? {
            // Locked: the same answer, after the same work, as an unknown address or a wrong password.
            spend_a_password_check(password).await;
            self.audit_account_event(account.id, AuditEvent::new("sign_in.refused_locked", "account", account.id.0))
                .await?;
            return Ok(PasswordOutcome::Rejected);
        }
        let stored = account.password_hash.clone();
        let given = password.to_owned();
        let matches = tokio::task::spawn_blocking(move || secrets::verify_password(&given, &stored))
            .await
            .map_err(|e| StoreError::Other(format!("password check failed: {e}")))?;
        let org = self.first_active_org(account.id).await?;
        let Some(org) = org.filter(|_| matches) else {
            self.audit_failure(account.id, "sign_in.failed", Factor::Password).await?;
            return Ok(PasswordOutcome::Rejected);
        };
        let roles = self.active_roles(org, account.id).await?;
        let next = if account.totp_confirmed {
            NextStep::EnterCode
        } else if roles.iter().any(|r| r.requires_totp())
            || self.holds_leadership_post_in(&mut Reader::Pool(&self.pool), org, account.id).await?
        {
            NextStep::EnrolSecondFactor
        } else {
            NextStep::SignedIn
        };
        let scope = OrgScope::new(org, Actor { kind: ActorKind::Session, account: Some(account.id), roles });
        let mut tx = self.write(&scope).await?;
        let signed_in = next == NextStep::SignedIn;
        let token = tx.insert_session(account.id, org, user_agent, signed_in).await?;
        tx.clear_failures(account.id, if signed_in { Factor::Both } else { Factor::Password }).await?;
        tx.audit(AuditEvent::new(
            if signed_in { "sign_in.succeeded" } else { "sign_in.password_accepted" },
            "account",
            account.id.0,
        ));
        tx.commit().await?;
        Ok(PasswordOutcome::Accepted { token, next })
    }

    /// Checks a code from the authenticator app for a session at the password stage. Codes are accepted
    /// once: a replayed code is refused. On success the session is rotated and its new token returned.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] for a wrong, replayed or locked-out code.
    pub async fn sign_in_code(&self, session: &Session, code: &str) -> StoreResult<String> {
        let account = self.account(session.account).await?;
        self.refuse_if_locked(account.id).await?;
        let step = account.unused_step(code, self.now());
        let Some(step) = step else {
            self.audit_failure(account.id, "sign_in.code_failed", Factor::Code).await?;
            return Err(StoreError::Conflict("The code is wrong or has already been used: enter the current code"));
        };
        self.complete_sign_in(session, SecondFactor::Code(step)).await
    }

    /// Confirms, with a new authenticator code, that the person at a signed-in session is still its owner,
    /// before an action that needs a fresh second factor.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] for a wrong or replayed code.
    pub async fn refresh_second_factor(&self, session: &Session, code: &str) -> StoreResult<()> {
        let scope = session.scope.clone().ok_or(StoreError::NotFound)?;
        let account = self.account(session.account).await?;
        self.refuse_if_locked(account.id).await?;
        let step = account.unused_step(code, self.now());
        let Some(step) = step else {
            self.audit_failure(account.id, "second_factor.refresh_failed", Factor::Code).await?;
            return Err(StoreError::Conflict("The code is wrong or has already been used: enter the current code"));
        };
        let mut tx = self.write(&scope).await?;
        tx.set_last_step(session.account, step).await?;
        tx.clear_failures(session.account, Factor::Code).await?;
        sqlx::query("UPDATE sessions SET second_factor_at = $2 WHERE id = $1")
            .bind(session.id.as_str())
            .bind(ts(self.now()))
            .execute(tx.conn())
            .await?;
        tx.audit(AuditEvent::new("second_factor.refreshed", "account", session.account.0));
        tx.commit().await
    }

    /// Signs in with a single-use recovery code instead of the authenticator.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] for a wrong or used code.
    pub async fn sign_in_recovery_code(&self, session: &Session, code: &str) -> StoreResult<String> {
        let account = self.account(session.account).await?;
        self.refuse_if_locked(account.id).await?;
        let hash = secrets::hash_token(&code.to_lowercase());
        let id: Option<String> = sqlx::query_scalar(
            "SELECT id FROM recovery_codes WHERE account_id = $1 AND code_hash = $2 AND used_at IS NULL",
        )
        .bind(session.account.to_string())
        .bind(hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(id) = id else {
            self.audit_failure(account.id, "sign_in.recovery_code_failed", Factor::Code).await?;
            return Err(StoreError::Conflict("The recovery code is wrong or has already been used"));
        };
        self.complete_sign_in(session, SecondFactor::RecoveryCode(id)).await
    }

    /// Starts enrolling an authenticator: stores a new secret (or reuses an unconfirmed one) and answers it.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the account already has a confirmed second factor.
    pub async fn begin_enrolment(&self, session: &Session) -> StoreResult<String> {
        let account = self.account(session.account).await?;
        if account.totp_confirmed {
            return Err(StoreError::Conflict("This account already has an authenticator"));
        }
        if let Some(secret) = account.totp_secret {
            return Ok(secret);
        }
        let secret = totp::new_secret();
        let mut tx = self.write_instance(anonymous()).await?;
        sqlx::query("UPDATE accounts SET totp_secret = $2 WHERE id = $1 AND totp_secret IS NULL")
            .bind(session.account.to_string())
            .bind(seal_totp(self.master()?, session.account, &secret)?)
            .execute(tx.conn())
            .await?;
        tx.audit_account(
            session.account,
            AuditEvent::new("second_factor.enrolment_started", "account", session.account.0).fields(&["totp_secret"]),
        )
        .await?;
        tx.commit().await?;
        Ok(self.account(session.account).await?.totp_secret.unwrap_or(secret))
    }

    /// Confirms enrolment with a first code. Answers the rotated session token and ten recovery codes,
    /// shown once.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] for a wrong code.
    pub async fn confirm_enrolment(&self, session: &Session, code: &str) -> StoreResult<(String, Vec<String>)> {
        let account = self.account(session.account).await?;
        let step = account
            .totp_secret
            .as_deref()
            .filter(|_| !account.totp_confirmed)
            .and_then(|secret| totp::matching_step(secret, code, self.now()));
        let Some(step) = step else {
            return Err(StoreError::Conflict("The code is wrong: enter the code your authenticator app shows now"));
        };
        let codes: Vec<String> = (0..10).map(|_| secrets::new_recovery_code()).collect();
        let hashes: Vec<String> = codes.iter().map(|c| secrets::hash_token(c)).collect();
        let token = self.complete_sign_in(session, SecondFactor::Enrolment(step, hashes)).await?;
        Ok((token, codes))
    }

    /// Finds the live session for a cookie's token, and notes that it was used. Expired sessions end here.
    ///
    /// # Errors
    /// When the database cannot be used.
    pub async fn session(&self, token: &str) -> StoreResult<Option<Session>> {
        let row = sqlx::query(
            "SELECT s.id, s.account_id, s.org_id, s.csrf_token, s.created_at, s.last_seen_at, \
             s.second_factor_at, s.signed_in_at, a.email, a.display_name, a.totp_confirmed_at, m.disabled_at \
             FROM sessions s JOIN accounts a ON a.id = s.account_id \
             JOIN memberships m ON m.account_id = s.account_id AND m.org_id = s.org_id \
             WHERE s.token_hash = $1 AND s.ended_at IS NULL",
        )
        .bind(secrets::hash_token(token))
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let id: String = row.try_get("id")?;
        let now = self.now();
        let created = row.time("created_at")?;
        let last_seen = row.time("last_seen_at")?;
        let disabled = row.try_get::<Option<String>, _>("disabled_at")?.is_some();
        if disabled || !security::session_alive(created, last_seen, now) {
            self.touch_session(&id, true).await?;
            return Ok(None);
        }
        self.touch_session(&id, false).await?;
        let account = parse_account(&row.try_get::<String, _>("account_id")?)?;
        let org = parse_org(&row.try_get::<String, _>("org_id")?)?;
        let signed_in = row.try_get::<Option<String>, _>("signed_in_at")?.is_some();
        let scope = if signed_in {
            let roles = self.active_roles(org, account).await?;
            Some(OrgScope::new(org, Actor { kind: ActorKind::Session, account: Some(account), roles }))
        } else {
            None
        };
        Ok(Some(Session {
            id,
            account,
            email: row.try_get("email")?,
            display_name: row.try_get("display_name")?,
            org,
            csrf_token: row.try_get("csrf_token")?,
            scope,
            has_second_factor: row.try_get::<Option<String>, _>("totp_confirmed_at")?.is_some(),
            second_factor_at: row
                .try_get::<Option<String>, _>("second_factor_at")?
                .map(|t| parse_ts(&t))
                .transpose()?,
            last_seen_at: now,
        }))
    }

    /// Session bookkeeping that is not itself an auditable change: when a session was last used, and
    /// ending one found expired. This and [`Store::api_scope`]'s `last_used_at` are the only writes
    /// outside a [`WriteTx`] (the tidy test lists them).
    async fn touch_session(&self, id: &str, ended: bool) -> StoreResult<()> {
        let query = if ended {
            sqlx::query("UPDATE sessions SET ended_at = $2 WHERE id = $1")
        } else {
            sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE id = $1")
        };
        query.bind(id).bind(ts(self.now())).execute(&self.pool).await?;
        Ok(())
    }

    /// The person's own live sessions, newest first.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn own_sessions(&self, session: &Session) -> StoreResult<Vec<SessionSummary>> {
        let idle_cutoff = ts(self.now() - security::SESSION_IDLE);
        let absolute_cutoff = ts(self.now() - security::SESSION_ABSOLUTE);
        let rows = sqlx::query(
            "SELECT id, user_agent, created_at, last_seen_at FROM sessions WHERE account_id = $1 \
             AND ended_at IS NULL AND last_seen_at > $2 AND created_at > $3 ORDER BY created_at DESC",
        )
        .bind(session.account.to_string())
        .bind(idle_cutoff)
        .bind(absolute_cutoff)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let id: String = row.try_get("id")?;
                Ok(SessionSummary {
                    current: id == session.id,
                    id,
                    user_agent: row.try_get("user_agent")?,
                    created_at: row.time("created_at")?,
                    last_seen_at: row.time("last_seen_at")?,
                })
            })
            .collect()
    }

    /// The organisations an account may act in, for switching between them.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn organisations_of(&self, account: AccountId) -> StoreResult<Vec<(OrgId, String)>> {
        let rows = sqlx::query(
            "SELECT o.id, o.name FROM memberships m JOIN organisations o ON o.id = m.org_id \
             WHERE m.account_id = $1 AND m.disabled_at IS NULL ORDER BY o.name",
        )
        .bind(account.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok((parse_org(&r.try_get::<String, _>("id")?)?, r.try_get("name")?))).collect()
    }

    /// Moves a signed-in session to another organisation the account belongs to. If the roles there need a
    /// second factor the account has not set up, the session goes back to the second-factor step.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the account is not an enabled member of that organisation.
    pub async fn switch_organisation(&self, session: &Session, org: OrgId) -> StoreResult<()> {
        if !self.organisations_of(session.account).await?.iter().any(|(id, _)| *id == org) {
            return Err(StoreError::NotFound);
        }
        let roles = self.active_roles(org, session.account).await?;
        let needs_enrolment = !session.has_second_factor && roles.iter().any(|r| r.requires_totp());
        let scope = OrgScope::new(org, Actor { kind: ActorKind::Session, account: Some(session.account), roles });
        let mut tx = self.write(&scope).await?;
        let query = if needs_enrolment {
            sqlx::query("UPDATE sessions SET org_id = $2, signed_in_at = NULL WHERE id = $1")
        } else {
            sqlx::query("UPDATE sessions SET org_id = $2 WHERE id = $1")
        };
        query.bind(session.id.as_str()).bind(org.to_string()).execute(tx.conn()).await?;
        tx.audit(AuditEvent::new("session.organisation_switched", "account", session.account.0));
        tx.commit().await
    }

    /// The actor's own live API tokens in this organisation.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn own_api_tokens(&self, scope: &OrgScope) -> StoreResult<Vec<ApiTokenSummary>> {
        let account = scope.actor().account.ok_or(StoreError::NotFound)?;
        let rows = sqlx::query(
            "SELECT id, name, created_at, last_used_at FROM api_tokens WHERE org_id = $1 AND account_id = $2 \
             AND revoked_at IS NULL ORDER BY created_at DESC",
        )
        .bind(scope.org().to_string())
        .bind(account.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ApiTokenSummary {
                    id: row
                        .try_get::<String, _>("id")?
                        .parse()
                        .map_err(|_| StoreError::Other("bad token id".into()))?,
                    name: row.try_get("name")?,
                    created_at: row.time("created_at")?,
                    last_used_at: row
                        .try_get::<Option<String>, _>("last_used_at")?
                        .map(|t| parse_ts(&t))
                        .transpose()?,
                })
            })
            .collect()
    }

    // ----- API tokens ---------------------------------------------------------------------------------

    /// The scope an API bearer token acts in, if the token is live and its member is enabled.
    ///
    /// # Errors
    /// When the database cannot be used.
    pub async fn api_scope(&self, bearer: &str) -> StoreResult<Option<OrgScope>> {
        let row = sqlx::query(
            "SELECT t.id, t.org_id, t.account_id FROM api_tokens t JOIN memberships m \
             ON m.org_id = t.org_id AND m.account_id = t.account_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND m.disabled_at IS NULL",
        )
        .bind(secrets::hash_token(bearer))
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let id: String = row.try_get("id")?;
        sqlx::query("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1")
            .bind(id.as_str())
            .bind(ts(self.now()))
            .execute(&self.pool)
            .await?;
        let org = parse_org(&row.try_get::<String, _>("org_id")?)?;
        let account = parse_account(&row.try_get::<String, _>("account_id")?)?;
        let roles = self.active_roles(org, account).await?;
        Ok(Some(OrgScope::new(org, Actor { kind: ActorKind::Token, account: Some(account), roles })))
    }

    // ----- password reset -----------------------------------------------------------------------------

    /// Asks for a password-reset link for an address: queues a job that emails one if an account uses it.
    /// The request does the same work whether or not the address exists, so neither its answer nor its
    /// timing tells.
    ///
    /// # Errors
    /// When the database cannot be used.
    pub async fn request_password_reset(&self, email: &str) -> StoreResult<()> {
        let email = Email::parse(email).map(|e| e.as_str().to_owned()).unwrap_or_default();
        let mut tx = self.write_instance(anonymous()).await?;
        tx.enqueue_job(crate::jobs::JobKind::SendPasswordReset, &email, self.now()).await?;
        tx.audit_in(None, AuditEvent::new("password.reset_asked", "instance", None).fields(&["email"]));
        tx.commit().await
    }

    /// Emails a password-reset link to the account with this address, composed by `compose` from the
    /// link's token, in one transaction. An unknown address does nothing.
    ///
    /// # Errors
    /// When the database cannot be used.
    pub async fn send_password_reset(
        &self,
        email: &str,
        compose: impl FnOnce(&str) -> (&'static str, String),
    ) -> StoreResult<()> {
        let id: Option<String> = sqlx::query_scalar("SELECT id FROM accounts WHERE email = $1")
            .bind(email)
            .fetch_optional(&self.pool)
            .await?;
        let Some(account) = id.map(|i| parse_account(&i)).transpose()? else {
            return Ok(());
        };
        let mut tx = self.write_instance(anonymous()).await?;
        let token = tx.insert_password_reset(account).await?;
        let (subject, body) = compose(&token);
        tx.queue_mail(email, subject, &body).await?;
        tx.audit_account(account, AuditEvent::new("password.reset_requested", "account", account.0)).await?;
        tx.commit().await
    }

    /// Sets a new password from a reset link. Clears the failure count and ends every session.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] for an unknown, used or expired link.
    pub async fn reset_password(&self, token: &str, password: &NewPassword) -> StoreResult<()> {
        let password_hash = hash_off_thread(password.expose().to_owned()).await?;
        let now = ts(self.now());
        let mut tx = self.write_instance(anonymous()).await?;
        // One statement uses the link, so that two requests racing with it cannot both succeed.
        let account: Option<String> = sqlx::query_scalar(
            "UPDATE password_resets SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 \
             RETURNING account_id",
        )
        .bind(secrets::hash_token(token))
        .bind(now.as_str())
        .fetch_optional(tx.conn())
        .await?;
        let account = account
            .map(|a| parse_account(&a))
            .transpose()?
            .ok_or(StoreError::Conflict("This link has expired or has already been used: ask for a new one"))?;
        tx.set_password_hash(account, &password_hash, None).await?;
        tx.audit_account(account, AuditEvent::new("password.reset", "account", account.0).fields(&["password_hash"]))
            .await?;
        tx.commit().await?;
        Ok(())
    }

    // ----- helpers ------------------------------------------------------------------------------------

    /// The roles in force today for one member.
    pub(crate) async fn active_roles(&self, org: OrgId, account: AccountId) -> StoreResult<Vec<Role>> {
        Ok(self.roles_of(org, &[account]).await?.into_iter().map(|(_, h)| h.role).collect())
    }

    async fn account(&self, id: AccountId) -> StoreResult<AccountRow> {
        let row = sqlx::query(crate::db::sql(format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = $1")))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .found()?;
        self.account_row(&row)
    }

    /// Counts an attempt at `factor` before it is checked, in one conditional statement, so that parallel
    /// attempts cannot outrun the lock: each attempt is a failure until it succeeds (success clears the
    /// count). Answers `false`, counting nothing, while that factor is locked.
    async fn claim_attempt(&self, account: AccountId, factor: Factor) -> StoreResult<bool> {
        let (count, locked) = factor.columns();
        let now = self.now();
        let schedule = security::lock_schedule(now);
        let last = schedule.len();
        let cases: String = (1..last).map(|n| format!("WHEN {n} THEN ${} ", n + 2)).collect();
        let text = format!(
            "UPDATE accounts SET {count} = {count} + 1, {locked} = CASE {count} + 1 {cases}ELSE ${} END \
             WHERE id = $1 AND ({locked} IS NULL OR {locked} <= $2) RETURNING {count}",
            last + 2
        );
        let mut query = sqlx::query(crate::db::sql(text)).bind(account.to_string()).bind(ts(now));
        for lock in schedule {
            query = query.bind(lock.map(ts));
        }
        Ok(query.fetch_optional(&self.pool).await?.is_some())
    }

    /// Counts an attempt at a code (authenticator or recovery), or refuses it while codes are locked.
    async fn refuse_if_locked(&self, account: AccountId) -> StoreResult<()> {
        if self.claim_attempt(account, Factor::Code).await? {
            Ok(())
        } else {
            Err(StoreError::Conflict("Too many attempts: wait a few minutes, then try again"))
        }
    }

    async fn first_active_org(&self, account: AccountId) -> StoreResult<Option<OrgId>> {
        Ok(self.organisations_of(account).await?.first().map(|(id, _)| *id))
    }

    /// Records a failed attempt, already counted by [`Store::claim_attempt`].
    async fn audit_failure(&self, account: AccountId, action: &'static str, factor: Factor) -> StoreResult<()> {
        let event = AuditEvent::new(action, "account", account.0).fields(&[factor.columns().0]);
        self.audit_account_event(account, event).await
    }

    async fn audit_account_event(&self, account: AccountId, event: AuditEvent) -> StoreResult<()> {
        let mut tx = self.write_instance(anonymous()).await?;
        tx.audit_account(account, event).await?;
        tx.commit().await
    }

    /// Upgrades a password-stage session to signed in, after `step` has recorded how the second factor
    /// was given. The session's token is replaced, so a token seen before sign-in is worthless after it.
    async fn complete_sign_in(&self, session: &Session, factor: SecondFactor) -> StoreResult<String> {
        let roles = self.active_roles(session.org, session.account).await?;
        let scope =
            OrgScope::new(session.org, Actor { kind: ActorKind::Session, account: Some(session.account), roles });
        let mut tx = self.write(&scope).await?;
        match factor {
            SecondFactor::Code(step) => tx.set_last_step(session.account, step).await?,
            SecondFactor::RecoveryCode(id) => tx.use_recovery_code(id).await?,
            SecondFactor::Enrolment(step, hashes) => {
                tx.set_last_step(session.account, step).await?;
                tx.confirm_second_factor(session.account, &hashes).await?;
            }
        }
        let token = secrets::new_token();
        let now = ts(self.now());
        sqlx::query(
            "UPDATE sessions SET token_hash = $2, second_factor_at = $3, signed_in_at = $3, last_seen_at = $3 \
             WHERE id = $1",
        )
        .bind(session.id.as_str())
        .bind(secrets::hash_token(&token))
        .bind(now)
        .execute(tx.conn())
        .await?;
        tx.clear_failures(session.account, Factor::Both).await?;
        tx.audit(AuditEvent::new("sign_in.succeeded", "account", session.account.0).fields(&["second_factor"]));
        tx.commit().await?;
        Ok(token)
    }
}

impl WriteTx<'_> {
    /// Starts a session for an account in an organisation; `signed_in` when no second factor is due.
    pub(crate) async fn insert_session(
        &mut self,
        account: AccountId,
        org: OrgId,
        user_agent: &str,
        signed_in: bool,
    ) -> StoreResult<String> {
        let token = secrets::new_token();
        let now = ts(self.store().now());
        let agent: String = user_agent.chars().take(200).collect();
        sqlx::query(
            "INSERT INTO sessions (id, token_hash, account_id, org_id, csrf_token, user_agent, created_at, \
             last_seen_at, signed_in_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8)",
        )
        .bind(TokenId::new().to_string())
        .bind(secrets::hash_token(&token))
        .bind(account.to_string())
        .bind(org.to_string())
        .bind(secrets::new_token())
        .bind(agent)
        .bind(now.as_str())
        .bind(signed_in.then_some(now.as_str()))
        .execute(self.conn())
        .await?;
        Ok(token)
    }

    /// Ends one of the actor's own sessions (or the current one, to sign out).
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the session is not the actor's.
    pub async fn end_own_session(&mut self, session_id: &str) -> StoreResult<()> {
        let account = self.actor().account.ok_or(StoreError::NotFound)?;
        let ended =
            sqlx::query("UPDATE sessions SET ended_at = $3 WHERE id = $1 AND account_id = $2 AND ended_at IS NULL")
                .bind(session_id)
                .bind(account.to_string())
                .bind(ts(self.store().now()))
                .execute(self.conn())
                .await?
                .rows_affected();
        if ended == 0 {
            return Err(StoreError::NotFound);
        }
        self.audit(AuditEvent::new("session.ended", "account", account.0));
        Ok(())
    }

    /// Changes the actor's own password after checking the current one; ends their other sessions.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the current password is wrong.
    pub async fn change_own_password(
        &mut self,
        current: &str,
        new: &NewPassword,
        keep_session: &str,
    ) -> StoreResult<()> {
        let account = self.actor().account.ok_or(StoreError::NotFound)?;
        let stored: String = sqlx::query_scalar("SELECT password_hash FROM accounts WHERE id = $1")
            .bind(account.to_string())
            .fetch_one(self.conn())
            .await?;
        let given = current.to_owned();
        let matches = tokio::task::spawn_blocking(move || secrets::verify_password(&given, &stored))
            .await
            .map_err(|e| StoreError::Other(format!("password check failed: {e}")))?;
        if !matches {
            return Err(StoreError::Conflict("Your current password is wrong"));
        }
        let hash = hash_off_thread(new.expose().to_owned()).await?;
        // The current session survives; every other one ends, in case the old password was known to someone.
        self.set_password_hash(account, &hash, Some(keep_session)).await?;
        self.audit(AuditEvent::new("password.changed", "account", account.0).fields(&["password_hash"]));
        Ok(())
    }

    /// Issues an API token for a member of the transaction's organisation. Answers the token, shown once.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the account is not an enabled member.
    pub async fn create_api_token(&mut self, account: AccountId, name: &str) -> StoreResult<(TokenId, String)> {
        let org = self.org()?;
        let enabled: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM memberships WHERE org_id = $1 AND account_id = $2 AND disabled_at IS NULL",
        )
        .bind(org.to_string())
        .bind(account.to_string())
        .fetch_one(self.conn())
        .await?;
        if enabled == 0 {
            return Err(StoreError::NotFound);
        }
        let id = TokenId::new();
        let token = format!("{API_TOKEN_PREFIX}{}", secrets::new_token());
        sqlx::query(
            "INSERT INTO api_tokens (id, org_id, account_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id.to_string())
        .bind(org.to_string())
        .bind(account.to_string())
        .bind(name.chars().take(100).collect::<String>())
        .bind(secrets::hash_token(&token))
        .bind(ts(self.store().now()))
        .execute(self.conn())
        .await?;
        self.audit(AuditEvent::new("api_token.created", "api_token", id.0).fields(&["account_id", "name"]));
        Ok((id, token))
    }

    /// Revokes one of the actor's own API tokens.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the token is not the actor's, in this organisation.
    pub async fn revoke_own_api_token(&mut self, id: TokenId) -> StoreResult<()> {
        let account = self.actor().account.ok_or(StoreError::NotFound)?;
        let revoked = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $4 WHERE id = $1 AND org_id = $2 AND account_id = $3 AND revoked_at IS NULL",
        )
        .bind(id.to_string())
        .bind(self.org()?.to_string())
        .bind(account.to_string())
        .bind(ts(self.store().now()))
        .execute(self.conn())
        .await?
        .rows_affected();
        if revoked == 0 {
            return Err(StoreError::NotFound);
        }
        self.audit(AuditEvent::new("api_token.revoked", "api_token", id.0));
        Ok(())
    }

    /// Stores a one-time password-reset link for an account; answers its token.
    pub(crate) async fn insert_password_reset(&mut self, account: AccountId) -> StoreResult<String> {
        let token = secrets::new_token();
        let now = self.store().now();
        sqlx::query(
            "INSERT INTO password_resets (id, account_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(TokenId::new().to_string())
        .bind(account.to_string())
        .bind(secrets::hash_token(&token))
        .bind(ts(now))
        .bind(ts(now + PASSWORD_RESET_VALID))
        .execute(self.conn())
        .await?;
        Ok(token)
    }

    /// Gives a demonstration account a known authenticator secret, already confirmed.
    ///
    /// # Errors
    /// When the database cannot be written.
    pub async fn set_demo_second_factor(&mut self, account: AccountId, secret: &str) -> StoreResult<()> {
        let sealed = seal_totp(self.store().master()?, account, secret)?;
        sqlx::query("UPDATE accounts SET totp_secret = $2, totp_confirmed_at = $3 WHERE id = $1")
            .bind(account.to_string())
            .bind(sealed)
            .bind(ts(self.store().now()))
            .execute(self.conn())
            .await?;
        self.audit(AuditEvent::new("second_factor.enrolled", "account", account.0).fields(&["totp_secret"]));
        Ok(())
    }

    /// Records an account-level event in the chain of every organisation the account belongs to, or in the
    /// instance chain if it belongs to none.
    pub(crate) async fn audit_account(&mut self, account: AccountId, event: AuditEvent) -> StoreResult<()> {
        let orgs: Vec<String> = sqlx::query_scalar("SELECT org_id FROM memberships WHERE account_id = $1")
            .bind(account.to_string())
            .fetch_all(self.conn())
            .await?;
        if orgs.is_empty() {
            self.audit_in(None, event.clone());
        }
        for org in orgs {
            self.audit_in(Some(parse_org(&org)?), event.clone());
        }
        Ok(())
    }

    /// Sets a new password, clears the failure count, ends every session but `keep`, and voids every
    /// outstanding password-reset link.
    async fn set_password_hash(&mut self, account: AccountId, hash: &str, keep: Option<&str>) -> StoreResult<()> {
        sqlx::query("UPDATE password_resets SET used_at = $2 WHERE account_id = $1 AND used_at IS NULL")
            .bind(account.to_string())
            .bind(ts(self.store().now()))
            .execute(self.conn())
            .await?;
        sqlx::query(
            "UPDATE accounts SET password_hash = $2, failed_sign_ins = 0, locked_until = NULL, failed_codes = 0, \
             codes_locked_until = NULL WHERE id = $1",
        )
        .bind(account.to_string())
        .bind(hash)
        .execute(self.conn())
        .await?;
        sqlx::query("UPDATE sessions SET ended_at = $2 WHERE account_id = $1 AND ended_at IS NULL AND id <> $3")
            .bind(account.to_string())
            .bind(ts(self.store().now()))
            .bind(keep.unwrap_or(""))
            .execute(self.conn())
            .await?;
        Ok(())
    }

    async fn clear_failures(&mut self, account: AccountId, factor: Factor) -> StoreResult<()> {
        let set = match factor {
            Factor::Password => "failed_sign_ins = 0, locked_until = NULL",
            Factor::Code => "failed_codes = 0, codes_locked_until = NULL",
            Factor::Both => "failed_sign_ins = 0, locked_until = NULL, failed_codes = 0, codes_locked_until = NULL",
        };
        sqlx::query(crate::db::sql(format!("UPDATE accounts SET {set} WHERE id = $1")))
            .bind(account.to_string())
            .execute(self.conn())
            .await?;
        Ok(())
    }

    async fn set_last_step(&mut self, account: AccountId, step: i64) -> StoreResult<()> {
        // The condition makes a code usable once even when two requests race with it.
        let changed = sqlx::query(
            "UPDATE accounts SET totp_last_step = $2 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)",
        )
        .bind(account.to_string())
        .bind(step)
        .execute(self.conn())
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::Conflict("The code has already been used: wait for the next code"));
        }
        Ok(())
    }

    async fn use_recovery_code(&mut self, id: String) -> StoreResult<()> {
        let changed = sqlx::query("UPDATE recovery_codes SET used_at = $2 WHERE id = $1 AND used_at IS NULL")
            .bind(id.as_str())
            .bind(ts(self.store().now()))
            .execute(self.conn())
            .await?
            .rows_affected();
        if changed == 0 {
            return Err(StoreError::Conflict("The recovery code has already been used"));
        }
        self.audit(AuditEvent::new("recovery_code.used", "recovery_code", id.parse::<uuid::Uuid>().ok()));
        Ok(())
    }

    async fn confirm_second_factor(&mut self, account: AccountId, code_hashes: &[String]) -> StoreResult<()> {
        sqlx::query("UPDATE accounts SET totp_confirmed_at = $2 WHERE id = $1")
            .bind(account.to_string())
            .bind(ts(self.store().now()))
            .execute(self.conn())
            .await?;
        sqlx::query("DELETE FROM recovery_codes WHERE account_id = $1")
            .bind(account.to_string())
            .execute(self.conn())
            .await?;
        for hash in code_hashes {
            sqlx::query("INSERT INTO recovery_codes (id, account_id, code_hash) VALUES ($1, $2, $3)")
                .bind(TokenId::new().to_string())
                .bind(account.to_string())
                .bind(hash.as_str())
                .execute(self.conn())
                .await?;
        }
        self.audit(
            AuditEvent::new("second_factor.enrolled", "account", account.0).fields(&["totp_secret", "recovery_codes"]),
        );
        Ok(())
    }
}
