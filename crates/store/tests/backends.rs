//! The same checks against every backend: SQLite in a temporary folder and a
//! fresh PostgreSQL database on the test server.

use devpath_store::{connect, testing, Store};
use std::sync::Arc;

async fn sqlite() -> (tempfile::TempDir, Arc<dyn Store>) {
    let dir = tempfile::tempdir().unwrap();
    let store = connect(&format!("sqlite://{}/t.db", dir.path().display()))
        .await
        .unwrap();
    (dir, store)
}

async fn postgres() -> Arc<dyn Store> {
    let url = testing::fresh_postgres_database()
        .await
        .expect("PostgreSQL test server (scripts/test starts it)");
    connect(&url).await.unwrap()
}

async fn migrations_apply_once(store: Arc<dyn Store>, engine: &str) {
    assert_eq!(store.engine(), engine);
    store.migrate().await.unwrap();
    store.migrate().await.unwrap();
    store.ping().await.unwrap();
    let applied = store.applied_migrations().await.unwrap();
    assert_eq!(applied.first().map(String::as_str), Some("init"));
}

#[tokio::test]
async fn sqlite_migrations() {
    let (_d, s) = sqlite().await;
    migrations_apply_once(s, "sqlite").await;
}

#[tokio::test]
async fn postgres_migrations() {
    migrations_apply_once(postgres().await, "postgres").await;
}

#[tokio::test]
async fn backend_is_chosen_from_the_url() {
    assert!(connect("mysql://localhost/x").await.is_err());
    let (_d, s) = sqlite().await;
    assert_eq!(s.engine(), "sqlite");
}
