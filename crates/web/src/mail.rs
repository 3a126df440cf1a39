//! Outgoing email: composed here from fixed texts and links (never case content or learners' names), queued
//! in the outbox with the change that causes it, and delivered by a job over SMTP when it is configured.

use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use store::outbox::Mail;

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
            "Someone has asked to give a person a safeguarding role or post in Vigil. \
             It takes effect only when a safeguarding lead confirms it.\n\nReview it:\n{link}"
        ),
    }
}

/// The alert to the safeguarding leads: that there is a concern, and whether it is urgent. Never who or what.
pub fn new_concern(link: &str, urgent: bool) -> Composed {
    Composed {
        subject: if urgent {
            "Urgent: a new safeguarding concern in Vigil"
        } else {
            "A new safeguarding concern in Vigil"
        },
        body: format!(
            "A safeguarding concern has been raised{}.\n\nOpen it in Vigil:\n{link}\n\n\
             This email never contains case details or anyone's name.",
            if urgent { " and the person who raised it said someone is in immediate danger" } else { "" }
        ),
    }
}

/// The alert to the senior leader and the board's safeguarding lead when no safeguarding lead or deputy
/// could receive a new concern (all away, disabled or gone). Never who or what.
pub fn concern_without_team(link: &str, urgent: bool) -> Composed {
    Composed {
        subject: "A safeguarding concern has reached nobody in the safeguarding team",
        body: format!(
            "A safeguarding concern has been raised in Vigil{}, and no safeguarding lead or deputy can receive it \
             today: they are away, disabled or not appointed.\n\nMake sure someone in the safeguarding team \
             handles it now: reach the lead or a deputy, or appoint cover in the role registry:\n{link}\n\n\
             This email never contains case details or anyone's name.",
            if urgent { ", and the person who raised it said someone is in immediate danger" } else { "" }
        ),
    }
}

/// The alert to the safeguarding leads that the senior leader used break-glass: who and until when, never
/// the reason (which may name someone) or any case.
pub fn break_glass(who: &str, until: &str) -> Composed {
    Composed {
        subject: "Emergency access to safeguarding cases was used in Vigil",
        body: format!(
            "{who} used emergency (break-glass) access to the safeguarding cases. It ends {until}.\n\n\
             Their reason and every case they open are recorded in Vigil's audit log.\n\n\
             This email never contains case details."
        ),
    }
}

/// The escalation of a concern nobody acknowledged in time: to the deputies, never who or what.
pub fn escalation(link: &str) -> Composed {
    Composed {
        subject: "A safeguarding concern is waiting to be acknowledged",
        body: format!(
            "A safeguarding concern has not been acknowledged in the time your organisation set. Please make sure \
             someone is handling it now.\n\nOpen it in Vigil:\n{link}\n\n\
             This email never contains case details or anyone's name."
        ),
    }
}

pub fn digest(url: &str, overdue: usize, due_soon: usize) -> Composed {
    let tasks = |n: usize| if n == 1 { "1 task".to_owned() } else { format!("{n} tasks") };
    Composed {
        subject: "Your tasks in Vigil this week",
        body: format!(
            "You have {} overdue and {} due in the next 14 days in Vigil.\n\nSee them on your home page:\n{url}/\n\n\
             This email never contains case details or anyone's name.",
            tasks(overdue),
            tasks(due_soon)
        ),
    }
}

/// An SMTP connection for the job that delivers mail.
#[derive(Clone)]
pub struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Smtp {
    /// Connects lazily to `url` (`smtp://…` or `smtps://user:password@host`), sending from `from`.
    ///
    /// # Errors
    /// When the URL or the sender address is not usable.
    pub fn new(url: &str, from: &str) -> anyhow::Result<Self> {
        Ok(Self { transport: AsyncSmtpTransport::<Tokio1Executor>::from_url(url)?.build(), from: from.parse()? })
    }

    /// Sends one email. The error names the failure without the address or content.
    pub async fn send(&self, mail: &Mail) -> Result<(), String> {
        let to: Mailbox = mail.recipient.parse().map_err(|_| "the recipient address is not valid".to_owned())?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .body(mail.body.clone())
            .map_err(|_| "the message could not be built".to_owned())?;
        self.transport.send(message).await.map(|_| ()).map_err(|e| {
            if e.is_permanent() {
                "the mail server refused the message".to_owned()
            } else {
                "the mail server could not be reached or deferred the message".to_owned()
            }
        })
    }
}
