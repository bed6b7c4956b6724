//! Who may read what, computed in one place: a pure function of the time,
//! the learner's trial, subscription and admin grant, the server's billing
//! mode and the offer window.
//!
//! Anonymous visitors and learners without access see the catalog and the
//! free-preview lessons; every other lesson shows its title, summary and a
//! paywall, and its body and quiz are never sent.

use crate::time::{self, DAY};
use devpath_content::Lesson;
use devpath_store::billing::{BillingState, Plan, Subscription, SubscriptionStatus};

/// Length of the free trial, in days (the seed's "7-day free trial").
pub const TRIAL_DAYS: i64 = 7;

/// The trial's length in seconds.
pub const TRIAL_SECS: i64 = TRIAL_DAYS * DAY;

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

impl std::fmt::Display for BillingMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// When the "50% off your first year" offer runs: from `start` (inclusive)
/// to `end` (exclusive); an unset bound is open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OfferWindow {
    pub start: Option<i64>,
    pub end: Option<i64>,
}

impl OfferWindow {
    /// Whether the offer runs at `now` (never on an open server: nothing is sold).
    pub fn running(&self, now: i64, mode: BillingMode) -> bool {
        mode != BillingMode::Open
            && self.start.is_none_or(|s| now >= s)
            && self.end.is_none_or(|e| now < e)
    }
}

/// Why a learner has full access, or that they have none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// In the free trial, with whole days left (rounded up).
    Trial { days_left: i64 },
    /// A paid subscription in a status that gives access.
    Subscription {
        status: SubscriptionStatus,
        plan: Plan,
    },
    /// An administrator granted access.
    Granted,
    /// The server runs in `open` mode.
    Open,
    /// No access.
    None,
}

/// What the path page's trial card shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathCard {
    /// A visitor: sign up for the trial.
    SignUp,
    /// A learner who may start the trial.
    StartTrial,
    /// A learner in the trial, with the days left.
    DaysLeft(i64),
    /// Nothing to offer (full access, trial used, or an open server).
    Nothing,
}

/// Everything the pages need to know about what a reader may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entitlements {
    pub mode: BillingMode,
    pub signed_in: bool,
    /// May read every lesson.
    pub full: bool,
    pub reason: Reason,
    /// May start the free trial now (visitors may, by signing up).
    pub can_start_trial: bool,
    /// Had a trial that ended and has no other access.
    pub trial_ended: bool,
    /// The first-year offer runs now.
    pub offer: bool,
}

/// Subscription statuses that give access. `past_due` keeps access while the
/// provider retries the payment. A learner who cancels keeps `active` until
/// the paid period ends (Stripe's `cancel_at_period_end`); Stripe reports
/// `canceled` only once the subscription has ended, so it gives no access.
pub fn subscription_gives_access(sub: &Subscription) -> bool {
    matches!(
        sub.status,
        SubscriptionStatus::Active | SubscriptionStatus::Trialing | SubscriptionStatus::PastDue
    )
}

impl Entitlements {
    /// A visitor who is not signed in.
    pub fn visitor(now: i64, mode: BillingMode, offer: OfferWindow) -> Entitlements {
        Entitlements {
            mode,
            signed_in: false,
            full: false,
            reason: Reason::None,
            can_start_trial: mode != BillingMode::Open,
            trial_ended: false,
            offer: offer.running(now, mode),
        }
    }

    /// A signed-in learner with this billing state.
    pub fn learner(
        now: i64,
        state: &BillingState,
        mode: BillingMode,
        offer: OfferWindow,
    ) -> Entitlements {
        let reason = reason(now, state, mode);
        let full = reason != Reason::None;
        Entitlements {
            mode,
            signed_in: true,
            full,
            can_start_trial: mode != BillingMode::Open
                && state.trial.is_none()
                && state.subscription.is_none()
                && !full,
            trial_ended: state.trial.is_some() && !full,
            offer: offer.running(now, mode),
            reason,
        }
    }

    /// Whether this reader may see the lesson's body and quiz.
    pub fn can_read(&self, lesson: &Lesson) -> bool {
        lesson.free_preview || self.full
    }

    pub fn trial_days_left(&self) -> Option<i64> {
        match self.reason {
            Reason::Trial { days_left } => Some(days_left),
            _ => None,
        }
    }

    /// The trial card of the path page.
    pub fn path_card(&self) -> PathCard {
        match self.trial_days_left() {
            _ if !self.signed_in && self.mode == BillingMode::Open => PathCard::Nothing,
            _ if !self.signed_in => PathCard::SignUp,
            Some(d) => PathCard::DaysLeft(d),
            None if self.can_start_trial => PathCard::StartTrial,
            None => PathCard::Nothing,
        }
    }

    /// The plan state in words, for the dashboard, account and admin pages.
    pub fn describe(&self, state: &BillingState) -> String {
        match &self.reason {
            Reason::Trial { days_left } => format!(
                "Free trial — {days_left} day{} left",
                if *days_left == 1 { "" } else { "s" }
            ),
            Reason::Subscription { status, plan } => match plan {
                Plan::Unknown => format!("Subscription — {status}"),
                p => format!("Subscription ({p}) — {status}"),
            },
            Reason::Granted => "Full access granted by an administrator".into(),
            Reason::Open => "Full access (open server)".into(),
            Reason::None => match (&state.subscription, &state.trial) {
                (Some(s), _) => format!("No access — subscription {}", s.status),
                (None, Some(_)) => "No access — free trial ended".into(),
                (None, None) => "No plan".into(),
            },
        }
    }
}

fn reason(now: i64, state: &BillingState, mode: BillingMode) -> Reason {
    if mode == BillingMode::Open {
        return Reason::Open;
    }
    if state.grant.as_ref().is_some_and(|g| g.revoked_at.is_none()) {
        return Reason::Granted;
    }
    if let Some(sub) = state
        .subscription
        .as_ref()
        .filter(|s| subscription_gives_access(s))
    {
        return Reason::Subscription {
            status: sub.status,
            plan: sub.plan,
        };
    }
    match &state.trial {
        Some(t) if t.started_at <= now && now < t.ends_at => Reason::Trial {
            days_left: time::days_left(now, t.ends_at),
        },
        _ => Reason::None,
    }
}

/// Maps a Stripe subscription status onto ours. Our names are Stripe's,
/// so this is the stored-status parser: `incomplete` (first payment not made
/// yet), `incomplete_expired`, `unpaid` (retries exhausted), `paused` and
/// anything new give no access until a later event says `active`.
pub fn map_stripe_status(s: &str) -> SubscriptionStatus {
    SubscriptionStatus::parse(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use devpath_store::billing::{Grant, Trial};

    fn trial(start: i64, end: i64) -> Trial {
        Trial {
            user_id: 1,
            started_at: start,
            ends_at: end,
        }
    }

    fn sub(status: SubscriptionStatus) -> Subscription {
        Subscription {
            user_id: 1,
            provider: "stripe".into(),
            customer_id: Some("cus_1".into()),
            subscription_id: Some("sub_1".into()),
            status,
            plan: Plan::Annual,
            current_period_end: None,
            updated_at: 0,
            last_event_at: 0,
        }
    }

    fn state(
        trial: Option<Trial>,
        subscription: Option<Subscription>,
        grant: Option<Grant>,
    ) -> BillingState {
        BillingState {
            trial,
            subscription,
            grant,
        }
    }

    fn of(now: i64, s: &BillingState, mode: BillingMode) -> Entitlements {
        Entitlements::learner(now, s, mode, OfferWindow::default())
    }

    #[test]
    fn trial_gives_access_until_it_ends() {
        let s = state(Some(trial(0, TRIAL_SECS)), None, None);
        let e = of(DAY, &s, BillingMode::None);
        assert_eq!(e.reason, Reason::Trial { days_left: 6 });
        assert!(e.full && !e.can_start_trial && !e.trial_ended);
        assert_eq!(e.path_card(), PathCard::DaysLeft(6));
        assert_eq!(e.describe(&s), "Free trial — 6 days left");
        let ended = of(TRIAL_SECS, &s, BillingMode::None);
        assert!(!ended.full && ended.trial_ended && !ended.can_start_trial);
        assert_eq!(ended.path_card(), PathCard::Nothing);
        assert_eq!(ended.describe(&s), "No access — free trial ended");
    }

    #[test]
    fn subscriptions_by_status() {
        use SubscriptionStatus::*;
        for status in [Active, Trialing, PastDue] {
            let s = state(None, Some(sub(status)), None);
            let e = of(5, &s, BillingMode::Stripe);
            assert!(e.full);
            assert_eq!(
                e.reason,
                Reason::Subscription {
                    status,
                    plan: Plan::Annual
                }
            );
        }
        for status in [Expired, Canceled] {
            let s = state(None, Some(sub(status)), None);
            let e = of(5, &s, BillingMode::Stripe);
            assert!(!e.full && !e.can_start_trial);
            assert_eq!(e.describe(&s), format!("No access — subscription {status}"));
        }
        let s = state(None, Some(sub(Active)), None);
        assert_eq!(
            of(5, &s, BillingMode::Stripe).describe(&s),
            "Subscription (annual) — active"
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
        let granted = state(None, None, Some(g.clone()));
        assert_eq!(of(5, &granted, BillingMode::None).reason, Reason::Granted);
        let revoked = state(
            None,
            None,
            Some(Grant {
                revoked_at: Some(3),
                ..g
            }),
        );
        let e = of(5, &revoked, BillingMode::None);
        assert!(!e.full && e.can_start_trial);
        let nothing = state(None, None, None);
        assert_eq!(of(5, &nothing, BillingMode::Open).reason, Reason::Open);
        assert!(!of(5, &nothing, BillingMode::Open).can_start_trial);
        let e = of(5, &nothing, BillingMode::Stripe);
        assert!(!e.full && e.can_start_trial);
        assert_eq!(e.path_card(), PathCard::StartTrial);
    }

    #[test]
    fn visitors_and_the_offer() {
        let w = OfferWindow {
            start: Some(10),
            end: Some(20),
        };
        assert!(!w.running(9, BillingMode::Stripe));
        assert!(w.running(10, BillingMode::Stripe));
        assert!(!w.running(20, BillingMode::Stripe));
        assert!(!OfferWindow::default().running(5, BillingMode::Open));
        let v = Entitlements::visitor(15, BillingMode::None, w);
        assert!(v.offer && !v.full);
        assert_eq!(v.path_card(), PathCard::SignUp);
        let open = Entitlements::visitor(15, BillingMode::Open, w);
        assert!(!open.offer);
        assert_eq!(open.path_card(), PathCard::Nothing);
    }

    #[test]
    fn stripe_statuses_map() {
        assert_eq!(
            map_stripe_status("incomplete_expired"),
            SubscriptionStatus::Expired
        );
        assert_eq!(map_stripe_status("unpaid"), SubscriptionStatus::Expired);
        assert_eq!(map_stripe_status("incomplete"), SubscriptionStatus::Expired);
        assert_eq!(map_stripe_status("active"), SubscriptionStatus::Active);
    }
}
