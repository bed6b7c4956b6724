//! In a real headless Chromium: sign up through the form, see the account
//! page, sign out, sign back in. The browser sends its own `Origin` and
//! `Sec-Fetch-Site` headers, so this also proves the CSRF check lets our
//! own forms through.

mod support;

use fantoccini::Locator;
use support::{browser::Browser, spawn_app, PW};

#[tokio::test]
async fn sign_up_account_sign_out_sign_in() {
    let app = spawn_app().await;
    let browser = Browser::start().await;
    let c = &browser.client;

    c.goto(&app.url("/signup")).await.unwrap();
    browser
        .submit_credentials("/signup", "Browser@Example.com", PW)
        .await;
    wait_path(c, "/dashboard").await;
    assert!(app
        .store
        .user_by_email("browser@example.com")
        .await
        .unwrap()
        .is_some());

    c.goto(&app.url("/account")).await.unwrap();
    let email = c
        .find(Locator::Css("[data-testid=account-email]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(email, "browser@example.com");
    // The session cookie is not readable from JavaScript (HttpOnly).
    let cookies: String = c
        .execute("return document.cookie", vec![])
        .await
        .unwrap()
        .as_str()
        .unwrap_or("")
        .into();
    assert!(!cookies.contains("devpath_session"), "{cookies}");

    c.find(Locator::Css(".signout-form button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser.wait_for("a.header-link[href='/signin']").await;
    c.goto(&app.url("/account")).await.unwrap();
    assert_eq!(c.current_url().await.unwrap().path(), "/signin");

    browser
        .submit_credentials("/signin", "browser@example.com", PW)
        .await;
    wait_path(c, "/account").await;
    browser.close().await;
}

async fn wait_path(c: &fantoccini::Client, path: &str) {
    for _ in 0..100 {
        if c.current_url().await.unwrap().path() == path {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!(
        "never reached {path}: at {}",
        c.current_url().await.unwrap()
    );
}
