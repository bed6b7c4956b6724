//! Sign-in limits under concurrency: every attempt is counted atomically
//! before the password is checked, so a burst of simultaneous requests gets
//! no more tries than the same requests sent one by one. On SQLite and
//! PostgreSQL.

mod support;

use std::sync::Arc;
use support::TestApp;

const PW: &str = "correct horse battery";

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
