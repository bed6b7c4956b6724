//! Telling the other app servers that a learner's state changed, so they
//! drop what they cached about them at once rather than when the cache's
//! time to live runs out. On PostgreSQL this is `NOTIFY` on one channel and
//! a `LISTEN`ing connection per server; SQLite serves one process, which
//! needs no such message.

use crate::Result;
use std::time::Duration;

/// The PostgreSQL channel the servers share.
pub const CHANNEL: &str = "devpath_changes";

/// What one server announced, or that announcements may have been missed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// One learner's sessions, billing state or progress changed.
    Learner(i64),
    /// Any learner's may have changed (an event that names no learner).
    Everyone,
    /// The listening connection was lost and is back: announcements made in
    /// between are gone, so everything cached is suspect.
    Lost,
}

impl Change {
    fn payload(self) -> String {
        match self {
            Change::Learner(id) => id.to_string(),
            Change::Everyone | Change::Lost => "*".into(),
        }
    }

    fn parse(payload: &str) -> Change {
        payload.parse().map_or(Change::Everyone, Change::Learner)
    }
}

#[async_trait::async_trait]
pub trait Changes: Send + Sync {
    /// Announces to every server using this database (this one included)
    /// that `change` happened.
    async fn announce(&self, change: Change) -> Result<()>;
    /// The announcements of every server, from now on; `None` where the
    /// engine has none (one server only).
    async fn follow(&self) -> Result<Option<ChangeFeed>>;
}

/// A listening connection, made anew when it breaks.
pub struct ChangeFeed {
    pool: sqlx::PgPool,
    /// `None` after the connection broke, until it is made again.
    listener: Option<sqlx::postgres::PgListener>,
}

async fn listen(pool: &sqlx::PgPool) -> Result<sqlx::postgres::PgListener> {
    let mut listener = sqlx::postgres::PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    Ok(listener)
}

impl ChangeFeed {
    /// The next announcement. When the connection breaks it is made again
    /// (every second while the database is unreachable), and the feed then
    /// reports [`Change::Lost`], since announcements made meanwhile are gone.
    pub async fn next(&mut self) -> Change {
        loop {
            let Some(listener) = self.listener.as_mut() else {
                match listen(&self.pool).await {
                    Ok(listener) => {
                        tracing::info!("change feed listening again");
                        self.listener = Some(listener);
                        return Change::Lost;
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "change feed cannot reach the database; retrying");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        continue;
                    }
                }
            };
            match listener.try_recv().await {
                Ok(Some(n)) => return Change::parse(n.payload()),
                Ok(None) => {
                    tracing::warn!("change feed lost its connection");
                    self.listener = None;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "change feed lost its connection");
                    self.listener = None;
                }
            }
        }
    }
}

#[async_trait::async_trait]
impl Changes for crate::PostgresStore {
    async fn announce(&self, change: Change) -> Result<()> {
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(CHANNEL)
            .bind(change.payload())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn follow(&self) -> Result<Option<ChangeFeed>> {
        Ok(Some(ChangeFeed {
            listener: Some(listen(&self.pool).await?),
            pool: self.pool.clone(),
        }))
    }
}

#[async_trait::async_trait]
impl Changes for crate::SqliteStore {
    async fn announce(&self, _: Change) -> Result<()> {
        Ok(())
    }

    async fn follow(&self) -> Result<Option<ChangeFeed>> {
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_round_trip() {
        assert_eq!(
            Change::parse(&Change::Learner(42).payload()),
            Change::Learner(42)
        );
        assert_eq!(Change::parse(&Change::Everyone.payload()), Change::Everyone);
        assert_eq!(Change::parse("garbage"), Change::Everyone);
    }
}
