//! Trials, subscriptions, access grants, payment-provider events and learner
//! progress: the types and the trait each backend implements (in
//! `sqlite/billing.rs` and `postgres/billing.rs`).
//!
//! Times are Unix seconds (UTC). The SQL is portable (`$1, $2, ...` in order
//! of appearance, `ON CONFLICT`, `RETURNING`), so both backends share one
//! implementation, [`impl_billing!`], instantiated per pool type.

use crate::Result;

/// A learner's free trial (at most one per account, ever).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trial {
    pub user_id: i64,
    pub started_at: i64,
    pub ends_at: i64,
}

/// A paid subscription as last reported by the payment provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub user_id: i64,
    pub provider: String,
    pub customer_id: Option<String>,
    pub subscription_id: Option<String>,
    pub status: SubscriptionStatus,
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
#[derive(Debug, Clone, PartialEq, Eq)]
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

/// One completed lesson.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub path_slug: String,
    pub lesson_slug: String,
    pub completed_at: i64,
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

/// Trials, subscriptions, grants, webhook events and progress.
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
    /// Applies a verified event and records its id in one transaction.
    async fn apply_provider_event(&self, event: &ProviderEvent, now: i64) -> Result<Applied>;
    /// Whether an event id has been processed.
    async fn event_processed(&self, event_id: &str) -> Result<bool>;
    /// Gives full access; `false` when the user already has an active grant.
    async fn grant_access(&self, user_id: i64, granted_by: i64, now: i64) -> Result<bool>;
    /// Revokes the active grant; `false` when there was none.
    async fn revoke_access(&self, user_id: i64, now: i64) -> Result<bool>;
    /// Marks a lesson complete (keeps the first completion time) and records
    /// the day (`YYYY-MM-DD`, UTC) as active.
    async fn complete_lesson(
        &self,
        user_id: i64,
        path_slug: &str,
        lesson_slug: &str,
        now: i64,
        day: &str,
    ) -> Result<()>;
    /// Undoes a completion; `false` when it was not complete.
    async fn uncomplete_lesson(
        &self,
        user_id: i64,
        path_slug: &str,
        lesson_slug: &str,
    ) -> Result<bool>;
    /// The user's completions, most recent first.
    async fn completions(&self, user_id: i64) -> Result<Vec<Completion>>;
    /// Days with at least one completion, most recent first.
    async fn activity_days(&self, user_id: i64) -> Result<Vec<String>>;
}

type SubRow = (
    i64,
    String,
    Option<String>,
    Option<String>,
    String,
    String,
    Option<i64>,
    i64,
    i64,
);

#[doc(hidden)]
pub fn sub_from_row(r: SubRow) -> Subscription {
    Subscription {
        user_id: r.0,
        provider: r.1,
        customer_id: r.2,
        subscription_id: r.3,
        status: SubscriptionStatus::parse(&r.4),
        plan: Plan::parse(&r.5),
        current_period_end: r.6,
        updated_at: r.7,
        last_event_at: r.8,
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
                let row: Option<(i64, i64, i64)> = sqlx::query_as(
                    "INSERT INTO trials (user_id, started_at, ends_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (user_id) DO NOTHING RETURNING user_id, started_at, ends_at",
                )
                .bind(user_id)
                .bind(started_at)
                .bind(ends_at)
                .fetch_optional(&self.pool)
                .await?;
                Ok(row.map(|(user_id, started_at, ends_at)| $crate::billing::Trial {
                    user_id,
                    started_at,
                    ends_at,
                }))
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
                let trial: Option<(i64, i64, i64)> = sqlx::query_as(
                    "SELECT user_id, started_at, ends_at FROM trials WHERE user_id = $1",
                )
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?;
                let sub = sqlx::query_as(&format!(
                    "SELECT {} FROM subscriptions WHERE user_id = $1",
                    $crate::billing::SUB_COLUMNS
                ))
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?;
                let grant: Option<(i64, i64, Option<i64>, i64, Option<i64>)> = sqlx::query_as(
                    "SELECT id, user_id, granted_by, granted_at, revoked_at FROM access_grants \
                     WHERE user_id = $1 AND revoked_at IS NULL ORDER BY id DESC LIMIT 1",
                )
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?;
                Ok($crate::billing::BillingState {
                    trial: trial.map(|(user_id, started_at, ends_at)| $crate::billing::Trial {
                        user_id,
                        started_at,
                        ends_at,
                    }),
                    subscription: sub.map($crate::billing::sub_from_row),
                    grant: grant.map(|g| $crate::billing::Grant {
                        id: g.0,
                        user_id: g.1,
                        granted_by: g.2,
                        granted_at: g.3,
                        revoked_at: g.4,
                    }),
                })
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

            async fn complete_lesson(
                &self,
                user_id: i64,
                path_slug: &str,
                lesson_slug: &str,
                now: i64,
                day: &str,
            ) -> $crate::Result<()> {
                let mut tx = self.pool.begin().await?;
                sqlx::query(
                    "INSERT INTO progress (user_id, path_slug, lesson_slug, completed_at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (user_id, path_slug, lesson_slug) DO NOTHING",
                )
                .bind(user_id)
                .bind(path_slug)
                .bind(lesson_slug)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO activity_days (user_id, day) VALUES ($1, $2) ON CONFLICT (user_id, day) DO NOTHING",
                )
                .bind(user_id)
                .bind(day)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn uncomplete_lesson(
                &self,
                user_id: i64,
                path_slug: &str,
                lesson_slug: &str,
            ) -> $crate::Result<bool> {
                let n = sqlx::query(
                    "DELETE FROM progress WHERE user_id = $1 AND path_slug = $2 AND lesson_slug = $3",
                )
                .bind(user_id)
                .bind(path_slug)
                .bind(lesson_slug)
                .execute(&self.pool)
                .await?
                .rows_affected();
                Ok(n > 0)
            }

            async fn completions(
                &self,
                user_id: i64,
            ) -> $crate::Result<Vec<$crate::billing::Completion>> {
                let rows: Vec<(String, String, i64)> = sqlx::query_as(
                    "SELECT path_slug, lesson_slug, completed_at FROM progress WHERE user_id = $1 \
                     ORDER BY completed_at DESC, lesson_slug",
                )
                .bind(user_id)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(path_slug, lesson_slug, completed_at)| $crate::billing::Completion {
                        path_slug,
                        lesson_slug,
                        completed_at,
                    })
                    .collect())
            }

            async fn activity_days(&self, user_id: i64) -> $crate::Result<Vec<String>> {
                let rows: Vec<(String,)> = sqlx::query_as(
                    "SELECT day FROM activity_days WHERE user_id = $1 ORDER BY day DESC",
                )
                .bind(user_id)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(|r| r.0).collect())
            }
        }
    };
}
