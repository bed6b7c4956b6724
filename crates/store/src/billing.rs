//! Trials, subscriptions, access grants and payment-provider events: the
//! types and the trait each backend implements (in `sqlite/billing.rs` and
//! `postgres/billing.rs`).
//!
//! Times are Unix seconds (UTC). The SQL is portable (`$1, $2, ...` in order
//! of appearance, `ON CONFLICT`, `RETURNING`), so both backends share one
//! implementation, [`impl_billing!`], instantiated per pool type.

use crate::Result;

/// A learner's free trial (at most one per account, ever).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Trial {
    pub user_id: i64,
    pub started_at: i64,
    pub ends_at: i64,
}

/// A paid subscription as last reported by the payment provider.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Subscription {
    pub user_id: i64,
    pub provider: String,
    pub customer_id: Option<String>,
    pub subscription_id: Option<String>,
    #[sqlx(try_from = "String")]
    pub status: SubscriptionStatus,
    #[sqlx(try_from = "String")]
    pub plan: Plan,
    pub current_period_end: Option<i64>,
    pub updated_at: i64,
    pub last_event_at: i64,
}

/// A subscription's state, as stored (`status` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscriptionStatus {
    Trialing,
    Active,
    /// A payment failed and the provider is retrying it.
    PastDue,
    /// Ended at the learner's request.
    Canceled,
    /// Ended for any other reason (unpaid, incomplete, paused...).
    Expired,
}

impl SubscriptionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SubscriptionStatus::Trialing => "trialing",
            SubscriptionStatus::Active => "active",
            SubscriptionStatus::PastDue => "past_due",
            SubscriptionStatus::Canceled => "canceled",
            SubscriptionStatus::Expired => "expired",
        }
    }

    /// Reads a stored status; anything unknown is `Expired` (no access).
    pub fn parse(s: &str) -> SubscriptionStatus {
        match s {
            "trialing" => SubscriptionStatus::Trialing,
            "active" => SubscriptionStatus::Active,
            "past_due" => SubscriptionStatus::PastDue,
            "canceled" => SubscriptionStatus::Canceled,
            _ => SubscriptionStatus::Expired,
        }
    }
}

/// For reading the `status` column straight into a row struct.
impl From<String> for SubscriptionStatus {
    fn from(s: String) -> Self {
        SubscriptionStatus::parse(&s)
    }
}

impl std::fmt::Display for SubscriptionStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for SubscriptionStatus {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// Which plan a subscription is on (`plan` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    Monthly,
    Annual,
    /// Not known yet (e.g. linked at checkout before the provider said).
    Unknown,
}

impl Plan {
    pub fn as_str(self) -> &'static str {
        match self {
            Plan::Monthly => "monthly",
            Plan::Annual => "annual",
            Plan::Unknown => "unknown",
        }
    }

    pub fn parse(s: &str) -> Plan {
        match s {
            "monthly" => Plan::Monthly,
            "annual" => Plan::Annual,
            _ => Plan::Unknown,
        }
    }
}

/// For reading the `plan` column straight into a row struct.
impl From<String> for Plan {
    fn from(s: String) -> Self {
        Plan::parse(&s)
    }
}

impl std::fmt::Display for Plan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for Plan {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// Full access given by an administrator.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Grant {
    pub id: i64,
    pub user_id: i64,
    pub granted_by: Option<i64>,
    pub granted_at: i64,
    pub revoked_at: Option<i64>,
}

/// Everything that decides a learner's access.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BillingState {
    pub trial: Option<Trial>,
    pub subscription: Option<Subscription>,
    /// The active (not revoked) grant, if any.
    pub grant: Option<Grant>,
}

/// A verified payment-provider event, reduced to what it changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderEvent {
    pub id: String,
    pub kind: String,
    /// The provider's `created` time of the event.
    pub created: i64,
    pub change: SubscriptionChange,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubscriptionChange {
    /// Checkout finished: link the customer (and subscription) to the user.
    Link {
        user_id: i64,
        customer_id: Option<String>,
        subscription_id: Option<String>,
        plan: Option<Plan>,
    },
    /// The subscription's state. `user_id` comes from metadata when present.
    Update {
        subscription_id: String,
        customer_id: Option<String>,
        user_id: Option<i64>,
        status: SubscriptionStatus,
        plan: Option<Plan>,
        current_period_end: Option<i64>,
    },
    /// Nothing to change; only recorded.
    None,
}

/// What applying a provider event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// Recorded and applied.
    Applied,
    /// Already seen: nothing changed.
    Duplicate,
    /// Recorded but older than the last event applied to that subscription,
    /// or about no known user: nothing changed.
    Ignored,
}

/// Trials, subscriptions, grants and webhook events.
#[async_trait::async_trait]
pub trait Billing: Send + Sync {
    /// Starts the user's one trial; `None` when they already had one.
    async fn start_trial(
        &self,
        user_id: i64,
        started_at: i64,
        ends_at: i64,
    ) -> Result<Option<Trial>>;
    /// Remembers the user's trial under `email_key` (a keyed hash of their
    /// email), so it outlives the account; `false` when they had no trial or
    /// it was remembered before.
    async fn remember_trial(&self, user_id: i64, email_key: &str) -> Result<bool>;
    /// Gives the user the trial remembered under `email_key`, with its
    /// dates, unless they have one; `true` when one was restored.
    async fn restore_trial(&self, user_id: i64, email_key: &str) -> Result<bool>;
    /// Trial, subscription and active grant of a user.
    async fn billing_state(&self, user_id: i64) -> Result<BillingState>;
    /// The same for many learners in one query (the admin page), keyed by
    /// user id; every id given has an entry.
    async fn billing_states(
        &self,
        user_ids: &[i64],
    ) -> Result<std::collections::HashMap<i64, BillingState>>;
    /// Applies a verified event and records its id in one transaction.
    async fn apply_provider_event(&self, event: &ProviderEvent, now: i64) -> Result<Applied>;
    /// Whether an event id has been processed.
    async fn event_processed(&self, event_id: &str) -> Result<bool>;
    /// Gives full access; `false` when the user already has an active grant.
    async fn grant_access(&self, user_id: i64, granted_by: i64, now: i64) -> Result<bool>;
    /// Revokes the active grant; `false` when there was none.
    async fn revoke_access(&self, user_id: i64, now: i64) -> Result<bool>;
}

#[doc(hidden)]
pub const GRANT_COLUMNS: &str = "id, user_id, granted_by, granted_at, revoked_at";

/// One row of [`Billing::billing_states`]' union: a trial (`t`), a
/// subscription (`s`) or an active grant (`g`), its columns in `a`, `b`, `c`.
#[doc(hidden)]
#[derive(sqlx::FromRow)]
pub struct StateRow {
    pub kind: String,
    pub user_id: i64,
    pub a: Option<i64>,
    pub b: Option<i64>,
    pub c: Option<i64>,
    pub provider: Option<String>,
    pub customer_id: Option<String>,
    pub subscription_id: Option<String>,
    pub status: Option<String>,
    pub plan: Option<String>,
}

impl StateRow {
    #[doc(hidden)]
    pub fn apply_to(self, state: &mut BillingState) {
        let user_id = self.user_id;
        match self.kind.as_str() {
            "t" => {
                state.trial = Some(Trial {
                    user_id,
                    started_at: self.a.unwrap_or_default(),
                    ends_at: self.b.unwrap_or_default(),
                })
            }
            "s" => {
                state.subscription = Some(Subscription {
                    user_id,
                    provider: self.provider.unwrap_or_default(),
                    customer_id: self.customer_id,
                    subscription_id: self.subscription_id,
                    status: SubscriptionStatus::parse(self.status.as_deref().unwrap_or_default()),
                    plan: Plan::parse(self.plan.as_deref().unwrap_or_default()),
                    current_period_end: self.a,
                    updated_at: self.b.unwrap_or_default(),
                    last_event_at: self.c.unwrap_or_default(),
                })
            }
            _ => {
                let grant = Grant {
                    id: self.a.unwrap_or_default(),
                    user_id,
                    granted_by: self.c,
                    granted_at: self.b.unwrap_or_default(),
                    revoked_at: None,
                };
                // The newest active grant, as `billing_state` picks it.
                if state.grant.as_ref().is_none_or(|g| g.id < grant.id) {
                    state.grant = Some(grant);
                }
            }
        }
    }
}

#[doc(hidden)]
pub const SUB_COLUMNS: &str = "user_id, provider, customer_id, subscription_id, status, plan, current_period_end, updated_at, last_event_at";

/// The shared implementation of [`Billing`] for a store with a `pool` field.
#[macro_export]
#[doc(hidden)]
macro_rules! impl_billing {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::billing::Billing for $store {
            async fn start_trial(
                &self,
                user_id: i64,
                started_at: i64,
                ends_at: i64,
            ) -> $crate::Result<Option<$crate::billing::Trial>> {
                Ok(sqlx::query_as(
                    "INSERT INTO trials (user_id, started_at, ends_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (user_id) DO NOTHING RETURNING user_id, started_at, ends_at",
                )
                .bind(user_id)
                .bind(started_at)
                .bind(ends_at)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn remember_trial(&self, user_id: i64, email_key: &str) -> $crate::Result<bool> {
                let r = sqlx::query(
                    "INSERT INTO trial_claims (email_key, started_at, ends_at) \
                     SELECT $1, started_at, ends_at FROM trials WHERE user_id = $2 \
                     ON CONFLICT (email_key) DO NOTHING",
                )
                .bind(email_key)
                .bind(user_id)
                .execute(&self.pool)
                .await?;
                Ok(r.rows_affected() > 0)
            }

            async fn restore_trial(&self, user_id: i64, email_key: &str) -> $crate::Result<bool> {
                let r = sqlx::query(
                    "INSERT INTO trials (user_id, started_at, ends_at) \
                     SELECT $1, started_at, ends_at FROM trial_claims WHERE email_key = $2 \
                     ON CONFLICT (user_id) DO NOTHING",
                )
                .bind(user_id)
                .bind(email_key)
                .execute(&self.pool)
                .await?;
                Ok(r.rows_affected() > 0)
            }

            async fn billing_state(
                &self,
                user_id: i64,
            ) -> $crate::Result<$crate::billing::BillingState> {
                let trial = sqlx::query_as(
                    "SELECT user_id, started_at, ends_at FROM trials WHERE user_id = $1",
                )
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?;
                let subscription = sqlx::query_as(&format!(
                    "SELECT {} FROM subscriptions WHERE user_id = $1",
                    $crate::billing::SUB_COLUMNS
                ))
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?;
                let grant = sqlx::query_as(&format!(
                    "SELECT {} FROM access_grants \
                     WHERE user_id = $1 AND revoked_at IS NULL ORDER BY id DESC LIMIT 1",
                    $crate::billing::GRANT_COLUMNS
                ))
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?;
                Ok($crate::billing::BillingState {
                    trial,
                    subscription,
                    grant,
                })
            }

            async fn billing_states(
                &self,
                user_ids: &[i64],
            ) -> $crate::Result<std::collections::HashMap<i64, $crate::billing::BillingState>> {
                // One query for the page: every trial, subscription and active
                // grant of these learners, tagged by table.
                let mut states: std::collections::HashMap<i64, $crate::billing::BillingState> =
                    user_ids.iter().map(|id| (*id, Default::default())).collect();
                if user_ids.is_empty() {
                    return Ok(states);
                }
                let list = user_ids
                    .iter()
                    .map(|id| id.to_string())
                    .collect::<Vec<_>>()
                    .join(", ");
                let rows: Vec<$crate::billing::StateRow> = sqlx::query_as(&format!(
                    "SELECT 't' AS kind, user_id, started_at AS a, ends_at AS b, NULL AS c, \
                            NULL AS provider, NULL AS customer_id, NULL AS subscription_id, \
                            NULL AS status, NULL AS plan \
                     FROM trials WHERE user_id IN ({list}) \
                     UNION ALL \
                     SELECT 's', user_id, current_period_end, updated_at, last_event_at, \
                            provider, customer_id, subscription_id, status, plan \
                     FROM subscriptions WHERE user_id IN ({list}) \
                     UNION ALL \
                     SELECT 'g', user_id, id, granted_at, granted_by, NULL, NULL, NULL, NULL, NULL \
                     FROM access_grants WHERE revoked_at IS NULL AND user_id IN ({list})"
                ))
                .fetch_all(&self.pool)
                .await?;
                for row in rows {
                    if let Some(state) = states.get_mut(&row.user_id) {
                        row.apply_to(state);
                    }
                }
                Ok(states)
            }

            async fn apply_provider_event(
                &self,
                event: &$crate::billing::ProviderEvent,
                now: i64,
            ) -> $crate::Result<$crate::billing::Applied> {
                use $crate::billing::{Applied, SubscriptionChange};
                let mut tx = self.pool.begin().await?;
                let inserted = sqlx::query(
                    "INSERT INTO webhook_events (event_id, event_type, received_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (event_id) DO NOTHING",
                )
                .bind(&event.id)
                .bind(&event.kind)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if inserted == 0 {
                    tx.rollback().await?;
                    return Ok(Applied::Duplicate);
                }
                let outcome = match &event.change {
                    SubscriptionChange::None => Applied::Ignored,
                    SubscriptionChange::Link {
                        user_id,
                        customer_id,
                        subscription_id,
                        plan,
                    } => {
                        let exists: Option<(i64,)> =
                            sqlx::query_as("SELECT id FROM users WHERE id = $1")
                                .bind(*user_id)
                                .fetch_optional(&mut *tx)
                                .await?;
                        if exists.is_none() {
                            Applied::Ignored
                        } else {
                            // Linking never lowers a status a newer event set;
                            // a fresh row starts as active (checkout paid).
                            sqlx::query(
                                "INSERT INTO subscriptions (user_id, provider, customer_id, subscription_id, status, plan, updated_at, last_event_at) \
                                 VALUES ($1, 'stripe', $2, $3, 'active', $4, $5, 0) \
                                 ON CONFLICT (user_id) DO UPDATE SET \
                                 customer_id = COALESCE(EXCLUDED.customer_id, subscriptions.customer_id), \
                                 subscription_id = COALESCE(EXCLUDED.subscription_id, subscriptions.subscription_id), \
                                 plan = CASE WHEN subscriptions.plan = 'unknown' THEN EXCLUDED.plan ELSE subscriptions.plan END, \
                                 status = CASE WHEN EXCLUDED.subscription_id IS NOT NULL \
                                     AND COALESCE(subscriptions.subscription_id, '') <> EXCLUDED.subscription_id \
                                     THEN 'active' ELSE subscriptions.status END, \
                                 last_event_at = CASE WHEN EXCLUDED.subscription_id IS NOT NULL \
                                     AND COALESCE(subscriptions.subscription_id, '') <> EXCLUDED.subscription_id \
                                     THEN 0 ELSE subscriptions.last_event_at END, \
                                 updated_at = EXCLUDED.updated_at",
                            )
                            .bind(*user_id)
                            .bind(customer_id.as_deref())
                            .bind(subscription_id.as_deref())
                            .bind(plan.unwrap_or($crate::billing::Plan::Unknown).as_str())
                            .bind(now)
                            .execute(&mut *tx)
                            .await?;
                            Applied::Applied
                        }
                    }
                    SubscriptionChange::Update {
                        subscription_id,
                        customer_id,
                        user_id,
                        status,
                        plan,
                        current_period_end,
                    } => {
                        // Find the row: by subscription id, then customer, then metadata.
                        let mut row: Option<(i64, i64)> = sqlx::query_as(
                            "SELECT user_id, last_event_at FROM subscriptions WHERE subscription_id = $1",
                        )
                        .bind(subscription_id)
                        .fetch_optional(&mut *tx)
                        .await?;
                        if row.is_none() {
                            if let Some(c) = customer_id {
                                row = sqlx::query_as(
                                    "SELECT user_id, last_event_at FROM subscriptions WHERE customer_id = $1 ORDER BY updated_at DESC LIMIT 1",
                                )
                                .bind(c)
                                .fetch_optional(&mut *tx)
                                .await?;
                            }
                        }
                        if row.is_none() {
                            if let Some(uid) = user_id {
                                let u: Option<(i64,)> =
                                    sqlx::query_as("SELECT id FROM users WHERE id = $1")
                                        .bind(*uid)
                                        .fetch_optional(&mut *tx)
                                        .await?;
                                if u.is_some() {
                                    let existing: Option<(i64,)> = sqlx::query_as(
                                        "SELECT last_event_at FROM subscriptions WHERE user_id = $1",
                                    )
                                    .bind(*uid)
                                    .fetch_optional(&mut *tx)
                                    .await?;
                                    row = Some((*uid, existing.map_or(0, |e| e.0)));
                                }
                            }
                        }
                        match row {
                            None => Applied::Ignored,
                            Some((_, last)) if event.created < last => Applied::Ignored,
                            Some((uid, _)) => {
                                sqlx::query(
                                    "INSERT INTO subscriptions (user_id, provider, customer_id, subscription_id, status, plan, current_period_end, updated_at, last_event_at) \
                                     VALUES ($1, 'stripe', $2, $3, $4, $5, $6, $7, $8) \
                                     ON CONFLICT (user_id) DO UPDATE SET \
                                     customer_id = COALESCE(EXCLUDED.customer_id, subscriptions.customer_id), \
                                     subscription_id = EXCLUDED.subscription_id, \
                                     status = EXCLUDED.status, \
                                     plan = CASE WHEN EXCLUDED.plan = 'unknown' THEN subscriptions.plan ELSE EXCLUDED.plan END, \
                                     current_period_end = COALESCE(EXCLUDED.current_period_end, subscriptions.current_period_end), \
                                     updated_at = EXCLUDED.updated_at, \
                                     last_event_at = EXCLUDED.last_event_at",
                                )
                                .bind(uid)
                                .bind(customer_id.as_deref())
                                .bind(subscription_id)
                                .bind(status.as_str())
                                .bind(plan.unwrap_or($crate::billing::Plan::Unknown).as_str())
                                .bind(*current_period_end)
                                .bind(now)
                                .bind(event.created)
                                .execute(&mut *tx)
                                .await?;
                                Applied::Applied
                            }
                        }
                    }
                };
                tx.commit().await?;
                Ok(outcome)
            }

            async fn event_processed(&self, event_id: &str) -> $crate::Result<bool> {
                let row: Option<(String,)> =
                    sqlx::query_as("SELECT event_id FROM webhook_events WHERE event_id = $1")
                        .bind(event_id)
                        .fetch_optional(&self.pool)
                        .await?;
                Ok(row.is_some())
            }

            async fn grant_access(
                &self,
                user_id: i64,
                granted_by: i64,
                now: i64,
            ) -> $crate::Result<bool> {
                let mut tx = self.pool.begin().await?;
                let active: Option<(i64,)> = sqlx::query_as(
                    "SELECT id FROM access_grants WHERE user_id = $1 AND revoked_at IS NULL",
                )
                .bind(user_id)
                .fetch_optional(&mut *tx)
                .await?;
                if active.is_some() {
                    return Ok(false);
                }
                sqlx::query(
                    "INSERT INTO access_grants (user_id, granted_by, granted_at) VALUES ($1, $2, $3)",
                )
                .bind(user_id)
                .bind(granted_by)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn revoke_access(&self, user_id: i64, now: i64) -> $crate::Result<bool> {
                let n = sqlx::query(
                    "UPDATE access_grants SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
                )
                .bind(now)
                .bind(user_id)
                .execute(&self.pool)
                .await?
                .rows_affected();
                Ok(n > 0)
            }
        }
    };
}
