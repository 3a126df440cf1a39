//! Getting in: first set-up, signing in with a password and a second factor, invitations and password resets.

mod invitations;
mod pages;
mod password_reset;
mod setup;

use crate::routes::{Routes, routes};

/// This capability's rows of the route table.
pub(crate) fn routes() -> Routes {
    routes! {
        GET  "/setup"                  SignIn               Page => setup::show;
        POST "/setup"                  SignIn               Page => setup::submit;
        GET  "/sign-in"                SignIn               Page => pages::show;
        POST "/sign-in"                SignIn               Page => pages::submit;
        GET  "/sign-in/code"           CompleteSecondFactor Page => pages::code_show;
        POST "/sign-in/code"           CompleteSecondFactor Page => pages::code_submit;
        GET  "/sign-in/recovery-code"  CompleteSecondFactor Page => pages::recovery_show;
        POST "/sign-in/recovery-code"  CompleteSecondFactor Page => pages::recovery_submit;
        GET  "/sign-in/enrol"          CompleteSecondFactor Page => pages::enrol_show;
        POST "/sign-in/enrol"          CompleteSecondFactor Page => pages::enrol_submit;
        GET  "/invitations/{token}"    SignIn               Page => invitations::show;
        POST "/invitations/{token}"    SignIn               Page => invitations::submit;
        GET  "/password-reset"         SignIn               Page => password_reset::request_show;
        POST "/password-reset"         SignIn               Page => password_reset::request_submit;
        GET  "/password-reset/{token}" SignIn               Page => password_reset::reset_show;
        POST "/password-reset/{token}" SignIn               Page => password_reset::reset_submit;
        GET  "/sign-in/again"          UseOwnAccount        Page => pages::again_show;
        POST "/sign-in/again"          ManageOwnAccount     Page => pages::again_submit;
    }
}
