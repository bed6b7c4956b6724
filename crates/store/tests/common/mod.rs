//! Fresh stores for tests: SQLite in a temporary folder, and a new database
//! on the PostgreSQL test server.

use devpath_store::{connect, testing, Store};
use std::sync::Arc;

pub async fn sqlite() -> (Option<tempfile::TempDir>, Arc<dyn Store>) {
    let dir = tempfile::tempdir().unwrap();
    let store = connect(&format!("sqlite://{}/t.db", dir.path().display()))
        .await
        .unwrap();
    store.migrate().await.unwrap();
    (Some(dir), store)
}

pub async fn postgres() -> (Option<tempfile::TempDir>, Arc<dyn Store>) {
    let url = testing::fresh_postgres_database()
        .await
        .expect("PostgreSQL test server (scripts/test starts it)");
    let store = connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    (None, store)
}
