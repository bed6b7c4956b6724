//! In a real headless Chromium: the Raft lab elects a leader; crashing it
//! from the UI re-runs the simulation and another node takes over; the
//! page URL records the crash so the run can be shared.

mod support;

use fantoccini::{Client, Locator};
use std::time::{Duration, Instant};
use support::browser::{click, Browser};
use support::spawn_app;

/// Scrolls `css` to the middle of the viewport (clear of the sticky header), then clicks it.
/// The `data-node` of the SVG node whose `data-role` is leader, if any.
async fn leader(c: &Client) -> Option<String> {
    let v = c
        .execute(
            "var g = document.querySelector('.raft-node[data-role=\"leader\"]'); return g ? g.getAttribute('data-node') : null;",
            vec![],
        )
        .await
        .unwrap();
    v.as_str().map(str::to_string)
}

async fn step(c: &Client) -> i64 {
    c.execute(
        "return parseInt(document.querySelector('[data-lab-player]').getAttribute('data-step') || '-1', 10);",
        vec![],
    )
    .await
    .unwrap()
    .as_i64()
    .unwrap()
}

/// Plays until `until` holds (polling the DOM), then pauses.
async fn play_until<F, Fut>(c: &Client, what: &str, until: F) -> String
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Option<String>>,
{
    let play = c.find(Locator::Css("[data-lab-play]")).await.unwrap();
    if play.attr("aria-pressed").await.unwrap().as_deref() != Some("true") {
        click(c, "[data-lab-play]").await;
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(v) = until().await {
            let play = c.find(Locator::Css("[data-lab-play]")).await.unwrap();
            if play.attr("aria-pressed").await.unwrap().as_deref() == Some("true") {
                click(c, "[data-lab-play]").await;
            }
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn raft_lab_crash_the_leader_and_a_new_one_is_elected() {
    let app = spawn_app().await;
    let browser = Browser::start().await;
    let c = &browser.client;

    c.goto(&app.url("/labs/raft")).await.unwrap();
    c.wait()
        .for_element(Locator::Css("[data-lab-player][data-lab-ready]"))
        .await
        .unwrap();
    assert_eq!(
        c.find_all(Locator::Css(".raft-node")).await.unwrap().len(),
        5
    );
    assert!(leader(c).await.is_none(), "nobody leads at time 0");

    // Faster playback, chosen through the speed control.
    click(c, "select[id$='-speed'] option[value='4']").await;

    let first = play_until(c, "a leader", || leader(c)).await;
    let at_crash = step(c).await;

    // Crash it through its button (the SVG node is clickable too).
    click(
        c,
        &format!("button[data-lab-action='crash'][data-node='{first}']"),
    )
    .await;
    // The run is re-simulated and the crashed node greyed out.
    let crashed = format!(".raft-node[data-node='{first}'][data-role='crashed']");
    c.wait().for_element(Locator::Css(&crashed)).await.unwrap();
    assert!(step(c).await >= at_crash, "the player stays at the crash");
    let live = c
        .find(Locator::Css("[data-lab-live]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!live.is_empty());

    let url = c.current_url().await.unwrap();
    let query = url.query().unwrap_or_default().to_string();
    assert!(
        query.contains(&format!(":crash:{first}")),
        "the URL records the crash: {query}"
    );

    let second = play_until(c, "a new leader", || async {
        leader(c).await.filter(|l| *l != first)
    })
    .await;
    assert_ne!(first, second);
    assert!(
        c.find(Locator::Css(&crashed)).await.is_ok(),
        "the old leader is still down"
    );

    // The shared URL reproduces the run: reload it and reach the same state.
    let timeline_len = c
        .execute(
            "return document.querySelector('[data-lab-player] .lab-scrub').max",
            vec![],
        )
        .await
        .unwrap();
    c.goto(url.as_str()).await.unwrap();
    c.wait()
        .for_element(Locator::Css("[data-lab-player][data-lab-ready]"))
        .await
        .unwrap();
    let again = c
        .execute(
            "return document.querySelector('[data-lab-player] .lab-scrub').max",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(timeline_len, again);
    let recorded = c
        .find(Locator::Css("[data-lab-recorded]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(recorded.contains(&format!("crash:{first}")), "{recorded}");
    browser.close().await;
}

#[tokio::test]
async fn keyboard_steps_and_timeline_jumps() {
    let app = spawn_app().await;
    let browser = Browser::start().await;
    let c = &browser.client;
    c.goto(&app.url("/labs/clocks?seed=3")).await.unwrap();
    c.wait()
        .for_element(Locator::Css("[data-lab-player][data-lab-ready]"))
        .await
        .unwrap();
    assert_eq!(step(c).await, 0);
    // Arrow keys step (focus on the page body, not in an input).
    c.execute(
        "document.activeElement && document.activeElement.blur();",
        vec![],
    )
    .await
    .unwrap();
    let body = c.find(Locator::Css("body")).await.unwrap();
    body.send_keys("\u{E014}").await.unwrap(); // ArrowRight
    body.send_keys("\u{E014}").await.unwrap();
    assert_eq!(step(c).await, 2);
    body.send_keys("\u{E012}").await.unwrap(); // ArrowLeft
    assert_eq!(step(c).await, 1);
    // Typing in the seed box does not step.
    let seed = c.find(Locator::Css("input[id$='-seed']")).await.unwrap();
    seed.send_keys("\u{E014}").await.unwrap();
    assert_eq!(step(c).await, 1);
    // Clicking a timeline entry jumps there.
    click(c, ".lab-tl-item[data-index='4']").await;
    assert_eq!(step(c).await, 4);
    let current = c
        .find(Locator::Css(".lab-tl-item[aria-current]"))
        .await
        .unwrap()
        .attr("data-index")
        .await
        .unwrap();
    assert_eq!(current.as_deref(), Some("4"));
    browser.close().await;
}

/// Every lab draws, its first guided scenario loads without an error, and
/// the hashing lab records an action from its buttons.
#[tokio::test]
async fn every_lab_draws_and_loads_its_scenarios() {
    let app = spawn_app().await;
    let browser = Browser::start().await;
    let c = &browser.client;
    for lab in devpath_labs::labs() {
        c.goto(&app.url(&format!("/labs/{}", lab.slug)))
            .await
            .unwrap();
        c.wait()
            .for_element(Locator::Css("[data-lab-player][data-lab-ready]"))
            .await
            .unwrap();
        let drawn = c
            .execute(
                "return document.querySelector('[data-lab-svg]').childElementCount",
                vec![],
            )
            .await
            .unwrap();
        assert!(drawn.as_u64().unwrap() > 0, "{}: nothing drawn", lab.slug);
        let title = lab.scenarios[0].title;
        click(c, &format!("[data-lab-scenario=\"{title}\"]")).await;
        // The scenario's actions land in the URL and the list of actions.
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let q = c
                .current_url()
                .await
                .unwrap()
                .query()
                .unwrap_or("")
                .to_string();
            if lab.scenarios[0].actions.is_empty() || q.contains("a=") {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{}: scenario not loaded: {q}",
                lab.slug
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let notice_hidden = c
            .execute(
                "return document.querySelector('.lab-notice[role=alert]').hidden",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(
            notice_hidden,
            serde_json::Value::Bool(true),
            "{}: error shown",
            lab.slug
        );
    }

    c.goto(&app.url("/labs/consistent-hashing")).await.unwrap();
    c.wait()
        .for_element(Locator::Css("[data-lab-player][data-lab-ready]"))
        .await
        .unwrap();
    click(c, "button[data-lab-action='add-node']").await;
    c.wait()
        .for_element(Locator::Css("[data-lab-moved]"))
        .await
        .unwrap();
    let q = c
        .current_url()
        .await
        .unwrap()
        .query()
        .unwrap_or("")
        .to_string();
    assert!(q.contains("a=1:add-node"), "{q}");
    browser.close().await;
}
