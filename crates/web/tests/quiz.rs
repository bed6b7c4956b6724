//! Graded quizzes over HTTP: no answers before a submission, grading on the
//! server, attempts stored, the graded page with explanations and scores,
//! refusals for locked lessons and malformed answers, on both backends.

mod support;

use devpath_content::Quiz;
use support::fixture::{
    CAP, CAP_QUIZ, CAP_SLUG, FIRST_MODULE, FREE, FREE_QUIZ, FREE_SLUG, IN_PREPARATION_SLUG,
    PATH_SLUG, SECOND_MODULE_WORD,
};
use support::{spawn_app, TestApp};

fn quiz_of(lesson: &str) -> Quiz {
    let catalog = support::catalog();
    let path = catalog.path(PATH_SLUG).unwrap();
    path.lesson(lesson).unwrap().quiz.clone().unwrap()
}

fn cap_quiz() -> Quiz {
    quiz_of(CAP_SLUG)
}

/// Text without tags and entities, words separated by single spaces.
fn plain(html: &str) -> String {
    let text: String = html
        .split('<')
        .map(|s| s.split_once('>').map_or(s, |(_, t)| t))
        .collect::<Vec<_>>()
        .join(" ");
    support::decode(&text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The first words of a question's explanation, as plain text.
fn explanation_words(quiz: &Quiz, i: usize) -> String {
    plain(&quiz.questions[i].explanation_html)
        .split(' ')
        .take(8)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether a page shows the text, compared as plain text.
fn shows(page: &str, text: &str) -> bool {
    plain(page).contains(text)
}

/// Answers every question right, except the first, which gets a wrong choice.
fn answers_one_wrong(quiz: &Quiz) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    for (i, q) in quiz.questions.iter().enumerate() {
        if i == 0 {
            let wrong = (0..q.choices_html.len())
                .find(|c| !q.correct.contains(c))
                .unwrap();
            fields.push((format!("q.{}", q.id), wrong.to_string()));
        } else {
            for c in &q.correct {
                fields.push((format!("q.{}", q.id), c.to_string()));
            }
        }
    }
    fields
}

fn all_right(quiz: &Quiz) -> Vec<(String, String)> {
    quiz.questions
        .iter()
        .flat_map(|q| {
            q.correct
                .iter()
                .map(move |c| (format!("q.{}", q.id), c.to_string()))
        })
        .collect()
}

async fn post(app: &TestApp, path: &str, fields: &[(String, String)]) -> reqwest::Response {
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    app.post_form(path, &pairs).await
}

#[tokio::test]
async fn visitors_are_invited_to_sign_in_and_see_no_answers() {
    let app = spawn_app().await;
    let (status, page) = app.get_text(FREE).await;
    assert_eq!(status, 200);
    assert!(page.contains("Check your understanding"));
    assert!(page.contains("to take this quiz"));
    assert!(!page.contains("data-quiz-form"));
    let quiz = quiz_of(FREE_SLUG);
    for i in 0..quiz.questions.len() {
        assert!(
            !shows(&page, &explanation_words(&quiz, i)),
            "explanation {i} leaked"
        );
    }
    // Submitting needs an account.
    let r = post(&app, FREE_QUIZ, &all_right(&quiz)).await;
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn the_form_gives_nothing_away_and_grading_explains_each_answer() {
    let app = spawn_app().await;
    let user = app.learner_on_trial("ada@example.com").await;
    let quiz = cap_quiz();

    let (_, form) = app.get_text(CAP).await;
    assert!(form.contains("data-quiz-form"));
    assert!(form.contains(&format!("action=\"{CAP_QUIZ}\"")));
    for (i, q) in quiz.questions.iter().enumerate() {
        let kind = if q.correct.len() > 1 {
            "checkbox"
        } else {
            "radio"
        };
        assert!(
            form.contains(&format!("type=\"{kind}\" name=\"q.{}\"", q.id)),
            "question {i}"
        );
        assert!(
            !shows(&form, &explanation_words(&quiz, i)),
            "explanation {i} before answering"
        );
    }
    assert!(!form.contains("choice-correct"));
    assert!(!form.contains("Correct: "));

    // A plain form post: graded on the server, stored, redirected back.
    let r = post(&app, CAP_QUIZ, &answers_one_wrong(&quiz)).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], format!("{CAP}#quiz"));
    let scores = app
        .store
        .quiz_scores(user, PATH_SLUG, CAP_SLUG)
        .await
        .unwrap();
    let n = quiz.questions.len() as i64;
    assert_eq!(
        scores
            .iter()
            .map(|s| (s.correct, s.total))
            .collect::<Vec<_>>(),
        [(n - 1, n)]
    );
    let attempt = app
        .store
        .last_quiz_attempt(user, PATH_SLUG, CAP_SLUG)
        .await
        .unwrap()
        .unwrap();
    assert!(
        !attempt
            .answers
            .iter()
            .find(|a| a.question_id == quiz.questions[0].id)
            .unwrap()
            .correct
    );

    let (_, graded) = app.get_text(CAP).await;
    assert!(!graded.contains("data-quiz-form"));
    assert!(graded.contains(&format!("Last attempt: <strong>{} of {n}</strong>", n - 1)));
    assert_eq!(graded.matches("✗ Not quite").count(), 1);
    assert_eq!(graded.matches("✓ Right").count(), quiz.questions.len() - 1);
    for i in 0..quiz.questions.len() {
        assert!(
            shows(&graded, &explanation_words(&quiz, i)),
            "explanation {i} missing after answering"
        );
    }
    assert!(graded.contains("choice-correct"));

    // Retry: the form again, with the scores so far; then a perfect attempt.
    let (_, again) = app.get_text(&format!("{CAP}?quiz=retry")).await;
    assert!(again.contains("data-quiz-form"));
    assert!(!shows(&again, &explanation_words(&quiz, 0)));
    assert!(again.contains("1 attempt"));
    assert_eq!(post(&app, CAP_QUIZ, &all_right(&quiz)).await.status(), 303);
    let (_, best) = app.get_text(CAP).await;
    assert!(best.contains(&format!(
        "Last attempt: <strong>{n} of {n}</strong> right · best: {n} of {n} · 2 attempts"
    )));
}

#[tokio::test]
async fn with_javascript_the_graded_section_comes_back_in_place() {
    let app = spawn_app().await;
    app.learner_on_trial("ada@example.com").await;
    let quiz = cap_quiz();
    let r = app
        .client
        .post(app.url(CAP_QUIZ))
        .header("Origin", app.origin())
        .header("X-Quiz-Fragment", "1")
        .form(&answers_one_wrong(&quiz))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.trim_start().starts_with("<section class=\"quiz\""));
    assert!(shows(&html, &explanation_words(&quiz, 0)));
    assert!(!html.contains("<html"));
}

#[tokio::test]
async fn locked_lessons_and_malformed_answers_are_refused_and_nothing_is_stored() {
    let app = spawn_app().await;
    let bob = app.learner("bob@example.com").await;
    let quiz = cap_quiz();

    // No trial or plan: the CAP lesson is locked, so is its quiz.
    let r = post(&app, CAP_QUIZ, &all_right(&quiz)).await;
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("needs a trial or a plan"));

    assert_eq!(app.post_form("/trial/start", &[]).await.status(), 303);
    let unknown = post(&app, CAP_QUIZ, &[("q.no-such-question".into(), "0".into())]).await;
    assert_eq!(unknown.status(), 400);
    assert!(unknown
        .text()
        .await
        .unwrap()
        .contains("no question `no-such-question`"));
    let id = &quiz.questions[0].id;
    let bad = post(&app, CAP_QUIZ, &[(format!("q.{id}"), "99".into())]).await;
    assert_eq!(bad.status(), 400);
    let single = quiz
        .questions
        .iter()
        .find(|q| q.correct.len() == 1)
        .unwrap();
    let two = post(
        &app,
        CAP_QUIZ,
        &[
            (format!("q.{}", single.id), "0".into()),
            (format!("q.{}", single.id), "1".into()),
        ],
    )
    .await;
    assert_eq!(two.status(), 400);
    assert_eq!(
        app.post_form(&format!("/quiz/{PATH_SLUG}/no-such-lesson"), &[])
            .await
            .status(),
        404
    );
    // A lesson without a quiz (in preparation) has nothing to submit.
    assert_eq!(
        app.post_form(&format!("/quiz/{PATH_SLUG}/{IN_PREPARATION_SLUG}"), &[])
            .await
            .status(),
        404
    );
    assert!(app
        .store
        .quiz_scores(bob, PATH_SLUG, CAP_SLUG)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn the_dashboard_shows_quiz_accuracy_per_module() {
    let app = spawn_app().await;
    app.learner_on_trial("ada@example.com").await;
    let (_, before) = app.get_text("/dashboard").await;
    assert!(!before.contains("data-testid=\"quiz-accuracy\""));
    let quiz = cap_quiz();
    let n = quiz.questions.len();
    // Two attempts at the CAP quiz: only the latest counts.
    assert_eq!(post(&app, CAP_QUIZ, &all_right(&quiz)).await.status(), 303);
    assert_eq!(
        post(&app, CAP_QUIZ, &answers_one_wrong(&quiz))
            .await
            .status(),
        303
    );
    let (_, dash) = app.get_text("/dashboard").await;
    let table = dash
        .split("data-testid=\"quiz-accuracy\"")
        .nth(1)
        .expect("accuracy table");
    let row = format!(
        "<th scope=\"row\">{FIRST_MODULE}</th><td>{} of {n}</td><td>{}%</td>",
        n - 1,
        (n - 1) * 100 / n
    );
    assert!(table.contains(&row), "{table}");
    assert!(
        !table.contains(SECOND_MODULE_WORD),
        "modules without attempts are left out"
    );
}

#[tokio::test]
async fn attempts_are_stored_on_postgres_too() {
    let app = TestApp::builder().postgres().spawn().await;
    let user = app.learner_on_trial("ada@example.com").await;
    let quiz = cap_quiz();
    assert_eq!(
        post(&app, CAP_QUIZ, &answers_one_wrong(&quiz))
            .await
            .status(),
        303
    );
    assert_eq!(post(&app, CAP_QUIZ, &all_right(&quiz)).await.status(), 303);
    let scores = app
        .store
        .quiz_scores(user, PATH_SLUG, CAP_SLUG)
        .await
        .unwrap();
    let n = quiz.questions.len() as i64;
    assert_eq!(
        scores.iter().map(|s| s.correct).collect::<Vec<_>>(),
        [n - 1, n]
    );
    let (_, page) = app.get_text(CAP).await;
    assert!(page.contains(&format!("best: {n} of {n} · 2 attempts")));
}
