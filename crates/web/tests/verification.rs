//! Email verification: the link mailed at sign-up, the banner until it is
//! used, single use, expiry, the resend limit, and reset mail only to
//! confirmed addresses.

mod support;

use support::{decode, spawn_app, verify_link, TestApp, CONFIRM_SUBJECT, RESET_SUBJECT};

const PW: &str = "correct horse battery 7";
const BANNER: &str = "Please confirm your email";

async fn dashboard(app: &TestApp) -> String {
    let (status, page) = app.get_text("/dashboard").await;
    assert_eq!(status, 200);
    decode(&page)
}

async fn confirm_flow(app: TestApp) {
    assert_eq!(app.signup("ann@example.com", PW).await.status(), 303);
    let mail = app.wait_for_email("ann@example.com", CONFIRM_SUBJECT).await;
    assert!(mail.contains(&format!("{}/verify/", app.origin())));
    assert!(dashboard(&app).await.contains(BANNER));

    // Opening the link only shows a button: a mail scanner that fetches
    // it confirms nothing.
    let path = app.verify_path("ann@example.com").await;
    let (status, page) = app.get_text(&path).await;
    assert_eq!(status, 200);
    assert!(page.contains(&format!("action=\"{path}\"")));
    assert!(page.contains("ann@example.com"));
    let user = app
        .store
        .user_by_email("ann@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.email_verified_at, None);
    assert!(dashboard(&app).await.contains(BANNER));

    let r = app.post_form(&path, &[]).await;
    assert_eq!(r.status(), 200);
    let page = decode(&r.text().await.unwrap());
    assert!(page.contains("Your email is confirmed"));
    assert!(
        !page.contains(BANNER),
        "the answer already shows the change"
    );
    assert!(!dashboard(&app).await.contains(BANNER));
    let user = app
        .store
        .user_by_email("ann@example.com")
        .await
        .unwrap()
        .unwrap();
    assert!(user.email_verified_at.is_some());

    // Single use.
    assert_eq!(app.post_form(&path, &[]).await.status(), 400);
    assert_eq!(app.get(&path).await.status(), 400);
}

#[tokio::test]
async fn confirm_sqlite() {
    confirm_flow(spawn_app().await).await;
}

#[tokio::test]
async fn confirm_postgres() {
    confirm_flow(TestApp::builder().postgres().spawn().await).await;
}

#[tokio::test]
async fn visitors_and_other_learners_never_see_the_banner() {
    let app = spawn_app().await;
    let (_, home) = app.get_text("/").await;
    assert!(!decode(&home).contains(BANNER));
    assert_eq!(app.signup("bea@example.com", PW).await.status(), 303);
    app.confirm_email("bea@example.com").await;
    assert!(!dashboard(&app).await.contains(BANNER));
}

#[tokio::test]
async fn confirming_from_another_browser_updates_a_cached_session() {
    let app = TestApp::builder()
        .config(|c| c.session_cache = std::time::Duration::from_secs(300))
        .spawn()
        .await;
    assert_eq!(app.signup("cy@example.com", PW).await.status(), 303);
    assert!(dashboard(&app).await.contains(BANNER)); // now cached
    let path = app.verify_path("cy@example.com").await;
    // A phone with no session opens the link.
    let phone = reqwest::Client::new();
    let r = phone
        .post(app.url(&path))
        .header("Origin", app.origin())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(!dashboard(&app).await.contains(BANNER));
}

#[tokio::test]
async fn expired_and_malformed_links_are_refused() {
    let app = spawn_app().await;
    assert_eq!(app.signup("dee@example.com", PW).await.status(), 303);
    let user = app
        .store
        .user_by_email("dee@example.com")
        .await
        .unwrap()
        .unwrap();
    let token = "cd".repeat(32);
    let now = devpath_web::Clock::system().now();
    app.store
        .create_email_verification(
            &devpath_web::credentials::token_hash(&token),
            user.id,
            now - 3 * devpath_web::time::DAY,
            now - 1,
        )
        .await
        .unwrap();
    let path = format!("/verify/{token}");
    assert_eq!(app.get(&path).await.status(), 400);
    let r = app.post_form(&path, &[]).await;
    assert_eq!(r.status(), 400);
    assert!(decode(&r.text().await.unwrap()).contains("invalid or has expired"));
    for bad in ["/verify/garbage", "/verify/..%2F..%2Fetc"] {
        assert_eq!(app.get(bad).await.status(), 400, "{bad}");
    }
    let user = app
        .store
        .user_by_email("dee@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.email_verified_at, None);
}

#[tokio::test]
async fn resend_sends_a_new_link_within_an_hourly_limit() {
    let app = spawn_app().await;
    assert_eq!(app.signup("eve@example.com", PW).await.status(), 303);
    app.wait_for_email("eve@example.com", CONFIRM_SUBJECT).await;
    // Sign-up's link counts: two more, then a wait.
    for _ in 0..2 {
        let r = app.post_form("/verify/resend", &[]).await;
        assert_eq!(r.status(), 200);
        assert!(decode(&r.text().await.unwrap()).contains("We have sent a new confirmation link"));
    }
    let r = app.post_form("/verify/resend", &[]).await;
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
    assert!(decode(&r.text().await.unwrap()).contains("You can ask for another in"));
    for _ in 0..100 {
        if app.email_count("eve@example.com", CONFIRM_SUBJECT) == 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(app.email_count("eve@example.com", CONFIRM_SUBJECT), 3);

    // The newest link works, and then every other one is void.
    let mails = app.emails_about("eve@example.com", CONFIRM_SUBJECT);
    assert_eq!(
        app.post_form(&verify_link(&mails[2]), &[]).await.status(),
        200
    );
    assert_eq!(
        app.post_form(&verify_link(&mails[0]), &[]).await.status(),
        400
    );
    let r = app.post_form("/verify/resend", &[]).await;
    assert_eq!(r.status(), 200);
    assert!(decode(&r.text().await.unwrap()).contains("already confirmed"));
}

#[tokio::test]
async fn resend_needs_a_session() {
    let app = spawn_app().await;
    let r = app.post_form("/verify/resend", &[]).await;
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn reset_mail_goes_only_to_confirmed_addresses() {
    let app = spawn_app().await;
    assert_eq!(app.signup("fay@example.com", PW).await.status(), 303);
    app.signout().await;
    let unconfirmed = app
        .post_form("/forgot", &[("email", "fay@example.com")])
        .await;
    assert_eq!(unconfirmed.status(), 200);
    let unconfirmed = unconfirmed.text().await.unwrap();
    let unknown = app
        .post_form("/forgot", &[("email", "nobody@example.com")])
        .await
        .text()
        .await
        .unwrap();
    // The same answer: nothing tells which addresses are confirmed.
    assert_eq!(
        unconfirmed.replace("fay@example.com", "EMAIL"),
        unknown.replace("nobody@example.com", "EMAIL")
    );
    app.wait_for_email("fay@example.com", CONFIRM_SUBJECT).await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(app.email_count("fay@example.com", RESET_SUBJECT), 0);

    // Once confirmed, the same request sends the link.
    app.confirm_email("fay@example.com").await;
    let r = app
        .post_form("/forgot", &[("email", "fay@example.com")])
        .await;
    assert_eq!(r.status(), 200);
    app.wait_for_email("fay@example.com", RESET_SUBJECT).await;
}
