//! Sign-in limits under concurrency: every attempt is counted atomically
//! before the password is checked, so a burst of simultaneous requests gets
//! no more tries than the same requests sent one by one. On SQLite and
//! PostgreSQL.

mod support;

use std::sync::Arc;
use support::{spawn_app, TestApp, PW};

/// Sends every `(email, password)` at once; returns the statuses in order.
async fn signin_burst(app: &Arc<TestApp>, attempts: Vec<(String, String)>) -> Vec<u16> {
    let mut tasks = tokio::task::JoinSet::new();
    for (i, (email, password)) in attempts.into_iter().enumerate() {
        let app = app.clone();
        tasks.spawn(async move {
            let r = app
                .client
                .post(app.url("/signin"))
                .header("Origin", app.origin())
                .form(&[("email", email.as_str()), ("password", password.as_str())])
                .send()
                .await
                .unwrap();
            (i, r.status().as_u16())
        });
    }
    let mut statuses = vec![0; tasks.len()];
    while let Some(done) = tasks.join_next().await {
        let (i, status) = done.unwrap();
        statuses[i] = status;
    }
    statuses
}

fn count(statuses: &[u16], status: u16) -> usize {
    statuses.iter().filter(|s| **s == status).count()
}

async fn concurrent_failures_to_one_account(app: TestApp) {
    assert_eq!(app.signup("target@example.com", PW).await.status(), 303);
    app.signout().await;
    let app = Arc::new(app);
    let wrong = (0..30)
        .map(|i| {
            (
                "target@example.com".to_string(),
                format!("wrong password {i}"),
            )
        })
        .collect();
    let statuses = signin_burst(&app, wrong).await;
    eprintln!("30 at once to one account: {statuses:?}");
    // At most five get their password checked (fewer when a request's turn
    // on the address counter came after the 20th).
    let checked = count(&statuses, 401);
    assert!((1..=5).contains(&checked), "{statuses:?}");
    assert_eq!(count(&statuses, 429), 30 - checked, "{statuses:?}");
    // The right password is refused too until the window ends.
    assert_eq!(app.signin("target@example.com", PW).await.status(), 429);
}

async fn concurrent_guesses_from_one_address(app: TestApp) {
    assert_eq!(app.signup("victim@example.com", PW).await.status(), 303);
    app.signout().await;
    let app = Arc::new(app);
    // 60 at once from one address, each to a different account; the 40th is right.
    let attempts = (0..60)
        .map(|i| {
            if i == 39 {
                ("victim@example.com".to_string(), PW.to_string())
            } else {
                (format!("user{i}@example.com"), "wrong password".to_string())
            }
        })
        .collect();
    let statuses = signin_burst(&app, attempts).await;
    eprintln!("60 at once from one address: {statuses:?}");
    assert!(
        count(&statuses, 401) + count(&statuses, 303) <= 20,
        "{statuses:?}"
    );
    assert!(count(&statuses, 429) >= 40, "{statuses:?}");
}

#[tokio::test]
async fn sqlite_concurrent_failures_to_one_account_are_limited() {
    concurrent_failures_to_one_account(TestApp::builder().spawn().await).await;
}

#[tokio::test]
async fn sqlite_concurrent_guesses_from_one_address_are_limited() {
    concurrent_guesses_from_one_address(TestApp::builder().spawn().await).await;
}

#[tokio::test]
async fn postgres_concurrent_failures_to_one_account_are_limited() {
    concurrent_failures_to_one_account(TestApp::builder().postgres().spawn().await).await;
}

#[tokio::test]
async fn postgres_concurrent_guesses_from_one_address_are_limited() {
    concurrent_guesses_from_one_address(TestApp::builder().postgres().spawn().await).await;
}

/// Wrong current passwords on `/account/password` and `/account/delete`
/// count with the sign-in failures: at once or one by one, five per account.
#[tokio::test]
async fn current_password_checks_share_the_sign_in_limits() {
    let app = Arc::new(TestApp::builder().spawn().await);
    assert_eq!(app.signup("me@example.com", PW).await.status(), 303);
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..30 {
        let app = app.clone();
        tasks.spawn(async move {
            let current = format!("wrong password {i}");
            app.post_form(
                "/account/password",
                &[
                    ("current_password", current.as_str()),
                    ("new_password", "another good passphrase"),
                ],
            )
            .await
            .status()
            .as_u16()
        });
    }
    let statuses = tasks.join_all().await;
    eprintln!("30 wrong current passwords at once: {statuses:?}");
    let checked = count(&statuses, 422);
    assert!((1..=5).contains(&checked), "{statuses:?}");
    assert_eq!(count(&statuses, 429), 30 - checked, "{statuses:?}");
    // Even the right one now waits, on both forms, and nothing changes.
    let r = app
        .post_form(
            "/account/password",
            &[
                ("current_password", PW),
                ("new_password", "another good passphrase"),
            ],
        )
        .await;
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
    let r = app.post_form("/account/delete", &[("password", PW)]).await;
    assert_eq!(r.status(), 429);
    assert!(app
        .store
        .user_by_email("me@example.com")
        .await
        .unwrap()
        .is_some());
    // And sign-in is limited for that account too.
    app.signout().await;
    assert_eq!(app.signin("me@example.com", PW).await.status(), 429);
}

/// Posts a sign-up as if from `ip` (the app must trust the proxy header).
async fn signup_from(app: &TestApp, ip: &str, email: &str) -> reqwest::Response {
    app.client
        .post(app.url("/signup"))
        .header("Origin", app.origin())
        .header("X-Forwarded-For", ip)
        .form(&[("email", email), ("password", PW)])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn sign_ups_are_limited_per_address() {
    let app = TestApp::builder()
        .config(|c| c.trust_proxy = true)
        .spawn()
        .await;
    let max = devpath_web::limits::MAX_SIGNUPS_PER_IP as usize;
    for i in 0..max {
        let r = signup_from(&app, "198.51.100.7", &format!("s{i}@example.com")).await;
        assert_eq!(r.status(), 303, "sign-up {i}");
    }
    let r = signup_from(&app, "198.51.100.7", "one-too-many@example.com").await;
    assert_eq!(r.status(), 429);
    let wait: i64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=3600).contains(&wait), "{wait}");
    assert!(support::decode(&r.text().await.unwrap()).contains("Too many new accounts"));
    assert!(app
        .store
        .user_by_email("one-too-many@example.com")
        .await
        .unwrap()
        .is_none());
    // Another address is not affected.
    let r = signup_from(&app, "198.51.100.8", "other@example.com").await;
    assert_eq!(r.status(), 303);
}

#[tokio::test]
async fn reset_requests_are_limited_per_address_whether_or_not_the_account_exists() {
    let app = spawn_app().await;
    let max = devpath_web::limits::MAX_RESET_REQUESTS_PER_IP as usize;
    for i in 0..max {
        let r = app
            .post_form("/forgot", &[("email", &format!("nobody{i}@example.com"))])
            .await;
        assert_eq!(r.status(), 200, "request {i}");
    }
    for email in ["nobody-else@example.com", "also-nobody@example.com"] {
        let r = app.post_form("/forgot", &[("email", email)]).await;
        assert_eq!(r.status(), 429);
        assert!(r.headers().contains_key("retry-after"));
        assert!(support::decode(&r.text().await.unwrap()).contains("Too many reset requests"));
    }
}

/// With one hashing worker and no queue, a burst of sign-ups from many
/// addresses gets quick 503s with `Retry-After` for what cannot run at once,
/// never a 500, and every account answered 303 exists.
#[tokio::test]
async fn concurrent_password_hashing_is_bounded() {
    let app = Arc::new(
        TestApp::builder()
            .config(|c| {
                c.trust_proxy = true;
                c.password_hashing = devpath_web::credentials::HashLimit {
                    workers: 1,
                    queue: 0,
                };
            })
            .spawn()
            .await,
    );
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..40 {
        let app = app.clone();
        tasks.spawn(async move {
            let email = format!("burst{i}@example.com");
            let r = signup_from(&app, &format!("192.0.2.{i}"), &email).await;
            let retry = r.headers().get("retry-after").cloned();
            (email, r.status().as_u16(), retry)
        });
    }
    let (mut created, mut busy) = (Vec::new(), 0);
    while let Some(done) = tasks.join_next().await {
        let (email, status, retry) = done.unwrap();
        match status {
            303 => created.push(email),
            503 => {
                assert_eq!(retry.unwrap(), "2");
                busy += 1;
            }
            other => panic!("{email}: {other}"),
        }
    }
    assert!(busy > 0, "40 sign-ups at once on one worker: none refused");
    assert!(!created.is_empty());
    for email in created {
        assert!(app.store.user_by_email(&email).await.unwrap().is_some());
    }
}
