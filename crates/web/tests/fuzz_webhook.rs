//! Property-based fuzzing of the payment webhook's parser: the signature
//! header check and the event reader never panic, whatever arrives, and a
//! signature verifies only for the exact body it was made for.
//!
//! CI runs proptest's default number of cases; `scripts/fuzz` runs a million
//! (`PROPTEST_CASES=1000000`).

use devpath_web::billing::webhook::{parse_event, sign, verify, SignatureError, TOLERANCE_SECS};
use proptest::prelude::*;
use serde_json::{json, Value};

const SECRET: &str = "whsec_test_secret";
const NOW: i64 = 1_780_000_000;

/// Any JSON value, a few levels deep.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        ".{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::btree_map(".{0,10}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A value for a field of a real event: usually the right type, sometimes not.
fn field() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => "[a-z_0-9]{0,12}".prop_map(Value::from),
        2 => "-?[0-9]{1,20}".prop_map(Value::from),
        2 => any::<i64>().prop_map(Value::from),
        1 => any_json(),
    ]
}

/// Events shaped like Stripe's, with random values in every field.
fn event_like() -> impl Strategy<Value = Value> {
    let kind = prop_oneof![
        Just("checkout.session.completed".to_string()),
        Just("customer.subscription.created".to_string()),
        Just("customer.subscription.updated".to_string()),
        Just("customer.subscription.deleted".to_string()),
        Just("invoice.payment_failed".to_string()),
        ".{0,30}",
    ];
    (
        kind,
        field(),
        prop::option::of(any::<i64>()),
        prop::collection::vec(field(), 10),
    )
        .prop_map(|(kind, id, created, f)| {
            json!({
                "id": id,
                "type": kind,
                "created": created,
                "data": { "object": {
                    "id": f[0], "customer": f[1], "subscription": f[2],
                    "client_reference_id": f[3], "status": f[4],
                    "current_period_end": f[5], "ended_at": f[6],
                    "metadata": { "user_id": f[7], "plan": f[8] },
                    "items": { "data": [ { "current_period_end": f[9], "price": { "lookup_key": f[8] } } ] },
                    "parent": { "subscription_details": { "subscription": f[2] } }
                } }
            })
        })
}

/// Headers made of the pieces a real one has, in any order and shape.
fn header_like() -> impl Strategy<Value = String> {
    let part = prop_oneof![
        any::<i64>().prop_map(|t| format!("t={t}")),
        (NOW - 1000..NOW + 1000).prop_map(|t| format!("t={t}")),
        "[0-9a-f]{0,70}".prop_map(|h| format!("v1={h}")),
        "[ -~]{0,20}".prop_map(|h| format!("v0={h}")),
        "[ -~]{0,20}",
        Just(String::new()),
    ];
    prop::collection::vec(part, 0..6).prop_map(|p| p.join(","))
}

/// Found by the fuzzer's extreme timestamps: `now - t` overflowed.
#[test]
fn extreme_timestamps_are_stale_not_a_panic() {
    for t in [i64::MIN, i64::MAX, i64::MIN + 1] {
        let header = format!("t={t},v1={}", "00".repeat(32));
        assert_eq!(
            verify(&header, b"{}", SECRET, NOW),
            Err(SignatureError::Stale)
        );
        // And at the other end of time: no overflow either way.
        assert!(verify(&header, b"{}", SECRET, i64::MIN).is_err());
    }
}

proptest! {
    #[test]
    fn signature_check_never_panics(header in prop_oneof![header_like(), ".{0,200}"],
                                    body in prop::collection::vec(any::<u8>(), 0..256),
                                    now in prop_oneof![Just(NOW), any::<i64>()]) {
        let result = verify(&header, &body, SECRET, now);
        // Only a correct MAC over this body passes, and random headers don't have one.
        prop_assert_ne!(result, Ok(()));
    }

    #[test]
    fn a_signature_fits_only_its_own_body(body in prop::collection::vec(any::<u8>(), 1..256),
                                          flip in any::<prop::sample::Index>(),
                                          skew in -TOLERANCE_SECS..=TOLERANCE_SECS) {
        let header = sign(&body, SECRET, NOW - skew);
        prop_assert_eq!(verify(&header, &body, SECRET, NOW), Ok(()));
        let mut other = body.clone();
        let i = flip.index(other.len());
        other[i] ^= 0x01;
        prop_assert_eq!(verify(&header, &other, SECRET, NOW), Err(SignatureError::Mismatch));
        prop_assert_eq!(verify(&header, &body, "whsec_other", NOW), Err(SignatureError::Mismatch));
        prop_assert_eq!(
            verify(&header, &body, SECRET, NOW + 2 * TOLERANCE_SECS + 1),
            Err(SignatureError::Stale)
        );
    }

    #[test]
    fn event_reader_never_panics_on_any_json(value in any_json()) {
        let _ = parse_event(&value);
    }

    #[test]
    fn event_reader_never_panics_on_event_shapes(value in event_like()) {
        if let Some(event) = parse_event(&value) {
            // What it read is what was sent.
            prop_assert_eq!(Some(event.id.as_str()), value["id"].as_str());
            prop_assert_eq!(Some(event.created), value["created"].as_i64());
        }
    }

    #[test]
    fn raw_bodies_never_panic(body in prop::collection::vec(any::<u8>(), 0..512)) {
        if let Ok(value) = serde_json::from_slice::<Value>(&body) {
            let _ = parse_event(&value);
        }
    }
}
