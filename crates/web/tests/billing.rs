//! Stripe, against a local mock of its HTTP API (wiremock): Checkout with
//! and without the first-year coupon, the customer portal, and the webhook
//! (signatures, idempotency, ordering, access) on SQLite and PostgreSQL.

mod support;

use devpath_web::billing::webhook::sign;
use devpath_web::entitlements::BillingMode;
use devpath_web::time::DAY;
use serde_json::{json, Value};
use support::fixture::{BODY_SENTENCE, CAP};
use support::{now, TestApp};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SECRET: &str = "whsec_test_secret";

async fn stripe_app(mock: &MockServer, offer_running: bool) -> TestApp {
    stripe_app_on(mock, offer_running, false).await
}

async fn stripe_app_on(mock: &MockServer, offer_running: bool, postgres: bool) -> TestApp {
    let base = mock.uri();
    let t = now();
    let mut b = TestApp::builder().config(move |c| {
        c.billing.mode = BillingMode::Stripe;
        c.billing.stripe.api_base = base;
        c.billing.stripe.secret_key = Some("sk_test_123".into());
        c.billing.stripe.webhook_secret = Some(SECRET.into());
        c.billing.stripe.price_monthly = Some("price_monthly_1".into());
        c.billing.stripe.price_annual = Some("price_annual_1".into());
        c.billing.stripe.coupon_first_year = Some("FIRSTYEAR50".into());
        if !offer_running {
            c.billing.offer_end = Some(t - 60);
        }
    });
    if postgres {
        b = b.postgres();
    }
    b.spawn().await
}

/// Decodes an `application/x-www-form-urlencoded` body.
fn form(body: &[u8]) -> Vec<(String, String)> {
    fn dec(s: &str) -> String {
        let b = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'+' => out.push(b' '),
                b'%' if i + 2 < b.len() => {
                    let h = std::str::from_utf8(&b[i + 1..i + 3]).unwrap();
                    out.push(u8::from_str_radix(h, 16).unwrap());
                    i += 2;
                }
                c => out.push(c),
            }
            i += 1;
        }
        String::from_utf8(out).unwrap()
    }
    std::str::from_utf8(body)
        .unwrap()
        .split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (dec(k), dec(v))
        })
        .collect()
}

fn field<'a>(f: &'a [(String, String)], key: &str) -> Option<&'a str> {
    f.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

async fn mock_checkout(mock: &MockServer) {
    Mock::given(method("POST"))
        .and(path("/v1/checkout/sessions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"id": "cs_test_1", "object": "checkout.session", "url": "https://checkout.stripe.test/c/pay/cs_test_1"}),
        ))
        .mount(mock)
        .await;
}

#[tokio::test]
async fn annual_checkout_carries_the_coupon_while_the_offer_runs() {
    let mock = MockServer::start().await;
    mock_checkout(&mock).await;
    let app = stripe_app(&mock, true).await;
    let id = app.learner("buyer@example.com").await;

    let r = app
        .post_form("/billing/checkout", &[("plan", "annual")])
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()["location"],
        "https://checkout.stripe.test/c/pay/cs_test_1"
    );
    let r = app
        .post_form("/billing/checkout", &[("plan", "monthly")])
        .await;
    assert_eq!(r.status(), 303);

    let requests = mock.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    let annual = &requests[0];
    assert_eq!(annual.headers["authorization"], "Bearer sk_test_123");
    assert!(annual.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/x-www-form-urlencoded"));
    let f = form(&annual.body);
    assert_eq!(field(&f, "mode"), Some("subscription"));
    assert_eq!(field(&f, "line_items[0][price]"), Some("price_annual_1"));
    assert_eq!(field(&f, "line_items[0][quantity]"), Some("1"));
    assert_eq!(field(&f, "discounts[0][coupon]"), Some("FIRSTYEAR50"));
    assert_eq!(
        field(&f, "client_reference_id"),
        Some(id.to_string().as_str())
    );
    assert_eq!(field(&f, "customer_email"), Some("buyer@example.com"));
    let success = field(&f, "success_url").unwrap();
    assert!(success.starts_with(&app.origin()), "{success}");
    assert!(field(&f, "cancel_url").unwrap().ends_with("/pricing"));

    let monthly = form(&requests[1].body);
    assert_eq!(
        field(&monthly, "line_items[0][price]"),
        Some("price_monthly_1")
    );
    assert_eq!(
        field(&monthly, "discounts[0][coupon]"),
        None,
        "no coupon on monthly"
    );
}

#[tokio::test]
async fn no_coupon_once_the_offer_has_ended() {
    let mock = MockServer::start().await;
    mock_checkout(&mock).await;
    let app = stripe_app(&mock, false).await;
    app.learner("late@example.com").await;
    let (_, pricing) = app.get_text("/pricing").await;
    assert!(!pricing.contains("annual-offer-price"));
    assert!(pricing.contains("action=\"/billing/checkout\""));
    let r = app
        .post_form("/billing/checkout", &[("plan", "annual")])
        .await;
    assert_eq!(r.status(), 303);
    let requests = mock.received_requests().await.unwrap();
    let f = form(&requests[0].body);
    assert_eq!(field(&f, "line_items[0][price]"), Some("price_annual_1"));
    assert_eq!(field(&f, "discounts[0][coupon]"), None);
}

#[tokio::test]
async fn stripe_errors_are_reported_without_charging() {
    let mock = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/checkout/sessions"))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"error": {"message": "No such price"}})),
        )
        .mount(&mock)
        .await;
    let app = stripe_app(&mock, true).await;
    app.learner("err@example.com").await;
    let r = app
        .post_form("/billing/checkout", &[("plan", "annual")])
        .await;
    assert_eq!(r.status(), 502);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("We could not reach the payment provider"));
}

fn event(id: &str, kind: &str, created: i64, object: Value) -> String {
    json!({
        "id": id,
        "object": "event",
        "type": kind,
        "created": created,
        "data": {"object": object}
    })
    .to_string()
}

async fn deliver(app: &TestApp, body: &str, signature: Option<String>) -> u16 {
    let mut req = app
        .client
        .post(app.url("/billing/webhook"))
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(s) = signature {
        req = req.header("Stripe-Signature", s);
    }
    req.send().await.unwrap().status().as_u16()
}

async fn deliver_signed(app: &TestApp, body: &str) -> u16 {
    deliver(app, body, Some(sign(body.as_bytes(), SECRET, now()))).await
}

fn subscription(status: &str, user_id: i64) -> Value {
    json!({
        "id": "sub_1", "object": "subscription", "customer": "cus_1", "status": status,
        "current_period_end": now() + 30 * DAY,
        "metadata": {"user_id": user_id.to_string(), "plan": "annual"},
        "items": {"data": [{"price": {"id": "price_annual_1", "recurring": {"interval": "year"}}}]}
    })
}

async fn status_of(app: &TestApp, id: i64) -> Option<String> {
    app.store
        .billing_state(id)
        .await
        .unwrap()
        .subscription
        .map(|s| s.status.to_string())
}

async fn webhook_scenario(app: TestApp) {
    let id = app.learner("subscriber@example.com").await;
    let t = now();

    // Rejected: no header, forged, stale, malformed.
    let completed = event(
        "evt_checkout",
        "checkout.session.completed",
        t - 10,
        json!({"id": "cs_1", "object": "checkout.session", "client_reference_id": id.to_string(),
               "customer": "cus_1", "subscription": "sub_1", "metadata": {"plan": "annual"}}),
    );
    assert_eq!(deliver(&app, &completed, None).await, 400);
    let forged = sign(completed.as_bytes(), "whsec_wrong", now());
    assert_eq!(deliver(&app, &completed, Some(forged)).await, 400);
    let tampered = sign(b"{}", SECRET, now());
    assert_eq!(deliver(&app, &completed, Some(tampered)).await, 400);
    let stale = sign(completed.as_bytes(), SECRET, now() - 400);
    assert_eq!(deliver(&app, &completed, Some(stale)).await, 400);
    let future = sign(completed.as_bytes(), SECRET, now() + 400);
    assert_eq!(deliver(&app, &completed, Some(future)).await, 400);
    assert_eq!(
        deliver(&app, &completed, Some("t=abc,v1=zz".into())).await,
        400
    );
    assert_eq!(status_of(&app, id).await, None, "nothing applied");
    let (_, lesson) = app.get_text(CAP).await;
    assert!(!lesson.contains(BODY_SENTENCE));

    // Accepted: checkout links the customer and subscription to the user.
    assert_eq!(deliver_signed(&app, &completed).await, 200);
    let state = app.store.billing_state(id).await.unwrap();
    let sub = state.subscription.unwrap();
    assert_eq!(sub.status, "active");
    assert_eq!(sub.customer_id.as_deref(), Some("cus_1"));
    assert_eq!(sub.subscription_id.as_deref(), Some("sub_1"));
    assert_eq!(sub.plan, "annual");
    let (_, lesson) = app.get_text(CAP).await;
    assert!(
        lesson.contains(BODY_SENTENCE),
        "subscribers read every lesson"
    );
    // A second v1 (e.g. during secret rotation) is fine as long as one matches.
    let replay_header = format!(
        "t={},v1={},{}",
        now(),
        "ab".repeat(32),
        sign(completed.as_bytes(), SECRET, now())
            .split_once(',')
            .unwrap()
            .1
    );
    assert_eq!(deliver(&app, &completed, Some(replay_header)).await, 200);

    // Idempotency: A (active) then B (past_due) at the same second; replaying
    // A must not bring `active` back.
    let a = event(
        "evt_a",
        "customer.subscription.updated",
        t,
        subscription("active", id),
    );
    let b = event(
        "evt_b",
        "invoice.payment_failed",
        t,
        json!({"id": "in_1", "object": "invoice", "customer": "cus_1", "subscription": "sub_1"}),
    );
    assert_eq!(deliver_signed(&app, &a).await, 200);
    assert_eq!(deliver_signed(&app, &b).await, 200);
    assert_eq!(status_of(&app, id).await.as_deref(), Some("past_due"));
    assert_eq!(deliver_signed(&app, &a).await, 200, "replays are accepted");
    assert_eq!(
        status_of(&app, id).await.as_deref(),
        Some("past_due"),
        "and change nothing"
    );

    // Out of order: deleted (newer) arrives before an older update.
    let deleted = event(
        "evt_deleted",
        "customer.subscription.deleted",
        t + 100,
        subscription("canceled", id),
    );
    let older = event(
        "evt_older",
        "customer.subscription.updated",
        t + 50,
        subscription("active", id),
    );
    assert_eq!(deliver_signed(&app, &deleted).await, 200);
    assert_eq!(deliver_signed(&app, &older).await, 200);
    assert_eq!(status_of(&app, id).await.as_deref(), Some("canceled"));
    assert!(app.store.event_processed("evt_older").await.unwrap());
    // Deleted: access is gone.
    let (_, lesson) = app.get_text(CAP).await;
    assert!(!lesson.contains(BODY_SENTENCE), "access removed");
    assert!(lesson.contains("data-testid=\"paywall\""));

    // A newer update re-activates (e.g. a new subscription on the customer).
    let newer = event(
        "evt_newer",
        "customer.subscription.updated",
        t + 200,
        subscription("active", id),
    );
    assert_eq!(deliver_signed(&app, &newer).await, 200);
    assert_eq!(status_of(&app, id).await.as_deref(), Some("active"));

    // Unknown event types are recorded and acknowledged.
    let other = event("evt_other", "customer.created", t, json!({"id": "cus_9"}));
    assert_eq!(deliver_signed(&app, &other).await, 200);
}

#[tokio::test]
async fn webhook_on_sqlite() {
    let mock = MockServer::start().await;
    webhook_scenario(stripe_app(&mock, true).await).await;
}

#[tokio::test]
async fn webhook_on_postgres() {
    let mock = MockServer::start().await;
    webhook_scenario(stripe_app_on(&mock, true, true).await).await;
}

#[tokio::test]
async fn subscription_created_before_checkout_completed_uses_metadata() {
    let mock = MockServer::start().await;
    let app = stripe_app(&mock, true).await;
    let id = app.learner("early@example.com").await;
    let t = now();
    let created = event(
        "evt_created",
        "customer.subscription.created",
        t,
        subscription("active", id),
    );
    assert_eq!(deliver_signed(&app, &created).await, 200);
    assert_eq!(status_of(&app, id).await.as_deref(), Some("active"));
    let (_, lesson) = app.get_text(CAP).await;
    assert!(lesson.contains(BODY_SENTENCE));
}

#[tokio::test]
async fn billing_portal_link_for_stripe_customers() {
    let mock = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/billing_portal/sessions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"id": "bps_1", "url": "https://billing.stripe.test/p/session/bps_1"}),
        ))
        .mount(&mock)
        .await;
    let app = stripe_app(&mock, true).await;
    let id = app.learner("portal@example.com").await;
    // No customer yet: no portal button, and the route sends to pricing.
    let (_, account) = app.get_text("/account").await;
    assert!(!account.contains("action=\"/billing/portal\""));
    let r = app.post_form("/billing/portal", &[]).await;
    assert_eq!(r.headers()["location"], "/pricing");

    let completed = event(
        "evt_portal",
        "checkout.session.completed",
        now(),
        json!({"id": "cs_2", "client_reference_id": id.to_string(), "customer": "cus_portal", "subscription": "sub_portal"}),
    );
    assert_eq!(deliver_signed(&app, &completed).await, 200);
    let (_, account) = app.get_text("/account").await;
    assert!(account.contains("action=\"/billing/portal\""));
    // Already subscribed: no second Checkout, the portal is the way.
    let r = app
        .post_form("/billing/checkout", &[("plan", "monthly")])
        .await;
    assert_eq!(r.status(), 409);
    let (_, dash) = app.get_text("/dashboard?checkout=success").await;
    assert!(dash.contains("Your subscription is being set up"));
    assert!(account.contains("Subscription"));
    let r = app.post_form("/billing/portal", &[]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()["location"],
        "https://billing.stripe.test/p/session/bps_1"
    );
    let requests = mock.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].headers["authorization"], "Bearer sk_test_123");
    let f = form(&requests[0].body);
    assert_eq!(field(&f, "customer"), Some("cus_portal"));
    assert_eq!(
        field(&f, "return_url"),
        Some(format!("{}/account", app.origin()).as_str())
    );
}
