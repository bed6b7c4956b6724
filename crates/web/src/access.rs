//! Who may read what: a pure function of the time, the learner's trial,
//! subscription and admin grant, and the server's billing mode.
//!
//! Anonymous visitors and learners without access see the catalog and the
//! free-preview lessons; every other lesson shows its title, summary and a
//! paywall, and its body and quiz are never sent.

use devpath_content::Lesson;
use devpath_store::billing::{BillingState, Grant, Subscription, Trial};

/// How payments work on this server (`billing_mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BillingMode {
    /// The default: the free trial and the paywall work; no payments are
    /// set up, so an administrator grants access.
    #[default]
    None,
    /// Payments through Stripe Checkout and the customer portal.
    Stripe,
    /// Every signed-in learner has full access; no payment pages or offer.
    Open,
}

impl BillingMode {
    pub fn parse(s: &str) -> Option<BillingMode> {
        match s.trim().to_ascii_lowercase().as_str() {
            "none" => Some(BillingMode::None),
            "stripe" => Some(BillingMode::Stripe),
            "open" => Some(BillingMode::Open),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            BillingMode::None => "none",
            BillingMode::Stripe => "stripe",
            BillingMode::Open => "open",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// In the free trial, with whole days left (rounded up).
    Trial { days_left: i64 },
    /// A paid subscription in a status that gives access.
    Subscription { status: String },
    /// An administrator granted access.
    Granted,
    /// The server runs in `open` mode.
    Open,
    /// No access.
    None,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    pub full: bool,
    pub reason: Reason,
}

impl Access {
    pub const NONE: Access = Access {
        full: false,
        reason: Reason::None,
    };
}

const DAY: i64 = 86_400;

/// Whole days left until `ends_at`, rounded up (a trial ending in 1 hour has 1 day left).
pub fn days_left(now: i64, ends_at: i64) -> i64 {
    if ends_at <= now {
        0
    } else {
        (ends_at - now + DAY - 1) / DAY
    }
}

/// Subscription statuses that give access. `past_due` keeps access while the
/// provider retries the payment. A learner who cancels keeps `active` until
/// the paid period ends (Stripe's `cancel_at_period_end`); Stripe reports
/// `canceled` only once the subscription has ended, so it gives no access.
pub fn subscription_gives_access(_now: i64, sub: &Subscription) -> bool {
    matches!(sub.status.as_str(), "active" | "trialing" | "past_due")
}

/// The access a signed-in learner has.
pub fn access(
    now: i64,
    trial: Option<&Trial>,
    subscription: Option<&Subscription>,
    grant: Option<&Grant>,
    mode: BillingMode,
) -> Access {
    if mode == BillingMode::Open {
        return Access {
            full: true,
            reason: Reason::Open,
        };
    }
    if grant.is_some_and(|g| g.revoked_at.is_none()) {
        return Access {
            full: true,
            reason: Reason::Granted,
        };
    }
    if let Some(sub) = subscription.filter(|s| subscription_gives_access(now, s)) {
        return Access {
            full: true,
            reason: Reason::Subscription {
                status: sub.status.clone(),
            },
        };
    }
    if let Some(t) = trial.filter(|t| t.started_at <= now && now < t.ends_at) {
        return Access {
            full: true,
            reason: Reason::Trial {
                days_left: days_left(now, t.ends_at),
            },
        };
    }
    Access::NONE
}

/// [`access`] for a loaded [`BillingState`].
pub fn access_for(now: i64, state: &BillingState, mode: BillingMode) -> Access {
    access(
        now,
        state.trial.as_ref(),
        state.subscription.as_ref(),
        state.grant.as_ref(),
        mode,
    )
}

/// Whether a reader with `access` may see this lesson's body and quiz.
pub fn can_read(access: &Access, lesson: &Lesson) -> bool {
    lesson.free_preview || access.full
}

/// The plan state in words, for the account and admin pages.
pub fn describe(now: i64, state: &BillingState, mode: BillingMode) -> String {
    let a = access_for(now, state, mode);
    match a.reason {
        Reason::Trial { days_left } => format!(
            "Free trial — {days_left} day{} left",
            if days_left == 1 { "" } else { "s" }
        ),
        Reason::Subscription { status } => {
            let plan = state
                .subscription
                .as_ref()
                .map(|s| s.plan.as_str())
                .filter(|p| *p != "unknown");
            match plan {
                Some(p) => format!("Subscription ({p}) — {status}"),
                None => format!("Subscription — {status}"),
            }
        }
        Reason::Granted => "Full access granted by an administrator".into(),
        Reason::Open => "Full access (open server)".into(),
        Reason::None => match (&state.subscription, &state.trial) {
            (Some(s), _) => format!("No access — subscription {}", s.status),
            (None, Some(_)) => "No access — free trial ended".into(),
            (None, None) => "No plan".into(),
        },
    }
}

/// Maps a Stripe subscription status onto ours.
pub fn map_stripe_status(s: &str) -> &'static str {
    match s {
        "trialing" => "trialing",
        "active" => "active",
        "past_due" => "past_due",
        "canceled" => "canceled",
        // `incomplete` (first payment not made yet), `incomplete_expired`,
        // `unpaid` (retries exhausted), `paused` and anything new: no access
        // until a later event says `active`.
        _ => "expired",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trial(start: i64, end: i64) -> Trial {
        Trial {
            user_id: 1,
            started_at: start,
            ends_at: end,
        }
    }

    fn sub(status: &str, end: Option<i64>) -> Subscription {
        Subscription {
            user_id: 1,
            provider: "stripe".into(),
            customer_id: Some("cus_1".into()),
            subscription_id: Some("sub_1".into()),
            status: status.into(),
            plan: "annual".into(),
            current_period_end: end,
            updated_at: 0,
            last_event_at: 0,
        }
    }

    #[test]
    fn trial_gives_access_until_it_ends() {
        let t = trial(0, 7 * DAY);
        let a = access(DAY, Some(&t), None, None, BillingMode::None);
        assert_eq!(a.reason, Reason::Trial { days_left: 6 });
        assert!(a.full);
        assert_eq!(
            access(7 * DAY, Some(&t), None, None, BillingMode::None),
            Access::NONE
        );
        assert_eq!(days_left(0, 7 * DAY), 7);
        assert_eq!(days_left(7 * DAY - 10, 7 * DAY), 1);
    }

    #[test]
    fn subscriptions_by_status() {
        for s in ["active", "trialing", "past_due"] {
            assert!(access(5, None, Some(&sub(s, None)), None, BillingMode::Stripe).full);
        }
        for s in ["expired", "canceled"] {
            assert!(!access(5, None, Some(&sub(s, None)), None, BillingMode::Stripe).full);
        }
        assert!(
            !access(
                50,
                None,
                Some(&sub("canceled", Some(10))),
                None,
                BillingMode::Stripe
            )
            .full
        );
    }

    #[test]
    fn grants_and_open_mode() {
        let g = Grant {
            id: 1,
            user_id: 1,
            granted_by: Some(2),
            granted_at: 0,
            revoked_at: None,
        };
        assert_eq!(
            access(5, None, None, Some(&g), BillingMode::None).reason,
            Reason::Granted
        );
        let revoked = Grant {
            revoked_at: Some(3),
            ..g
        };
        assert!(!access(5, None, None, Some(&revoked), BillingMode::None).full);
        assert_eq!(
            access(5, None, None, None, BillingMode::Open).reason,
            Reason::Open
        );
        assert_eq!(
            access(5, None, None, None, BillingMode::Stripe),
            Access::NONE
        );
    }

    #[test]
    fn stripe_statuses_map() {
        assert_eq!(map_stripe_status("incomplete_expired"), "expired");
        assert_eq!(map_stripe_status("unpaid"), "expired");
        assert_eq!(map_stripe_status("incomplete"), "expired");
        assert_eq!(map_stripe_status("active"), "active");
    }
}
