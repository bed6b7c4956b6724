use super::SqliteStore;

crate::impl_verification!(SqliteStore);
