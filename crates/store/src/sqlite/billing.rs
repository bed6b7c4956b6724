use super::SqliteStore;

crate::impl_billing!(SqliteStore);
