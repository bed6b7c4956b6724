use super::PostgresStore;

crate::impl_verification!(PostgresStore);
