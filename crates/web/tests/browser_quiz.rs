//! In a real headless Chromium: a learner on a trial answers a quiz with one
//! wrong answer; the graded section replaces the form in place (quiz.js),
//! shows the explanation and the score, and "Try again" brings the form back.

mod support;

use fantoccini::Locator;
use support::browser::{click, Browser};
use support::fixture::{CAP, CAP_SLUG, PATH_SLUG};
use support::{spawn_app, PW};

#[tokio::test]
async fn a_quiz_is_graded_in_place_and_explained() {
    let app = spawn_app().await;
    let browser = Browser::start().await;
    let c = &browser.client;
    let catalog = support::catalog();
    let path = catalog.path(PATH_SLUG).unwrap();
    let lesson = path.lesson(CAP_SLUG).unwrap();
    let quiz = lesson.quiz.as_ref().unwrap();

    c.goto(&app.url("/signup")).await.unwrap();
    browser
        .submit_credentials("/signup", "quiz@example.com", PW)
        .await;
    browser.wait_for("[data-testid='trial-cta']").await;
    c.goto(&app.url(CAP)).await.unwrap();
    click(
        c,
        "[data-testid='paywall'] form[action='/trial/start'] button",
    )
    .await;
    browser.wait_for("[data-testid='trial-days-left']").await;
    c.goto(&app.url(CAP)).await.unwrap();
    browser.wait_for("form[data-quiz-form]").await;

    // The first question wrong, every other one right.
    for (i, q) in quiz.questions.iter().enumerate() {
        let picks: Vec<usize> = if i == 0 {
            vec![(0..q.choices_html.len())
                .find(|c| !q.correct.contains(c))
                .unwrap()]
        } else {
            q.correct.clone()
        };
        for pick in picks {
            let css = format!("input[name='q.{}'][value='{pick}']", q.id);
            click(c, &css).await;
        }
    }
    let url_before = c.current_url().await.unwrap();
    click(c, "[data-testid='quiz-submit']").await;
    browser.wait_for("[data-testid='quiz-retry']").await;
    // Answered in place: no navigation happened.
    assert_eq!(c.current_url().await.unwrap(), url_before);
    let n = quiz.questions.len();
    let score = c
        .find(Locator::Css("[data-testid='quiz-score']"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(score.contains(&format!("{} of {n}", n - 1)), "{score}");
    let wrong = c
        .find_all(Locator::Css(".quiz-question.quiz-wrong"))
        .await
        .unwrap();
    assert_eq!(wrong.len(), 1);
    let first = c
        .find(Locator::Css(&format!(
            "[data-question='{}'] .quiz-explanation",
            quiz.questions[0].id
        )))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        first.split_whitespace().count() > 10,
        "explanation: {first}"
    );
    // Focus moved to the quiz heading, for keyboard and screen-reader users.
    let focused = c
        .execute(
            "return document.activeElement && document.activeElement.id",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(focused, serde_json::json!("quiz-heading"));

    // The stored attempt, and the form again on "Try again".
    let user = app.user_id("quiz@example.com").await;
    let scores = app
        .store
        .quiz_scores(user, PATH_SLUG, CAP_SLUG)
        .await
        .unwrap();
    assert_eq!(scores.len(), 1);
    click(c, "[data-testid='quiz-retry']").await;
    browser.wait_for("form[data-quiz-form]").await;
    browser.close().await;
}
