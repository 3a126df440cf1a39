//! Invitations: an administrator invites a person by email to hold a role; the emailed link lets them
//! create an account (or add the organisation to an existing one). Links expire.

use crate::accounts::{GrantOutcome, NewAccount, hash_off_thread};
use crate::db::RowExt;
use crate::db::{date, ts};
use crate::due::{Items, Source, Whose};
use crate::error::{StoreError, StoreResult};
use crate::scope::{Actor, ActorKind, OrgScope};
use crate::{Store, WriteTx, secrets};
use domain::audit::AuditEvent;
use domain::due::{DueItem, Owner};
use domain::roles::Role;
use domain::security::INVITATION_VALID;
use domain::text::Email;
use domain::{InvitationId, OrgId};
use serde::Serialize;
use sqlx::Row;
use time::{Date, OffsetDateTime};

/// An invitation as the invitee's link shows it.
#[derive(Debug, Clone)]
pub struct Invitation {
    pub id: InvitationId,
    pub org: OrgId,
    pub org_name: String,
    pub email: String,
    pub role: Role,
    pub role_ends_on: Option<Date>,
    /// Whether an account already uses the address (then the person confirms with its password).
    pub account_exists: bool,
}

/// An invitation not yet accepted, as administrators see it.
#[derive(Debug, Clone, Serialize)]
pub struct PendingInvitation {
    pub id: InvitationId,
    pub email: String,
    pub role: Role,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

/// How the invitee answers.
#[derive(Debug, Clone)]
pub enum Acceptance {
    /// A new account.
    NewAccount(NewAccount),
    /// An existing account, proved by its password.
    ExistingAccount { password: String },
}

impl Store {
    /// The live invitation behind a link, if any.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn invitation(&self, token: &str) -> StoreResult<Option<Invitation>> {
        let row = sqlx::query(
            "SELECT i.id, i.org_id, o.name, i.email, i.role, i.role_ends_on, \
             (SELECT COUNT(*) FROM accounts a WHERE a.email = i.email) AS accounts \
             FROM invitations i JOIN organisations o ON o.id = i.org_id \
             WHERE i.token_hash = $1 AND i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > $2",
        )
        .bind(secrets::hash_token(token))
        .bind(ts(self.now()))
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let bad = || StoreError::Other("bad invitation in database".into());
        Ok(Some(Invitation {
            id: row.try_get::<String, _>("id")?.parse().map_err(|_| bad())?,
            org: row.try_get::<String, _>("org_id")?.parse().map_err(|_| bad())?,
            org_name: row.try_get("name")?,
            email: row.try_get("email")?,
            role: Role::parse(&row.try_get::<String, _>("role")?).map_err(|_| bad())?,
            role_ends_on: row.opt_day("role_ends_on")?,
            account_exists: row.try_get::<i64, _>("accounts")? > 0,
        }))
    }

    /// Invitations not yet accepted, revoked or expired.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn pending_invitations(&self, scope: &OrgScope) -> StoreResult<Vec<PendingInvitation>> {
        let rows = sqlx::query(
            "SELECT id, email, role, expires_at FROM invitations WHERE org_id = $1 AND accepted_at IS NULL \
             AND revoked_at IS NULL AND expires_at > $2 ORDER BY created_at DESC LIMIT 100",
        )
        .bind(scope.org().to_string())
        .bind(ts(self.now()))
        .fetch_all(&self.pool)
        .await?;
        let bad = || StoreError::Other("bad invitation in database".into());
        rows.iter()
            .map(|row| {
                Ok(PendingInvitation {
                    id: row.try_get::<String, _>("id")?.parse().map_err(|_| bad())?,
                    email: row.try_get("email")?,
                    role: Role::parse(&row.try_get::<String, _>("role")?).map_err(|_| bad())?,
                    expires_at: row.time("expires_at")?,
                })
            })
            .collect()
    }

    /// Accepts an invitation: creates or finds the account, adds the membership and asks for the role.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] for a dead link or a wrong password; [`StoreError::Invalid`] when the
    /// new account's email is taken.
    pub async fn accept_invitation(&self, token: &str, acceptance: &Acceptance) -> StoreResult<GrantOutcome> {
        let invitation = self
            .invitation(token)
            .await?
            .ok_or(StoreError::Conflict("This invitation has expired or has already been used"))?;
        let existing: Option<(String, String)> = sqlx::query("SELECT id, password_hash FROM accounts WHERE email = $1")
            .bind(invitation.email.as_str())
            .fetch_optional(&self.pool)
            .await?
            .map(|r| Ok::<_, sqlx::Error>((r.try_get("id")?, r.try_get("password_hash")?)))
            .transpose()?;
        let password_hash = match (acceptance, &existing) {
            (Acceptance::NewAccount(new), None) => Some(hash_off_thread(new.password.expose().to_owned()).await?),
            (Acceptance::ExistingAccount { password }, Some((_, stored))) => {
                let (given, stored) = (password.clone(), stored.clone());
                let ok = tokio::task::spawn_blocking(move || secrets::verify_password(&given, &stored))
                    .await
                    .map_err(|e| StoreError::Other(e.to_string()))?;
                if !ok {
                    return Err(StoreError::Conflict("The password is wrong"));
                }
                None
            }
            _ => {
                return Err(StoreError::Conflict("This invitation has changed: open the link again"));
            }
        };
        // The invitee acts without roles of their own; the role was chosen by whoever invited them.
        let scope =
            OrgScope::new(invitation.org, Actor { kind: ActorKind::Anonymous, account: None, roles: Vec::new() });
        let mut tx = self.write(&scope).await?;
        let account = match (acceptance, password_hash, existing) {
            (Acceptance::NewAccount(new), Some(hash), _) => {
                let mut new = new.clone();
                new.email = Email::parse(&invitation.email).map_err(|e| StoreError::Other(e.to_string()))?;
                tx.insert_account(&new, &hash).await?
            }
            (_, _, Some((id, _))) => id.parse().map_err(|_| StoreError::Other("bad account id".into()))?,
            _ => {
                return Err(StoreError::Conflict("This invitation has changed: open the link again"));
            }
        };
        let accepted = sqlx::query("UPDATE invitations SET accepted_at = $2 WHERE id = $1 AND accepted_at IS NULL")
            .bind(invitation.id.to_string())
            .bind(ts(self.now()))
            .execute(tx.conn())
            .await?
            .rows_affected();
        if accepted != 1 {
            return Err(StoreError::Conflict("This invitation has already been used"));
        }
        tx.add_membership(account).await?;
        let outcome = tx.grant_role(account, invitation.role, invitation.role_ends_on).await?;
        tx.audit(AuditEvent::new("invitation.accepted", "invitation", invitation.id.0));
        tx.commit().await?;
        Ok(outcome)
    }
}

impl WriteTx<'_> {
    /// Invites a person to the organisation with a role. Answers the link token, to be emailed once.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] when the person is already a member, for an inspector without an end date,
    /// or for an end date in the past.
    pub async fn invite(&mut self, email: &Email, role: Role, ends_on: Option<Date>) -> StoreResult<String> {
        let org = self.org()?;
        if !role.granted_directly() {
            return Err(StoreError::Invalid { field: "role", message: crate::accounts::REGISTRY_GRANTS_LEAD });
        }
        if role.requires_end_date() && ends_on.is_none() {
            return Err(StoreError::Invalid { field: "ends_on", message: "Enter the date an inspector's access ends" });
        }
        if ends_on.is_some_and(|d| d < self.store().now().date()) {
            return Err(StoreError::Invalid {
                field: "ends_on",
                message: "The end date must be today or in the future",
            });
        }
        let members: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM memberships m JOIN accounts a ON a.id = m.account_id WHERE m.org_id = $1 AND a.email = $2",
        )
        .bind(org.to_string())
        .bind(email.as_str())
        .fetch_one(self.conn())
        .await?;
        if members > 0 {
            return Err(StoreError::Invalid {
                field: "email",
                message: "This person is already a member: change their roles instead",
            });
        }
        let id = InvitationId::new();
        let token = secrets::new_token();
        let now = self.store().now();
        sqlx::query(
            "INSERT INTO invitations (id, org_id, email, role, role_ends_on, token_hash, invited_by, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(id.to_string())
        .bind(org.to_string())
        .bind(email.as_str())
        .bind(role.as_str())
        .bind(ends_on.map(date))
        .bind(secrets::hash_token(&token))
        .bind(self.actor().account.map(|a| a.to_string()))
        .bind(ts(now))
        .bind(ts(now + INVITATION_VALID))
        .execute(self.conn())
        .await?;
        self.audit(AuditEvent::new("invitation.created", "invitation", id.0).fields(&["email", "role", "ends_on"]));
        Ok(token)
    }
}

impl WriteTx<'_> {
    /// Gives an open invitation a new link, valid for another seven days; the old link stops working.
    /// Answers the address and the new link's token.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an invitation accepted, cancelled or of another organisation.
    pub async fn reissue_invitation(&mut self, id: InvitationId) -> StoreResult<(String, String)> {
        let token = secrets::new_token();
        let now = self.store().now();
        let email: Option<String> = sqlx::query_scalar(
            "UPDATE invitations SET token_hash = $3, expires_at = $4 WHERE org_id = $1 AND id = $2 \
             AND accepted_at IS NULL AND revoked_at IS NULL RETURNING email",
        )
        .bind(self.org()?.to_string())
        .bind(id.to_string())
        .bind(secrets::hash_token(&token))
        .bind(ts(now + INVITATION_VALID))
        .fetch_optional(self.conn())
        .await?;
        let email = email.ok_or(StoreError::NotFound)?;
        self.audit(AuditEvent::new("invitation.reissued", "invitation", id.0).fields(&["token_hash", "expires_at"]));
        Ok((email, token))
    }

    /// Cancels an open invitation: its link stops working.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an invitation accepted, cancelled or of another organisation.
    pub async fn cancel_invitation(&mut self, id: InvitationId) -> StoreResult<()> {
        let changed = sqlx::query(
            "UPDATE invitations SET revoked_at = $3 WHERE org_id = $1 AND id = $2 AND accepted_at IS NULL \
             AND revoked_at IS NULL",
        )
        .bind(self.org()?.to_string())
        .bind(id.to_string())
        .bind(ts(self.store().now()))
        .execute(self.conn())
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        self.audit(AuditEvent::new("invitation.cancelled", "invitation", id.0).fields(&["revoked_at"]));
        Ok(())
    }
}

/// Who sees an expiring invitation whose sender is gone.
const ADMINS: &[Role] = &[Role::Admin];

/// Invitations that expire soon without being accepted, for whoever sent them.
pub(crate) struct ExpiringInvitations;

impl Source for ExpiringInvitations {
    fn items<'a>(&'a self, store: &'a Store, scope: &'a OrgScope, whose: &'a Whose<'a>, horizon: Date) -> Items<'a> {
        Box::pin(async move {
            let now = store.now();
            let until = ts(horizon.next_day().unwrap_or(horizon).midnight().assume_utc());
            let rows = sqlx::query(
                "SELECT invited_by, expires_at FROM invitations WHERE org_id = $1 AND accepted_at IS NULL \
                 AND revoked_at IS NULL AND expires_at > $2 AND expires_at < $3 \
                 AND ($4 = '' OR invited_by = $4 OR ($5 = 'yes' AND invited_by IS NULL)) \
                 ORDER BY expires_at LIMIT 500",
            )
            .bind(scope.org().to_string())
            .bind(ts(now))
            .bind(until)
            .bind(whose.account())
            .bind(whose.takes_sql(ADMINS))
            .fetch_all(&store.pool)
            .await?;
            rows.iter()
                .map(|row| {
                    let by: Option<String> = row.try_get("invited_by")?;
                    Ok(DueItem {
                        source: "invitation_expiry",
                        title: "An invitation expires soon and has not been accepted".into(),
                        due_on: row.time("expires_at")?.date(),
                        link: "/users".into(),
                        owner: match by.and_then(|b| b.parse().ok()) {
                            Some(account) => Owner::Account(account),
                            None => Owner::Roles(ADMINS),
                        },
                    })
                })
                .collect()
        })
    }
}
