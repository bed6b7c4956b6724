//! Quiz attempts: every graded submission of a lesson's quiz, with each
//! question's chosen choices and whether they were right. The trait each
//! backend implements (in `sqlite/quizzes.rs` and `postgres/quizzes.rs`),
//! written once by [`impl_quizzes!`] as the other concerns are.
//!
//! Answers are stored against the question's stable `id` from the content,
//! so a learner's history survives edits to a question's wording.

use crate::Result;

/// One question of an attempt, as graded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub question_id: String,
    /// Indices of the chosen choices, ascending.
    pub chosen: Vec<usize>,
    pub correct: bool,
}

/// A graded submission without its answers.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AttemptScore {
    pub id: i64,
    pub path_slug: String,
    pub lesson_slug: String,
    /// Questions answered right.
    pub correct: i64,
    /// Questions in the quiz when it was graded.
    pub total: i64,
    pub created_at: i64,
}

/// A graded submission with its answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub score: AttemptScore,
    pub answers: Vec<Answer>,
}

#[derive(sqlx::FromRow)]
pub struct AnswerRow {
    pub question_id: String,
    pub chosen: String,
    pub correct: bool,
}

impl AnswerRow {
    pub fn into_answer(self) -> Answer {
        Answer {
            question_id: self.question_id,
            chosen: parse_chosen(&self.chosen),
            correct: self.correct,
        }
    }
}

/// Chosen indices are stored as `0,2`.
pub fn format_chosen(chosen: &[usize]) -> String {
    chosen
        .iter()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

pub fn parse_chosen(s: &str) -> Vec<usize> {
    s.split(',').filter_map(|c| c.parse().ok()).collect()
}

#[async_trait::async_trait]
pub trait Quizzes {
    /// Stores one graded attempt and its answers atomically; returns its id.
    async fn record_quiz_attempt(
        &self,
        user_id: i64,
        path_slug: &str,
        lesson_slug: &str,
        answers: &[Answer],
        now: i64,
    ) -> Result<i64>;
    /// The learner's attempts at one lesson's quiz, oldest first.
    async fn quiz_scores(
        &self,
        user_id: i64,
        path_slug: &str,
        lesson_slug: &str,
    ) -> Result<Vec<AttemptScore>>;
    /// The latest attempt at one lesson's quiz, with its answers.
    async fn last_quiz_attempt(
        &self,
        user_id: i64,
        path_slug: &str,
        lesson_slug: &str,
    ) -> Result<Option<Attempt>>;
    /// The latest attempt at every quiz the learner has taken.
    async fn latest_quiz_scores(&self, user_id: i64) -> Result<Vec<AttemptScore>>;
}

#[macro_export]
#[doc(hidden)]
macro_rules! impl_quizzes {
    ($ty:ty) => {
        #[async_trait::async_trait]
        impl $crate::quizzes::Quizzes for $ty {
            async fn record_quiz_attempt(
                &self,
                user_id: i64,
                path_slug: &str,
                lesson_slug: &str,
                answers: &[$crate::quizzes::Answer],
                now: i64,
            ) -> $crate::Result<i64> {
                let correct = answers.iter().filter(|a| a.correct).count() as i64;
                let mut tx = self.pool.begin().await?;
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO quiz_attempts (user_id, path_slug, lesson_slug, correct, total, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                )
                .bind(user_id)
                .bind(path_slug)
                .bind(lesson_slug)
                .bind(correct)
                .bind(answers.len() as i64)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                for a in answers {
                    sqlx::query(
                        "INSERT INTO quiz_answers (attempt_id, question_id, chosen, correct) VALUES ($1, $2, $3, $4)",
                    )
                    .bind(id)
                    .bind(&a.question_id)
                    .bind($crate::quizzes::format_chosen(&a.chosen))
                    .bind(a.correct)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(id)
            }

            async fn quiz_scores(
                &self,
                user_id: i64,
                path_slug: &str,
                lesson_slug: &str,
            ) -> $crate::Result<Vec<$crate::quizzes::AttemptScore>> {
                Ok(sqlx::query_as(
                    "SELECT id, path_slug, lesson_slug, correct, total, created_at FROM quiz_attempts \
                     WHERE user_id = $1 AND path_slug = $2 AND lesson_slug = $3 ORDER BY id",
                )
                .bind(user_id)
                .bind(path_slug)
                .bind(lesson_slug)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn last_quiz_attempt(
                &self,
                user_id: i64,
                path_slug: &str,
                lesson_slug: &str,
            ) -> $crate::Result<Option<$crate::quizzes::Attempt>> {
                let score: Option<$crate::quizzes::AttemptScore> = sqlx::query_as(
                    "SELECT id, path_slug, lesson_slug, correct, total, created_at FROM quiz_attempts \
                     WHERE user_id = $1 AND path_slug = $2 AND lesson_slug = $3 ORDER BY id DESC LIMIT 1",
                )
                .bind(user_id)
                .bind(path_slug)
                .bind(lesson_slug)
                .fetch_optional(&self.pool)
                .await?;
                let Some(score) = score else { return Ok(None) };
                let rows: Vec<$crate::quizzes::AnswerRow> = sqlx::query_as(
                    "SELECT question_id, chosen, correct FROM quiz_answers WHERE attempt_id = $1 ORDER BY question_id",
                )
                .bind(score.id)
                .fetch_all(&self.pool)
                .await?;
                Ok(Some($crate::quizzes::Attempt {
                    score,
                    answers: rows.into_iter().map(|r| r.into_answer()).collect(),
                }))
            }

            async fn latest_quiz_scores(
                &self,
                user_id: i64,
            ) -> $crate::Result<Vec<$crate::quizzes::AttemptScore>> {
                Ok(sqlx::query_as(
                    "SELECT id, path_slug, lesson_slug, correct, total, created_at FROM quiz_attempts a \
                     WHERE user_id = $1 AND id = (SELECT MAX(b.id) FROM quiz_attempts b \
                     WHERE b.user_id = a.user_id AND b.path_slug = a.path_slug AND b.lesson_slug = a.lesson_slug) \
                     ORDER BY path_slug, lesson_slug",
                )
                .bind(user_id)
                .fetch_all(&self.pool)
                .await?)
            }
        }
    };
}
