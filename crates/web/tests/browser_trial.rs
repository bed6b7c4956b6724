//! In a real headless Chromium: sign up, start the free trial, read a
//! locked lesson, mark it complete, see the path's progress bar move, sign
//! out and meet the paywall again.

mod support;

use fantoccini::{Client, Locator};
use support::browser::{click, Browser};
use support::fixture::{BODY_SENTENCE, CAP, LESSONS, PATH};
use support::{spawn_app, PW};

async fn path_progress(c: &Client) -> String {
    c.find(Locator::Css("[data-testid='path-progress']"))
        .await
        .unwrap()
        .attr("value")
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn trial_unlocks_a_lesson_progress_moves_and_sign_out_locks_it() {
    let app = spawn_app().await;
    let browser = Browser::start().await;
    let c = &browser.client;
    let cap = app.url(CAP);

    // Sign up.
    c.goto(&app.url("/signup")).await.unwrap();
    browser
        .submit_credentials("/signup", "browser@example.com", PW)
        .await;
    browser.wait_for("[data-testid='trial-cta']").await;

    // Locked before the trial.
    c.goto(&cap).await.unwrap();
    browser.wait_for("[data-testid='paywall']").await;

    // One click starts the trial.
    click(
        c,
        "[data-testid='paywall'] form[action='/trial/start'] button",
    )
    .await;
    browser.wait_for("[data-testid='trial-days-left']").await;
    let days = c
        .find(Locator::Css("[data-testid='trial-days-left']"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(days.contains("7 days left"), "{days}");

    // The locked lesson now reads in full.
    c.goto(&cap).await.unwrap();
    let body = c
        .wait()
        .for_element(Locator::Css("#lesson-body"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(body.contains(BODY_SENTENCE));

    c.goto(&app.url(PATH)).await.unwrap();
    assert_eq!(path_progress(c).await, "0");

    // Mark it complete.
    c.goto(&cap).await.unwrap();
    click(c, "[data-testid='mark-complete']").await;
    browser.wait_for("[data-testid='completed']").await;

    // The path's progress bar moved.
    c.goto(&app.url(PATH)).await.unwrap();
    assert_eq!(path_progress(c).await, "1");
    let text = c
        .find(Locator::Css("[data-testid='path-progress-text']"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains(&format!("1 of {LESSONS}")), "{text}");

    // Sign out: the paywall is back.
    click(c, "form[action='/signout'] button").await;
    browser.wait_for("a[href='/signup']").await;
    c.goto(&cap).await.unwrap();
    browser.wait_for("[data-testid='paywall']").await;
    let html = c.source().await.unwrap();
    assert!(
        !html.contains(BODY_SENTENCE),
        "the body is gone after sign-out"
    );
    assert!(c.find(Locator::Css("#lesson-body")).await.is_err());
    browser.close().await;
}
