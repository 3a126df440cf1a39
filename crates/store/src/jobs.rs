//! Background jobs with leases. Writers enqueue jobs inside their [`WriteTx`], so a job exists exactly when
//! the change that needs it committed. Workers claim, finish and fail jobs; that bookkeeping is not an
//! auditable change, and what a job does to organisation data goes through a `WriteTx` of its own.

use crate::db::RowExt;
use crate::db::ts;
use crate::error::{StoreError, StoreResult};
use crate::scope::{Actor, ActorKind, OrgScope};
use crate::{Store, WriteTx};
use domain::OrgId;
use serde::Serialize;
use sqlx::Row;
use time::{Duration, OffsetDateTime};

/// What a job does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum JobKind {
    /// Send one email from the outbox. Payload: the mail id.
    DeliverMail,
    /// Email each member of an organisation a summary of their tasks. Payload: empty.
    WeeklyDigest,
    /// Escalate a concern to the deputies if it is still waiting to be acknowledged. Payload: the concern id.
    EscalateConcern,
    /// Email a password-reset link to the account with this address, if there is one. Payload: the address.
    /// The request only queues this, so that it takes the same time whether or not the address exists.
    SendPasswordReset,
}

impl JobKind {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::DeliverMail => "deliver_mail",
            JobKind::WeeklyDigest => "weekly_digest",
            JobKind::EscalateConcern => "escalate_concern",
            JobKind::SendPasswordReset => "send_password_reset",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        [JobKind::DeliverMail, JobKind::WeeklyDigest, JobKind::EscalateConcern, JobKind::SendPasswordReset]
            .into_iter()
            .find(|k| k.as_str() == text)
    }

    /// How many times a job is tried before it is marked failed.
    fn max_attempts(self) -> i64 {
        match self {
            JobKind::DeliverMail => 6,
            JobKind::WeeklyDigest | JobKind::EscalateConcern | JobKind::SendPasswordReset => 3,
        }
    }
}

/// A job claimed by a worker, with the scope it acts in when it belongs to an organisation.
#[derive(Debug, Clone)]
pub struct Job {
    pub id: String,
    pub kind: JobKind,
    pub payload: String,
    pub attempts: i64,
    /// The server acting in the job's organisation.
    pub scope: Option<OrgScope>,
}

/// A job as `vigil jobs list` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct JobRow {
    pub id: String,
    pub kind: String,
    pub state: &'static str,
    pub attempts: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub run_at: OffsetDateTime,
    pub last_error: Option<String>,
}

/// How long a claimed job stays with its worker before another may take it over.
pub const LEASE: Duration = Duration::minutes(5);

impl WriteTx<'_> {
    /// Queues a job to run from `run_at`, committed with the change that needs it.
    ///
    /// # Errors
    /// When the database cannot be written.
    pub async fn enqueue_job(&mut self, kind: JobKind, payload: &str, run_at: OffsetDateTime) -> StoreResult<()> {
        let org = self.org().ok().map(|o| o.to_string());
        sqlx::query(
            "INSERT INTO jobs (id, kind, org_id, payload, run_at, attempts, max_attempts, created_at) \
             VALUES ($1, $2, $3, $4, $5, 0, $6, $7)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(kind.as_str())
        .bind(org)
        .bind(payload)
        .bind(ts(run_at))
        .bind(kind.max_attempts())
        .bind(ts(self.store().now()))
        .execute(self.conn())
        .await?;
        Ok(())
    }
}

impl Store {
    /// Makes sure a scheduled job exists once: every server may call this, and only the first insert for
    /// `dedupe_key` takes effect. Answers whether this call created it.
    ///
    /// # Errors
    /// When the database cannot be written.
    pub async fn schedule_job(
        &self,
        kind: JobKind,
        org: Option<OrgId>,
        dedupe_key: &str,
        run_at: OffsetDateTime,
    ) -> StoreResult<bool> {
        let created = sqlx::query(
            "INSERT INTO jobs (id, kind, org_id, payload, dedupe_key, run_at, attempts, max_attempts, created_at) \
             VALUES ($1, $2, $3, '', $4, $5, 0, $6, $7) ON CONFLICT (dedupe_key) DO NOTHING",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(kind.as_str())
        .bind(org.map(|o| o.to_string()))
        .bind(dedupe_key)
        .bind(ts(run_at))
        .bind(kind.max_attempts())
        .bind(ts(self.now()))
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(created == 1)
    }

    /// Claims the oldest job that is due and not leased (or whose lease ran out), for `worker`. The claim
    /// is one conditional UPDATE, so two workers never both get the same job.
    ///
    /// # Errors
    /// When the database cannot be used.
    pub async fn claim_job(&self, worker: &str) -> StoreResult<Option<Job>> {
        let now = ts(self.now());
        let row = sqlx::query(
            "UPDATE jobs SET locked_by = $1, locked_until = $2, attempts = attempts + 1 \
             WHERE id = (SELECT id FROM jobs WHERE finished_at IS NULL AND failed_at IS NULL AND run_at <= $3 \
                         AND (locked_until IS NULL OR locked_until < $3) ORDER BY run_at, id LIMIT 1) \
             AND (locked_until IS NULL OR locked_until < $3) \
             RETURNING id, kind, org_id, payload, attempts",
        )
        .bind(worker)
        .bind(ts(self.now() + LEASE))
        .bind(now.as_str())
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let kind: String = row.try_get("kind")?;
        let org: Option<String> = row.try_get("org_id")?;
        let scope = org
            .map(|o| o.parse::<OrgId>().map_err(|_| StoreError::Other("bad organisation id in jobs".into())))
            .transpose()?
            .map(|org| OrgScope::new(org, Actor { kind: ActorKind::System, account: None, roles: Vec::new() }));
        Ok(Some(Job {
            id: row.try_get("id")?,
            kind: JobKind::parse(&kind).ok_or_else(|| StoreError::Other(format!("unknown job kind {kind}")))?,
            payload: row.try_get("payload")?,
            attempts: row.try_get("attempts")?,
            scope,
        }))
    }

    /// Marks a claimed job done. A worker whose lease was taken over changes nothing.
    ///
    /// # Errors
    /// When the database cannot be written.
    pub async fn finish_job(&self, job: &Job, worker: &str) -> StoreResult<()> {
        sqlx::query(
            "UPDATE jobs SET finished_at = $3, locked_by = NULL, locked_until = NULL WHERE id = $1 AND locked_by = $2",
        )
        .bind(job.id.as_str())
        .bind(worker)
        .bind(ts(self.now()))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Records a failed attempt: the job is tried again later (1, 2, 4, … minutes), or marked failed after
    /// its last attempt. `error` must name the problem without personal data.
    ///
    /// # Errors
    /// When the database cannot be written.
    pub async fn fail_job(&self, job: &Job, worker: &str, error: &str) -> StoreResult<()> {
        let retry_at = self.now() + Duration::minutes(1_i64 << job.attempts.clamp(0, 10));
        let query = if job.attempts >= job.kind.max_attempts() {
            sqlx::query(
                "UPDATE jobs SET failed_at = $3, last_error = $4, locked_by = NULL, locked_until = NULL \
                 WHERE id = $1 AND locked_by = $2",
            )
            .bind(job.id.as_str())
            .bind(worker)
            .bind(ts(self.now()))
        } else {
            sqlx::query(
                "UPDATE jobs SET run_at = $3, last_error = $4, locked_by = NULL, locked_until = NULL \
                 WHERE id = $1 AND locked_by = $2",
            )
            .bind(job.id.as_str())
            .bind(worker)
            .bind(ts(retry_at))
        };
        query.bind(error.chars().take(500).collect::<String>()).execute(&self.pool).await?;
        Ok(())
    }

    /// How many jobs wait to run and how many have failed for good, for the operator's metrics.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn job_counts(&self) -> StoreResult<(i64, i64)> {
        let row = sqlx::query(
            "SELECT COALESCE(SUM(CASE WHEN failed_at IS NULL THEN 1 ELSE 0 END), 0) AS waiting, \
             COALESCE(SUM(CASE WHEN failed_at IS NULL THEN 0 ELSE 1 END), 0) AS failed \
             FROM jobs WHERE finished_at IS NULL",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok((row.try_get("waiting")?, row.try_get("failed")?))
    }

    /// The jobs queued, running and failed (finished ones are left out), oldest first.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn open_jobs(&self) -> StoreResult<Vec<JobRow>> {
        let now = ts(self.now());
        let rows = sqlx::query(
            "SELECT id, kind, attempts, run_at, locked_until, last_error, failed_at FROM jobs \
             WHERE finished_at IS NULL ORDER BY run_at, id LIMIT 1000",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let locked: Option<String> = row.try_get("locked_until")?;
                let failed: Option<String> = row.try_get("failed_at")?;
                Ok(JobRow {
                    id: row.try_get("id")?,
                    kind: row.try_get("kind")?,
                    state: match (failed, locked) {
                        (Some(_), _) => "failed",
                        (None, Some(until)) if until > now => "running",
                        _ => "queued",
                    },
                    attempts: row.try_get("attempts")?,
                    run_at: row.time("run_at")?,
                    last_error: row.try_get("last_error")?,
                })
            })
            .collect()
    }
}
