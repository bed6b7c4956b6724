use super::SqliteStore;

crate::impl_notes!(SqliteStore);
