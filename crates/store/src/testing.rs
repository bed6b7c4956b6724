//! Test databases: a fresh, uniquely named PostgreSQL database per test (so
//! tests run in parallel without seeing each other's rows), and a SQLite file
//! in a temporary folder.

use crate::Result;
use sqlx::Connection;
use std::sync::atomic::{AtomicU32, Ordering};

/// The server tests use: `DEVPATH_TEST_POSTGRES_URL`, or the local default.
pub fn postgres_admin_url() -> String {
    std::env::var("DEVPATH_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// Creates an empty database on the test server and returns its URL.
pub async fn fresh_postgres_database() -> Result<String> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let admin = postgres_admin_url();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let name = format!(
        "devpath_test_{}_{}_{}",
        std::process::id(),
        nanos,
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    let mut conn = sqlx::PgConnection::connect(&admin).await?;
    sqlx::query(&format!("CREATE DATABASE \"{name}\""))
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
    Ok(format!("{base}/{name}"))
}
