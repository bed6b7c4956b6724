//! The web layer's settings, as the binary hands them over (it loads them
//! from flags, `DEVPATH_*` variables and the configuration file).

use crate::credentials::HashLimit;
use crate::entitlements::{BillingMode, OfferWindow};
use secrecy::SecretString;

/// Settings the web layer needs.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Largest request body accepted, in bytes; larger ones get 413.
    pub body_limit: usize,
    /// The address learners use, e.g. `https://learn.example.com`: links in
    /// emails, the allowed `Origin` for forms, and `Secure` cookies when https.
    pub public_url: String,
    /// Take the client address from `X-Forwarded-For` (set by a reverse proxy).
    pub trust_proxy: bool,
    /// `smtps://user:pass@host:465`; `None` writes emails to `data_dir/outbox`.
    /// A secret: it may carry the SMTP password.
    pub smtp_url: Option<SecretString>,
    /// The `From:` of outgoing email.
    pub mail_from: String,
    /// Where the outbox lives when no SMTP server is configured.
    pub data_dir: std::path::PathBuf,
    /// Billing mode, plans, the first-year offer and Stripe (see billing/mod.rs).
    pub billing: BillingConfig,
    /// How long a signed-in page may reuse the session and billing state it
    /// read from the database (see viewcache.rs); zero turns the cache off.
    pub session_cache: std::time::Duration,
    /// How many password hashes run at once and wait (see credentials.rs).
    pub password_hashing: HashLimit,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            body_limit: 64 * 1024,
            public_url: "http://localhost:8080".into(),
            trust_proxy: false,
            smtp_url: None,
            mail_from: "devpath <devpath@localhost>".into(),
            data_dir: "data".into(),
            billing: BillingConfig::default(),
            session_cache: std::time::Duration::from_secs(1),
            password_hashing: HashLimit::for_this_machine(),
        }
    }
}

/// Billing settings (see the README's configuration table).
#[derive(Debug, Clone)]
pub struct BillingConfig {
    pub mode: BillingMode,
    /// ISO 4217 code, lower case (`usd`).
    pub currency: String,
    /// Prices in minor units (cents).
    pub price_monthly: i64,
    pub price_annual: i64,
    /// The first-year offer runs from `offer_start` (inclusive) to
    /// `offer_end` (exclusive); an unset bound is open.
    pub offer_start: Option<i64>,
    pub offer_end: Option<i64>,
    pub stripe: StripeConfig,
}

impl Default for BillingConfig {
    fn default() -> Self {
        BillingConfig {
            mode: BillingMode::None,
            currency: "usd".into(),
            price_monthly: 1900,
            price_annual: 19000,
            offer_start: None,
            offer_end: None,
            stripe: StripeConfig {
                api_base: "https://api.stripe.com".into(),
                ..StripeConfig::default()
            },
        }
    }
}

impl BillingConfig {
    pub fn offer_window(&self) -> OfferWindow {
        OfferWindow {
            start: self.offer_start,
            end: self.offer_end,
        }
    }

    /// Whether the "50% off your first year" offer runs at `now`.
    pub fn offer_running(&self, now: i64) -> bool {
        self.offer_window().running(now, self.mode)
    }

    /// The annual price in the first year while the offer runs.
    pub fn annual_first_year(&self) -> i64 {
        self.price_annual / 2
    }
}

#[derive(Debug, Clone, Default)]
pub struct StripeConfig {
    /// Secrets print as `[REDACTED]` in `Debug` and logs.
    pub secret_key: Option<SecretString>,
    pub webhook_secret: Option<SecretString>,
    /// `https://api.stripe.com` unless overridden (tests use a local mock).
    pub api_base: String,
    pub price_monthly: Option<String>,
    pub price_annual: Option<String>,
    pub coupon_first_year: Option<String>,
}
