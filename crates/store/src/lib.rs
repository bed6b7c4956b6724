//! Persistence behind one trait, [`Store`], with a backend per engine, each
//! with its own migrations. The backend is chosen from the database URL:
//! `sqlite://...` (the default, embedded) or `postgres://...` (several app
//! servers sharing one database).

/// The `Store` impl of a backend: the SQL is the same on both engines, so one
/// macro writes it for each (as `impl_accounts!` and `impl_billing!` do).
macro_rules! impl_store {
    ($ty:ty, $engine:literal, $migrator:path) => {
        #[async_trait::async_trait]
        impl $crate::Store for $ty {
            fn engine(&self) -> &'static str {
                $engine
            }

            async fn migrate(&self) -> $crate::Result<()> {
                $migrator.run(&self.pool).await?;
                Ok(())
            }

            async fn ping(&self) -> $crate::Result<()> {
                // A write, not `SELECT 1`: reads keep working on a full disk.
                sqlx::query(
                    "INSERT INTO health_probe (id, at) VALUES (1, $1) \
                     ON CONFLICT (id) DO UPDATE SET at = excluded.at",
                )
                .bind($crate::accounts::unix_now())
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn applied_migrations(&self) -> $crate::Result<Vec<String>> {
                let rows: Vec<(String,)> = sqlx::query_as(
                    "SELECT description FROM _sqlx_migrations WHERE success ORDER BY version",
                )
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(|r| r.0).collect())
            }

            async fn close(&self) {
                self.shutdown().await;
            }
        }
    };
}

pub mod accounts;
pub mod billing;
pub mod changes;
pub mod notes;
mod postgres;
pub mod progress;
pub mod quizzes;
mod sqlite;
pub mod testing;
pub mod verification;

use std::sync::Arc;

pub use accounts::{Accounts, AuditEntry, Session, User};
pub use billing::Billing;
pub use changes::{Change, ChangeFeed, Changes};
pub use notes::Notes;
pub use postgres::PostgresStore;
pub use progress::Progress;
pub use quizzes::Quizzes;
pub use sqlite::SqliteStore;
pub use verification::Verification;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL `{0}`: use sqlite://PATH or postgres://...")]
    UnsupportedUrl(String),
    /// The database cannot store or reach data right now (disk full, I/O
    /// error, locked, connection lost): nothing was written, and the same
    /// request may succeed later. The web layer answers 503.
    #[error("storage unavailable: {0}")]
    Unavailable(sqlx::Error),
    #[error("database error: {0}")]
    Database(sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A unique value is already taken (e.g. an account with that email).
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("the data folder {path} is read-only: devpath needs to write its database there (mount it read-write or choose another data_dir)")]
    ReadOnly { path: String },
    #[error("cannot create data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// The one place SQL errors are sorted: storage and connection faults
/// become [`StoreError::Unavailable`], everything else stays `Database`.
impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if is_storage_fault(&e) {
            StoreError::Unavailable(e)
        } else {
            StoreError::Database(e)
        }
    }
}

impl StoreError {
    pub fn is_unavailable(&self) -> bool {
        matches!(self, StoreError::Unavailable(_))
    }
}

/// Faults of the storage or the connection rather than of the query.
fn is_storage_fault(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => {
            if let Some(e) = db.try_downcast_ref::<sqlx::sqlite::SqliteError>() {
                sqlite::is_storage_fault(e)
            } else if let Some(e) = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
                postgres::is_storage_fault(e)
            } else {
                false
            }
        }
        _ => false,
    }
}

/// Everything the application asks of its database: one trait, made of one
/// sub-trait per concern so each can live in its own file per backend.
#[async_trait::async_trait]
pub trait Store:
    Accounts + Billing + Changes + Notes + Progress + Quizzes + Verification + Send + Sync + 'static
{
    /// `sqlite` or `postgres`.
    fn engine(&self) -> &'static str;
    /// Applies pending migrations (idempotent).
    async fn migrate(&self) -> Result<()>;
    /// A cheap round trip, for readiness checks.
    async fn ping(&self) -> Result<()>;
    /// Names of applied migrations, oldest first.
    async fn applied_migrations(&self) -> Result<Vec<String>>;
    /// Closes the pool, waiting for connections to finish.
    async fn close(&self);
}

/// Opens the backend that `url` names. For SQLite the file and its folder
/// are created when missing.
pub async fn connect(url: &str) -> Result<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::connect(url).await?))
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Ok(Arc::new(PostgresStore::connect(url).await?))
    } else {
        Err(StoreError::UnsupportedUrl(redact(url)))
    }
}

/// The URL without its password, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_password() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(
            redact("sqlite://data/devpath.db"),
            "sqlite://data/devpath.db"
        );
    }

    #[tokio::test]
    async fn rejects_unknown_scheme() {
        assert!(matches!(
            connect("mysql://x").await,
            Err(StoreError::UnsupportedUrl(_))
        ));
    }
}
