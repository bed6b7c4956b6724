mod accounts;
mod billing;
mod notes;
mod progress;
mod quizzes;
mod verification;

use crate::Result;
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;
use std::time::Duration;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// For several stateless app servers sharing one database.
pub struct PostgresStore {
    pub pool: PgPool,
}

impl PostgresStore {
    pub async fn connect(url: &str) -> Result<PostgresStore> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(5))
            .connect(url)
            .await?;
        Ok(PostgresStore { pool })
    }

    async fn shutdown(&self) {
        self.pool.close().await;
    }
}

/// SQLSTATE classes that mean the server or the connection failed, not the
/// statement: 08 connection exception, 53 insufficient resources (disk
/// full, out of memory, too many connections), 57 operator intervention
/// (shutdown, cannot connect now), 58 system error (I/O).
pub(crate) fn is_storage_fault(e: &sqlx::postgres::PgDatabaseError) -> bool {
    matches!(&e.code()[..2], "08" | "53" | "57" | "58")
}

impl_store!(PostgresStore, "postgres", MIGRATOR);
