//! Integration tests: the real router against real SQLite and PostgreSQL databases, one each per test.

mod support;

mod access_matrix;
mod accounts;
mod api;
mod audit_chain;
mod cases;
mod concern_reach;
mod concerns;
mod files;
mod input_and_transport;
mod organisation;
mod people;
mod platform;
mod registry;
mod schema;
mod separation_of_duties;
mod setup_and_sign_in;
mod sign_in_and_secrets;
mod snapshots_of_pages;
