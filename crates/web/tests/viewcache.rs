//! With the signed-in page cache on (as in production): a learner's own
//! changes show at once, and a signed-out session is not served from cache.

mod support;

use std::time::Duration;
use support::fixture::{CAP, CAP_COMPLETE, FREE_NOTES};
use support::{TestApp, PW};

async fn cached_app() -> TestApp {
    TestApp::builder()
        .config(|c| c.session_cache = Duration::from_secs(60))
        .spawn()
        .await
}

#[tokio::test]
async fn own_changes_show_at_once_with_the_cache_on() {
    let app = cached_app().await;
    app.learner("cache@example.com").await;

    // Warm the cache with the paywalled page.
    let (status, page) = app.get_text(CAP).await;
    assert_eq!(status, 200);
    assert!(
        !page.contains("id=\"lesson-body\""),
        "locked before the trial"
    );

    // Starting the trial is a POST: the cache is emptied and access shows now.
    let r = app.post_form("/trial/start", &[]).await;
    assert!(
        r.status().is_redirection() || r.status().is_success(),
        "{}",
        r.status()
    );
    let (_, page) = app.get_text(CAP).await;
    assert!(
        page.contains("id=\"lesson-body\""),
        "trial access should show at once"
    );

    // Completing the lesson shows at once too.
    let r = app.post_form(CAP_COMPLETE, &[]).await;
    assert!(
        r.status().is_redirection() || r.status().is_success(),
        "{}",
        r.status()
    );
    let (_, page) = app.get_text(CAP).await;
    assert!(page.contains("Completed"), "completion should show at once");

    // Signing out ends the session everywhere on this server, cache included.
    let cookie = app.session_cookie().expect("signed in");
    app.signout().await;
    app.set_session_cookie(&cookie);
    let (_, page) = app.get_text(CAP).await;
    assert!(
        !page.contains("id=\"lesson-body\""),
        "a signed-out session must not be served from cache"
    );
}

#[tokio::test]
async fn only_the_learner_whose_state_changed_loses_their_cache() {
    let app = cached_app().await;
    app.learner("a@example.com").await;
    let (_, page) = app.get_text(CAP).await;
    assert!(
        !page.contains("id=\"lesson-body\""),
        "locked before the trial"
    );

    // The trial starts behind the server's back: the cached state hides it.
    let a = app.user_id("a@example.com").await;
    let t = support::now();
    app.store
        .start_trial(a, t, t + devpath_web::entitlements::TRIAL_SECS)
        .await
        .unwrap();
    let (_, page) = app.get_text(CAP).await;
    assert!(
        !page.contains("id=\"lesson-body\""),
        "served from the cache"
    );

    // A lab run is a pure function: it drops nobody's cache.
    let r = app
        .client
        .post(app.url("/api/labs/run"))
        .header("Origin", app.origin())
        .header("Content-Type", "application/json")
        .body(r#"{"lab":"raft","params":{},"seed":1,"actions":[]}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let (_, page) = app.get_text(CAP).await;
    assert!(
        !page.contains("id=\"lesson-body\""),
        "a lab run kept the cache"
    );

    // Another learner's write (from another browser) drops only their own.
    let other = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_provider(std::sync::Arc::new(reqwest::cookie::Jar::default()))
        .build()
        .unwrap();
    let post = |path: &str, form: &[(&str, &str)]| {
        other
            .post(app.url(path))
            .header("Origin", app.origin())
            .form(form)
            .send()
    };
    let r = post("/signup", &[("email", "b@example.com"), ("password", PW)])
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = post("/trial/start", &[]).await.unwrap();
    assert!(r.status().is_redirection(), "{}", r.status());
    let (_, page) = app.get_text(CAP).await;
    assert!(
        !page.contains("id=\"lesson-body\""),
        "another learner's write kept this learner's cache"
    );

    // The learner's own write drops their entries: the trial shows.
    app.post_form(FREE_NOTES, &[("note", "x")]).await;
    let (_, page) = app.get_text(CAP).await;
    assert!(
        page.contains("id=\"lesson-body\""),
        "own write refreshed the cache"
    );
}

/// Polls `path` on `app` until `done` says the page shows the change, for at
/// most `limit`; returns how long that took.
async fn seen_within(
    app: &TestApp,
    path: &str,
    limit: Duration,
    done: impl Fn(u16, &str) -> bool,
) -> Option<Duration> {
    let start = std::time::Instant::now();
    while start.elapsed() < limit {
        let (status, page) = app.get_text(path).await;
        if done(status, &page) {
            return Some(start.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    None
}

/// Two app servers on one PostgreSQL database, each caching for a minute: a
/// sign-out and a trial started on one are seen on the other at once,
/// because the change is announced with NOTIFY, not after the minute.
#[tokio::test]
async fn changes_on_one_server_empty_the_other_servers_cache() {
    let cache = |c: &mut devpath_web::WebConfig| c.session_cache = Duration::from_secs(60);
    let a = TestApp::builder().postgres().config(cache).spawn().await;
    let b = TestApp::builder()
        .database(&a.database_url)
        .config(cache)
        .spawn()
        .await;
    a.learner("two@example.com").await;
    b.set_session_cookie(&a.session_cookie().unwrap());

    // Warm b's cache: signed in, lesson locked.
    let (status, page) = b.get_text(CAP).await;
    assert_eq!(status, 200);
    assert!(page.contains("action=\"/signout\""));
    assert!(!page.contains("id=\"lesson-body\""));

    // The trial starts on a; b shows the lesson unlocked.
    let r = a.post_form("/trial/start", &[]).await;
    assert!(r.status().is_redirection(), "{}", r.status());
    let took = seen_within(&b, CAP, Duration::from_secs(10), |_, page| {
        page.contains("id=\"lesson-body\"")
    })
    .await
    .expect("b still served the cached, locked page 10 s after the trial started on a");
    eprintln!("trial seen on the other server after {took:?}");

    // Sign-out on a; b no longer accepts the session.
    assert!(a.signout().await.status().is_redirection());
    let took = seen_within(&b, "/dashboard", Duration::from_secs(10), |status, _| {
        status == 303
    })
    .await
    .expect("b still served the signed-out session from its cache 10 s later");
    eprintln!("sign-out seen on the other server after {took:?}");
}
