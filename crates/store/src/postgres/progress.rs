use super::PostgresStore;

crate::impl_progress!(PostgresStore);
