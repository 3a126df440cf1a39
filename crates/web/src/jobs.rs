//! The worker inside `vigil serve`: it schedules recurring jobs and runs whatever is due. Every server runs
//! one; the store's leases make each job run once among them.

use crate::AppState;
use crate::mail::{self, Smtp};
use domain::audit::AuditEvent;
use store::StoreResult;
use store::jobs::{Job, JobKind};

/// How often an idle worker looks for work.
pub const POLL: std::time::Duration = std::time::Duration::from_secs(10);

/// One server's worker.
pub struct Worker {
    state: AppState,
    name: String,
    smtp: Option<Smtp>,
}

impl Worker {
    /// A worker named `name` (unique per server, for leases), sending mail by `smtp` when configured.
    #[must_use]
    pub fn new(state: AppState, name: String, smtp: Option<Smtp>) -> Self {
        Self { state, name, smtp }
    }

    /// Schedules this week's recurring jobs, then runs every due job. Answers how many jobs ran.
    ///
    /// # Errors
    /// When the database cannot be used.
    pub async fn tick(&self) -> StoreResult<usize> {
        self.schedule().await?;
        let mut ran = 0;
        while let Some(job) = self.state.store.claim_job(&self.name).await? {
            match self.run(&job).await {
                Ok(()) => self.state.store.finish_job(&job, &self.name).await?,
                Err(error) => {
                    tracing::warn!(job.id = %job.id, job.kind = job.kind.as_str(), %error, "job failed");
                    self.state.store.fail_job(&job, &self.name, &error).await?;
                }
            }
            ran += 1;
        }
        Ok(ran)
    }

    /// Runs for as long as the server does.
    pub async fn run_forever(self) {
        loop {
            if let Err(e) = self.tick().await {
                tracing::error!(error = %e, "the job worker could not use the database");
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// The weekly digest of each organisation, due at 07:00 UTC on Monday of the current week.
    async fn schedule(&self) -> StoreResult<()> {
        let now = self.state.store.now();
        let monday = now.date() - time::Duration::days(i64::from(now.weekday().number_days_from_monday()));
        let run_at = monday.with_hms(7, 0, 0).map_or(now, time::PrimitiveDateTime::assume_utc);
        let (year, week, _) = now.to_iso_week_date();
        for org in self.state.store.all_organisations().await? {
            let key = format!("weekly_digest:{}:{year}-W{week:02}", org.id);
            self.state.store.schedule_job(JobKind::WeeklyDigest, Some(org.id), &key, run_at).await?;
        }
        Ok(())
    }

    async fn run(&self, job: &Job) -> Result<(), String> {
        match job.kind {
            JobKind::DeliverMail => self.deliver(&job.payload).await,
            JobKind::WeeklyDigest => self.digest(job).await.map_err(|e| format!("digest failed: {e}")),
            JobKind::EscalateConcern => self.escalate(job).await.map_err(|e| format!("escalation failed: {e}")),
            JobKind::SendPasswordReset => {
                self.password_reset(&job.payload).await.map_err(|e| format!("password reset failed: {e}"))
            }
        }
    }

    /// Tells the deputies (for a concern about staff, the board's safeguarding lead; for someone in immediate
    /// danger, the senior leader too) that a concern is still waiting to be acknowledged, by an email with no
    /// names or content. Nothing happens if it was acknowledged in time.
    async fn escalate(&self, job: &Job) -> StoreResult<()> {
        let Some(scope) = &job.scope else { return Ok(()) };
        let Ok(id) = job.payload.parse() else { return Ok(()) };
        let store = &self.state.store;
        let mut tx = store.write(scope).await?;
        let Some(escalated) = tx.escalate_concern(id).await? else { return Ok(()) };
        let link = if escalated.about_staff { "/concerns/about-staff" } else { "/safeguarding" };
        let composed = mail::escalation(&format!("{}{link}", self.state.config.public_url));
        for recipient in store.escalation_recipients(scope, escalated).await? {
            tx.queue_mail(&recipient, composed.subject, &composed.body).await?;
        }
        tx.commit().await
    }

    /// Emails a password-reset link to the account with this address, if there is one.
    async fn password_reset(&self, email: &str) -> StoreResult<()> {
        let base = &self.state.config.public_url;
        self.state
            .store
            .send_password_reset(email, |token| {
                let composed = mail::password_reset(&format!("{base}/password-reset/{token}"));
                (composed.subject, composed.body)
            })
            .await
    }

    /// Sends one email. Without SMTP it stays in the outbox for a demonstration; otherwise its body (and
    /// any link in it) is emptied, since it cannot go anywhere.
    async fn deliver(&self, mail_id: &str) -> Result<(), String> {
        let Some(smtp) = &self.smtp else {
            if self.state.config.demo {
                return Ok(());
            }
            return self
                .state
                .store
                .discard_unsendable_mail(mail_id)
                .await
                .map_err(|e| format!("emptying the outbox failed: {e}"));
        };
        let mail = self.state.store.mail(mail_id).await.map_err(|e| format!("reading the outbox failed: {e}"))?;
        smtp.send(&mail).await?;
        self.state.store.mark_mail_sent(mail_id).await.map_err(|e| format!("recording the send failed: {e}"))
    }

    /// Emails each enabled member who has tasks overdue or due soon, in neutral words.
    async fn digest(&self, job: &Job) -> StoreResult<()> {
        let Some(scope) = &job.scope else { return Ok(()) };
        let store = &self.state.store;
        let items = store.due_items(scope).await?;
        let today = store.now().date();
        let mut tx = store.write(scope).await?;
        let mut recipients = 0;
        let mut page = 1;
        loop {
            let members = store.members_page(scope, page, 500).await?;
            for member in members.items.iter().filter(|m| m.disabled_at.is_none()) {
                let roles: Vec<_> = member.roles.iter().map(|h| h.role).collect();
                let mine: Vec<_> = items.iter().filter(|i| i.is_for(Some(member.account_id), &roles)).collect();
                if mine.is_empty() {
                    continue;
                }
                let overdue = mine.iter().filter(|i| i.is_overdue(today)).count();
                let composed = mail::digest(&self.state.config.public_url, overdue, mine.len() - overdue);
                tx.queue_mail(&member.email, composed.subject, &composed.body).await?;
                recipients += 1;
            }
            if members.items.len() < 500 {
                break;
            }
            page += 1;
        }
        tx.audit(AuditEvent::new("digest.queued", "organisation", scope.org().0).fields(if recipients > 0 {
            &["recipients"]
        } else {
            &[]
        }));
        tx.commit().await
    }
}

/// A worker name unique to this server process.
#[must_use]
pub fn worker_name() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "vigil".into());
    format!("{host}-{}", uuid::Uuid::new_v4().simple())
}
