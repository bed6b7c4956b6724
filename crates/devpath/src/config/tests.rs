//! Each test runs in a `figment::Jail`: its own working folder and
//! environment, restored afterwards, one test at a time (the variables are
//! process-wide).
// `Jail` closures return figment's own error, which is large; fine in tests.
#![allow(clippy::result_large_err)]

use super::*;
use figment::Jail;
use secrecy::ExposeSecret;

fn resolve(flags: &Overrides, file: Option<&str>) -> Result<Settings, figment::Error> {
    Settings::resolve(flags, file.map(Path::new)).map_err(|e| e.to_string().into())
}

#[test]
fn precedence_flags_over_variables_over_file_over_defaults() {
    Jail::expect_with(|jail| {
        jail.create_file(
            "devpath.toml",
            "addr = \"0.0.0.0:9000\"\ndata_dir = \"/srv/devpath\"\nlog = \"debug\"\nbody_limit = 4096\n",
        )?;
        jail.set_env("DEVPATH_DATA_DIR", "/var/lib/devpath");
        jail.set_env("DEVPATH_LOG", "warn");
        // Variables that are not settings (the test harness's) are ignored.
        jail.set_env("DEVPATH_TEST_POSTGRES_URL", "postgres://x");
        let flags = Overrides {
            data_dir: Some("/tmp/x".into()),
            ..Default::default()
        };
        let s = resolve(&flags, Some("devpath.toml"))?;
        assert_eq!(s.addr.to_string(), "0.0.0.0:9000"); // file
        assert_eq!(s.log, "warn"); // variable over file
        assert_eq!(s.web.data_dir, PathBuf::from("/tmp/x")); // flag over both
        assert_eq!(s.database_url, "sqlite:///tmp/x/devpath.db");
        assert_eq!(s.web.body_limit, 4096);
        Ok(())
    });
}

#[test]
fn defaults_are_the_web_layers_own() {
    Jail::expect_with(|_| {
        let d = resolve(&Overrides::default(), None)?;
        let web = WebConfig::default();
        assert_eq!(d.addr.to_string(), "127.0.0.1:8080");
        assert_eq!(d.web.data_dir, PathBuf::from("data"));
        assert_eq!(d.web.public_url, web.public_url);
        assert_eq!(d.web.body_limit, web.body_limit);
        assert_eq!(d.web.session_cache, web.session_cache);
        assert_eq!(d.web.mail_from, "devpath <devpath@localhost>");
        assert_eq!(d.log, "info");
        assert!(!d.web.trust_proxy);
        assert!(d.web.smtp_url.is_none());
        assert_eq!(d.web.billing.mode, BillingMode::None);
        assert_eq!(d.web.billing.stripe.api_base, "https://api.stripe.com");
        Ok(())
    });
}

#[test]
fn variables_are_typed() {
    Jail::expect_with(|jail| {
        jail.set_env("DEVPATH_SESSION_CACHE_MS", "0");
        jail.set_env("DEVPATH_TRUST_PROXY", "true");
        jail.set_env("DEVPATH_ADDR", "0.0.0.0:8081");
        let s = resolve(&Overrides::default(), None)?;
        assert!(s.web.session_cache.is_zero());
        assert!(s.web.trust_proxy);
        assert_eq!(s.addr.port(), 8081);
        jail.set_env("DEVPATH_BODY_LIMIT", "lots");
        let err = resolve(&Overrides::default(), None)
            .unwrap_err()
            .to_string();
        assert!(err.to_lowercase().contains("body_limit"), "{err}");
        Ok(())
    });
}

#[test]
fn mail_and_proxy_settings() {
    Jail::expect_with(|jail| {
        jail.create_file(
            "devpath.toml",
            "public_url = \"https://learn.example.com/\"\ntrust_proxy = true\nsmtp_url = \"smtps://u:p@mail.example.com:465\"\n",
        )?;
        let s = resolve(&Overrides::default(), Some("devpath.toml"))?;
        assert_eq!(s.web.public_url, "https://learn.example.com");
        assert_eq!(s.web.mail_from, "devpath <devpath@learn.example.com>");
        assert!(s.web.trust_proxy);
        assert_eq!(
            s.web.smtp_url.as_ref().map(|u| u.expose_secret()),
            Some("smtps://u:p@mail.example.com:465")
        );
        let bad = Overrides {
            public_url: Some("learn.example.com".into()),
            ..Default::default()
        };
        assert!(resolve(&bad, None).is_err());
        Ok(())
    });
}

#[test]
fn bad_config_file_names_the_line() {
    Jail::expect_with(|jail| {
        jail.create_file("devpath.toml", "addr = \"0.0.0.0:9000\"\nnope = 1\n")?;
        let err = resolve(&Overrides::default(), Some("devpath.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("devpath.toml:2:"), "{err}");
        let missing = resolve(&Overrides::default(), Some("absent.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            missing.contains("cannot read config file absent.toml"),
            "{missing}"
        );
        Ok(())
    });
}

#[test]
fn billing_settings() {
    Jail::expect_with(|jail| {
        jail.create_file(
            "devpath.toml",
            "billing_mode = \"stripe\"\ncurrency = \"EUR\"\nprice_annual = 12000\noffer_start = \"2026-11-01\"\noffer_end = \"2026-12-31T23:00:00Z\"\nstripe_secret_key = \"sk_test\"\nstripe_webhook_secret = \"whsec\"\nstripe_price_monthly = \"price_m\"\nstripe_price_annual = \"price_a\"\n",
        )?;
        let s = resolve(&Overrides::default(), Some("devpath.toml"))?;
        let b = &s.web.billing;
        assert_eq!(b.mode, BillingMode::Stripe);
        assert_eq!(b.currency, "eur");
        assert_eq!(b.price_annual, 12000);
        assert_eq!(b.offer_start, Some(1_793_491_200));
        assert_eq!(b.offer_end, Some(1_798_758_000));
        let flags = Overrides {
            billing_mode: Some("open".into()),
            ..Default::default()
        };
        let open = resolve(&flags, Some("devpath.toml"))?;
        assert_eq!(open.web.billing.mode, BillingMode::Open);
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
            assert!(resolve(&bad, None).is_err());
        }
        Ok(())
    });
}

#[test]
fn secrets_never_print() {
    Jail::expect_with(|jail| {
        jail.set_env("DEVPATH_STRIPE_SECRET_KEY", "sk_live_do_not_print");
        jail.set_env("DEVPATH_STRIPE_WEBHOOK_SECRET", "whsec_do_not_print");
        jail.set_env("DEVPATH_SMTP_URL", "smtps://u:hunter2@mail.example.com:465");
        let s = resolve(&Overrides::default(), None)?;
        let shown = format!("{s:?}");
        for secret in ["sk_live_do_not_print", "whsec_do_not_print", "hunter2"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(shown.contains("REDACTED"), "{shown}");
        let key = s.web.billing.stripe.secret_key.as_ref().unwrap();
        assert_eq!(key.expose_secret(), "sk_live_do_not_print");
        Ok(())
    });
}
