//! The store's one error type. "Not found" is kept apart from "the database failed" all the way up.

/// Why a store call failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No such record in this scope. A record of another organisation is also "not found".
    #[error("not found")]
    NotFound,
    /// The change conflicts with existing data; the message is safe to show and names the field.
    #[error("{field}: {message}")]
    Conflict { field: &'static str, message: &'static str },
    /// The request is not allowed in the record's current state; the message is safe to show.
    #[error("{0}")]
    Refused(&'static str),
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

/// Maps "no rows" to [`StoreError::NotFound`].
pub(crate) trait OptionalExt<T> {
    fn found(self) -> StoreResult<T>;
}

impl<T> OptionalExt<T> for Option<T> {
    fn found(self) -> StoreResult<T> {
        self.ok_or(StoreError::NotFound)
    }
}
