//! A learner's private notes and bookmarks, one row per lesson. The trait
//! each backend implements (in `sqlite/notes.rs` and `postgres/notes.rs`),
//! written once by [`impl_notes!`].

use crate::Result;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LessonNote {
    pub path_slug: String,
    pub lesson_slug: String,
    pub bookmarked: bool,
    /// Plain text, shown escaped; empty when the lesson is only bookmarked.
    pub note: String,
    pub updated_at: i64,
}

#[async_trait::async_trait]
pub trait Notes {
    /// The learner's note and bookmark on one lesson.
    async fn lesson_note(
        &self,
        user_id: i64,
        path_slug: &str,
        lesson_slug: &str,
    ) -> Result<Option<LessonNote>>;
    /// Saves both at once; an empty note without a bookmark removes the row.
    async fn save_lesson_note(
        &self,
        user_id: i64,
        path_slug: &str,
        lesson_slug: &str,
        bookmarked: bool,
        note: &str,
        now: i64,
    ) -> Result<()>;
    /// Every note and bookmark of the learner, most recently changed first.
    async fn lesson_notes(&self, user_id: i64) -> Result<Vec<LessonNote>>;
}

#[macro_export]
#[doc(hidden)]
macro_rules! impl_notes {
    ($ty:ty) => {
        #[async_trait::async_trait]
        impl $crate::notes::Notes for $ty {
            async fn lesson_note(
                &self,
                user_id: i64,
                path_slug: &str,
                lesson_slug: &str,
            ) -> $crate::Result<Option<$crate::notes::LessonNote>> {
                Ok(sqlx::query_as(
                    "SELECT path_slug, lesson_slug, bookmarked, note, updated_at FROM lesson_notes \
                     WHERE user_id = $1 AND path_slug = $2 AND lesson_slug = $3",
                )
                .bind(user_id)
                .bind(path_slug)
                .bind(lesson_slug)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn save_lesson_note(
                &self,
                user_id: i64,
                path_slug: &str,
                lesson_slug: &str,
                bookmarked: bool,
                note: &str,
                now: i64,
            ) -> $crate::Result<()> {
                if !bookmarked && note.is_empty() {
                    sqlx::query(
                        "DELETE FROM lesson_notes WHERE user_id = $1 AND path_slug = $2 AND lesson_slug = $3",
                    )
                    .bind(user_id)
                    .bind(path_slug)
                    .bind(lesson_slug)
                    .execute(&self.pool)
                    .await?;
                    return Ok(());
                }
                sqlx::query(
                    "INSERT INTO lesson_notes (user_id, path_slug, lesson_slug, bookmarked, note, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6) \
                     ON CONFLICT (user_id, path_slug, lesson_slug) DO UPDATE \
                     SET bookmarked = excluded.bookmarked, note = excluded.note, updated_at = excluded.updated_at",
                )
                .bind(user_id)
                .bind(path_slug)
                .bind(lesson_slug)
                .bind(bookmarked)
                .bind(note)
                .bind(now)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn lesson_notes(
                &self,
                user_id: i64,
            ) -> $crate::Result<Vec<$crate::notes::LessonNote>> {
                Ok(sqlx::query_as(
                    "SELECT path_slug, lesson_slug, bookmarked, note, updated_at FROM lesson_notes \
                     WHERE user_id = $1 ORDER BY updated_at DESC, lesson_slug",
                )
                .bind(user_id)
                .fetch_all(&self.pool)
                .await?)
            }
        }
    };
}
