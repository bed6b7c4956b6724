//! The `Accounts` store against both backends: SQLite in a temporary folder
//! and a fresh PostgreSQL database on the test server.

use devpath_store::{connect, testing, Store, StoreError};
use std::sync::Arc;

async fn sqlite() -> (Option<tempfile::TempDir>, Arc<dyn Store>) {
    let dir = tempfile::tempdir().unwrap();
    let store = connect(&format!("sqlite://{}/t.db", dir.path().display()))
        .await
        .unwrap();
    store.migrate().await.unwrap();
    (Some(dir), store)
}

async fn postgres() -> (Option<tempfile::TempDir>, Arc<dyn Store>) {
    let url = testing::fresh_postgres_database()
        .await
        .expect("PostgreSQL test server (scripts/test starts it)");
    let store = connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    (None, store)
}

async fn users(s: Arc<dyn Store>) {
    let u = s
        .create_user(" Ada@Example.com", "h1", false, 100)
        .await
        .unwrap();
    assert_eq!(u.email, "ada@example.com");
    assert!(!u.is_admin);
    assert_eq!(u.created_at, 100);
    assert!(matches!(
        s.create_user("ADA@example.COM", "h2", false, 101).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(
        s.user_by_email("ada@EXAMPLE.com").await.unwrap(),
        Some(u.clone())
    );
    assert_eq!(s.user_by_id(u.id).await.unwrap(), Some(u.clone()));
    assert_eq!(s.user_by_id(u.id + 1000).await.unwrap(), None);
    let (cu, hash) = s
        .credentials_by_email("ada@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((cu, hash.as_str()), (u.clone(), "h1"));
    s.set_password_hash(u.id, "h3").await.unwrap();
    assert_eq!(s.password_hash(u.id).await.unwrap().as_deref(), Some("h3"));
    s.set_admin(u.id, true).await.unwrap();
    let u = s.user_by_id(u.id).await.unwrap().unwrap();
    assert!(u.is_admin);
    let b = s
        .create_user("bob_1%@example.com", "h", false, 200)
        .await
        .unwrap();
    assert_eq!(s.count_users().await.unwrap(), 2);
    let all = s.list_users(None, 10, 0).await.unwrap();
    assert_eq!(all.iter().map(|x| x.id).collect::<Vec<_>>(), [b.id, u.id]);
    let found = s.list_users(Some("BOB"), 10, 0).await.unwrap();
    assert_eq!(found, std::slice::from_ref(&b));
    // LIKE wildcards in the search are literal.
    assert_eq!(
        s.list_users(Some("_1%"), 10, 0).await.unwrap(),
        std::slice::from_ref(&b)
    );
    assert!(s.list_users(Some("%x"), 10, 0).await.unwrap().is_empty());
    assert_eq!(
        s.list_users(None, 1, 1).await.unwrap(),
        std::slice::from_ref(&u)
    );
}

async fn sessions_and_cascade(s: Arc<dyn Store>) {
    let u = s.create_user("s@example.com", "h", false, 0).await.unwrap();
    s.create_session("a", u.id, 1000, 5000, Some("test-agent"))
        .await
        .unwrap();
    s.create_session("b", u.id, 1000, 5000, None).await.unwrap();
    s.create_session("c", u.id, 1000, 1500, None).await.unwrap();
    let (sess, su) = s.session_with_user("a").await.unwrap().unwrap();
    assert_eq!(su, u);
    assert_eq!(
        (sess.created_at, sess.last_seen_at, sess.expires_at),
        (1000, 1000, 5000)
    );
    assert_eq!(sess.user_agent.as_deref(), Some("test-agent"));
    s.touch_session("a", 1200).await.unwrap();
    assert_eq!(
        s.session_with_user("a")
            .await
            .unwrap()
            .unwrap()
            .0
            .last_seen_at,
        1200
    );
    // Past absolute expiry (c), or idle since before 1100 (b).
    assert_eq!(s.delete_expired_sessions(2000, 1100).await.unwrap(), 2);
    assert!(s.session_with_user("b").await.unwrap().is_none());
    s.create_session("d", u.id, 1000, 5000, None).await.unwrap();
    s.create_session("e", u.id, 1000, 5000, None).await.unwrap();
    assert_eq!(s.delete_user_sessions(u.id, Some("a")).await.unwrap(), 2);
    assert!(s.session_with_user("a").await.unwrap().is_some());
    s.delete_session("a").await.unwrap();
    assert!(s.session_with_user("a").await.unwrap().is_none());

    // Deleting the user removes sessions and resets; audit rows lose the link.
    s.create_session("f", u.id, 1000, 5000, None).await.unwrap();
    s.create_password_reset("r", u.id, 1000, 5000)
        .await
        .unwrap();
    s.audit(Some(u.id), Some(u.id), "test.action", "detail")
        .await
        .unwrap();
    assert!(s.delete_user(u.id).await.unwrap());
    assert!(!s.delete_user(u.id).await.unwrap());
    assert!(s.session_with_user("f").await.unwrap().is_none());
    assert_eq!(s.password_reset_user("r", 1001).await.unwrap(), None);
    let entries = s.audit_entries(None, 10).await.unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].action, "test.action");
    assert_eq!(entries[0].detail, "detail");
    assert_eq!(entries[0].actor_user_id, None);
    assert_eq!(entries[0].subject_user_id, None);
    assert!(entries[0].at > 1_700_000_000);
}

async fn resets(s: Arc<dyn Store>) {
    let u = s.create_user("r@example.com", "h", false, 0).await.unwrap();
    s.create_password_reset("t1", u.id, 1000, 4600)
        .await
        .unwrap();
    s.create_password_reset("t2", u.id, 1000, 4600)
        .await
        .unwrap();
    s.create_password_reset("old", u.id, 0, 900).await.unwrap();
    assert_eq!(s.password_reset_user("t1", 2000).await.unwrap(), Some(u.id));
    assert_eq!(
        s.password_reset_user("t1", 4600).await.unwrap(),
        None,
        "expired"
    );
    assert_eq!(s.password_reset_user("old", 1000).await.unwrap(), None);
    assert_eq!(s.consume_password_reset("old", 1000).await.unwrap(), None);
    assert_eq!(
        s.consume_password_reset("t1", 2000).await.unwrap(),
        Some(u.id)
    );
    assert_eq!(
        s.consume_password_reset("t1", 2001).await.unwrap(),
        None,
        "single use"
    );
    assert_eq!(
        s.password_reset_user("t2", 2001).await.unwrap(),
        None,
        "siblings removed"
    );
    assert_eq!(s.consume_password_reset("nope", 2001).await.unwrap(), None);
}

async fn email_verification(s: Arc<dyn Store>) {
    let u = s.create_user("v@example.com", "h", false, 0).await.unwrap();
    assert_eq!(u.email_verified_at, None, "new accounts are unconfirmed");
    s.create_email_verification("v1", u.id, 1000, 5000)
        .await
        .unwrap();
    s.create_email_verification("v2", u.id, 1100, 5100)
        .await
        .unwrap();
    s.create_email_verification("old", u.id, 0, 900)
        .await
        .unwrap();
    assert_eq!(
        s.email_verification_user("v1", 2000).await.unwrap(),
        Some(u.id)
    );
    assert_eq!(s.email_verification_user("old", 1000).await.unwrap(), None);
    assert_eq!(s.verify_email("old", 1000).await.unwrap(), None, "expired");
    assert_eq!(
        s.user_by_id(u.id).await.unwrap().unwrap().email_verified_at,
        None
    );
    assert_eq!(s.verify_email("v1", 2000).await.unwrap(), Some(u.id));
    assert_eq!(
        s.verify_email("v1", 2001).await.unwrap(),
        None,
        "single use"
    );
    assert_eq!(
        s.verify_email("v2", 2001).await.unwrap(),
        None,
        "siblings removed"
    );
    let stored = s.user_by_id(u.id).await.unwrap().unwrap();
    assert_eq!(stored.email_verified_at, Some(2000));
    let (seen, _) = s
        .credentials_by_email("v@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(seen.email_verified_at, Some(2000));
    // A later link (e.g. asked for again) keeps the first confirmation time.
    s.create_email_verification("v3", u.id, 3000, 9000)
        .await
        .unwrap();
    assert_eq!(s.verify_email("v3", 3001).await.unwrap(), Some(u.id));
    assert_eq!(
        s.user_by_id(u.id).await.unwrap().unwrap().email_verified_at,
        Some(2000)
    );
    // Deleting the account removes its links.
    s.create_email_verification("v4", u.id, 3000, 9000)
        .await
        .unwrap();
    assert!(s.delete_user(u.id).await.unwrap());
    assert_eq!(s.verify_email("v4", 3001).await.unwrap(), None);
}

async fn login_attempts_and_audit(s: Arc<dyn Store>) {
    for at in [100, 200, 300] {
        s.record_login_failure("email:a@example.com", at)
            .await
            .unwrap();
    }
    s.record_login_failure("ip:127.0.0.1", 250).await.unwrap();
    assert_eq!(
        s.login_failures("email:a@example.com", 150).await.unwrap(),
        (2, Some(200))
    );
    assert_eq!(
        s.login_failures("email:b@example.com", 0).await.unwrap(),
        (0, None)
    );
    s.clear_login_failures("email:a@example.com").await.unwrap();
    assert_eq!(
        s.login_failures("email:a@example.com", 0).await.unwrap().0,
        0
    );
    assert_eq!(s.login_failures("ip:127.0.0.1", 0).await.unwrap().0, 1);
    assert_eq!(s.prune_login_attempts(300).await.unwrap(), 1);

    let a = s
        .create_user("admin@example.com", "h", true, 0)
        .await
        .unwrap();
    let l = s.create_user("l@example.com", "h", false, 0).await.unwrap();
    s.audit(Some(a.id), Some(l.id), "grant", "full access")
        .await
        .unwrap();
    s.audit(Some(a.id), None, "other", "").await.unwrap();
    s.audit(None, Some(l.id), "revoke", "").await.unwrap();
    let about_l = s.audit_entries(Some(l.id), 10).await.unwrap();
    assert_eq!(
        about_l
            .iter()
            .map(|e| e.action.as_str())
            .collect::<Vec<_>>(),
        ["revoke", "grant"]
    );
    assert_eq!(about_l[1].actor_user_id, Some(a.id));
    assert_eq!(s.audit_entries(None, 2).await.unwrap().len(), 2);
}

macro_rules! both {
    ($name:ident) => {
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                let (_dir, s) = super::sqlite().await;
                super::$name(s).await;
            }
            #[tokio::test]
            async fn postgres() {
                let (_dir, s) = super::postgres().await;
                super::$name(s).await;
            }
        }
    };
}

both!(users);
both!(sessions_and_cascade);
both!(resets);
both!(login_attempts_and_audit);
both!(email_verification);
