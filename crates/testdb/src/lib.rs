//! Throwaway databases for tests: a SQLite file in a temporary folder, or a fresh PostgreSQL database
//! created on the local server (`VIGIL_TEST_POSTGRES_URL`, by default `postgres://postgres@127.0.0.1:5432/postgres`).
//! Each is removed when dropped. Tests fail, never skip, when PostgreSQL cannot be reached.

use store::Backend;

/// A throwaway database, removed when dropped.
pub struct TestDb {
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    File(std::path::PathBuf),
    Postgres { admin_url: String, name: String },
}

impl TestDb {
    /// # Panics
    /// When the database cannot be created.
    pub async fn new(backend: Backend) -> Self {
        let id = uuid::Uuid::new_v4().simple().to_string();
        match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(format!("vigil-test-{id}"));
                std::fs::create_dir_all(&dir).expect("temp dir");
                Self {
                    url: format!("sqlite://{}?mode=rwc", dir.join("test.db").display()),
                    cleanup: Cleanup::File(dir),
                }
            }
            Backend::Postgres => {
                let admin_url = std::env::var("VIGIL_TEST_POSTGRES_URL")
                    .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
                let name = format!("vigil_test_{id}");
                sqlx::any::install_default_drivers();
                let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin_url)
                    .await
                    .unwrap_or_else(|e| panic!("PostgreSQL must be running for the tests ({admin_url}): {e}"));
                sqlx::Executor::execute(&mut conn, sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .await
                    .expect("create test database");
                let base = admin_url.rsplit_once('/').map_or(admin_url.as_str(), |(b, _)| b).to_owned();
                Self { url: format!("{base}/{name}"), cleanup: Cleanup::Postgres { admin_url, name } }
            }
        }
    }

    /// A raw connection for tests that tamper with the database as an attacker with access would.
    /// # Panics
    /// When the database cannot be reached.
    pub async fn raw(&self) -> sqlx::AnyConnection {
        sqlx::any::install_default_drivers();
        <sqlx::AnyConnection as sqlx::Connection>::connect(&self.url).await.expect("raw connection")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::File(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::Postgres { admin_url, name } => {
                let (admin_url, name) = (admin_url.clone(), name.clone());
                // Drop runs inside the test's runtime, so the database is dropped from a thread of its own.
                let _ = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
                    rt.block_on(async {
                        if let Ok(mut conn) = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin_url).await {
                            let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                            let _ = sqlx::Executor::execute(&mut conn, sqlx::AssertSqlSafe(drop)).await;
                        }
                    });
                })
                .join();
            }
        }
    }
}
