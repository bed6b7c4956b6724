mod accounts;
mod billing;
mod notes;
mod progress;
mod quizzes;
mod verification;

use crate::{Result, StoreError};
use sqlx::error::DatabaseError;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteError, SqliteJournalMode, SqlitePoolOptions,
    SqliteSynchronous,
};
use sqlx::{Connection, SqlitePool};
use std::str::FromStr;
use std::time::Duration;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// The embedded default: one file, WAL mode so readers never block the writer,
/// and a busy timeout so concurrent writers wait instead of failing.
/// `synchronous = FULL`: a commit is on disk (the WAL is synced) before it is
/// acknowledged, so an answered write survives a power cut too.
pub struct SqliteStore {
    pub pool: SqlitePool,
}

impl SqliteStore {
    pub async fn connect(url: &str) -> Result<SqliteStore> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(5))
            .foreign_keys(true);
        let file = options.get_filename();
        if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::DataDir {
                path: dir.display().to_string(),
                source,
            })?;
            if is_read_only(dir) {
                return Err(StoreError::ReadOnly {
                    path: dir.display().to_string(),
                });
            }
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .after_release(|conn, _| Box::pin(async move { outside_transaction(conn).await }))
            .connect_with(options)
            .await?;
        Ok(SqliteStore { pool })
    }

    /// Checkpoints the WAL into the database file and empties it, then
    /// closes the pool: a clean shutdown leaves one self-contained file.
    async fn shutdown(&self) {
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&self.pool)
            .await
        {
            tracing::warn!(error = %e, "WAL checkpoint at shutdown failed");
        }
        self.pool.close().await;
    }
}

/// Whether `dir` refuses new files because it is read-only (SQLite itself
/// would only say "unable to open database file").
fn is_read_only(dir: &std::path::Path) -> bool {
    let probe = dir.join(".devpath-write-check");
    match std::fs::File::create(&probe) {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            false
        }
        Err(e) => matches!(
            e.kind(),
            std::io::ErrorKind::ReadOnlyFilesystem | std::io::ErrorKind::PermissionDenied
        ),
    }
}

/// Whether a connection going back to the pool is outside any transaction;
/// if not, the pool closes it (which rolls back whatever is open).
///
/// A disk-full or I/O error inside a transaction may make SQLite roll the
/// transaction back by itself; sqlx's ROLLBACK then fails and its count of
/// open transactions stays at one. On that connection the next `begin()`
/// becomes a SAVEPOINT and its "commit" only releases the savepoint: the
/// write is answered as stored but never committed, holds the write lock
/// (every other connection gets "database is locked"), and is visible only
/// to that connection (later rows referencing it fail their foreign keys
/// elsewhere). Dropping such a connection ends all of that.
async fn outside_transaction(
    conn: &mut SqliteConnection,
) -> std::result::Result<bool, sqlx::Error> {
    if conn.is_in_transaction() {
        return Ok(false);
    }
    let mut handle = conn.lock_handle().await?;
    // SAFETY: the handle is a live connection, locked for our exclusive use
    // while `handle` is held; sqlite3_get_autocommit only reads a flag.
    let autocommit =
        unsafe { libsqlite3_sys::sqlite3_get_autocommit(handle.as_raw_handle().as_ptr()) };
    Ok(autocommit != 0)
}

/// Result codes that mean the storage failed, not the statement
/// (https://www.sqlite.org/rescode.html): busy, locked, read-only, I/O
/// error, corrupt, full, cannot open.
pub(crate) fn is_storage_fault(e: &SqliteError) -> bool {
    let code = e
        .code()
        .and_then(|c| c.parse::<i32>().ok())
        .unwrap_or_default();
    matches!(code & 0xff, 5 | 6 | 8 | 10 | 11 | 13 | 14)
}

impl_store!(SqliteStore, "sqlite", MIGRATOR);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;

    #[tokio::test]
    async fn creates_file_in_missing_dir_with_wal() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/nested/devpath.db", dir.path().display());
        let store = SqliteStore::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        store.migrate().await.unwrap(); // idempotent
        store.ping().await.unwrap();
        let applied = store.applied_migrations().await.unwrap();
        assert_eq!(applied[..2], ["init", "accounts"]);
        assert!(applied.iter().any(|m| m == "health probe"));
        let (mode,): (String,) = sqlx::query_as("PRAGMA journal_mode")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert_eq!(mode, "wal");
        assert!(dir.path().join("nested/devpath.db").exists());
    }

    /// Seen failing before: "unable to open database file".
    #[tokio::test]
    async fn read_only_folder_is_named_as_such() {
        let dir = tempfile::tempdir().unwrap();
        let mount = |args: &[&str]| {
            let ok = std::process::Command::new("mount")
                .args(args)
                .arg(dir.path())
                .status()
                .unwrap()
                .success();
            assert!(ok, "mount {args:?} (needs root)");
        };
        mount(&["-t", "tmpfs", "-o", "size=1m", "tmpfs"]);
        mount(&["-o", "remount,ro"]);
        let url = format!("sqlite://{}/devpath.db", dir.path().display());
        let err = SqliteStore::connect(&url)
            .await
            .err()
            .map(|e| e.to_string());
        let _ = std::process::Command::new("umount")
            .arg(dir.path())
            .status();
        let err = err.expect("a read-only folder cannot hold the database");
        assert!(err.contains("read-only"), "{err}");
        assert!(err.contains(&dir.path().display().to_string()), "{err}");
    }

    /// Seen failing before the explicit checkpoint: with another connection
    /// open (a backup tool, the sqlite3 shell) closing the pool left ~400 KB
    /// in the WAL.
    #[tokio::test]
    async fn close_checkpoints_and_truncates_the_wal() {
        use sqlx::ConnectOptions;
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/devpath.db", dir.path().display());
        let store = SqliteStore::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        let mut other = SqliteConnectOptions::from_str(&url)
            .unwrap()
            .connect()
            .await
            .unwrap();
        sqlx::query("SELECT COUNT(*) FROM users")
            .execute(&mut other)
            .await
            .unwrap();
        for i in 0..50 {
            store.ping().await.unwrap();
            crate::Accounts::create_user(&store, &format!("u{i}@example.com"), "h", false, 1)
                .await
                .unwrap();
        }
        let wal = dir.path().join("devpath.db-wal");
        assert!(std::fs::metadata(&wal).unwrap().len() > 0);
        store.close().await;
        assert_eq!(std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0), 0);
        // Everything is in the main file.
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users")
            .fetch_one(&mut other)
            .await
            .unwrap();
        assert_eq!(n, 50);
    }
}
