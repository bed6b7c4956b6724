//! Limits on password attempts, shared by sign-in and the current-password
//! checks of `/account/password` and `/account/delete`: 5 failures per
//! account and 20 per client address in a 15-minute window.
//!
//! Each attempt is counted in the database *before* the password is checked
//! (one upsert that returns the new count), and taken back when the password
//! was right. Checking first and counting after would let a burst of
//! simultaneous requests all see the count from before any of them.

use crate::{AppError, AppState};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue};
use axum::response::Response;
use std::net::{IpAddr, SocketAddr};

/// Rate-limit window for password attempts.
pub const WINDOW_SECS: i64 = 15 * 60;
/// Failed attempts allowed per account per window.
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
/// Failed attempts allowed per client address per window.
pub const MAX_FAILURES_PER_IP: i64 = 20;

/// The counter key of an account.
pub fn account_key(email: &str) -> String {
    format!("email:{email}")
}

/// One counted attempt, to be taken back if the password was right.
pub struct Attempt {
    account: String,
    ip: String,
}

pub enum Verdict {
    /// Check the password, then call [`Attempt::succeeded`] if it was right.
    Allowed(Attempt),
    /// Over a limit: refuse without checking, and ask to wait this long.
    Limited { wait_secs: i64 },
}

/// Counts an attempt for `email` from `ip` and says whether it may proceed.
pub async fn attempt(
    state: &AppState,
    email: &str,
    ip: &str,
    now: i64,
) -> Result<Verdict, AppError> {
    let account = account_key(email);
    let ip = format!("ip:{ip}");
    let mut wait = None;
    for (key, max) in [
        (&account, MAX_FAILURES_PER_ACCOUNT),
        (&ip, MAX_FAILURES_PER_IP),
    ] {
        let (n, started) = state.store.count_attempt(key, now, WINDOW_SECS).await?;
        if n > max {
            let w = (started + WINDOW_SECS - now).max(1);
            wait = Some(wait.map_or(w, |x: i64| x.max(w)));
        }
    }
    Ok(match wait {
        Some(wait_secs) => {
            tracing::warn!(%ip, "password attempt limit reached");
            Verdict::Limited { wait_secs }
        }
        None => Verdict::Allowed(Attempt { account, ip }),
    })
}

impl Attempt {
    /// The password was right: the account starts afresh, and the address
    /// gets its attempt back.
    pub async fn succeeded(self, state: &AppState) -> Result<(), AppError> {
        state.store.clear_login_failures(&self.account).await?;
        state.store.uncount_attempt(&self.ip).await?;
        Ok(())
    }
}

/// Sign-ups allowed per client address per hour: enough for a classroom
/// behind one NAT, not for a script creating accounts.
pub const MAX_SIGNUPS_PER_IP: i64 = 20;
/// Password-reset requests allowed per client address per hour, whether or
/// not the accounts exist (so the limit says nothing about who has one).
pub const MAX_RESET_REQUESTS_PER_IP: i64 = 10;
/// The window of the two limits above.
pub const HOUR_SECS: i64 = 60 * 60;

/// What a client address does that is limited per hour.
#[derive(Debug, Clone, Copy)]
pub enum PerAddress {
    SignUp,
    ResetRequest,
}

impl PerAddress {
    fn key(self, ip: &str) -> String {
        match self {
            PerAddress::SignUp => format!("signup-ip:{ip}"),
            PerAddress::ResetRequest => format!("reset-ip:{ip}"),
        }
    }

    fn max(self) -> i64 {
        match self {
            PerAddress::SignUp => MAX_SIGNUPS_PER_IP,
            PerAddress::ResetRequest => MAX_RESET_REQUESTS_PER_IP,
        }
    }
}

/// Counts one request from `ip` (atomically, like sign-in attempts) and
/// returns how long to wait when it is over the hourly limit.
pub async fn per_address(
    state: &AppState,
    what: PerAddress,
    ip: &str,
    now: i64,
) -> Result<Option<i64>, AppError> {
    let (n, started) = state
        .store
        .count_attempt(&what.key(ip), now, HOUR_SECS)
        .await?;
    if n > what.max() {
        tracing::warn!(%ip, ?what, "per-address limit reached");
        return Ok(Some((started + HOUR_SECS - now).max(1)));
    }
    Ok(None)
}

/// "Too many {what} from your network. Please wait N minutes."
pub fn busy_address_message(what: &str, wait_secs: i64) -> String {
    format!(
        "Too many {what} from your network. Please wait {} and try again.",
        minutes(wait_secs)
    )
}

/// "N minute(s)", rounded up.
/// `wait_secs` rounded up to whole minutes, in words ("2 minutes").
pub fn minutes(wait_secs: i64) -> String {
    let n = (wait_secs + 59) / 60;
    format!("{n} minute{}", if n == 1 { "" } else { "s" })
}

/// "Too many {what}. Please wait N minutes" for a refused attempt.
pub fn wait_message(what: &str, wait_secs: i64) -> String {
    format!(
        "Too many {what}. Please wait {} and try again, or reset your password.",
        minutes(wait_secs)
    )
}

/// Adds `Retry-After` to a 429 answer.
pub fn with_retry_after(mut res: Response, wait_secs: i64) -> Response {
    res.headers_mut().insert(
        header::RETRY_AFTER,
        HeaderValue::from_str(&wait_secs.to_string()).expect("digits"),
    );
    res
}

/// The client's IP address: the socket peer, or with `trust_proxy` the
/// right-most `X-Forwarded-For` entry (the one our own proxy appended; the
/// ones to its left are whatever the client sent and cannot be trusted).
#[derive(Debug, Clone)]
pub struct ClientIp(pub String);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if state.config.trust_proxy {
            let forwarded = parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .filter_map(|s| s.trim().parse::<IpAddr>().ok())
                .next_back();
            if let Some(ip) = forwarded {
                return Ok(ClientIp(ip.to_string()));
            }
        }
        Ok(ClientIp(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip().to_string())
                .unwrap_or_else(|| "unknown".into()),
        ))
    }
}
