//! Learner progress: completed lessons and the days a learner was active.
//! The trait each backend implements (in `sqlite/progress.rs` and
//! `postgres/progress.rs`), written once by [`impl_progress!`].

use crate::Result;

/// One completed lesson.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Completion {
    pub path_slug: String,
    pub lesson_slug: String,
    pub completed_at: i64,
}

/// Completions and activity days.
#[async_trait::async_trait]
pub trait Progress: Send + Sync {
    /// Marks a lesson complete (keeps the first completion time) and records
    /// the day (`YYYY-MM-DD`, UTC) as active.
    async fn complete_lesson(
        &self,
        user_id: i64,
        path_slug: &str,
        lesson_slug: &str,
        now: i64,
        day: &str,
    ) -> Result<()>;
    /// Undoes a completion; `false` when it was not complete.
    async fn uncomplete_lesson(
        &self,
        user_id: i64,
        path_slug: &str,
        lesson_slug: &str,
    ) -> Result<bool>;
    /// The user's completions, most recent first.
    async fn completions(&self, user_id: i64) -> Result<Vec<Completion>>;
    /// Days with at least one completion, most recent first.
    async fn activity_days(&self, user_id: i64) -> Result<Vec<String>>;
}

/// The shared implementation of [`Progress`] for a store with a `pool` field.
#[macro_export]
#[doc(hidden)]
macro_rules! impl_progress {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::progress::Progress for $store {
            async fn complete_lesson(
                &self,
                user_id: i64,
                path_slug: &str,
                lesson_slug: &str,
                now: i64,
                day: &str,
            ) -> $crate::Result<()> {
                let mut tx = self.pool.begin().await?;
                sqlx::query(
                    "INSERT INTO progress (user_id, path_slug, lesson_slug, completed_at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (user_id, path_slug, lesson_slug) DO NOTHING",
                )
                .bind(user_id)
                .bind(path_slug)
                .bind(lesson_slug)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO activity_days (user_id, day) VALUES ($1, $2) ON CONFLICT (user_id, day) DO NOTHING",
                )
                .bind(user_id)
                .bind(day)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn uncomplete_lesson(
                &self,
                user_id: i64,
                path_slug: &str,
                lesson_slug: &str,
            ) -> $crate::Result<bool> {
                let n = sqlx::query(
                    "DELETE FROM progress WHERE user_id = $1 AND path_slug = $2 AND lesson_slug = $3",
                )
                .bind(user_id)
                .bind(path_slug)
                .bind(lesson_slug)
                .execute(&self.pool)
                .await?
                .rows_affected();
                Ok(n > 0)
            }

            async fn completions(
                &self,
                user_id: i64,
            ) -> $crate::Result<Vec<$crate::progress::Completion>> {
                Ok(sqlx::query_as(
                    "SELECT path_slug, lesson_slug, completed_at FROM progress WHERE user_id = $1 \
                     ORDER BY completed_at DESC, lesson_slug",
                )
                .bind(user_id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn activity_days(&self, user_id: i64) -> $crate::Result<Vec<String>> {
                let rows: Vec<(String,)> = sqlx::query_as(
                    "SELECT day FROM activity_days WHERE user_id = $1 ORDER BY day DESC",
                )
                .bind(user_id)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(|r| r.0).collect())
            }
        }
    };
}
