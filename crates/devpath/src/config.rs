//! Settings, in layers merged by figment: the TOML file, then `DEVPATH_*`
//! variables, then command-line flags (a later layer wins), then the
//! defaults for whatever no layer set. The web layer's defaults are its own
//! (`WebConfig::default()`); this file writes only the binary's.

use anyhow::{bail, Context};
use devpath_web::entitlements::BillingMode;
use devpath_web::time::parse_when;
use devpath_web::{BillingConfig, WebConfig};
use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Pretty,
    Json,
}

/// One layer of settings: the flags, the variables and the file all have
/// this shape (flag `--data-dir`, variable `DEVPATH_DATA_DIR`, key
/// `data_dir`). `None` means "this layer does not say". No `Debug`: it holds
/// secrets as plain text until they are wrapped in [`Settings`].
#[derive(Clone, Default, clap::Args, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[command(
    after_help = "Every flag can also be set as a DEVPATH_<NAME> variable \
(e.g. DEVPATH_DATA_DIR) or as a key in the --config file (e.g. data_dir = \"/srv/devpath\"); \
flags win over variables, which win over the file."
)]
pub struct Overrides {
    /// Address to listen on [default: 127.0.0.1:8080]
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addr: Option<SocketAddr>,
    /// Folder for the database and other state [default: ./data]
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    /// Serve content from this folder instead of the embedded copy
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_dir: Option<PathBuf>,
    /// Database URL: sqlite://FILE or postgres://... [default: sqlite://DATA_DIR/devpath.db]
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    /// Log format [default: pretty in a terminal, json otherwise]
    #[arg(long, value_enum)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_format: Option<LogFormat>,
    /// Log filter, e.g. `info` or `devpath=debug,tower_http=info` [default: info]
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log: Option<String>,
    /// Largest request body in bytes [default: 65536]
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_limit: Option<usize>,
    /// How long signed-in pages may reuse session and billing state, in ms; 0 disables [default: 1000]
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_cache_ms: Option<u64>,
    /// The address learners use, for links in emails, form origin checks and
    /// Secure cookies [default: http://localhost:8080]
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_url: Option<String>,
    /// SMTP server for outgoing email, e.g. smtps://user:pass@host:465
    /// [default: none: emails are written to DATA_DIR/outbox]
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub smtp_url: Option<String>,
    /// From address of outgoing email [default: devpath <devpath@HOST of public_url>]
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mail_from: Option<String>,
    /// Trust X-Forwarded-For for the client address (only behind a reverse proxy) [default: false]
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trust_proxy: Option<bool>,
    /// Payments: none (trial and paywall; admins grant access), stripe, or open (every signed-in learner has full access) [default: none]
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing_mode: Option<String>,
    /// Currency of the prices, ISO 4217 [default: usd]
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Monthly price in minor units (cents) [default: 1900]
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price_monthly: Option<i64>,
    /// Annual price in minor units (cents) [default: 19000]
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price_annual: Option<i64>,
    /// Start of the 50%-off-first-year offer (RFC 3339 or YYYY-MM-DD) [default: unset, open]
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offer_start: Option<String>,
    /// End of the offer (RFC 3339, or YYYY-MM-DD = through that day) [default: unset, open]
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offer_end: Option<String>,
    /// Stripe secret API key (sk_...)
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stripe_secret_key: Option<String>,
    /// Stripe webhook signing secret (whsec_...)
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stripe_webhook_secret: Option<String>,
    /// Stripe API base URL [default: https://api.stripe.com]
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stripe_api_base: Option<String>,
    /// Stripe price id of the monthly plan (price_...)
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stripe_price_monthly: Option<String>,
    /// Stripe price id of the annual plan (price_...)
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stripe_price_annual: Option<String>,
    /// Stripe coupon id of the first-year offer (50% off, duration repeating, 12 months)
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stripe_coupon_first_year: Option<String>,
}

/// The resolved settings: every value set, secrets wrapped so that `Debug`
/// and logs print `[REDACTED]`.
#[derive(Debug, Clone)]
pub struct Settings {
    pub addr: SocketAddr,
    pub content_dir: Option<PathBuf>,
    pub database_url: String,
    pub log_format: LogFormat,
    pub log: String,
    /// Everything the web layer needs, `data_dir` included.
    pub web: WebConfig,
}

/// The setting names, as flags spell them with `_` (the variables' suffixes
/// and the file's keys). Other `DEVPATH_*` variables are not settings.
fn names() -> Vec<String> {
    let cmd = <Overrides as clap::Args>::augment_args(clap::Command::new("settings"));
    cmd.get_arguments()
        .map(|a| a.get_id().to_string())
        .filter(|id| id != "help")
        .collect()
}

/// Reads the file first with `toml` alone, so a mistake is reported as
/// `file:line: message` (figment's own errors name no line).
fn file_layer(path: &Path) -> anyhow::Result<String> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read config file {}", path.display()))?;
    if let Err(e) = toml::from_str::<Overrides>(&text) {
        let line = e
            .span()
            .map_or(1, |s| 1 + text[..s.start].matches('\n').count());
        bail!("{}:{line}: {}", path.display(), e.message());
    }
    Ok(text)
}

impl Settings {
    /// Merges the file (if any), the `DEVPATH_*` variables and the flags.
    pub fn resolve(flags: &Overrides, file: Option<&Path>) -> anyhow::Result<Settings> {
        let mut figment = Figment::new();
        if let Some(path) = file {
            figment = figment.merge(Toml::string(&file_layer(path)?));
        }
        let names = names();
        let layers: Overrides = figment
            .merge(Env::prefixed("DEVPATH_").filter(move |k| names.iter().any(|n| k == n.as_str())))
            .merge(Serialized::defaults(flags))
            .extract()
            .map_err(|e| anyhow::anyhow!("settings: {e}"))?;
        Settings::from_layers(layers)
    }

    /// Fills in the defaults and checks every value.
    fn from_layers(o: Overrides) -> anyhow::Result<Settings> {
        let billing = billing(&o)?;
        let defaults = WebConfig::default();
        let data_dir = o.data_dir.unwrap_or_else(|| PathBuf::from("data"));
        let database_url = o
            .database_url
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("devpath.db").display()));
        let body_limit = o.body_limit.unwrap_or(defaults.body_limit);
        if body_limit < 1024 {
            bail!("body_limit must be at least 1024 bytes");
        }
        let public_url = o
            .public_url
            .unwrap_or(defaults.public_url.clone())
            .trim_end_matches('/')
            .to_string();
        let host = match public_url.split_once("://") {
            Some(("http" | "https", rest)) => rest
                .split(['/', ':', '?', '#'])
                .next()
                .filter(|h| !h.is_empty())
                .map(str::to_string),
            _ => None,
        };
        let Some(host) = host else {
            bail!("public_url must look like https://learn.example.com, not {public_url:?}");
        };
        let mail_from = o
            .mail_from
            .unwrap_or_else(|| format!("devpath <devpath@{host}>"));
        let session_cache = o.session_cache_ms.map_or(defaults.session_cache, |ms| {
            std::time::Duration::from_millis(ms)
        });
        let tty = std::io::IsTerminal::is_terminal(&std::io::stdout());
        Ok(Settings {
            addr: o
                .addr
                .unwrap_or_else(|| "127.0.0.1:8080".parse().expect("valid default")),
            content_dir: o.content_dir,
            database_url,
            log_format: o.log_format.unwrap_or(if tty {
                LogFormat::Pretty
            } else {
                LogFormat::Json
            }),
            log: o.log.unwrap_or_else(|| "info".into()),
            web: WebConfig {
                body_limit,
                public_url,
                trust_proxy: o.trust_proxy.unwrap_or(defaults.trust_proxy),
                smtp_url: o
                    .smtp_url
                    .filter(|u| !u.trim().is_empty())
                    .map(SecretString::from),
                mail_from,
                data_dir,
                billing,
                session_cache,
                ..defaults
            },
        })
    }
}

/// Billing settings over `BillingConfig::default()`.
fn billing(o: &Overrides) -> anyhow::Result<BillingConfig> {
    let mut b = BillingConfig::default();
    if let Some(m) = &o.billing_mode {
        b.mode = BillingMode::parse(m)
            .with_context(|| format!("billing_mode `{m}`: use none, stripe or open"))?;
    }
    if let Some(c) = &o.currency {
        if c.len() != 3 || !c.chars().all(|ch| ch.is_ascii_alphabetic()) {
            bail!("currency `{c}`: use a three-letter ISO 4217 code such as usd or eur");
        }
        b.currency = c.to_ascii_lowercase();
    }
    b.price_monthly = o.price_monthly.unwrap_or(b.price_monthly);
    b.price_annual = o.price_annual.unwrap_or(b.price_annual);
    if b.price_monthly <= 0 || b.price_annual <= 0 {
        bail!("price_monthly and price_annual must be positive (minor units, e.g. cents)");
    }
    if let Some(v) = &o.offer_start {
        b.offer_start =
            Some(parse_when(v, false).map_err(|e| anyhow::anyhow!("offer_start: {e}"))?);
    }
    if let Some(v) = &o.offer_end {
        b.offer_end = Some(parse_when(v, true).map_err(|e| anyhow::anyhow!("offer_end: {e}"))?);
    }
    let s = &mut b.stripe;
    s.secret_key = o.stripe_secret_key.clone().map(SecretString::from);
    s.webhook_secret = o.stripe_webhook_secret.clone().map(SecretString::from);
    if let Some(base) = &o.stripe_api_base {
        s.api_base = base.clone();
    }
    s.price_monthly = o.stripe_price_monthly.clone();
    s.price_annual = o.stripe_price_annual.clone();
    s.coupon_first_year = o.stripe_coupon_first_year.clone();
    if b.mode == BillingMode::Stripe {
        for (name, set) in [
            ("stripe_secret_key", b.stripe.secret_key.is_some()),
            ("stripe_webhook_secret", b.stripe.webhook_secret.is_some()),
            ("stripe_price_monthly", b.stripe.price_monthly.is_some()),
            ("stripe_price_annual", b.stripe.price_annual.is_some()),
        ] {
            if !set {
                bail!("billing_mode = stripe needs {name}");
            }
        }
    }
    Ok(b)
}

#[cfg(test)]
mod tests;
