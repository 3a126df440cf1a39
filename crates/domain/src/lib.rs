//! Vigil's domain: pure types and rules with no IO, no HTTP and no SQL.
//!
//! Values from outside (forms, JSON, CSV, the command line) are parsed into these types at the edge, so
//! the rest of the program only ever sees valid data.

pub mod audit;
pub mod cases;
pub mod concerns;
pub mod due;
pub mod files;
pub mod ids;
pub mod org;
pub mod people;
pub mod policy;
pub mod profile;
pub mod reach;
pub mod registry;
pub mod roles;
pub mod security;
pub mod text;

pub use ids::*;
