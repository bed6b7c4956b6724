//! `devpath admin create` against a temporary SQLite database, through the
//! real binary.

use std::io::Write;
use std::process::{Command, Output, Stdio};

const PW: &str = "correct horse battery";

fn admin_create(
    dir: &std::path::Path,
    email: &str,
    env_pw: Option<&str>,
    stdin: Option<&str>,
) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_devpath"));
    cmd.args(["admin", "create", "--email", email, "--data-dir"])
        .arg(dir)
        .env_remove("DEVPATH_ADMIN_PASSWORD")
        .env_remove("DEVPATH_DATABASE_URL")
        .env_remove("DEVPATH_CONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(pw) = env_pw {
        cmd.env("DEVPATH_ADMIN_PASSWORD", pw);
    }
    let mut child = cmd.spawn().unwrap();
    {
        let mut input = child.stdin.take().unwrap();
        if let Some(s) = stdin {
            input.write_all(s.as_bytes()).unwrap();
        }
    }
    child.wait_with_output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

async fn user(dir: &std::path::Path, email: &str) -> Option<devpath_store::User> {
    let store = devpath_store::connect(&format!("sqlite://{}/devpath.db", dir.display()))
        .await
        .unwrap();
    let u = store.user_by_email(email).await.unwrap();
    store.close().await;
    u
}

#[tokio::test]
async fn creates_an_admin_from_the_environment_and_can_sign_in() {
    let dir = tempfile::tempdir().unwrap();
    let out = admin_create(dir.path(), "Root@Example.com", Some(PW), None);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("created administrator root@example.com"),
        "{}",
        text(&out)
    );
    let u = user(dir.path(), "root@example.com").await.unwrap();
    assert!(u.is_admin);
    // The stored hash is Argon2id and verifies.
    let store = devpath_store::connect(&format!("sqlite://{}/devpath.db", dir.path().display()))
        .await
        .unwrap();
    let hash = store.password_hash(u.id).await.unwrap().unwrap();
    assert!(hash.starts_with("$argon2id$"));
    let gate = devpath_web::credentials::HashGate::new(
        devpath_web::credentials::HashLimit::for_this_machine(),
    );
    assert_eq!(gate.verify_password(PW, Some(hash)).await, Ok(true));
    let audit = store.audit_entries(Some(u.id), 5).await.unwrap();
    assert_eq!(audit[0].action, "admin.create");
    store.close().await;

    // Running it again is harmless.
    let out = admin_create(dir.path(), "root@example.com", Some(PW), None);
    assert!(out.status.success());
    assert!(text(&out).contains("already an administrator"));
}

#[tokio::test]
async fn reads_the_password_from_stdin_when_not_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let out = admin_create(
        dir.path(),
        "ops@example.com",
        None,
        Some(&format!("{PW}\n")),
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(user(dir.path(), "ops@example.com").await.unwrap().is_admin);
}

#[tokio::test]
async fn rejects_weak_passwords_and_bad_emails() {
    let dir = tempfile::tempdir().unwrap();
    let out = admin_create(dir.path(), "weak@example.com", Some("password123"), None);
    assert!(!out.status.success());
    assert!(text(&out).contains("weak password"), "{}", text(&out));
    let out = admin_create(dir.path(), "weak@example.com", Some("short"), None);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("at least 10 characters"),
        "{}",
        text(&out)
    );
    assert!(user(dir.path(), "weak@example.com").await.is_none());
    let out = admin_create(dir.path(), "not-an-email", Some(PW), None);
    assert!(!out.status.success());
    assert!(text(&out).contains("valid email"), "{}", text(&out));
}

#[tokio::test]
async fn promotes_an_existing_account() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/devpath.db", dir.path().display());
    let store = devpath_store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    let u = store
        .create_user("learner@example.com", "$argon2id$x", false, 1)
        .await
        .unwrap();
    store.close().await;
    let out = admin_create(dir.path(), "learner@example.com", None, None);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("promoted"));
    let after = user(dir.path(), "learner@example.com").await.unwrap();
    assert_eq!(after.id, u.id);
    assert!(after.is_admin);
}
