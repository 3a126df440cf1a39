//! Connection, migrations, the clock, and the portable encodings every query uses.

use crate::error::{StoreError, StoreResult};
use sqlx::Row;
use sqlx::any::AnyPoolOptions;
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{Any, AnyConnection, AnyPool, AssertSqlSafe, Executor, SqlSafeStr};
use std::borrow::Cow;
use time::format_description::well_known::Iso8601;
use time::macros::format_description;
use time::{Date, OffsetDateTime, UtcOffset};

/// Which database the pool talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The source of "now". Injected so that timeouts, expiries and due dates are tested without sleeping.
pub trait Clock: Send + Sync {
    fn now(&self) -> OffsetDateTime;
}

/// The real clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock that tests move by hand.
pub struct FixedClock(std::sync::Mutex<OffsetDateTime>);

impl FixedClock {
    #[must_use]
    pub fn new(at: OffsetDateTime) -> Self {
        Self(std::sync::Mutex::new(at))
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: time::Duration) {
        let mut now = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        *now += by;
    }
}

impl Clock for FixedClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

pub(crate) async fn connect(url: &str) -> StoreResult<(AnyPool, Backend)> {
    sqlx::any::install_default_drivers();
    let backend = if url.starts_with("sqlite:") {
        Backend::Sqlite
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Backend::Postgres
    } else {
        return Err(StoreError::Other("DATABASE_URL must start with sqlite: or postgres:".into()));
    };
    let options = AnyPoolOptions::new().max_connections(match backend {
        Backend::Sqlite => 4,
        Backend::Postgres => 10,
    });
    let options = if backend == Backend::Sqlite {
        // SQLite takes these settings per connection, and only by PRAGMA through the Any driver.
        options.after_connect(|conn, _| {
            Box::pin(async move {
                conn.execute(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
                )
                .await?;
                Ok(())
            })
        })
    } else {
        options
    };
    let pool = options.connect(url).await?;
    if backend == Backend::Sqlite {
        assert_sqlite_settings(&pool).await?;
    }
    Ok((pool, backend))
}

/// The embedded database must be durable and enforce foreign keys; refuse to start if it is not.
async fn assert_sqlite_settings(pool: &AnyPool) -> StoreResult<()> {
    let journal: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(pool).await?;
    let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous").fetch_one(pool).await?;
    let foreign_keys: i64 = sqlx::query_scalar("PRAGMA foreign_keys").fetch_one(pool).await?;
    let busy: i64 = sqlx::query_scalar("PRAGMA busy_timeout").fetch_one(pool).await?;
    if journal != "wal" || synchronous != 2 || foreign_keys != 1 || busy == 0 {
        return Err(StoreError::Other(format!(
            "SQLite settings are wrong: journal_mode={journal} synchronous={synchronous} \
             foreign_keys={foreign_keys} busy_timeout={busy}"
        )));
    }
    Ok(())
}

/// Every migration, one per line, embedded in the binary. `dialect` reads the file of the same name from
/// each database's folder (`migrations/sqlite`, `migrations/postgres`), for a version whose SQL must differ;
/// `portable` reads one file from `migrations/portable` for both, for a version whose SQL is the same (write
/// `BIGINT`, which SQLite accepts, and no booleans: see ADR 0001). New versions are portable unless they
/// cannot be. A missing file fails the build; a landed file is never edited: change the schema with a new one.
macro_rules! migrations {
    ($($kind:ident $version:literal $file:literal;)*) => {
        const SQLITE_MIGRATIONS: &[(i64, &str, &str)] = &[$(($version, $file, migrations!(@$kind "sqlite" $file))),*];
        const POSTGRES_MIGRATIONS: &[(i64, &str, &str)] =
            &[$(($version, $file, migrations!(@$kind "postgres" $file))),*];
    };
    (@dialect $dialect:literal $file:literal) => {
        include_str!(concat!("../migrations/", $dialect, "/", $file, ".sql"))
    };
    (@portable $dialect:literal $file:literal) => {
        include_str!(concat!("../migrations/portable/", $file, ".sql"))
    };
}

migrations! {
    dialect 1 "0001_foundation";
    dialect 2 "0002_confirmation_email";
    dialect 3 "0003_profile_and_sites";
    dialect 4 "0004_jobs";
    dialect 5 "0005_keys_and_files";
    dialect 6 "0006_people";
    dialect 7 "0007_role_registry";
    dialect 8 "0008_post_absences";
    dialect 9 "0009_concerns";
    dialect 10 "0010_concerns_about_staff";
    dialect 11 "0011_concerns_received_via";
    dialect 12 "0012_cases";
    dialect 13 "0013_concern_settings_drafts_attachments";
    portable 14 "0014_safe_from_the_first_day";
    portable 15 "0015_code_attempts";
}

pub(crate) fn migrator(backend: Backend) -> Migrator {
    let files = match backend {
        Backend::Sqlite => SQLITE_MIGRATIONS,
        Backend::Postgres => POSTGRES_MIGRATIONS,
    };
    Migrator::with_migrations(
        files
            .iter()
            .map(|(version, name, sql)| {
                Migration::new(
                    *version,
                    Cow::Borrowed(*name),
                    MigrationType::Simple,
                    AssertSqlSafe(*sql).into_sql_str(),
                    false,
                )
            })
            .collect(),
    )
}

const TS_FORMAT: &[time::format_description::BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");
const DATE_FORMAT: &[time::format_description::BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]");

/// A timestamp as fixed-width UTC text, so that text order is time order on both databases.
pub(crate) fn ts(at: OffsetDateTime) -> String {
    at.to_offset(UtcOffset::UTC).format(TS_FORMAT).unwrap_or_else(|_| unreachable!("every UTC time formats"))
}

/// Reads a timestamp written by [`ts`].
/// Parses an id read from the database.
pub(crate) fn parse_id<T: std::str::FromStr>(text: &str) -> StoreResult<T> {
    text.parse().map_err(|_| crate::error::StoreError::Other("bad id in database".into()))
}

pub(crate) fn parse_ts(text: &str) -> StoreResult<OffsetDateTime> {
    OffsetDateTime::parse(text, &Iso8601::DEFAULT)
        .map_err(|e| StoreError::Other(format!("bad timestamp in database: {e}")))
}

pub(crate) fn date(day: Date) -> String {
    day.format(DATE_FORMAT).unwrap_or_else(|_| unreachable!("every date formats"))
}

pub(crate) fn parse_date(text: &str) -> StoreResult<Date> {
    Date::parse(text, DATE_FORMAT).map_err(|e| StoreError::Other(format!("bad date in database: {e}")))
}

/// `text` for a `LIKE` pattern that matches it literally: its `%`, `_` and backslashes are escaped, for
/// use with `ESCAPE '\'`; the caller adds the `%` wildcards it wants around it.
pub(crate) fn like_literal(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// Builds a query from runtime text; used only where the statement is assembled from trusted fragments.
pub(crate) fn sql(text: String) -> impl SqlSafeStr {
    AssertSqlSafe(text)
}

/// Typed reads of a row's columns, in the text formats the store writes (ADR 0001): ids, timestamps and
/// dates, each read and parsed in one call instead of a column read and a parse at every use.
pub(crate) trait RowExt {
    fn id<T: std::str::FromStr>(&self, column: &str) -> StoreResult<T>;
    fn opt_id<T: std::str::FromStr>(&self, column: &str) -> StoreResult<Option<T>>;
    fn time(&self, column: &str) -> StoreResult<OffsetDateTime>;
    fn opt_time(&self, column: &str) -> StoreResult<Option<OffsetDateTime>>;
    fn day(&self, column: &str) -> StoreResult<Date>;
    fn opt_day(&self, column: &str) -> StoreResult<Option<Date>>;
}

impl RowExt for AnyRow {
    fn id<T: std::str::FromStr>(&self, column: &str) -> StoreResult<T> {
        parse_id(&self.try_get::<String, _>(column)?)
    }

    fn opt_id<T: std::str::FromStr>(&self, column: &str) -> StoreResult<Option<T>> {
        self.try_get::<Option<String>, _>(column)?.map(|text| parse_id(&text)).transpose()
    }

    fn time(&self, column: &str) -> StoreResult<OffsetDateTime> {
        parse_ts(&self.try_get::<String, _>(column)?)
    }

    fn opt_time(&self, column: &str) -> StoreResult<Option<OffsetDateTime>> {
        self.try_get::<Option<String>, _>(column)?.map(|text| parse_ts(&text)).transpose()
    }

    fn day(&self, column: &str) -> StoreResult<Date> {
        parse_date(&self.try_get::<String, _>(column)?)
    }

    fn opt_day(&self, column: &str) -> StoreResult<Option<Date>> {
        self.try_get::<Option<String>, _>(column)?.map(|text| parse_date(&text)).transpose()
    }
}

/// Where a read runs: on the pool, or on a write's own transaction, so that what a write checks before it
/// changes something is read in the same transaction as the change.
pub(crate) enum Reader<'a> {
    Pool(&'a AnyPool),
    Tx(&'a mut AnyConnection),
}

type Query<'q> = sqlx::query::Query<'q, Any, AnyArguments>;

impl Reader<'_> {
    pub(crate) async fn fetch_all(&mut self, query: Query<'_>) -> Result<Vec<AnyRow>, sqlx::Error> {
        match self {
            Reader::Pool(pool) => query.fetch_all(*pool).await,
            Reader::Tx(conn) => query.fetch_all(&mut **conn).await,
        }
    }

    pub(crate) async fn fetch_optional(&mut self, query: Query<'_>) -> Result<Option<AnyRow>, sqlx::Error> {
        match self {
            Reader::Pool(pool) => query.fetch_optional(*pool).await,
            Reader::Tx(conn) => query.fetch_optional(&mut **conn).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn timestamps_sort_as_text() {
        let a = ts(datetime!(2026-11-30 09:00:00 UTC));
        let b = ts(datetime!(2026-11-30 09:00:00.5 UTC));
        assert_eq!(a, "2026-11-30T09:00:00.000000Z");
        assert!(a < b);
        assert_eq!(parse_ts(&b).unwrap(), datetime!(2026-11-30 09:00:00.5 UTC));
    }
}
