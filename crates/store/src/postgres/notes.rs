use super::PostgresStore;

crate::impl_notes!(PostgresStore);
