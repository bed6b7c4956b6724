use super::SqliteStore;

crate::impl_progress!(SqliteStore);
