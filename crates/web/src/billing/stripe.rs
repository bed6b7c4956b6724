//! A small client for the two Stripe API calls devpath makes: creating a
//! Checkout Session and a customer-portal session. Both are form-encoded
//! POSTs with the secret key as a Bearer token; both answer with a `url` to
//! send the learner to.
//!
//! The first-year offer is a Stripe coupon created once in the Stripe
//! dashboard with `percent_off = 50`, `duration = repeating`,
//! `duration_in_months = 12`: Stripe applies it to the invoices of the first
//! twelve months only, so the annual plan's first year is half price and the
//! renewal is at the full price. Its id is `stripe_coupon_first_year`.

use secrecy::ExposeSecret;
use serde::Deserialize;

pub use crate::config::StripeConfig;

#[derive(Debug, thiserror::Error)]
pub enum StripeError {
    #[error("Stripe is not configured: {0} is missing")]
    NotConfigured(&'static str),
    #[error("Stripe request failed: {0}")]
    Http(#[from] reqwest::Error),
    #[error("Stripe answered {status}: {message}")]
    Api { status: u16, message: String },
}

/// What a Checkout Session needs.
pub struct CheckoutRequest<'a> {
    pub price: &'a str,
    pub coupon: Option<&'a str>,
    pub user_id: i64,
    pub email: &'a str,
    pub customer: Option<&'a str>,
    pub plan: &'a str,
    pub success_url: String,
    pub cancel_url: String,
}

#[derive(Deserialize)]
struct SessionUrl {
    url: String,
}

#[derive(Deserialize)]
struct ApiError {
    error: ApiErrorBody,
}

#[derive(Deserialize)]
struct ApiErrorBody {
    message: Option<String>,
}

#[derive(Clone)]
pub struct StripeClient {
    http: reqwest::Client,
}

impl Default for StripeClient {
    fn default() -> Self {
        StripeClient::new()
    }
}

impl StripeClient {
    pub fn new() -> StripeClient {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(20))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("a TLS client");
        StripeClient { http }
    }

    /// Form fields of a Checkout Session (kept separate so it can be tested).
    pub fn checkout_form(req: &CheckoutRequest) -> Vec<(String, String)> {
        let mut form: Vec<(String, String)> = vec![
            ("mode".into(), "subscription".into()),
            ("line_items[0][price]".into(), req.price.into()),
            ("line_items[0][quantity]".into(), "1".into()),
            ("client_reference_id".into(), req.user_id.to_string()),
            ("success_url".into(), req.success_url.clone()),
            ("cancel_url".into(), req.cancel_url.clone()),
            (
                "subscription_data[metadata][user_id]".into(),
                req.user_id.to_string(),
            ),
            ("subscription_data[metadata][plan]".into(), req.plan.into()),
            ("metadata[user_id]".into(), req.user_id.to_string()),
            ("metadata[plan]".into(), req.plan.into()),
        ];
        match req.customer {
            Some(c) => form.push(("customer".into(), c.into())),
            None => form.push(("customer_email".into(), req.email.into())),
        }
        if let Some(coupon) = req.coupon {
            form.push(("discounts[0][coupon]".into(), coupon.into()));
        }
        form
    }

    /// Creates a Checkout Session and returns its URL.
    pub async fn checkout(
        &self,
        cfg: &StripeConfig,
        req: &CheckoutRequest<'_>,
    ) -> Result<String, StripeError> {
        self.post(cfg, "/v1/checkout/sessions", &Self::checkout_form(req))
            .await
    }

    /// Creates a customer-portal session and returns its URL.
    pub async fn portal(
        &self,
        cfg: &StripeConfig,
        customer: &str,
        return_url: &str,
    ) -> Result<String, StripeError> {
        let form = vec![
            ("customer".to_string(), customer.to_string()),
            ("return_url".to_string(), return_url.to_string()),
        ];
        self.post(cfg, "/v1/billing_portal/sessions", &form).await
    }

    async fn post(
        &self,
        cfg: &StripeConfig,
        path: &str,
        form: &[(String, String)],
    ) -> Result<String, StripeError> {
        let key = cfg
            .secret_key
            .as_ref()
            .map(ExposeSecret::expose_secret)
            .ok_or(StripeError::NotConfigured("stripe_secret_key"))?;
        let url = format!("{}{path}", cfg.api_base.trim_end_matches('/'));
        let res = self
            .http
            .post(url)
            .bearer_auth(key)
            .form(form)
            .send()
            .await?;
        let status = res.status();
        if !status.is_success() {
            let message = res
                .json::<ApiError>()
                .await
                .ok()
                .and_then(|e| e.error.message)
                .unwrap_or_else(|| "no message".into());
            return Err(StripeError::Api {
                status: status.as_u16(),
                message,
            });
        }
        Ok(res.json::<SessionUrl>().await?.url)
    }
}
