//! The store's one error type. "Not found" is kept apart from "the database failed" all the way up.

/// Why a store call failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No such record in this scope. A record of another organisation is also "not found".
    #[error("not found")]
    NotFound,
    /// A value is not acceptable (it clashes with existing data, or names something unknown): answered as
    /// 422 with the field named. The message is safe to show.
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: &'static str },
    /// The record's current state does not allow the change (a closed case, an ended post): answered as
    /// 409. The message is safe to show.
    #[error("{0}")]
    Conflict(&'static str),
    /// A write transaction was committed without an audit event: a programming error.
    #[error("a write was committed without an audit event")]
    Unaudited,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("{0}")]
    Other(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// A unique index, as each database reports a violation of it: PostgreSQL by the index's name, SQLite by
/// its table and columns (`people.org_id, people.email`).
pub(crate) struct Unique {
    pub index: &'static str,
    pub columns: &'static str,
}

/// Turns a violation of a named unique index into a field error, leaving every other error as it was.
pub(crate) trait ConstraintExt<T> {
    fn on_constraint(self, unique: &Unique, field: &'static str, message: &'static str) -> StoreResult<T>;
}

impl<T> ConstraintExt<T> for Result<T, sqlx::Error> {
    fn on_constraint(self, unique: &Unique, field: &'static str, message: &'static str) -> StoreResult<T> {
        self.map_err(|e| match e {
            sqlx::Error::Database(db)
                if db.is_unique_violation()
                    && (db.constraint() == Some(unique.index) || db.message().contains(unique.columns)) =>
            {
                StoreError::Invalid { field, message }
            }
            other => StoreError::Database(other),
        })
    }
}

impl<T> ConstraintExt<T> for StoreResult<T> {
    fn on_constraint(self, unique: &Unique, field: &'static str, message: &'static str) -> StoreResult<T> {
        match self {
            Err(StoreError::Database(e)) => Err(e).on_constraint(unique, field, message),
            other => other,
        }
    }
}

/// Maps "no rows" to [`StoreError::NotFound`].
pub(crate) trait OptionalExt<T> {
    fn found(self) -> StoreResult<T>;
}

impl<T> OptionalExt<T> for Option<T> {
    fn found(self) -> StoreResult<T> {
        self.ok_or(StoreError::NotFound)
    }
}
