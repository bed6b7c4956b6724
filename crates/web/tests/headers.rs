//! Response headers that depend on the configuration.

mod support;

use support::TestApp;

/// Seen failing before: no Strict-Transport-Security at all.
#[tokio::test]
async fn hsts_only_when_public_url_is_https() {
    let app = TestApp::builder()
        .config(|c| c.public_url = "https://learn.example.com".into())
        .spawn()
        .await;
    let r = app.get("/").await;
    assert_eq!(r.headers()["strict-transport-security"], "max-age=31536000");
    let r = app.get("/no-such-page").await;
    assert!(r.headers().contains_key("strict-transport-security"));

    let app = support::spawn_app().await;
    let r = app.get("/").await;
    assert!(!r.headers().contains_key("strict-transport-security"));
}
