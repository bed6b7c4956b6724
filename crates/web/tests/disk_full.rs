//! A full disk under the SQLite data folder: a write is acknowledged only
//! once it is stored, a storage error gives a 503 page with `Retry-After`,
//! `/readyz` fails meanwhile, and the server recovers by itself once space
//! returns. The data folder is a small tmpfs (the tests run as root).

mod support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use support::fixture::PATH_SLUG;
use support::TestApp;

/// A tmpfs mounted on a temporary folder, unmounted when dropped.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    fn mount(size: &str) -> Tmpfs {
        let dir = tempfile::tempdir().unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .status()
            .unwrap()
            .success();
        assert!(ok, "mount tmpfs (needs root)");
        Tmpfs { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file until the filesystem refuses (ENOSPC).
    fn fill(&self) -> PathBuf {
        let filler = self.path().join("filler");
        let mut f = std::fs::File::create(&filler).unwrap();
        let block = vec![0u8; 4096];
        loop {
            if f.write_all(&block).and_then(|_| f.flush()).is_err() {
                break;
            }
        }
        filler
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        // Lazy: the server may still hold the database open.
        let _ = Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

/// Everything the server logs, kept for the test to read.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl Logs {
    fn capture() -> Logs {
        let logs = Logs::default();
        let sink = logs.clone();
        tracing_subscriber::fmt()
            .with_ansi(false)
            .with_writer(move || sink.clone())
            .init();
        logs
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Completions the database file holds, read by a fresh connection (not the
/// server's pool) so the answer comes from what is on disk.
async fn stored_completions(dir: &Path) -> i64 {
    use sqlx::ConnectOptions;
    let opts: sqlx::sqlite::SqliteConnectOptions = format!("sqlite://{}/devpath.db", dir.display())
        .parse()
        .unwrap();
    let mut conn = opts.connect().await.unwrap();
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM progress")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    n
}

fn lesson_slugs() -> Vec<String> {
    let catalog = support::catalog();
    catalog.paths[0]
        .lessons
        .iter()
        .map(|l| l.slug.clone())
        .collect()
}

async fn complete(app: &TestApp, lesson: &str) -> reqwest::Response {
    app.post_form(&format!("/progress/{PATH_SLUG}/{lesson}/complete"), &[])
        .await
}

#[tokio::test]
async fn full_disk_never_acknowledges_a_lost_write_and_recovers() {
    let logs = Logs::capture();
    let fs = Tmpfs::mount("4m");
    let app = TestApp::builder()
        .data_dir(fs.path())
        .config(|c| c.session_cache = std::time::Duration::from_secs(60))
        .spawn()
        .await;
    app.learner_on_trial("disk@example.com").await;
    let lessons = lesson_slugs();
    assert_eq!(complete(&app, &lessons[0]).await.status(), 303);

    let filler = fs.fill();
    let mut acknowledged = 1;
    let mut refused = 0;
    for lesson in &lessons[1..] {
        let r = complete(&app, lesson).await;
        match r.status().as_u16() {
            303 => acknowledged += 1,
            503 => {
                refused += 1;
                assert!(r.headers().contains_key("retry-after"));
                let text = r.text().await.unwrap();
                assert!(text.contains("nothing was changed"), "{text}");
            }
            other => panic!("unexpected {other}: {}", r.text().await.unwrap()),
        }
    }
    let readyz_full = app.get("/readyz").await.status().as_u16();
    let (_, dash) = app.get_text("/dashboard").await;
    eprintln!(
        "full: acknowledged {acknowledged}, refused {refused}, readyz {readyz_full}, stored {}",
        stored_completions(fs.path()).await
    );
    assert!(refused > 0, "the disk never filled");
    let text = logs.text();
    assert!(
        text.contains("database or disk is full"),
        "the log names the cause"
    );
    assert!(!text.contains("FOREIGN KEY"), "no misleading cause");
    assert_eq!(readyz_full, 503, "/readyz while the disk is full");
    let shown = dash
        .split("data-testid=\"lessons-completed\"")
        .nth(1)
        .unwrap()
        .split_once('>')
        .unwrap()
        .1
        .split('<')
        .next()
        .unwrap()
        .parse::<i64>()
        .unwrap_or(-1);
    assert_eq!(
        shown, acknowledged,
        "the dashboard shows what was acknowledged"
    );

    // Space returns: the same process works again, no restart.
    std::fs::remove_file(filler).unwrap();
    let mut recovered = false;
    for _ in 0..50 {
        if app.get("/readyz").await.status() == 200 {
            recovered = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(recovered, "/readyz back to 200 once space returns");
    let mut after = 0;
    for lesson in &lessons[1..] {
        let r = complete(&app, lesson).await;
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
        after += 1;
    }
    assert_eq!(after, lessons.len() - 1);
    app.store.close().await;
    assert_eq!(
        stored_completions(fs.path()).await,
        lessons.len() as i64,
        "every acknowledged completion is in the file"
    );
}
