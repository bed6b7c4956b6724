//! Settings: command-line flags win over `DEVPATH_*` environment variables,
//! which win over the optional TOML file, which wins over the defaults.

use anyhow::{bail, Context};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Pretty,
    Json,
}

/// Values from flags or the environment (clap reads both); `None` when unset.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Overrides {
    /// Address to listen on [default: 127.0.0.1:8080]
    #[arg(long, env = "DEVPATH_ADDR")]
    pub addr: Option<SocketAddr>,
    /// Folder for the database and other state [default: ./data]
    #[arg(long, env = "DEVPATH_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Serve content from this folder instead of the embedded copy
    #[arg(long, env = "DEVPATH_CONTENT_DIR")]
    pub content_dir: Option<PathBuf>,
    /// Database URL: sqlite://FILE or postgres://... [default: sqlite://DATA_DIR/devpath.db]
    #[arg(long, env = "DEVPATH_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Log format [default: pretty in a terminal, json otherwise]
    #[arg(long, env = "DEVPATH_LOG_FORMAT", value_enum)]
    pub log_format: Option<LogFormat>,
    /// Log filter, e.g. `info` or `devpath=debug,tower_http=info` [default: info]
    #[arg(long, env = "DEVPATH_LOG")]
    pub log: Option<String>,
    /// Largest request body in bytes [default: 65536]
    #[arg(long, env = "DEVPATH_BODY_LIMIT")]
    pub body_limit: Option<usize>,
    /// How long signed-in pages may reuse session and billing state, in ms; 0 disables [default: 1000]
    #[arg(long, env = "DEVPATH_SESSION_CACHE_MS")]
    pub session_cache_ms: Option<u64>,
    /// The address learners use, for links in emails, form origin checks and
    /// Secure cookies [default: http://localhost:8080]
    #[arg(long, env = "DEVPATH_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// SMTP server for outgoing email, e.g. smtps://user:pass@host:465
    /// [default: none: emails are written to DATA_DIR/outbox]
    #[arg(long, env = "DEVPATH_SMTP_URL")]
    pub smtp_url: Option<String>,
    /// From address of outgoing email [default: devpath <devpath@HOST of public_url>]
    #[arg(long, env = "DEVPATH_MAIL_FROM")]
    pub mail_from: Option<String>,
    /// Trust X-Forwarded-For for the client address (only behind a reverse proxy) [default: false]
    #[arg(long, env = "DEVPATH_TRUST_PROXY")]
    pub trust_proxy: Option<bool>,
    /// Payments: none (trial and paywall; admins grant access), stripe, or open (every signed-in learner has full access) [default: none]
    #[arg(long, env = "DEVPATH_BILLING_MODE")]
    pub billing_mode: Option<String>,
    /// Currency of the prices, ISO 4217 [default: usd]
    #[arg(long, env = "DEVPATH_CURRENCY")]
    pub currency: Option<String>,
    /// Monthly price in minor units (cents) [default: 1900]
    #[arg(long, env = "DEVPATH_PRICE_MONTHLY")]
    pub price_monthly: Option<i64>,
    /// Annual price in minor units (cents) [default: 19000]
    #[arg(long, env = "DEVPATH_PRICE_ANNUAL")]
    pub price_annual: Option<i64>,
    /// Start of the 50%-off-first-year offer (RFC 3339 or YYYY-MM-DD) [default: unset, open]
    #[arg(long, env = "DEVPATH_OFFER_START")]
    pub offer_start: Option<String>,
    /// End of the offer (RFC 3339, or YYYY-MM-DD = through that day) [default: unset, open]
    #[arg(long, env = "DEVPATH_OFFER_END")]
    pub offer_end: Option<String>,
    /// Stripe secret API key (sk_...)
    #[arg(long, env = "DEVPATH_STRIPE_SECRET_KEY", hide_env_values = true)]
    pub stripe_secret_key: Option<String>,
    /// Stripe webhook signing secret (whsec_...)
    #[arg(long, env = "DEVPATH_STRIPE_WEBHOOK_SECRET", hide_env_values = true)]
    pub stripe_webhook_secret: Option<String>,
    /// Stripe API base URL [default: https://api.stripe.com]
    #[arg(long, env = "DEVPATH_STRIPE_API_BASE")]
    pub stripe_api_base: Option<String>,
    /// Stripe price id of the monthly plan (price_...)
    #[arg(long, env = "DEVPATH_STRIPE_PRICE_MONTHLY")]
    pub stripe_price_monthly: Option<String>,
    /// Stripe price id of the annual plan (price_...)
    #[arg(long, env = "DEVPATH_STRIPE_PRICE_ANNUAL")]
    pub stripe_price_annual: Option<String>,
    /// Stripe coupon id of the first-year offer (50% off, duration repeating, 12 months)
    #[arg(long, env = "DEVPATH_STRIPE_COUPON_FIRST_YEAR")]
    pub stripe_coupon_first_year: Option<String>,
}

/// The optional TOML file; same keys as the flags, with `_`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    addr: Option<SocketAddr>,
    data_dir: Option<PathBuf>,
    content_dir: Option<PathBuf>,
    database_url: Option<String>,
    log_format: Option<LogFormat>,
    log: Option<String>,
    body_limit: Option<usize>,
    session_cache_ms: Option<u64>,
    public_url: Option<String>,
    smtp_url: Option<String>,
    mail_from: Option<String>,
    trust_proxy: Option<bool>,
    billing_mode: Option<String>,
    currency: Option<String>,
    price_monthly: Option<i64>,
    price_annual: Option<i64>,
    offer_start: Option<String>,
    offer_end: Option<String>,
    stripe_secret_key: Option<String>,
    stripe_webhook_secret: Option<String>,
    stripe_api_base: Option<String>,
    stripe_price_monthly: Option<String>,
    stripe_price_annual: Option<String>,
    stripe_coupon_first_year: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    pub content_dir: Option<PathBuf>,
    pub database_url: String,
    pub log_format: LogFormat,
    pub log: String,
    pub body_limit: usize,
    pub session_cache_ms: u64,
    pub public_url: String,
    pub smtp_url: Option<String>,
    pub mail_from: String,
    pub trust_proxy: bool,
    pub billing: devpath_web::BillingConfig,
}

/// Billing settings: flags and environment over the file over the defaults.
fn resolve_billing(
    cli: &Overrides,
    f: &FileSettings,
) -> anyhow::Result<devpath_web::BillingConfig> {
    use devpath_web::entitlements::BillingMode;
    use devpath_web::time::parse_when;
    use devpath_web::BillingConfig;
    let pick = |a: &Option<String>, b: &Option<String>| a.clone().or_else(|| b.clone());
    let mut b = BillingConfig::default();
    if let Some(m) = pick(&cli.billing_mode, &f.billing_mode) {
        b.mode = BillingMode::parse(&m)
            .with_context(|| format!("billing_mode `{m}`: use none, stripe or open"))?;
    }
    if let Some(c) = pick(&cli.currency, &f.currency) {
        if c.len() != 3 || !c.chars().all(|ch| ch.is_ascii_alphabetic()) {
            bail!("currency `{c}`: use a three-letter ISO 4217 code such as usd or eur");
        }
        b.currency = c.to_ascii_lowercase();
    }
    b.price_monthly = cli
        .price_monthly
        .or(f.price_monthly)
        .unwrap_or(b.price_monthly);
    b.price_annual = cli
        .price_annual
        .or(f.price_annual)
        .unwrap_or(b.price_annual);
    if b.price_monthly <= 0 || b.price_annual <= 0 {
        bail!("price_monthly and price_annual must be positive (minor units, e.g. cents)");
    }
    if let Some(v) = pick(&cli.offer_start, &f.offer_start) {
        b.offer_start =
            Some(parse_when(&v, false).map_err(|e| anyhow::anyhow!("offer_start: {e}"))?);
    }
    if let Some(v) = pick(&cli.offer_end, &f.offer_end) {
        b.offer_end = Some(parse_when(&v, true).map_err(|e| anyhow::anyhow!("offer_end: {e}"))?);
    }
    b.stripe.secret_key = pick(&cli.stripe_secret_key, &f.stripe_secret_key);
    b.stripe.webhook_secret = pick(&cli.stripe_webhook_secret, &f.stripe_webhook_secret);
    if let Some(base) = pick(&cli.stripe_api_base, &f.stripe_api_base) {
        b.stripe.api_base = base;
    }
    b.stripe.price_monthly = pick(&cli.stripe_price_monthly, &f.stripe_price_monthly);
    b.stripe.price_annual = pick(&cli.stripe_price_annual, &f.stripe_price_annual);
    b.stripe.coupon_first_year = pick(&cli.stripe_coupon_first_year, &f.stripe_coupon_first_year);
    if b.mode == BillingMode::Stripe {
        for (name, v) in [
            ("stripe_secret_key", &b.stripe.secret_key),
            ("stripe_webhook_secret", &b.stripe.webhook_secret),
            ("stripe_price_monthly", &b.stripe.price_monthly),
            ("stripe_price_annual", &b.stripe.price_annual),
        ] {
            if v.is_none() {
                bail!("billing_mode = stripe needs {name}");
            }
        }
    }
    Ok(b)
}

impl Settings {
    pub fn resolve(cli: &Overrides, file: Option<&Path>) -> anyhow::Result<Settings> {
        let f: FileSettings = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read config file {}", path.display()))?;
                toml::from_str(&text).map_err(|e| {
                    let line = e
                        .span()
                        .map_or(1, |s| 1 + text[..s.start].matches('\n').count());
                    anyhow::anyhow!("{}:{line}: {}", path.display(), e.message())
                })?
            }
            None => FileSettings::default(),
        };
        let billing = resolve_billing(cli, &f)?;
        let data_dir = cli
            .data_dir
            .clone()
            .or(f.data_dir)
            .unwrap_or_else(|| PathBuf::from("data"));
        let database_url = cli
            .database_url
            .clone()
            .or(f.database_url)
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("devpath.db").display()));
        let body_limit = cli.body_limit.or(f.body_limit).unwrap_or(64 * 1024);
        if body_limit < 1024 {
            bail!("body_limit must be at least 1024 bytes");
        }
        let public_url = cli
            .public_url
            .clone()
            .or(f.public_url)
            .unwrap_or_else(|| "http://localhost:8080".into())
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
        let mail_from = cli
            .mail_from
            .clone()
            .or(f.mail_from)
            .unwrap_or_else(|| format!("devpath <devpath@{host}>"));
        let tty = std::io::IsTerminal::is_terminal(&std::io::stdout());
        Ok(Settings {
            addr: cli
                .addr
                .or(f.addr)
                .unwrap_or_else(|| "127.0.0.1:8080".parse().expect("valid default")),
            data_dir,
            content_dir: cli.content_dir.clone().or(f.content_dir),
            database_url,
            log_format: cli.log_format.or(f.log_format).unwrap_or(if tty {
                LogFormat::Pretty
            } else {
                LogFormat::Json
            }),
            log: cli.log.clone().or(f.log).unwrap_or_else(|| "info".into()),
            body_limit,
            session_cache_ms: cli.session_cache_ms.or(f.session_cache_ms).unwrap_or(1000),
            public_url,
            smtp_url: cli
                .smtp_url
                .clone()
                .or(f.smtp_url)
                .filter(|u| !u.trim().is_empty()),
            mail_from,
            trust_proxy: cli.trust_proxy.or(f.trust_proxy).unwrap_or(false),
            billing,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_cli_over_file_over_default() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("devpath.toml");
        std::fs::write(
            &file,
            "addr = \"0.0.0.0:9000\"\ndata_dir = \"/srv/devpath\"\n",
        )
        .unwrap();
        let cli = Overrides {
            data_dir: Some("/tmp/x".into()),
            ..Default::default()
        };
        let s = Settings::resolve(&cli, Some(&file)).unwrap();
        assert_eq!(s.addr.to_string(), "0.0.0.0:9000");
        assert_eq!(s.data_dir, PathBuf::from("/tmp/x"));
        assert_eq!(s.database_url, "sqlite:///tmp/x/devpath.db");
        let d = Settings::resolve(&Overrides::default(), None).unwrap();
        assert_eq!(d.addr.to_string(), "127.0.0.1:8080");
        assert_eq!(d.data_dir, PathBuf::from("data"));
        assert_eq!(d.public_url, "http://localhost:8080");
        assert_eq!(d.mail_from, "devpath <devpath@localhost>");
        assert!(!d.trust_proxy);
        assert!(d.smtp_url.is_none());
    }

    #[test]
    fn mail_and_proxy_settings() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("devpath.toml");
        std::fs::write(
            &file,
            "public_url = \"https://learn.example.com/\"\ntrust_proxy = true\nsmtp_url = \"smtps://u:p@mail.example.com:465\"\n",
        )
        .unwrap();
        let s = Settings::resolve(&Overrides::default(), Some(&file)).unwrap();
        assert_eq!(s.public_url, "https://learn.example.com");
        assert_eq!(s.mail_from, "devpath <devpath@learn.example.com>");
        assert!(s.trust_proxy);
        assert_eq!(
            s.smtp_url.as_deref(),
            Some("smtps://u:p@mail.example.com:465")
        );
        let bad = Overrides {
            public_url: Some("learn.example.com".into()),
            ..Default::default()
        };
        assert!(Settings::resolve(&bad, None).is_err());
    }

    #[test]
    fn bad_config_file_names_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("devpath.toml");
        std::fs::write(&file, "addr = \"0.0.0.0:9000\"\nnope = 1\n").unwrap();
        let err = Settings::resolve(&Overrides::default(), Some(&file))
            .unwrap_err()
            .to_string();
        assert!(err.contains("devpath.toml:2:"), "{err}");
    }

    #[test]
    fn billing_settings() {
        use devpath_web::entitlements::BillingMode;
        let d = Settings::resolve(&Overrides::default(), None).unwrap();
        assert_eq!(d.billing.mode, BillingMode::None);
        assert_eq!(d.billing.stripe.api_base, "https://api.stripe.com");
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("devpath.toml");
        std::fs::write(
            &file,
            "billing_mode = \"stripe\"\ncurrency = \"EUR\"\nprice_annual = 12000\noffer_start = \"2026-11-01\"\noffer_end = \"2026-12-31T23:00:00Z\"\nstripe_secret_key = \"sk_test\"\nstripe_webhook_secret = \"whsec\"\nstripe_price_monthly = \"price_m\"\nstripe_price_annual = \"price_a\"\n",
        )
        .unwrap();
        let s = Settings::resolve(&Overrides::default(), Some(&file)).unwrap();
        assert_eq!(s.billing.mode, BillingMode::Stripe);
        assert_eq!(s.billing.currency, "eur");
        assert_eq!(s.billing.price_annual, 12000);
        assert_eq!(s.billing.offer_start, Some(1_793_491_200));
        assert_eq!(s.billing.offer_end, Some(1_798_758_000));
        let cli = Overrides {
            billing_mode: Some("open".into()),
            ..Default::default()
        };
        assert_eq!(
            Settings::resolve(&cli, Some(&file)).unwrap().billing.mode,
            BillingMode::Open
        );
        // Stripe without its keys, a bad mode or a bad date: refused.
        for bad in [
            Overrides {
                billing_mode: Some("stripe".into()),
                ..Default::default()
            },
            Overrides {
                billing_mode: Some("free".into()),
                ..Default::default()
            },
            Overrides {
                offer_end: Some("soon".into()),
                ..Default::default()
            },
        ] {
            assert!(Settings::resolve(&bad, None).is_err());
        }
    }
}
