//! The billing store on both backends: one trial per account, provider
//! events applied once and in order, grants, progress, and account deletion
//! removing every row about the learner.

use devpath_store::billing::{
    Applied, Plan, ProviderEvent, SubscriptionChange, SubscriptionStatus,
};
use devpath_store::{connect, testing, Store};
use std::sync::Arc;

async fn sqlite() -> (tempfile::TempDir, Arc<dyn Store>) {
    let dir = tempfile::tempdir().unwrap();
    let store = connect(&format!("sqlite://{}/t.db", dir.path().display()))
        .await
        .unwrap();
    store.migrate().await.unwrap();
    (dir, store)
}

async fn postgres() -> Arc<dyn Store> {
    let url = testing::fresh_postgres_database()
        .await
        .expect("PostgreSQL test server (scripts/test starts it)");
    let store = connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    store
}

fn update(id: &str, created: i64, status: &str) -> ProviderEvent {
    ProviderEvent {
        id: id.into(),
        kind: "customer.subscription.updated".into(),
        created,
        change: SubscriptionChange::Update {
            subscription_id: "sub_1".into(),
            customer_id: Some("cus_1".into()),
            user_id: None,
            status: SubscriptionStatus::parse(status),
            plan: Some(Plan::Monthly),
            current_period_end: Some(created + 1000),
        },
    }
}

async fn scenario(s: Arc<dyn Store>) {
    let u = s
        .create_user("a@example.com", "hash", false, 1)
        .await
        .unwrap();
    let other = s
        .create_user("b@example.com", "hash", true, 1)
        .await
        .unwrap();

    // One trial, ever.
    let t = s.start_trial(u.id, 100, 700).await.unwrap().unwrap();
    assert_eq!((t.started_at, t.ends_at), (100, 700));
    assert_eq!(s.start_trial(u.id, 900, 1500).await.unwrap(), None);
    assert_eq!(s.billing_state(u.id).await.unwrap().trial, Some(t));

    // Events: link, then updates in order; replays and older events change nothing.
    let link = ProviderEvent {
        id: "evt_link".into(),
        kind: "checkout.session.completed".into(),
        created: 10,
        change: SubscriptionChange::Link {
            user_id: u.id,
            customer_id: Some("cus_1".into()),
            subscription_id: Some("sub_1".into()),
            plan: Some(Plan::Monthly),
        },
    };
    assert_eq!(
        s.apply_provider_event(&link, 5).await.unwrap(),
        Applied::Applied
    );
    assert_eq!(
        s.apply_provider_event(&link, 5).await.unwrap(),
        Applied::Duplicate
    );
    assert_eq!(
        s.apply_provider_event(&update("evt_2", 20, "past_due"), 5)
            .await
            .unwrap(),
        Applied::Applied
    );
    assert_eq!(
        s.apply_provider_event(&update("evt_1", 15, "active"), 5)
            .await
            .unwrap(),
        Applied::Ignored
    );
    assert!(s.event_processed("evt_1").await.unwrap());
    let sub = s.billing_state(u.id).await.unwrap().subscription.unwrap();
    assert_eq!(sub.status, "past_due");
    assert_eq!(sub.last_event_at, 20);
    assert_eq!(sub.plan, "monthly");
    // An event for an unknown subscription and no user is recorded, not applied.
    let mut stray = update("evt_stray", 30, "active");
    if let SubscriptionChange::Update {
        subscription_id,
        customer_id,
        ..
    } = &mut stray.change
    {
        *subscription_id = "sub_x".into();
        *customer_id = None;
    }
    assert_eq!(
        s.apply_provider_event(&stray, 5).await.unwrap(),
        Applied::Ignored
    );

    // Grants.
    assert!(s.grant_access(u.id, other.id, 50).await.unwrap());
    assert!(!s.grant_access(u.id, other.id, 51).await.unwrap());
    assert_eq!(
        s.billing_state(u.id)
            .await
            .unwrap()
            .grant
            .unwrap()
            .granted_by,
        Some(other.id)
    );
    assert!(s.revoke_access(u.id, 60).await.unwrap());
    assert!(!s.revoke_access(u.id, 61).await.unwrap());
    assert!(s.billing_state(u.id).await.unwrap().grant.is_none());
    assert!(s.grant_access(u.id, other.id, 70).await.unwrap());

    // Many learners' states in one query read the same as one at a time:
    // `u` has a trial, a subscription and a grant after a revoked one,
    // `other` has nothing, and an unknown id reads as nothing.
    let ids = [u.id, other.id, 999_999];
    let many = s.billing_states(&ids).await.unwrap();
    assert_eq!(many.len(), 3);
    for id in ids {
        assert_eq!(many[&id], s.billing_state(id).await.unwrap(), "user {id}");
    }
    let full = &many[&u.id];
    assert!(full.trial.is_some() && full.subscription.is_some());
    assert_eq!(full.grant.as_ref().map(|g| g.granted_at), Some(70));
    assert!(s.billing_states(&[]).await.unwrap().is_empty());

    // Progress: completing twice keeps the first time; undo; days.
    s.complete_lesson(u.id, "p", "l1", 1000, "2026-01-01")
        .await
        .unwrap();
    s.complete_lesson(u.id, "p", "l1", 2000, "2026-01-02")
        .await
        .unwrap();
    s.complete_lesson(u.id, "p", "l2", 3000, "2026-01-02")
        .await
        .unwrap();
    let done = s.completions(u.id).await.unwrap();
    assert_eq!(done.len(), 2);
    assert_eq!(
        (done[0].lesson_slug.as_str(), done[0].completed_at),
        ("l2", 3000)
    );
    assert_eq!(done[1].completed_at, 1000);
    assert!(s.uncomplete_lesson(u.id, "p", "l2").await.unwrap());
    assert!(!s.uncomplete_lesson(u.id, "p", "l2").await.unwrap());
    assert_eq!(
        s.activity_days(u.id).await.unwrap(),
        ["2026-01-02", "2026-01-01"]
    );

    // Deleting the account removes its trial, subscription, grants and progress.
    assert!(s.delete_user(u.id).await.unwrap());
    let state = s.billing_state(u.id).await.unwrap();
    assert!(state.trial.is_none() && state.subscription.is_none() && state.grant.is_none());
    assert!(s.completions(u.id).await.unwrap().is_empty());
    assert!(s.activity_days(u.id).await.unwrap().is_empty());
    // The granting admin's deletion does not fail on grants they made.
    let v = s
        .create_user("c@example.com", "hash", false, 1)
        .await
        .unwrap();
    assert!(s.grant_access(v.id, other.id, 80).await.unwrap());
    assert!(s.delete_user(other.id).await.unwrap());
    let g = s.billing_state(v.id).await.unwrap().grant.unwrap();
    assert_eq!(g.granted_by, None);
}

#[tokio::test]
async fn billing_on_sqlite() {
    let (_d, s) = sqlite().await;
    scenario(s).await;
}

#[tokio::test]
async fn billing_on_postgres() {
    scenario(postgres().await).await;
}

/// A trial remembered under an email's key outlives the account, and comes
/// back, with its dates, to a new account under the same key.
async fn remembered_trials(s: Arc<dyn Store>) {
    let u = s
        .create_user("t@example.com", "hash", false, 1)
        .await
        .unwrap();
    assert!(
        !s.remember_trial(u.id, "key-t").await.unwrap(),
        "no trial yet"
    );
    s.start_trial(u.id, 100, 700).await.unwrap().unwrap();
    assert!(s.remember_trial(u.id, "key-t").await.unwrap());
    assert!(!s.remember_trial(u.id, "key-t").await.unwrap(), "once");
    assert!(s.delete_user(u.id).await.unwrap());

    let again = s
        .create_user("t@example.com", "hash", false, 2)
        .await
        .unwrap();
    assert!(!s.restore_trial(again.id, "key-other").await.unwrap());
    assert!(s.billing_state(again.id).await.unwrap().trial.is_none());
    assert!(s.restore_trial(again.id, "key-t").await.unwrap());
    let t = s.billing_state(again.id).await.unwrap().trial.unwrap();
    assert_eq!((t.started_at, t.ends_at), (100, 700));
    assert!(
        !s.restore_trial(again.id, "key-t").await.unwrap(),
        "idempotent"
    );
    assert_eq!(s.start_trial(again.id, 900, 1500).await.unwrap(), None);

    // Secrets: the first value stored wins, for every caller.
    assert_eq!(s.server_secret("k", "first").await.unwrap(), "first");
    assert_eq!(s.server_secret("k", "second").await.unwrap(), "first");
}

#[tokio::test]
async fn remembered_trials_on_sqlite() {
    let (_d, s) = sqlite().await;
    remembered_trials(s).await;
}

#[tokio::test]
async fn remembered_trials_on_postgres() {
    remembered_trials(postgres().await).await;
}
