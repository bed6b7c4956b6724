//! Plans, prices, the limited-time first-year offer, the free trial and the
//! payment pages: `/pricing`, `POST /trial/start`, `POST /billing/checkout`,
//! `POST /billing/portal` and the Stripe webhook (`webhook.rs`).

pub mod stripe;
pub mod webhook;

use crate::access::{self, BillingMode, Reason};
use crate::layout::Layout;
use crate::session::{CurrentUser, MaybeUser};
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
pub use stripe::{StripeClient, StripeConfig};

/// Length of the free trial.
pub const TRIAL_DAYS: i64 = 7;

/// The current time in Unix seconds.
pub use crate::session::now;

/// The UTC day (`YYYY-MM-DD`) of a Unix time.
pub fn day_of(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .unwrap_or_default()
        .format("%Y-%m-%d")
        .to_string()
}

/// Parses an offer date: RFC 3339 (`2026-11-01T00:00:00Z`) or a day
/// (`2026-11-01`, meaning that day's start, UTC). With `end_of_day`, a bare
/// day means the end of that day (the offer runs through it).
pub fn parse_when(s: &str, end_of_day: bool) -> Result<i64, String> {
    let s = s.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(t.timestamp());
    }
    match chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        Ok(d) => {
            let start = d
                .and_hms_opt(0, 0, 0)
                .expect("midnight exists")
                .and_utc()
                .timestamp();
            Ok(if end_of_day { start + 86_400 } else { start })
        }
        Err(_) => Err(format!(
            "`{s}` is not a date: use RFC 3339 (2026-11-01T00:00:00Z) or YYYY-MM-DD"
        )),
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
    /// Whether the "50% off your first year" offer runs at `now`.
    pub fn offer_running(&self, now: i64) -> bool {
        self.mode != BillingMode::Open
            && self.offer_start.is_none_or(|s| now >= s)
            && self.offer_end.is_none_or(|e| now < e)
    }

    /// The annual price in the first year while the offer runs.
    pub fn annual_first_year(&self) -> i64 {
        self.price_annual / 2
    }
}

/// `1900` + `usd` -> `$19.00`.
pub fn money(minor: i64, currency: &str) -> String {
    let amount = format!("{}.{:02}", minor / 100, (minor % 100).abs());
    match currency.to_ascii_lowercase().as_str() {
        "usd" => format!("${amount}"),
        "eur" => format!("€{amount}"),
        "gbp" => format!("£{amount}"),
        other => format!("{amount} {}", other.to_ascii_uppercase()),
    }
}

/// A layout whose banner follows the offer window.
pub fn layout(
    state: &AppState,
    title: impl Into<String>,
    description: impl Into<String>,
    viewer: Option<&CurrentUser>,
) -> Layout {
    let mut l = Layout::new(title, description).with_viewer(viewer);
    l.offer = state.config.billing.offer_running(now());
    l
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/pricing", get(pricing))
        .route("/trial/start", post(start_trial))
        .route("/billing/checkout", post(checkout))
        .route("/billing/portal", post(portal))
        .route("/billing/webhook", post(webhook::webhook))
}

#[derive(Template)]
#[template(path = "pricing.html")]
struct PricingTemplate {
    layout: Layout,
    mode: &'static str,
    monthly: String,
    annual: String,
    annual_offer: String,
    offer: bool,
    signed_in: bool,
    can_trial: bool,
    plan_state: String,
}

#[derive(Template)]
#[template(path = "billing_message.html")]
pub struct MessageTemplate {
    pub layout: Layout,
    pub heading: String,
    pub message: String,
    pub link: String,
    pub link_text: String,
}

pub fn message(
    state: &AppState,
    viewer: Option<&CurrentUser>,
    status: StatusCode,
    heading: &str,
    text: &str,
    link: &str,
    link_text: &str,
) -> Response {
    let page = MessageTemplate {
        layout: layout(state, format!("{heading} — devpath"), heading, viewer),
        heading: heading.into(),
        message: text.into(),
        link: link.into(),
        link_text: link_text.into(),
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => AppError::from(e).into_response(),
    }
}

async fn pricing(State(state): State<AppState>, MaybeUser(user): MaybeUser) -> Response {
    let cfg = &state.config.billing;
    if cfg.mode == BillingMode::Open {
        return Redirect::to("/").into_response();
    }
    let t = now();
    let (can_trial, plan_state) = match &user {
        Some(u) => match state.store.billing_state(u.id).await {
            Ok(b) => (
                b.trial.is_none() && b.subscription.is_none() && b.grant.is_none(),
                access::describe(t, &b, cfg.mode),
            ),
            Err(e) => return AppError::from(e).into_response(),
        },
        None => (true, String::new()),
    };
    let page = PricingTemplate {
        layout: layout(
            &state,
            "Pricing — devpath",
            "Plans for full access to every learning path.",
            user.as_ref(),
        ),
        mode: cfg.mode.as_str(),
        monthly: money(cfg.price_monthly, &cfg.currency),
        annual: money(cfg.price_annual, &cfg.currency),
        annual_offer: money(cfg.annual_first_year(), &cfg.currency),
        offer: cfg.offer_running(t),
        signed_in: user.is_some(),
        can_trial,
        plan_state,
    };
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => AppError::from(e).into_response(),
    }
}

async fn start_trial(State(state): State<AppState>, user: CurrentUser) -> Response {
    let t = now();
    let b = match state.store.billing_state(user.id).await {
        Ok(b) => b,
        Err(e) => return AppError::from(e).into_response(),
    };
    let a = access::access_for(t, &b, state.config.billing.mode);
    if a.full && !matches!(a.reason, Reason::Trial { .. }) {
        return Redirect::to("/dashboard").into_response();
    }
    match state
        .store
        .start_trial(user.id, t, t + TRIAL_DAYS * 86_400)
        .await
    {
        Ok(Some(_)) => {
            let _ = state
                .store
                .audit(
                    Some(user.id),
                    Some(user.id),
                    "trial.start",
                    "7-day free trial",
                )
                .await;
            Redirect::to("/dashboard").into_response()
        }
        Ok(None) => message(
            &state,
            Some(&user),
            StatusCode::CONFLICT,
            "You have already used your free trial",
            if state.config.billing.mode == BillingMode::Stripe {
                "Each account gets one 7-day free trial, and yours has already been started. Your progress is kept. To keep full access, choose a plan."
            } else {
                "Each account gets one 7-day free trial, and yours has already been started. Your progress is kept. Payments are not set up on this server; an administrator can grant you access."
            },
            if state.config.billing.mode == BillingMode::Stripe {
                "/pricing"
            } else {
                "/dashboard"
            },
            if state.config.billing.mode == BillingMode::Stripe {
                "See the plans"
            } else {
                "Back to your dashboard"
            },
        ),
        Err(e) => AppError::from(e).into_response(),
    }
}

#[derive(Deserialize)]
struct CheckoutForm {
    plan: String,
}

fn not_set_up(state: &AppState, user: &CurrentUser) -> Response {
    message(
        state,
        Some(user),
        StatusCode::OK,
        "Payments are not set up on this server",
        "This devpath server does not take payments. An administrator can grant you full access.",
        "/dashboard",
        "Back to your dashboard",
    )
}

/// The public URL of this server, for links given to Stripe.
fn base_url(state: &AppState) -> String {
    state.config.public_url.trim_end_matches('/').to_string()
}

async fn checkout(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<CheckoutForm>,
) -> Response {
    let cfg = &state.config.billing;
    if cfg.mode != BillingMode::Stripe {
        return not_set_up(&state, &user);
    }
    let (price, plan) = match form.plan.as_str() {
        "monthly" => (cfg.stripe.price_monthly.as_deref(), "monthly"),
        "annual" => (cfg.stripe.price_annual.as_deref(), "annual"),
        _ => return (StatusCode::BAD_REQUEST, "unknown plan").into_response(),
    };
    let Some(price) = price else {
        tracing::error!(plan, "no Stripe price configured for the plan");
        return message(
            &state,
            Some(&user),
            StatusCode::SERVICE_UNAVAILABLE,
            "This plan is not available",
            "The server has no price set up for this plan. Please tell the administrator.",
            "/pricing",
            "Back to pricing",
        );
    };
    let t = now();
    let coupon = if plan == "annual" && cfg.offer_running(t) {
        cfg.stripe.coupon_first_year.as_deref()
    } else {
        None
    };
    let current = match state.store.billing_state(user.id).await {
        Ok(b) => b.subscription,
        Err(e) => return AppError::from(e).into_response(),
    };
    if current
        .as_ref()
        .is_some_and(|s| access::subscription_gives_access(t, s))
    {
        // One subscription per learner: changes go through the portal.
        return message(
            &state,
            Some(&user),
            StatusCode::CONFLICT,
            "You already have a subscription",
            "Change or cancel your plan from the billing page of your account.",
            "/account",
            "Go to your account",
        );
    }
    let customer = current.and_then(|s| s.customer_id);
    let base = base_url(&state);
    let req = stripe::CheckoutRequest {
        price,
        coupon,
        user_id: user.id,
        email: &user.email,
        customer: customer.as_deref(),
        plan,
        success_url: format!("{base}/dashboard?checkout=success"),
        cancel_url: format!("{base}/pricing"),
    };
    match StripeClient::new().checkout(&cfg.stripe, &req).await {
        Ok(url) => Redirect::to(&url).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "Stripe Checkout failed");
            message(
                &state,
                Some(&user),
                StatusCode::BAD_GATEWAY,
                "We could not reach the payment provider",
                "Nothing was charged. Please try again in a moment.",
                "/pricing",
                "Back to pricing",
            )
        }
    }
}

async fn portal(State(state): State<AppState>, user: CurrentUser) -> Response {
    let cfg = &state.config.billing;
    if cfg.mode != BillingMode::Stripe {
        return not_set_up(&state, &user);
    }
    let customer = match state.store.billing_state(user.id).await {
        Ok(b) => b.subscription.and_then(|s| s.customer_id),
        Err(e) => return AppError::from(e).into_response(),
    };
    let Some(customer) = customer else {
        return Redirect::to("/pricing").into_response();
    };
    let return_url = format!("{}/account", base_url(&state));
    match StripeClient::new()
        .portal(&cfg.stripe, &customer, &return_url)
        .await
    {
        Ok(url) => Redirect::to(&url).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "Stripe portal failed");
            message(
                &state,
                Some(&user),
                StatusCode::BAD_GATEWAY,
                "We could not reach the payment provider",
                "Please try again in a moment.",
                "/account",
                "Back to your account",
            )
        }
    }
}

/// The plan section of the account page.
#[derive(Template)]
#[template(path = "account_plan.html")]
pub struct AccountPlan {
    pub plan_state: String,
    pub days_left: Option<i64>,
    pub portal: bool,
    pub can_trial: bool,
    pub mode: &'static str,
}

/// Renders the plan section for the account page.
pub async fn account_plan_html(state: &AppState, user_id: i64) -> Result<String, AppError> {
    let cfg = &state.config.billing;
    let t = now();
    let b = state.store.billing_state(user_id).await?;
    let a = access::access_for(t, &b, cfg.mode);
    let plan = AccountPlan {
        plan_state: access::describe(t, &b, cfg.mode),
        days_left: match a.reason {
            Reason::Trial { days_left } => Some(days_left),
            _ => None,
        },
        portal: cfg.mode == BillingMode::Stripe
            && b.subscription
                .as_ref()
                .is_some_and(|s| s.customer_id.is_some()),
        can_trial: cfg.mode != BillingMode::Open
            && b.trial.is_none()
            && b.subscription.is_none()
            && b.grant.is_none(),
        mode: cfg.mode.as_str(),
    };
    Ok(plan.render()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_money() {
        assert_eq!(parse_when("1970-01-02", false), Ok(86_400));
        assert_eq!(parse_when("1970-01-02", true), Ok(2 * 86_400));
        assert_eq!(parse_when("1970-01-01T00:01:00Z", true), Ok(60));
        assert!(parse_when("tomorrow", false).is_err());
        assert_eq!(money(1900, "usd"), "$19.00");
        assert_eq!(money(9550, "eur"), "€95.50");
        assert_eq!(money(100, "chf"), "1.00 CHF");
        assert_eq!(day_of(86_400 * 365), "1971-01-01");
    }

    #[test]
    fn offer_window() {
        let mut c = BillingConfig::default();
        assert!(c.offer_running(5));
        c.offer_start = Some(10);
        c.offer_end = Some(20);
        assert!(!c.offer_running(9));
        assert!(c.offer_running(10));
        assert!(!c.offer_running(20));
        c.offer_start = None;
        c.offer_end = None;
        c.mode = BillingMode::Open;
        assert!(!c.offer_running(5));
    }
}
