//! Outgoing email: composed here from fixed texts and links (never case content or learners' names), queued
//! in the outbox with the change that causes it, and sent by SMTP when it is configured.

use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use store::Store;
use store::outbox::Mail;

/// How mail leaves the server.
#[derive(Debug, Clone)]
pub enum MailMode {
    /// Kept in the outbox table (a demonstration, or before SMTP is configured).
    Outbox,
    /// Sent through this SMTP server (`smtp://…` or `smtps://user:pass@host`), from this address.
    Smtp { url: String, from: String },
}

/// A message ready to queue.
pub struct Composed {
    pub subject: &'static str,
    pub body: String,
}

pub fn invitation(org_name: &str, link: &str) -> Composed {
    Composed {
        subject: "You have been invited to Vigil",
        body: format!(
            "You have been invited to join {org_name} on Vigil, the safeguarding and Prevent duty system.\n\n\
             Accept the invitation within 7 days:\n{link}\n\n\
             If you did not expect this email, you can ignore it."
        ),
    }
}

pub fn password_reset(link: &str) -> Composed {
    Composed {
        subject: "Reset your Vigil password",
        body: format!(
            "Someone asked to reset the password of the Vigil account for this email address.\n\n\
             Set a new password within 1 hour:\n{link}\n\n\
             If it was not you, ignore this email: your password has not changed."
        ),
    }
}

pub fn confirmation_waiting(link: &str) -> Composed {
    Composed {
        subject: "A safeguarding role change needs your confirmation",
        body: format!(
            "An administrator has asked to give someone a safeguarding role in Vigil. \
             It takes effect only when a safeguarding lead confirms it.\n\nReview it:\n{link}"
        ),
    }
}

/// Sends queued mail for as long as the server runs. Each message is claimed before it is sent, so that
/// with several servers it goes once; a message that fails is logged by id, not retried (retries come with
/// the jobs service).
pub async fn run_sender(store: Store, url: String, from: String) {
    let transport = match AsyncSmtpTransport::<Tokio1Executor>::from_url(&url) {
        Ok(builder) => builder.build(),
        Err(e) => {
            tracing::error!(error = %e, "VIGIL_SMTP_URL is not usable; mail stays in the outbox");
            return;
        }
    };
    loop {
        match store.claim_unsent_mail().await {
            Ok(Some(mail)) => send(&transport, &from, &mail).await,
            Ok(None) => tokio::time::sleep(std::time::Duration::from_secs(5)).await,
            Err(e) => {
                tracing::error!(error = %e, "reading the outbox failed");
                tokio::time::sleep(std::time::Duration::from_secs(30)).await;
            }
        }
    }
}

async fn send(transport: &AsyncSmtpTransport<Tokio1Executor>, from: &str, mail: &Mail) {
    let message = (|| {
        Message::builder()
            .from(from.parse::<Mailbox>().ok()?)
            .to(mail.recipient.parse::<Mailbox>().ok()?)
            .subject(mail.subject.clone())
            .body(mail.body.clone())
            .ok()
    })();
    let Some(message) = message else {
        tracing::error!(mail.id = %mail.id, "mail could not be built");
        return;
    };
    match transport.send(message).await {
        Ok(_) => tracing::info!(mail.id = %mail.id, "mail sent"),
        Err(e) => tracing::error!(mail.id = %mail.id, error = %e, "mail failed"),
    }
}
