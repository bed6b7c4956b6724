use super::SqliteStore;

crate::impl_quizzes!(SqliteStore);
