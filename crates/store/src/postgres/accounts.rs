use super::PostgresStore;
use crate::accounts::Accounts;

#[async_trait::async_trait]
impl Accounts for PostgresStore {}
