//! HTML pages, one module per area. Forms post and redirect; every page works without JavaScript.

pub mod account;
pub mod audit;
pub mod case_forms;
pub mod cases;
pub mod concerns;
pub mod confirmations;
pub mod departments;
pub mod errors;
pub mod health;
pub mod home;
pub mod invitations;
pub mod outbox;
pub mod password_reset;
pub mod people;
pub mod profile;
pub mod registry;
pub mod setup;
pub mod sign_in;
pub mod sites;
pub mod users;
