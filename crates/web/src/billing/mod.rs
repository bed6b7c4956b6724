//! The payment pages: `/pricing`, `POST /trial/start`,
//! `POST /billing/checkout`, `POST /billing/portal` and the Stripe webhook
//! (`webhook.rs`). What a learner may read is decided in `entitlements`;
//! prices are formatted by `money`.

pub mod stripe;
pub mod webhook;

use crate::entitlements::{subscription_gives_access, BillingMode, Reason, TRIAL_DAYS, TRIAL_SECS};
use crate::frame::Layout;
use crate::learner::{Learner, SignedIn};
use crate::money::money;
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
pub use stripe::StripeClient;

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
    mode: BillingMode,
    monthly: String,
    annual: String,
    annual_offer: String,
    offer: bool,
    signed_in: bool,
    can_trial: bool,
    plan_state: String,
}

async fn pricing(State(state): State<AppState>, learner: Learner) -> Response {
    let cfg = &state.config.billing;
    if cfg.mode == BillingMode::Open {
        return Redirect::to("/").into_response();
    }
    let signed_in = learner.user.is_some();
    let page = PricingTemplate {
        layout: learner.layout(
            "Pricing — devpath",
            "Plans for full access to every learning path.",
        ),
        mode: cfg.mode,
        monthly: money(cfg.price_monthly, &cfg.currency),
        annual: money(cfg.price_annual, &cfg.currency),
        annual_offer: money(cfg.annual_first_year(), &cfg.currency),
        offer: learner.ent.offer,
        signed_in,
        can_trial: learner.ent.can_start_trial,
        plan_state: if signed_in {
            learner.plan_state()
        } else {
            String::new()
        },
    };
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => AppError::from(e).into_response(),
    }
}

async fn start_trial(
    State(state): State<AppState>,
    learner: SignedIn,
) -> Result<Response, AppError> {
    let ent = &learner.ent;
    if ent.full && !matches!(ent.reason, Reason::Trial { .. }) {
        return Ok(Redirect::to("/dashboard").into_response());
    }
    let (t, user) = (learner.now, &learner.user);
    // A trial this email had on a deleted account counts (and covers a crash
    // between sign-up and its restore).
    crate::trial_memory::restore(&state, user.id, &user.email).await?;
    if state
        .store
        .start_trial(user.id, t, t + TRIAL_SECS)
        .await?
        .is_some()
    {
        let _ = state
            .store
            .audit(
                Some(user.id),
                Some(user.id),
                "trial.start",
                &format!("{TRIAL_DAYS}-day free trial"),
            )
            .await;
        return Ok(Redirect::to("/dashboard").into_response());
    }
    let stripe = state.config.billing.mode == BillingMode::Stripe;
    let next = if stripe {
        "To keep full access, choose a plan."
    } else {
        "Payments are not set up on this server; an administrator can grant you access."
    };
    Ok(learner.message(
        StatusCode::CONFLICT,
        "You have already used your free trial",
        &format!(
            "Each email address gets one {TRIAL_DAYS}-day free trial, and yours has already had it. Your progress is kept. {next}"
        ),
        if stripe {
            ("/pricing", "See the plans")
        } else {
            ("/dashboard", "Back to your dashboard")
        },
    ))
}

#[derive(Deserialize)]
struct CheckoutForm {
    plan: String,
}

fn not_set_up(learner: &Learner) -> Response {
    learner.message(
        StatusCode::OK,
        "Payments are not set up on this server",
        "This devpath server does not take payments. An administrator can grant you full access.",
        ("/dashboard", "Back to your dashboard"),
    )
}

/// The public URL of this server, for links given to Stripe.
fn base_url(state: &AppState) -> String {
    state.config.public_url.trim_end_matches('/').to_string()
}

async fn checkout(
    State(state): State<AppState>,
    learner: SignedIn,
    Form(form): Form<CheckoutForm>,
) -> Response {
    let cfg = &state.config.billing;
    if cfg.mode != BillingMode::Stripe {
        return not_set_up(&learner);
    }
    let user = &learner.user;
    let (price, plan) = match form.plan.as_str() {
        "monthly" => (cfg.stripe.price_monthly.as_deref(), "monthly"),
        "annual" => (cfg.stripe.price_annual.as_deref(), "annual"),
        _ => {
            return AppError::BadRequest("Choose the monthly or the annual plan.".into())
                .into_response()
        }
    };
    let Some(price) = price else {
        tracing::error!(plan, "no Stripe price configured for the plan");
        return learner.message(
            StatusCode::SERVICE_UNAVAILABLE,
            "This plan is not available",
            "The server has no price set up for this plan. Please tell the administrator.",
            ("/pricing", "Back to pricing"),
        );
    };
    let coupon = if plan == "annual" && learner.ent.offer {
        cfg.stripe.coupon_first_year.as_deref()
    } else {
        None
    };
    let current = &learner.billing.subscription;
    if current.as_ref().is_some_and(subscription_gives_access) {
        // One subscription per learner: changes go through the portal.
        return learner.message(
            StatusCode::CONFLICT,
            "You already have a subscription",
            "Change or cancel your plan from the billing page of your account.",
            ("/account", "Go to your account"),
        );
    }
    let customer = current.as_ref().and_then(|s| s.customer_id.clone());
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
    match state.stripe.checkout(&cfg.stripe, &req).await {
        Ok(url) => Redirect::to(&url).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "Stripe Checkout failed");
            learner.message(
                StatusCode::BAD_GATEWAY,
                "We could not reach the payment provider",
                "Nothing was charged. Please try again in a moment.",
                ("/pricing", "Back to pricing"),
            )
        }
    }
}

async fn portal(State(state): State<AppState>, learner: SignedIn) -> Response {
    let cfg = &state.config.billing;
    if cfg.mode != BillingMode::Stripe {
        return not_set_up(&learner);
    }
    let customer = learner
        .billing
        .subscription
        .as_ref()
        .and_then(|s| s.customer_id.clone());
    let Some(customer) = customer else {
        return Redirect::to("/pricing").into_response();
    };
    let return_url = format!("{}/account", base_url(&state));
    match state
        .stripe
        .portal(&cfg.stripe, &customer, &return_url)
        .await
    {
        Ok(url) => Redirect::to(&url).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "Stripe portal failed");
            learner.message(
                StatusCode::BAD_GATEWAY,
                "We could not reach the payment provider",
                "Please try again in a moment.",
                ("/account", "Back to your account"),
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
    pub mode: BillingMode,
}

/// Renders the plan section for the account page.
pub fn account_plan_html(state: &AppState, learner: &Learner) -> Result<String, AppError> {
    let mode = state.config.billing.mode;
    let plan = AccountPlan {
        plan_state: learner.plan_state(),
        days_left: learner.ent.trial_days_left(),
        portal: mode == BillingMode::Stripe
            && learner
                .billing
                .subscription
                .as_ref()
                .is_some_and(|s| s.customer_id.is_some()),
        can_trial: learner.ent.can_start_trial,
        mode,
    };
    Ok(plan.render()?)
}
