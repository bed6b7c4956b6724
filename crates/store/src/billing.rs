//! Trials, subscriptions, access grants, payment-provider events and learner
//! progress: the types and the trait each backend implements (in
//! `sqlite/billing.rs` and `postgres/billing.rs`).

/// Trials, subscriptions, grants, webhook events and progress.
#[async_trait::async_trait]
pub trait Billing: Send + Sync {}
