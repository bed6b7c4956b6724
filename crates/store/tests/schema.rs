//! The two migration trees must build the same schema: the same tables, the
//! same columns (by name, with the same nullability) and the same named
//! indexes. Applies both to fresh databases and compares what the engines
//! report, so a column added to one tree only fails here.

use devpath_store::{connect, testing};
use sqlx::Connection;
use std::collections::BTreeSet;

/// `table`, `table.column (null|not null)` and `index table.name` lines.
type Schema = BTreeSet<String>;

/// Bookkeeping tables each engine keeps for itself.
fn ours(table: &str) -> bool {
    !table.starts_with("sqlite_") && !table.starts_with("_sqlx")
}

async fn sqlite_schema() -> Schema {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/schema.db", dir.path().display());
    connect(&url).await.unwrap().migrate().await.unwrap();
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let tables: Vec<(String,)> =
        sqlx::query_as("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    let mut schema = Schema::new();
    for (table,) in tables.into_iter().filter(|(t,)| ours(t)) {
        schema.insert(table.clone());
        // `pk` columns are NOT NULL in PostgreSQL whatever the declaration says.
        let columns: Vec<(String, bool, i64)> =
            sqlx::query_as("SELECT name, \"notnull\", pk FROM pragma_table_info(?) ORDER BY name")
                .bind(&table)
                .fetch_all(&mut conn)
                .await
                .unwrap();
        for (column, not_null, pk) in columns {
            let null = if not_null || pk > 0 {
                "not null"
            } else {
                "null"
            };
            schema.insert(format!("{table}.{column} ({null})"));
        }
    }
    let indexes: Vec<(String, String)> = sqlx::query_as(
        "SELECT tbl_name, name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    for (table, index) in indexes.into_iter().filter(|(t, _)| ours(t)) {
        schema.insert(format!("index {table}.{index}"));
    }
    schema
}

async fn postgres_schema() -> Schema {
    let url = testing::fresh_postgres_database()
        .await
        .expect("PostgreSQL test server (scripts/test starts it)");
    connect(&url).await.unwrap().migrate().await.unwrap();
    let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
    let mut schema = Schema::new();
    let columns: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, is_nullable::text \
         FROM information_schema.columns WHERE table_schema = 'public'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    for (table, column, nullable) in columns.into_iter().filter(|(t, _, _)| ours(t)) {
        schema.insert(table.clone());
        let null = if nullable == "YES" {
            "null"
        } else {
            "not null"
        };
        schema.insert(format!("{table}.{column} ({null})"));
    }
    // Named indexes only: those PostgreSQL makes for keys and UNIQUE
    // constraints are SQLite's unnamed autoindexes.
    let indexes: Vec<(String, String)> = sqlx::query_as(
        "SELECT i.tablename::text, i.indexname::text FROM pg_indexes i \
         WHERE i.schemaname = 'public' AND NOT EXISTS ( \
           SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    for (table, index) in indexes.into_iter().filter(|(t, _)| ours(t)) {
        schema.insert(format!("index {table}.{index}"));
    }
    schema
}

#[tokio::test]
async fn both_migration_trees_build_the_same_schema() {
    let (sqlite, postgres) = (sqlite_schema().await, postgres_schema().await);
    assert!(
        sqlite.iter().any(|l| l.starts_with("index ")),
        "the comparison sees indexes: {sqlite:?}"
    );
    let only_sqlite: Vec<&String> = sqlite.difference(&postgres).collect();
    let only_postgres: Vec<&String> = postgres.difference(&sqlite).collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "the schemas differ\nonly in SQLite: {only_sqlite:#?}\nonly in PostgreSQL: {only_postgres:#?}"
    );
}
