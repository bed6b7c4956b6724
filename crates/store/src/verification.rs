//! Email verification: single-use links that confirm an account's address.
//! The trait each backend implements (in `sqlite/verification.rs` and
//! `postgres/verification.rs`), written once by [`impl_verification!`].

use crate::Result;

#[async_trait::async_trait]
pub trait Verification {
    /// Stores a confirmation link's token hash for `user_id`.
    async fn create_email_verification(
        &self,
        token_hash: &str,
        user_id: i64,
        now: i64,
        expires_at: i64,
    ) -> Result<()>;
    /// Whether the token is stored and unexpired (for the confirmation page).
    async fn email_verification_user(&self, token_hash: &str, now: i64) -> Result<Option<i64>>;
    /// Uses the token, atomically: of two concurrent uses only one returns
    /// the user. Marks the address confirmed (keeping an earlier time) and
    /// removes the user's other links, in one transaction.
    async fn verify_email(&self, token_hash: &str, now: i64) -> Result<Option<i64>>;
}

#[macro_export]
#[doc(hidden)]
macro_rules! impl_verification {
    ($ty:ty) => {
        #[async_trait::async_trait]
        impl $crate::verification::Verification for $ty {
            async fn create_email_verification(
                &self,
                token_hash: &str,
                user_id: i64,
                now: i64,
                expires_at: i64,
            ) -> $crate::Result<()> {
                sqlx::query(
                    "INSERT INTO email_verifications (token_hash, user_id, created_at, expires_at) \
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

            async fn email_verification_user(
                &self,
                token_hash: &str,
                now: i64,
            ) -> $crate::Result<Option<i64>> {
                let row: Option<(i64,)> = sqlx::query_as(
                    "SELECT user_id FROM email_verifications WHERE token_hash = $1 AND expires_at > $2",
                )
                .bind(token_hash)
                .bind(now)
                .fetch_optional(&self.pool)
                .await?;
                Ok(row.map(|r| r.0))
            }

            async fn verify_email(&self, token_hash: &str, now: i64) -> $crate::Result<Option<i64>> {
                let mut tx = self.pool.begin().await?;
                let row: Option<(i64,)> = sqlx::query_as(
                    "DELETE FROM email_verifications WHERE token_hash = $1 AND expires_at > $2 \
                     RETURNING user_id",
                )
                .bind(token_hash)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
                let Some((user_id,)) = row else {
                    return Ok(None);
                };
                sqlx::query(
                    "UPDATE users SET email_verified_at = COALESCE(email_verified_at, $1) WHERE id = $2",
                )
                .bind(now)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
                sqlx::query("DELETE FROM email_verifications WHERE user_id = $1")
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(Some(user_id))
            }
        }
    };
}
