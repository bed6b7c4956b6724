//! Quiz attempts against both backends: every attempt and answer is kept,
//! the latest and best are found, and deleting the learner removes them.

mod common;

use common::{postgres, sqlite};
use devpath_store::quizzes::Answer;
use devpath_store::Store;
use std::sync::Arc;

fn answer(id: &str, chosen: &[usize], correct: bool) -> Answer {
    Answer {
        question_id: id.into(),
        chosen: chosen.to_vec(),
        correct,
    }
}

async fn scenario(s: Arc<dyn Store>) {
    let ada = s
        .create_user("ada@example.com", "h", false, 1)
        .await
        .unwrap();
    let bob = s
        .create_user("bob@example.com", "h", false, 1)
        .await
        .unwrap();
    let (p, l) = ("systems-engineering", "the-cap-theorem");
    assert!(s.last_quiz_attempt(ada.id, p, l).await.unwrap().is_none());

    let first = [
        answer("q-a", &[1], false),
        answer("q-b", &[0, 2], true),
        answer("q-c", &[], false),
    ];
    let id1 = s
        .record_quiz_attempt(ada.id, p, l, &first, 100)
        .await
        .unwrap();
    let second = [
        answer("q-a", &[0], true),
        answer("q-b", &[0, 2], true),
        answer("q-c", &[3], true),
    ];
    let id2 = s
        .record_quiz_attempt(ada.id, p, l, &second, 200)
        .await
        .unwrap();
    assert!(id2 > id1);
    let third = [
        answer("q-a", &[2], false),
        answer("q-b", &[0], false),
        answer("q-c", &[3], true),
    ];
    s.record_quiz_attempt(ada.id, p, l, &third, 300)
        .await
        .unwrap();
    s.record_quiz_attempt(
        ada.id,
        p,
        "consistency-models",
        &[answer("x", &[0], true)],
        310,
    )
    .await
    .unwrap();
    s.record_quiz_attempt(bob.id, p, l, &[answer("q-a", &[0], true)], 320)
        .await
        .unwrap();

    let scores = s.quiz_scores(ada.id, p, l).await.unwrap();
    let got: Vec<(i64, i64, i64)> = scores
        .iter()
        .map(|a| (a.correct, a.total, a.created_at))
        .collect();
    assert_eq!(got, [(1, 3, 100), (3, 3, 200), (1, 3, 300)]);

    let last = s.last_quiz_attempt(ada.id, p, l).await.unwrap().unwrap();
    assert_eq!(last.score.created_at, 300);
    assert_eq!(last.answers, third.to_vec());

    let latest = s.latest_quiz_scores(ada.id).await.unwrap();
    let got: Vec<(&str, i64, i64)> = latest
        .iter()
        .map(|a| (a.lesson_slug.as_str(), a.correct, a.total))
        .collect();
    assert_eq!(
        got,
        [("consistency-models", 1, 1), ("the-cap-theorem", 1, 3)]
    );

    // Deleting the account removes its attempts and answers, not others'.
    s.delete_user(ada.id).await.unwrap();
    assert!(s.quiz_scores(ada.id, p, l).await.unwrap().is_empty());
    assert_eq!(s.quiz_scores(bob.id, p, l).await.unwrap().len(), 1);
}

#[tokio::test]
async fn quiz_attempts_on_sqlite() {
    let (_d, s) = sqlite().await;
    scenario(s).await;
}

#[tokio::test]
async fn quiz_attempts_on_postgres() {
    let (_d, s) = postgres().await;
    scenario(s).await;
}
