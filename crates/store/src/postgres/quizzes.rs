use super::PostgresStore;

crate::impl_quizzes!(PostgresStore);
