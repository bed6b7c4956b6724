//! The 7-day free trial: one click, no card, once per account, days left,
//! and what happens when it ends. Also the plan pages in `none` mode and
//! the offer window.

mod support;

use devpath_web::time::DAY;
use support::fixture::{BODY_SENTENCE, CAP, CAP_SLUG, PATH, PATH_SLUG};
use support::{now, spawn_app, TestApp, PW};

#[tokio::test]
async fn trial_starts_in_one_click_and_only_once() {
    let app = spawn_app().await;
    let id = app.learner("trial@example.com").await;
    let (_, dash) = app.get_text("/dashboard").await;
    assert!(dash.contains("data-testid=\"trial-cta\""));
    assert!(dash.contains("No credit card required for 7-day trial"));

    let r = app.post_form("/trial/start", &[]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/dashboard");
    let first = app.store.billing_state(id).await.unwrap().trial.unwrap();
    assert_eq!(first.ends_at - first.started_at, 7 * DAY);

    let (_, dash) = app.get_text("/dashboard").await;
    assert!(dash.contains("7 days left in your free trial"), "days left");
    assert!(!dash.contains("data-testid=\"trial-cta\""));
    let (_, lesson) = app.get_text(CAP).await;
    assert!(
        lesson.contains(BODY_SENTENCE),
        "the trial unlocks every lesson"
    );
    let (_, account) = app.get_text("/account").await;
    assert!(account.contains("7 days left in your free trial"));
    let (_, path) = app.get_text(PATH).await;
    assert!(path.contains("7 days left in your free trial"));

    // A second attempt: a clear message and no new trial.
    let r = app.post_form("/trial/start", &[]).await;
    assert_eq!(r.status(), 409);
    let text = r.text().await.unwrap();
    assert!(support::decode(&text).contains("You have already used your free trial"));
    // billing_mode = "none" has no plans to choose (seen failing before).
    assert!(!text.to_lowercase().contains("choose a plan"), "{text}");
    assert!(text.contains("an administrator can grant you access"));
    assert_eq!(
        app.store.billing_state(id).await.unwrap().trial.unwrap(),
        first
    );
}

#[tokio::test]
async fn trial_needs_an_account() {
    let app = spawn_app().await;
    let r = app.post_form("/trial/start", &[]).await;
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn expired_trial_removes_access_but_keeps_progress() {
    let app = spawn_app().await;
    let id = app.learner("ended@example.com").await;
    let t = now();
    app.store
        .start_trial(id, t - 9 * DAY, t - 2 * DAY)
        .await
        .unwrap();
    // Progress made while the trial ran.
    let day = devpath_web::time::day_of(t - 3 * DAY);
    app.store
        .complete_lesson(id, PATH_SLUG, CAP_SLUG, t - 3 * DAY, &day)
        .await
        .unwrap();
    let (_, lesson) = app.get_text(CAP).await;
    assert!(!lesson.contains(BODY_SENTENCE));
    assert!(lesson.contains("Your free trial has ended"));
    let (_, dash) = app.get_text("/dashboard").await;
    assert!(dash.contains("data-testid=\"lessons-completed\">1<"));
    assert!(dash.contains("Your free trial has ended. Your progress is kept."));
    assert!(
        !dash.contains("data-testid=\"trial-cta\""),
        "no second trial"
    );
    let r = app.post_form("/trial/start", &[]).await;
    assert_eq!(r.status(), 409);
}

#[tokio::test]
async fn none_mode_says_plainly_that_payments_are_not_set_up() {
    let app = spawn_app().await;
    let (status, page) = app.get_text("/pricing").await;
    assert_eq!(status, 200);
    assert!(page.contains("Payments are not set up on this server."));
    assert!(page.contains("An administrator can grant you full access."));
    assert!(!page.contains("action=\"/billing/checkout\""));
    app.learner("none@example.com").await;
    let r = app
        .post_form("/billing/checkout", &[("plan", "annual")])
        .await;
    assert_eq!(r.status(), 200);
    let text = r.text().await.unwrap();
    assert!(text.contains("Payments are not set up on this server"));
}

#[tokio::test]
async fn offer_banner_and_price_follow_the_offer_window() {
    // Default: the offer has no end date and runs.
    let app = spawn_app().await;
    let (_, path) = app.get_text(PATH).await;
    assert!(path.contains("offer-banner"));
    assert!(support::decode(&path).contains("50% off your first year"));
    let (_, pricing) = app.get_text("/pricing").await;
    assert!(pricing.contains("data-testid=\"annual-offer-price\">$95.00<"));
    assert!(pricing.contains("data-testid=\"annual-full-price\">$190.00<"));
    assert!(pricing.contains("$19.00"));

    // An offer that ended yesterday: no banner, no discounted price.
    let t = now();
    let app = TestApp::builder()
        .config(move |c| {
            c.billing.offer_start = Some(t - 30 * DAY);
            c.billing.offer_end = Some(t - DAY);
            c.billing.price_annual = 12000;
            c.billing.currency = "eur".into();
        })
        .spawn()
        .await;
    let (_, path) = app.get_text(PATH).await;
    assert!(!path.contains("offer-banner"));
    let (_, pricing) = app.get_text("/pricing").await;
    assert!(!pricing.contains("annual-offer-price"));
    assert!(pricing.contains("€120.00"));
    app.learner("nooffer@example.com").await;
    let (_, lesson) = app.get_text(CAP).await;
    assert!(!lesson.contains("offer-banner"));

    // An offer that starts tomorrow is not shown yet.
    let app = TestApp::builder()
        .config(move |c| c.billing.offer_start = Some(t + DAY))
        .spawn()
        .await;
    let (_, home) = app.get_text("/").await;
    assert!(!home.contains("offer-banner"));
}

/// Deleting the account and signing up again with the same email (or a
/// `+tag` of it) does not give a second trial; the new account shows the
/// trial as used, and the database keeps only a keyed hash of the address.
#[tokio::test]
async fn a_deleted_account_does_not_get_its_email_a_second_trial() {
    let app = spawn_app().await;
    let id = app.learner("again@example.com").await;
    assert_eq!(app.post_form("/trial/start", &[]).await.status(), 303);
    let first = app.store.billing_state(id).await.unwrap().trial.unwrap();
    let r = app.post_form("/account/delete", &[("password", PW)]).await;
    assert_eq!(r.status(), 200);
    assert!(app
        .store
        .user_by_email("again@example.com")
        .await
        .unwrap()
        .is_none());

    for email in ["again@example.com", "again+new@example.com"] {
        let id = app.learner(email).await;
        let restored = app.store.billing_state(id).await.unwrap().trial.unwrap();
        assert_eq!(
            (restored.started_at, restored.ends_at),
            (first.started_at, first.ends_at)
        );
        let (_, dash) = app.get_text("/dashboard").await;
        assert!(!dash.contains("data-testid=\"trial-cta\""), "{email}");
        let r = app.post_form("/trial/start", &[]).await;
        assert_eq!(r.status(), 409, "{email}: the trial was used");
        assert_eq!(
            app.store.billing_state(id).await.unwrap().trial.unwrap(),
            restored
        );
        assert_eq!(
            app.post_form("/account/delete", &[("password", PW)])
                .await
                .status(),
            200
        );
    }

    // Another address still gets its own trial.
    let other = app.learner("someone-else@example.com").await;
    assert!(app
        .store
        .billing_state(other)
        .await
        .unwrap()
        .trial
        .is_none());
    assert_eq!(app.post_form("/trial/start", &[]).await.status(), 303);
}
