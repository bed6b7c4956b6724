use super::SqliteStore;

crate::accounts::impl_accounts!(SqliteStore);
