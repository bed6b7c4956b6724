//! With the signed-in page cache on (as in production): a learner's own
//! changes show at once, and a signed-out session is not served from cache.

mod support;

use std::time::Duration;
use support::TestApp;

const PW: &str = "correct horse battery";
const CAP: &str = "/paths/systems-engineering/lessons/the-cap-theorem";

async fn cached_app() -> TestApp {
    TestApp::builder()
        .config(|c| c.session_cache = Duration::from_secs(60))
        .spawn()
        .await
}

#[tokio::test]
async fn own_changes_show_at_once_with_the_cache_on() {
    let app = cached_app().await;
    assert_eq!(app.signup("cache@example.com", PW).await.status(), 303);

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
    let r = app
        .post_form(
            "/progress/systems-engineering/the-cap-theorem/complete",
            &[],
        )
        .await;
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
