//! The paywall: what anonymous visitors, learners without access and
//! learners whose trial ended may see; admin grants; open mode.

mod support;

use devpath_web::entitlements::BillingMode;
use devpath_web::time::DAY;
use support::fixture::{
    BODY_SENTENCE, CAP, CAP_COMPLETE, CAP_SUMMARY, CAP_TITLE, FREE, PATH, QUIZ_PROMPT,
    QUIZ_SENTENCE,
};
use support::{now, spawn_app, TestApp, PW};

fn assert_locked(body: &str) {
    assert!(body.contains("data-testid=\"paywall\""), "no paywall");
    assert!(body.contains(CAP_TITLE));
    assert!(body.contains(CAP_SUMMARY), "summary shown");
    assert!(!body.contains(BODY_SENTENCE), "the body leaked");
    assert!(!body.contains(QUIZ_PROMPT), "the quiz leaked");
    assert!(
        !body.contains(QUIZ_SENTENCE),
        "the quiz's explanations leaked"
    );
    assert!(!body.contains("id=\"lesson-body\""));
    assert!(!body.contains("quiz-heading"));
}

fn assert_readable(body: &str) {
    assert!(body.contains(BODY_SENTENCE), "the body is missing");
    assert!(body.contains(QUIZ_PROMPT), "the quiz is missing");
    assert!(body.contains("data-quiz-form"), "the quiz is not a form");
    // Explanations come only after the learner has answered (see quiz.rs).
    assert!(
        !body.contains(QUIZ_SENTENCE),
        "the explanations came before an answer"
    );
    assert!(!body.contains("data-testid=\"paywall\""));
}

#[tokio::test]
async fn anonymous_visitors_get_the_paywall_on_every_locked_lesson() {
    let app = spawn_app().await;
    let (status, body) = app.get_text(CAP).await;
    assert_eq!(status, 200);
    assert_locked(&body);
    assert!(body.contains("Start your 7-day free trial"));
    // Every lesson of the cached anonymous pages: bodies only for free previews.
    let catalog = support::catalog();
    for path in &catalog.paths {
        for lesson in &path.lessons {
            let url = format!("/paths/{}/lessons/{}", path.slug, lesson.slug);
            let (status, page) = app.get_text(&url).await;
            assert_eq!(status, 200, "{url}");
            let has_body = page.contains("id=\"lesson-body\"");
            match (&lesson.body, lesson.free_preview) {
                (Some(_), true) => assert!(has_body, "{url} free preview not readable"),
                (Some(b), false) => {
                    assert!(!has_body, "{url} leaked its body");
                    assert!(!page.contains("quiz-heading"), "{url} leaked its quiz");
                    let para = b
                        .html
                        .split("<p>")
                        .nth(2)
                        .unwrap_or("")
                        .split("</p>")
                        .next()
                        .unwrap();
                    if para.len() > 40 {
                        assert!(!page.contains(para), "{url} leaked a paragraph");
                    }
                }
                (None, _) => assert!(page.contains("This lesson is in preparation")),
            }
        }
    }
    // The path page carries no lesson bodies either.
    let (_, path) = app.get_text(PATH).await;
    assert!(!path.contains(BODY_SENTENCE));
}

#[tokio::test]
async fn free_preview_is_readable_by_anyone() {
    let app = spawn_app().await;
    let (_, body) = app.get_text(FREE).await;
    assert!(body.contains("id=\"lesson-body\""));
    assert!(body.contains("Check your understanding"));
    app.learner("free@example.com").await;
    let (_, body) = app.get_text(FREE).await;
    assert!(body.contains("id=\"lesson-body\""));
    assert!(body.contains("Mark as complete"));
}

#[tokio::test]
async fn learner_without_access_gets_the_paywall_and_cannot_record_progress() {
    let app = spawn_app().await;
    app.learner("noaccess@example.com").await;
    let r = app.get(CAP).await;
    assert_eq!(r.headers()["cache-control"], "private, no-store");
    let body = r.text().await.unwrap();
    assert_locked(&body);
    assert!(body.contains("action=\"/trial/start\""), "one-click trial");
    let r = app.post_form(CAP_COMPLETE, &[]).await;
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn expired_trial_locks_lessons_again() {
    let app = spawn_app().await;
    let id = app.learner("expired@example.com").await;
    let t = now();
    app.store
        .start_trial(id, t - 10 * DAY, t - 3 * DAY)
        .await
        .unwrap()
        .unwrap();
    let (_, body) = app.get_text(CAP).await;
    assert_locked(&body);
    assert!(body.contains("Your free trial has ended"));
    assert!(
        !body.contains("action=\"/trial/start\""),
        "no second trial offered"
    );
}

#[tokio::test]
async fn admin_grants_and_revokes_access_with_audit_entries() {
    let app = spawn_app().await;
    let learner_id = app.learner("learner@example.com").await;
    app.signout().await;
    let admin_id = app.admin("admin@example.com").await;

    let (status, page) = app.get_text("/admin").await;
    assert_eq!(status, 200);
    assert!(page.contains("learner@example.com"));
    assert!(page.contains("No plan"));

    let r = app
        .post_form(&format!("/admin/users/{learner_id}/grant"), &[])
        .await;
    assert_eq!(r.status(), 303);
    let (_, page) = app.get_text("/admin").await;
    assert!(page.contains("Full access granted by an administrator"));
    let entries = app.store.audit_entries(Some(learner_id), 10).await.unwrap();
    assert!(entries
        .iter()
        .any(|e| e.action == "access.grant" && e.actor_user_id == Some(admin_id)));

    // The learner can now read locked lessons.
    app.signout().await;
    app.signin("learner@example.com", PW).await;
    let (_, body) = app.get_text(CAP).await;
    assert_readable(&body);

    // Not an admin: no admin page, no grants.
    let (status, _) = app.get_text("/admin").await;
    assert_eq!(status, 404);
    let r = app
        .post_form(&format!("/admin/users/{learner_id}/revoke"), &[])
        .await;
    assert_eq!(r.status(), 404);

    app.signout().await;
    app.signin("admin@example.com", PW).await;
    let r = app
        .post_form(&format!("/admin/users/{learner_id}/revoke"), &[])
        .await;
    assert_eq!(r.status(), 303);
    let entries = app.store.audit_entries(Some(learner_id), 10).await.unwrap();
    assert!(entries.iter().any(|e| e.action == "access.revoke"));
    app.signout().await;
    app.signin("learner@example.com", PW).await;
    let (_, body) = app.get_text(CAP).await;
    assert_locked(&body);
}

#[tokio::test]
async fn anonymous_visitor_is_sent_to_sign_in_from_admin() {
    let app = spawn_app().await;
    let r = app.get("/admin").await;
    assert_eq!(r.status(), 303);
    assert!(r.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/signin"));
}

#[tokio::test]
async fn open_mode_gives_every_signed_in_learner_full_access() {
    let app = TestApp::builder()
        .config(|c| c.billing.mode = BillingMode::Open)
        .spawn()
        .await;
    let (_, body) = app.get_text(CAP).await;
    assert_locked(&body);
    assert!(body.contains("Sign in to read this lesson"));
    assert!(!body.contains("offer-banner"), "no offer in open mode");
    app.learner("open@example.com").await;
    let (_, body) = app.get_text(CAP).await;
    assert_readable(&body);
    assert!(!body.contains("offer-banner"));
    assert!(!body.contains("Start your 7-day free trial"));
    let r = app.get("/pricing").await;
    assert_eq!(r.status(), 303, "no payment pages in open mode");
}

async fn paywall_and_grant(app: TestApp) {
    let id = app.learner("pg@example.com").await;
    let (_, body) = app.get_text(CAP).await;
    assert_locked(&body);
    assert!(app.store.grant_access(id, id, now()).await.unwrap());
    assert!(!app.store.grant_access(id, id, now()).await.unwrap());
    let (_, body) = app.get_text(CAP).await;
    assert_readable(&body);
    assert!(app.store.revoke_access(id, now()).await.unwrap());
    let (_, body) = app.get_text(CAP).await;
    assert_locked(&body);
}

#[tokio::test]
async fn paywall_and_grant_on_sqlite() {
    paywall_and_grant(spawn_app().await).await;
}

#[tokio::test]
async fn paywall_and_grant_on_postgres() {
    paywall_and_grant(TestApp::builder().postgres().spawn().await).await;
}
