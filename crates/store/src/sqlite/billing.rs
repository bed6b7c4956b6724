use super::SqliteStore;
use crate::billing::Billing;

#[async_trait::async_trait]
impl Billing for SqliteStore {}
