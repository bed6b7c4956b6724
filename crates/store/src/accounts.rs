//! Learner accounts, sessions and password resets: the types and the trait
//! each backend implements (in `sqlite/accounts.rs` and `postgres/accounts.rs`).

/// Accounts, sessions, password resets and the audit log.
#[async_trait::async_trait]
pub trait Accounts: Send + Sync {}
