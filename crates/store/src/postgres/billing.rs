use super::PostgresStore;

crate::impl_billing!(PostgresStore);
