//! Learner accounts, sessions and password resets: the types and the trait
//! each backend implements (in `sqlite/accounts.rs` and `postgres/accounts.rs`).
//!
//! Times are unix seconds (`i64`). Methods that depend on the time take `now`
//! from the caller, so tests can use any clock; only [`Accounts::audit`]
//! stamps entries itself.
//!
//! Emails are stored lower-cased and trimmed; lookups normalise the same way,
//! and a case-insensitive unique index backs it up.

use crate::Result;

/// A learner or administrator.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub is_admin: bool,
    pub created_at: i64,
    /// When the address was confirmed through a link sent to it.
    pub email_verified_at: Option<i64>,
}

/// A stored session. `id` is the SHA-256 (hex) of the cookie's token.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Session {
    pub id: String,
    pub user_id: i64,
    pub created_at: i64,
    pub last_seen_at: i64,
    /// Absolute expiry.
    pub expires_at: i64,
    pub user_agent: Option<String>,
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    pub actor_user_id: Option<i64>,
    pub subject_user_id: Option<i64>,
    pub action: String,
    pub detail: String,
}

/// The stored form of an email: trimmed and lower-cased.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Accounts, sessions, password resets, sign-in rate limiting and the audit log.
#[async_trait::async_trait]
pub trait Accounts: Send + Sync {
    // --- users -----------------------------------------------------------

    /// Creates a user. An existing email (in any case) gives
    /// [`StoreError::Conflict`](crate::StoreError::Conflict).
    async fn create_user(
        &self,
        email: &str,
        password_hash: &str,
        is_admin: bool,
        now: i64,
    ) -> Result<User>;
    async fn user_by_id(&self, id: i64) -> Result<Option<User>>;
    async fn user_by_email(&self, email: &str) -> Result<Option<User>>;
    /// The user and their password hash, for signing in.
    async fn credentials_by_email(&self, email: &str) -> Result<Option<(User, String)>>;
    async fn password_hash(&self, user_id: i64) -> Result<Option<String>>;
    async fn set_password_hash(&self, user_id: i64, password_hash: &str) -> Result<()>;
    async fn set_admin(&self, user_id: i64, is_admin: bool) -> Result<()>;
    /// Deletes the user; sessions, resets and anything else keyed by the user
    /// with `ON DELETE CASCADE` go with it. `false` when there was no such user.
    async fn delete_user(&self, user_id: i64) -> Result<bool>;
    /// Users, newest first; `search` filters by a substring of the email.
    async fn list_users(&self, search: Option<&str>, limit: i64, offset: i64) -> Result<Vec<User>>;
    async fn count_users(&self) -> Result<i64>;
    /// The shared secret called `name`, stored as `fresh` if none exists yet:
    /// every app server gets the same value, whichever asked first.
    async fn server_secret(&self, name: &str, fresh: &str) -> Result<String>;

    // --- sessions --------------------------------------------------------

    /// Stores a session whose cookie token hashes to `id`.
    async fn create_session(
        &self,
        id: &str,
        user_id: i64,
        now: i64,
        expires_at: i64,
        user_agent: Option<&str>,
    ) -> Result<()>;
    /// The session and its user, whatever their age: the caller checks expiry.
    async fn session_with_user(&self, id: &str) -> Result<Option<(Session, User)>>;
    /// Records activity (for the idle timeout).
    async fn touch_session(&self, id: &str, now: i64) -> Result<()>;
    async fn delete_session(&self, id: &str) -> Result<()>;
    /// Ends every session of the user except `keep` (the current one, if any).
    async fn delete_user_sessions(&self, user_id: i64, keep: Option<&str>) -> Result<u64>;
    /// Removes sessions past their absolute expiry or idle since before `idle_before`.
    async fn delete_expired_sessions(&self, now: i64, idle_before: i64) -> Result<u64>;

    // --- password resets -------------------------------------------------

    async fn create_password_reset(
        &self,
        token_hash: &str,
        user_id: i64,
        now: i64,
        expires_at: i64,
    ) -> Result<()>;
    /// The user a reset token belongs to, if it is unused and unexpired.
    async fn password_reset_user(&self, token_hash: &str, now: i64) -> Result<Option<i64>>;
    /// Marks the token used, atomically: returns its user only the first time
    /// and only if unexpired. Other outstanding tokens of that user are removed.
    async fn consume_password_reset(&self, token_hash: &str, now: i64) -> Result<Option<i64>>;

    // --- sign-in rate limiting ------------------------------------------

    /// Counts one attempt against `key` in a window of `window` seconds that
    /// starts at the first attempt, and returns the attempts in the window
    /// (this one included) and when it started. One statement, so
    /// concurrent attempts each get a different count.
    async fn count_attempt(&self, key: &str, now: i64, window: i64) -> Result<(i64, i64)>;
    /// Takes back one attempt counted by [`Accounts::count_attempt`] (it
    /// turned out not to be a failure).
    async fn uncount_attempt(&self, key: &str) -> Result<()>;
    /// Attempts counted against `key` in its latest window (0 if none).
    async fn counted_attempts(&self, key: &str) -> Result<i64>;
    async fn record_login_failure(&self, key: &str, at: i64) -> Result<()>;
    /// Failures for `key` at or after `since`, and the time of the oldest of them.
    async fn login_failures(&self, key: &str, since: i64) -> Result<(i64, Option<i64>)>;
    /// Forgets the failures and counted attempts of `key`.
    async fn clear_login_failures(&self, key: &str) -> Result<()>;
    /// Drops attempts older than `before` (housekeeping).
    async fn prune_login_attempts(&self, before: i64) -> Result<u64>;

    // --- audit log -------------------------------------------------------

    /// Appends an entry stamped with the current time.
    async fn audit(
        &self,
        actor: Option<i64>,
        subject: Option<i64>,
        action: &str,
        detail: &str,
    ) -> Result<()>;
    /// Newest first; only entries about `subject` when given.
    async fn audit_entries(&self, subject: Option<i64>, limit: i64) -> Result<Vec<AuditEntry>>;
}

pub(crate) fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// The SQL is identical on both engines (`$n` placeholders, `RETURNING`,
/// `lower()`), so one body serves both backends; each backend file invokes
/// this with its store type.
macro_rules! impl_accounts {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::accounts::Accounts for $store {
            async fn create_user(
                &self,
                email: &str,
                password_hash: &str,
                is_admin: bool,
                now: i64,
            ) -> $crate::Result<$crate::accounts::User> {
                let email = $crate::accounts::normalize_email(email);
                let res = sqlx::query_as::<_, $crate::accounts::User>(
                    "INSERT INTO users (email, password_hash, is_admin, created_at) \
                     VALUES ($1, $2, $3, $4) RETURNING id, email, is_admin, created_at, email_verified_at",
                )
                .bind(&email)
                .bind(password_hash)
                .bind(is_admin)
                .bind(now)
                .fetch_one(&self.pool)
                .await;
                match res {
                    Ok(u) => Ok(u),
                    Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(
                        $crate::StoreError::Conflict(format!("an account with email {email} exists")),
                    ),
                    Err(e) => Err(e.into()),
                }
            }

            async fn user_by_id(&self, id: i64) -> $crate::Result<Option<$crate::accounts::User>> {
                Ok(sqlx::query_as(
                    "SELECT id, email, is_admin, created_at, email_verified_at FROM users WHERE id = $1",
                )
                .bind(id)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn user_by_email(
                &self,
                email: &str,
            ) -> $crate::Result<Option<$crate::accounts::User>> {
                Ok(sqlx::query_as(
                    "SELECT id, email, is_admin, created_at, email_verified_at FROM users WHERE lower(email) = $1",
                )
                .bind($crate::accounts::normalize_email(email))
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn credentials_by_email(
                &self,
                email: &str,
            ) -> $crate::Result<Option<($crate::accounts::User, String)>> {
                let row: Option<(i64, String, bool, i64, Option<i64>, String)> = sqlx::query_as(
                    "SELECT id, email, is_admin, created_at, email_verified_at, password_hash \
                     FROM users WHERE lower(email) = $1",
                )
                .bind($crate::accounts::normalize_email(email))
                .fetch_optional(&self.pool)
                .await?;
                Ok(row.map(|(id, email, is_admin, created_at, email_verified_at, hash)| {
                    ($crate::accounts::User { id, email, is_admin, created_at, email_verified_at }, hash)
                }))
            }

            async fn password_hash(&self, user_id: i64) -> $crate::Result<Option<String>> {
                let row: Option<(String,)> =
                    sqlx::query_as("SELECT password_hash FROM users WHERE id = $1")
                        .bind(user_id)
                        .fetch_optional(&self.pool)
                        .await?;
                Ok(row.map(|r| r.0))
            }

            async fn set_password_hash(&self, user_id: i64, password_hash: &str) -> $crate::Result<()> {
                sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
                    .bind(password_hash)
                    .bind(user_id)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn set_admin(&self, user_id: i64, is_admin: bool) -> $crate::Result<()> {
                sqlx::query("UPDATE users SET is_admin = $1 WHERE id = $2")
                    .bind(is_admin)
                    .bind(user_id)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn delete_user(&self, user_id: i64) -> $crate::Result<bool> {
                let r = sqlx::query("DELETE FROM users WHERE id = $1")
                    .bind(user_id)
                    .execute(&self.pool)
                    .await?;
                Ok(r.rows_affected() > 0)
            }

            async fn list_users(
                &self,
                search: Option<&str>,
                limit: i64,
                offset: i64,
            ) -> $crate::Result<Vec<$crate::accounts::User>> {
                let pattern = format!(
                    "%{}%",
                    search
                        .map($crate::accounts::normalize_email)
                        .unwrap_or_default()
                        .replace('\\', "\\\\")
                        .replace('%', "\\%")
                        .replace('_', "\\_")
                );
                Ok(sqlx::query_as(
                    "SELECT id, email, is_admin, created_at, email_verified_at FROM users \
                     WHERE lower(email) LIKE $1 ESCAPE '\\' ORDER BY id DESC LIMIT $2 OFFSET $3",
                )
                .bind(pattern)
                .bind(limit)
                .bind(offset)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn server_secret(&self, name: &str, fresh: &str) -> $crate::Result<String> {
                sqlx::query(
                    "INSERT INTO server_secrets (name, value) VALUES ($1, $2) \
                     ON CONFLICT (name) DO NOTHING",
                )
                .bind(name)
                .bind(fresh)
                .execute(&self.pool)
                .await?;
                let (value,): (String,) =
                    sqlx::query_as("SELECT value FROM server_secrets WHERE name = $1")
                        .bind(name)
                        .fetch_one(&self.pool)
                        .await?;
                Ok(value)
            }

            async fn count_users(&self) -> $crate::Result<i64> {
                let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users")
                    .fetch_one(&self.pool)
                    .await?;
                Ok(n)
            }

            async fn create_session(
                &self,
                id: &str,
                user_id: i64,
                now: i64,
                expires_at: i64,
                user_agent: Option<&str>,
            ) -> $crate::Result<()> {
                sqlx::query(
                    "INSERT INTO sessions (id, user_id, created_at, last_seen_at, expires_at, user_agent) \
                     VALUES ($1, $2, $3, $3, $4, $5)",
                )
                .bind(id)
                .bind(user_id)
                .bind(now)
                .bind(expires_at)
                .bind(user_agent)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn session_with_user(
                &self,
                id: &str,
            ) -> $crate::Result<Option<($crate::accounts::Session, $crate::accounts::User)>> {
                #[allow(clippy::type_complexity)]
                let row: Option<(String, i64, i64, i64, i64, Option<String>, String, bool, i64, Option<i64>)> =
                    sqlx::query_as(
                        "SELECT s.id, s.user_id, s.created_at, s.last_seen_at, s.expires_at, s.user_agent, \
                         u.email, u.is_admin, u.created_at, u.email_verified_at \
                         FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1",
                    )
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(row.map(
                    |(id, user_id, created_at, last_seen_at, expires_at, user_agent, email, is_admin, user_created, email_verified_at)| {
                        (
                            $crate::accounts::Session {
                                id,
                                user_id,
                                created_at,
                                last_seen_at,
                                expires_at,
                                user_agent,
                            },
                            $crate::accounts::User {
                                id: user_id,
                                email,
                                is_admin,
                                created_at: user_created,
                                email_verified_at,
                            },
                        )
                    },
                ))
            }

            async fn touch_session(&self, id: &str, now: i64) -> $crate::Result<()> {
                sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
                    .bind(now)
                    .bind(id)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn delete_session(&self, id: &str) -> $crate::Result<()> {
                sqlx::query("DELETE FROM sessions WHERE id = $1")
                    .bind(id)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn delete_user_sessions(&self, user_id: i64, keep: Option<&str>) -> $crate::Result<u64> {
                let r = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id <> $2")
                    .bind(user_id)
                    .bind(keep.unwrap_or(""))
                    .execute(&self.pool)
                    .await?;
                Ok(r.rows_affected())
            }

            async fn delete_expired_sessions(&self, now: i64, idle_before: i64) -> $crate::Result<u64> {
                let r = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at < $2")
                    .bind(now)
                    .bind(idle_before)
                    .execute(&self.pool)
                    .await?;
                Ok(r.rows_affected())
            }

            async fn create_password_reset(
                &self,
                token_hash: &str,
                user_id: i64,
                now: i64,
                expires_at: i64,
            ) -> $crate::Result<()> {
                sqlx::query(
                    "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(token_hash)
                .bind(user_id)
                .bind(now)
                .bind(expires_at)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn password_reset_user(&self, token_hash: &str, now: i64) -> $crate::Result<Option<i64>> {
                let row: Option<(i64,)> = sqlx::query_as(
                    "SELECT user_id FROM password_resets \
                     WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
                )
                .bind(token_hash)
                .bind(now)
                .fetch_optional(&self.pool)
                .await?;
                Ok(row.map(|r| r.0))
            }

            async fn consume_password_reset(&self, token_hash: &str, now: i64) -> $crate::Result<Option<i64>> {
                let row: Option<(i64,)> = sqlx::query_as(
                    "UPDATE password_resets SET used_at = $1 \
                     WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING user_id",
                )
                .bind(now)
                .bind(token_hash)
                .fetch_optional(&self.pool)
                .await?;
                if let Some((user_id,)) = row {
                    sqlx::query("DELETE FROM password_resets WHERE user_id = $1 AND used_at IS NULL")
                        .bind(user_id)
                        .execute(&self.pool)
                        .await?;
                }
                Ok(row.map(|r| r.0))
            }

            async fn count_attempt(&self, key: &str, now: i64, window: i64) -> $crate::Result<(i64, i64)> {
                // In SET, columns are the old row's values on both engines.
                Ok(sqlx::query_as(
                    "INSERT INTO login_limits (key, window_start, attempts) VALUES ($1, $2, 1) \
                     ON CONFLICT (key) DO UPDATE SET \
                     attempts = CASE WHEN login_limits.window_start <= $2 - $3 THEN 1 ELSE login_limits.attempts + 1 END, \
                     window_start = CASE WHEN login_limits.window_start <= $2 - $3 THEN $2 ELSE login_limits.window_start END \
                     RETURNING attempts, window_start",
                )
                .bind(key)
                .bind(now)
                .bind(window)
                .fetch_one(&self.pool)
                .await?)
            }

            async fn uncount_attempt(&self, key: &str) -> $crate::Result<()> {
                sqlx::query("UPDATE login_limits SET attempts = attempts - 1 WHERE key = $1 AND attempts > 0")
                    .bind(key)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn counted_attempts(&self, key: &str) -> $crate::Result<i64> {
                let row: Option<(i64,)> = sqlx::query_as("SELECT attempts FROM login_limits WHERE key = $1")
                    .bind(key)
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(row.map_or(0, |r| r.0))
            }

            async fn record_login_failure(&self, key: &str, at: i64) -> $crate::Result<()> {
                sqlx::query("INSERT INTO login_attempts (key, at) VALUES ($1, $2)")
                    .bind(key)
                    .bind(at)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn login_failures(&self, key: &str, since: i64) -> $crate::Result<(i64, Option<i64>)> {
                let row: (i64, Option<i64>) = sqlx::query_as(
                    "SELECT COUNT(*), MIN(at) FROM login_attempts WHERE key = $1 AND at >= $2",
                )
                .bind(key)
                .bind(since)
                .fetch_one(&self.pool)
                .await?;
                Ok(row)
            }

            async fn clear_login_failures(&self, key: &str) -> $crate::Result<()> {
                sqlx::query("DELETE FROM login_attempts WHERE key = $1")
                    .bind(key)
                    .execute(&self.pool)
                    .await?;
                sqlx::query("DELETE FROM login_limits WHERE key = $1")
                    .bind(key)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn prune_login_attempts(&self, before: i64) -> $crate::Result<u64> {
                let r = sqlx::query("DELETE FROM login_attempts WHERE at < $1")
                    .bind(before)
                    .execute(&self.pool)
                    .await?;
                let limits = sqlx::query("DELETE FROM login_limits WHERE window_start < $1")
                    .bind(before)
                    .execute(&self.pool)
                    .await?;
                Ok(r.rows_affected() + limits.rows_affected())
            }

            async fn audit(
                &self,
                actor: Option<i64>,
                subject: Option<i64>,
                action: &str,
                detail: &str,
            ) -> $crate::Result<()> {
                sqlx::query(
                    "INSERT INTO audit_log (at, actor_user_id, subject_user_id, action, detail) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind($crate::accounts::unix_now())
                .bind(actor)
                .bind(subject)
                .bind(action)
                .bind(detail)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn audit_entries(
                &self,
                subject: Option<i64>,
                limit: i64,
            ) -> $crate::Result<Vec<$crate::accounts::AuditEntry>> {
                Ok(sqlx::query_as(
                    "SELECT id, at, actor_user_id, subject_user_id, action, detail FROM audit_log \
                     WHERE (CAST($1 AS BIGINT) IS NULL OR subject_user_id = CAST($1 AS BIGINT)) ORDER BY id DESC LIMIT $2",
                )
                .bind(subject)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?)
            }
        }
    };
}
pub(crate) use impl_accounts;
