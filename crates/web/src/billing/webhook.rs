//! `POST /billing/webhook`: Stripe's events. The raw body is verified against
//! the `Stripe-Signature` header (`t=TIMESTAMP,v1=HEX[,v1=HEX...]`, where
//! each `v1` may be HMAC-SHA256 of `"{t}.{body}"` with the endpoint secret;
//! constant-time comparison; the timestamp must be within 5 minutes), then
//! reduced to a [`ProviderEvent`] and applied with its id recorded in the
//! same transaction: replays change nothing, and an event older than the
//! last one applied to a subscription is ignored.

use crate::entitlements::map_stripe_status;
use crate::viewcache;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use devpath_store::billing::{
    Applied, Plan, ProviderEvent, SubscriptionChange, SubscriptionStatus,
};
use hmac::{Hmac, Mac};
use secrecy::ExposeSecret;
use serde_json::Value;
use sha2::Sha256;

/// Largest accepted clock difference between Stripe and us, both ways.
pub const TOLERANCE_SECS: i64 = 300;

#[derive(Debug, PartialEq, Eq)]
pub enum SignatureError {
    Missing,
    Malformed,
    Stale,
    Mismatch,
}

/// Checks a `Stripe-Signature` header for `body` at time `now`.
pub fn verify(header: &str, body: &[u8], secret: &str, now: i64) -> Result<(), SignatureError> {
    let mut timestamp: Option<i64> = None;
    let mut candidates: Vec<Vec<u8>> = Vec::new();
    for part in header.split(',') {
        let (k, v) = part
            .trim()
            .split_once('=')
            .ok_or(SignatureError::Malformed)?;
        match k {
            "t" => timestamp = Some(v.parse().map_err(|_| SignatureError::Malformed)?),
            "v1" => {
                if let Ok(bytes) = hex::decode(v) {
                    candidates.push(bytes);
                }
            }
            _ => {}
        }
    }
    let t = timestamp.ok_or(SignatureError::Malformed)?;
    if candidates.is_empty() {
        return Err(SignatureError::Malformed);
    }
    // abs_diff: a timestamp near i64::MIN must not overflow the subtraction.
    if now.abs_diff(t) > TOLERANCE_SECS.unsigned_abs() {
        return Err(SignatureError::Stale);
    }
    for candidate in &candidates {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
        mac.update(t.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        // verify_slice compares in constant time.
        if mac.verify_slice(candidate).is_ok() {
            return Ok(());
        }
    }
    Err(SignatureError::Mismatch)
}

/// The header Stripe would send for `body` at `t` (for tests and tools).
pub fn sign(body: &[u8], secret: &str, t: i64) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

fn str_field(v: &Value, key: &str) -> Option<String> {
    match v.get(key) {
        Some(Value::String(s)) => Some(s.clone()),
        // Expanded objects carry their id.
        Some(Value::Object(o)) => o.get("id").and_then(Value::as_str).map(str::to_string),
        _ => None,
    }
}

fn plan_of(obj: &Value) -> Option<Plan> {
    let named = obj
        .pointer("/metadata/plan")
        .and_then(Value::as_str)
        .map(Plan::parse)
        .filter(|p| *p != Plan::Unknown);
    named.or(
        match obj
            .pointer("/items/data/0/price/recurring/interval")
            .and_then(Value::as_str)
        {
            Some("year") => Some(Plan::Annual),
            Some("month") => Some(Plan::Monthly),
            _ => None,
        },
    )
}

fn user_id_of(obj: &Value) -> Option<i64> {
    obj.pointer("/metadata/user_id")
        .and_then(Value::as_str)
        .and_then(|s| s.parse().ok())
}

/// Reduces a Stripe event to what it changes; `None` when it is not an event.
pub fn parse_event(event: &Value) -> Option<ProviderEvent> {
    let id = event.get("id")?.as_str()?.to_string();
    let kind = event.get("type")?.as_str()?.to_string();
    let created = event.get("created")?.as_i64()?;
    let obj = event.pointer("/data/object")?;
    let change = match kind.as_str() {
        "checkout.session.completed" => {
            match obj
                .get("client_reference_id")
                .and_then(Value::as_str)
                .and_then(|s| s.parse::<i64>().ok())
            {
                Some(user_id) => SubscriptionChange::Link {
                    user_id,
                    customer_id: str_field(obj, "customer"),
                    subscription_id: str_field(obj, "subscription"),
                    plan: plan_of(obj),
                },
                None => SubscriptionChange::None,
            }
        }
        "customer.subscription.created"
        | "customer.subscription.updated"
        | "customer.subscription.deleted" => match str_field(obj, "id") {
            Some(subscription_id) => {
                let status = if kind == "customer.subscription.deleted" {
                    SubscriptionStatus::Canceled
                } else {
                    map_stripe_status(obj.get("status").and_then(Value::as_str).unwrap_or(""))
                };
                // A deleted subscription has ended: no grace period.
                let period_end = if kind == "customer.subscription.deleted" {
                    Some(
                        created.min(
                            obj.get("ended_at")
                                .and_then(Value::as_i64)
                                .unwrap_or(created),
                        ),
                    )
                } else {
                    obj.get("current_period_end")
                        .and_then(Value::as_i64)
                        .or_else(|| {
                            obj.pointer("/items/data/0/current_period_end")
                                .and_then(Value::as_i64)
                        })
                };
                SubscriptionChange::Update {
                    subscription_id,
                    customer_id: str_field(obj, "customer"),
                    user_id: user_id_of(obj),
                    status,
                    plan: plan_of(obj),
                    current_period_end: period_end,
                }
            }
            None => SubscriptionChange::None,
        },
        "invoice.payment_failed" => {
            let sub = str_field(obj, "subscription").or_else(|| {
                obj.pointer("/parent/subscription_details/subscription")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            });
            match sub {
                Some(subscription_id) => SubscriptionChange::Update {
                    subscription_id,
                    customer_id: str_field(obj, "customer"),
                    user_id: None,
                    status: SubscriptionStatus::PastDue,
                    plan: None,
                    current_period_end: None,
                },
                None => SubscriptionChange::None,
            }
        }
        _ => SubscriptionChange::None,
    };
    Some(ProviderEvent {
        id,
        kind,
        created,
        change,
    })
}

/// Drops the cached billing state of the learner an applied event changed.
/// An update that names only a subscription (no user in its metadata) could
/// be anyone's, so it drops every learner's (webhooks are rare).
async fn forget_learner(state: &AppState, change: &SubscriptionChange) {
    match change {
        SubscriptionChange::Link { user_id, .. }
        | SubscriptionChange::Update {
            user_id: Some(user_id),
            ..
        } => viewcache::forget_learner(state, Some(*user_id)).await,
        SubscriptionChange::Update { user_id: None, .. } => {
            viewcache::forget_learner(state, None).await
        }
        SubscriptionChange::None => {}
    }
}

fn bad(msg: &'static str) -> Response {
    (StatusCode::BAD_REQUEST, msg).into_response()
}

pub async fn webhook(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(secret) = state.config.billing.stripe.webhook_secret.as_ref() else {
        return (StatusCode::NOT_FOUND, "webhooks are not configured").into_response();
    };
    let Some(header) = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok())
    else {
        return bad("missing Stripe-Signature");
    };
    if let Err(e) = verify(header, &body, secret.expose_secret(), state.clock.now()) {
        tracing::warn!(error = ?e, "rejected a webhook with a bad signature");
        return bad("invalid signature");
    }
    let Ok(value) = serde_json::from_slice::<Value>(&body) else {
        return bad("invalid JSON");
    };
    let Some(event) = parse_event(&value) else {
        return bad("not an event");
    };
    match state
        .store
        .apply_provider_event(&event, state.clock.now())
        .await
    {
        Ok(outcome) => {
            tracing::info!(event = %event.id, kind = %event.kind, ?outcome, "webhook processed");
            if outcome == Applied::Applied {
                forget_learner(&state, &event.change).await;
            }
            (StatusCode::OK, "ok").into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, event = %event.id, "webhook failed; Stripe will retry");
            (StatusCode::INTERNAL_SERVER_ERROR, "error").into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures() {
        let body = br#"{"id":"evt_1"}"#;
        let h = sign(body, "whsec_x", 1000);
        assert_eq!(verify(&h, body, "whsec_x", 1000), Ok(()));
        assert_eq!(verify(&h, body, "whsec_x", 1300), Ok(()));
        assert_eq!(
            verify(&h, body, "whsec_x", 1301),
            Err(SignatureError::Stale)
        );
        assert_eq!(verify(&h, body, "whsec_x", 699), Err(SignatureError::Stale));
        assert_eq!(
            verify(&h, b"{}", "whsec_x", 1000),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(&h, body, "other", 1000),
            Err(SignatureError::Mismatch)
        );
        // Any matching v1 is accepted (secret rotation).
        let both = format!("t=1000,v1={},{}", "00".repeat(32), &h[7..]);
        assert_eq!(verify(&both, body, "whsec_x", 1000), Ok(()));
        assert_eq!(
            verify("garbage", body, "whsec_x", 1000),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify("t=1000", body, "whsec_x", 1000),
            Err(SignatureError::Malformed)
        );
    }

    #[test]
    fn parses_subscription_events() {
        let v: Value = serde_json::json!({
            "id": "evt_1", "type": "customer.subscription.updated", "created": 50,
            "data": {"object": {"id": "sub_1", "customer": "cus_1", "status": "unpaid",
              "current_period_end": 99, "metadata": {"user_id": "7", "plan": "annual"}}}
        });
        let e = parse_event(&v).unwrap();
        assert_eq!(
            e.change,
            SubscriptionChange::Update {
                subscription_id: "sub_1".into(),
                customer_id: Some("cus_1".into()),
                user_id: Some(7),
                status: SubscriptionStatus::Expired,
                plan: Some(Plan::Annual),
                current_period_end: Some(99),
            }
        );
    }
}
