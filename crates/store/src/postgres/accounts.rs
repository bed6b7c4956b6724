use super::PostgresStore;

crate::accounts::impl_accounts!(PostgresStore);
