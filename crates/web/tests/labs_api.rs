//! The labs JSON API and the lab pages, against the real server.

mod support;

use devpath_labs::{Action, RunSpec};
use serde_json::{json, Value};
use support::{spawn_app, TestApp};

/// POSTs a JSON body (as text, so malformed bodies can be sent too) with the
/// `Origin` header a browser's same-origin fetch sends.
async fn post_run(app: &TestApp, body: impl Into<reqwest::Body>) -> (u16, Vec<u8>) {
    let r = app
        .client
        .post(app.url("/api/labs/run"))
        .header("Origin", format!("http://{}", app.addr))
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.bytes().await.unwrap().to_vec())
}

/// Expects a 4xx with `{"error": "..."}` containing `needle`.
async fn expect_error(app: &TestApp, body: &str, needle: &str) {
    let (status, bytes) = post_run(app, body.to_string()).await;
    assert!(
        (400..500).contains(&status),
        "{body}: expected 4xx, got {status}"
    );
    let v: Value = serde_json::from_slice(&bytes).unwrap_or_else(|_| {
        panic!(
            "{body}: body is not JSON: {}",
            String::from_utf8_lossy(&bytes)
        )
    });
    let msg = v["error"].as_str().expect("an `error` string");
    assert!(
        msg.contains(needle),
        "{body}: error `{msg}` should mention `{needle}`"
    );
}

#[tokio::test]
async fn lists_the_six_labs_and_each_one() {
    let app = spawn_app().await;
    let r = app.get("/api/labs").await;
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let labs: Vec<Value> = r.json().await.unwrap();
    let slugs: Vec<&str> = labs.iter().map(|l| l["slug"].as_str().unwrap()).collect();
    assert_eq!(
        slugs,
        [
            "raft",
            "clocks",
            "consistent-hashing",
            "rate-limiting",
            "circuit-breaker",
            "sketches"
        ]
    );
    for lab in &labs {
        assert!(
            lab["params"].is_array() && lab["actions"].is_array() && lab["scenarios"].is_array()
        );
    }
    let raft: Value = app.get("/api/labs/raft").await.json().await.unwrap();
    assert_eq!(raft["title"], "Raft consensus");
    let r = app.get("/api/labs/nope").await;
    assert_eq!(r.status().as_u16(), 404);
    let v: Value = r.json().await.unwrap();
    assert!(v["error"].as_str().unwrap().contains("nope"));
}

#[tokio::test]
async fn run_returns_frames_identical_to_the_library() {
    let app = spawn_app().await;
    let spec = RunSpec {
        lab: "raft".into(),
        seed: 7,
        params: [("nodes".to_string(), "5".to_string())].into(),
        actions: vec![
            "800:crash:leader".parse::<Action>().unwrap(),
            "1200:request:x1".parse().unwrap(),
        ],
        steps: Some(900),
    };
    let body = serde_json::to_string(&spec).unwrap();
    let (status, first) = post_run(&app, body.clone()).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&first));
    let run: Value = serde_json::from_slice(&first).unwrap();
    assert_eq!(run["lab"], "raft");
    assert_eq!(run["seed"], 7);
    let frames = run["frames"].as_array().unwrap();
    assert_eq!(frames.len(), 900);
    for key in ["step", "time", "explain", "state"] {
        assert!(frames[0].get(key).is_some(), "frames carry `{key}`");
    }
    assert!(frames
        .iter()
        .any(|f| f["explain"].as_str().unwrap().contains("crash")));

    // Same spec twice: identical bytes.
    let (_, second) = post_run(&app, body).await;
    assert_eq!(first, second);
    // And identical to the library's run, serialized with serde_json.
    let expected = serde_json::to_vec(&devpath_labs::run(&spec).unwrap()).unwrap();
    assert_eq!(first, expected);
}

#[tokio::test]
async fn every_lab_runs_with_its_defaults_and_scenarios() {
    let app = spawn_app().await;
    for info in devpath_labs::labs() {
        let (status, bytes) = post_run(&app, json!({ "lab": info.slug }).to_string()).await;
        assert_eq!(status, 200, "{}", info.slug);
        let v: Value = serde_json::from_slice(&bytes).unwrap();
        assert!(!v["frames"].as_array().unwrap().is_empty());
        for sc in &info.scenarios {
            let body = json!({
                "lab": info.slug,
                "seed": sc.seed,
                "params": sc.params.iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<serde_json::Map<_, _>>(),
                "actions": sc.actions.iter().map(|a| a.parse::<Action>().unwrap()).collect::<Vec<_>>(),
            });
            let (status, bytes) = post_run(&app, body.to_string()).await;
            assert_eq!(
                status,
                200,
                "{} / {}: {}",
                info.slug,
                sc.title,
                String::from_utf8_lossy(&bytes)
            );
        }
    }
}

#[tokio::test]
async fn bad_requests_get_clear_json_errors() {
    let app = spawn_app().await;
    expect_error(&app, "{\"lab\": \"raft\", ", "invalid run spec").await;
    expect_error(&app, "not json", "invalid run spec").await;
    expect_error(
        &app,
        r#"{"lab": "raft", "speed": 2}"#,
        "unknown field `speed`",
    )
    .await;
    expect_error(&app, r#"{"lab": "nope"}"#, "unknown lab `nope`").await;
    expect_error(
        &app,
        r#"{"lab": "raft", "params": {"nodes": "99"}}"#,
        "parameter `nodes`",
    )
    .await;
    expect_error(
        &app,
        r#"{"lab": "raft", "params": {"colour": "red"}}"#,
        "unknown parameter `colour`",
    )
    .await;
    expect_error(
        &app,
        r#"{"lab": "raft", "actions": [{"at": 10, "kind": "explode", "args": []}]}"#,
        "`explode` is not an action of lab `raft`",
    )
    .await;
    expect_error(
        &app,
        r#"{"lab": "raft", "actions": [{"at": 10, "kind": "crash", "args": ["n9"]}]}"#,
        "n9",
    )
    .await;
    expect_error(&app, r#"{"lab": "raft", "steps": 20001}"#, "too many steps").await;
    expect_error(&app, r#"{"lab": "raft", "steps": 0}"#, "too many steps").await;
    let actions: Vec<Value> = (0..501)
        .map(|i| json!({"at": i, "kind": "heal", "args": []}))
        .collect();
    expect_error(
        &app,
        &json!({"lab": "raft", "actions": actions}).to_string(),
        "too many actions",
    )
    .await;

    // Not JSON at all: 415.
    let r = app
        .client
        .post(app.url("/api/labs/run"))
        .header("Origin", format!("http://{}", app.addr))
        .header("Content-Type", "text/plain")
        .body(r#"{"lab": "raft"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 415);
}

#[tokio::test]
async fn oversized_body_is_rejected_with_413() {
    let app = spawn_app().await;
    let big = format!(
        "{{\"lab\": \"raft\", \"params\": {{\"pad\": \"{}\"}}}}",
        "x".repeat(200 * 1024)
    );
    let (status, _) = post_run(&app, big).await;
    assert_eq!(status, 413);
}

#[tokio::test]
async fn lab_pages_index_and_404() {
    let app = spawn_app().await;
    let (status, html) = app.get_text("/labs").await;
    assert_eq!(status, 200);
    for lab in devpath_labs::labs() {
        assert!(
            html.contains(&format!("href=\"/labs/{}\"", lab.slug)),
            "{}",
            lab.slug
        );
    }
    assert!(
        html.contains("/lessons/consensus-algorithms"),
        "labs link to their lessons"
    );

    let (status, html) = app.get_text("/labs/raft").await;
    assert_eq!(status, 200);
    assert!(html.contains("data-lab-player"));
    assert!(html.contains("data-lab-config"));
    assert!(
        html.contains("/assets/lab."),
        "the player script and style are linked"
    );
    assert!(!html.contains("onclick="), "no inline handlers (CSP)");

    // The run in the URL is what the page starts from.
    let (status, html) = app
        .get_text("/labs/raft?seed=42&nodes=3&a=900:crash:n2")
        .await;
    assert_eq!(status, 200);
    let html = support::decode(&html);
    assert!(html.contains(r#""seed":42"#), "{html}");
    assert!(html.contains(r#""nodes":"3""#));
    assert!(html.contains(r#""kind":"crash""#));
    assert!(html.contains("3 nodes start as followers"));
    // A bad link falls back to the defaults with a notice, not an error page.
    let (status, html) = app.get_text("/labs/raft?nodes=99").await;
    assert_eq!(status, 200);
    assert!(html.contains("lab-notice"));

    let (status, html) = app.get_text("/labs/nope").await;
    assert_eq!(status, 404);
    assert!(html.contains("Page not found"));
    let (_, home) = app.get_text("/").await;
    assert!(home.contains("href=\"/labs\""));
}

#[tokio::test]
async fn lesson_pages_embed_their_lab() {
    let app = spawn_app().await;
    // A free-preview lesson with a lab: anyone sees the player.
    let (status, html) = app
        .get_text("/paths/systems-engineering/lessons/rate-limiting-algorithms")
        .await;
    assert_eq!(status, 200);
    assert!(html.contains("data-lab-player"));
    assert!(html.contains(r#"data-lab="rate-limiting""#));
    // consensus-algorithms is for learners with access: on an open server,
    // every signed-in learner has it.
    let app = TestApp::builder()
        .config(|c| c.billing.mode = devpath_web::entitlements::BillingMode::Open)
        .spawn()
        .await;
    let r = app
        .signup("labs@example.com", "a long enough passphrase")
        .await;
    assert!(r.status().is_redirection(), "signup: {}", r.status());
    let (status, html) = app
        .get_text("/paths/systems-engineering/lessons/consensus-algorithms")
        .await;
    assert_eq!(status, 200);
    assert!(
        html.contains("data-lab-player"),
        "the Raft lab panel is embedded"
    );
    assert!(html.contains(r#"data-lab="raft""#));
    assert!(html.contains("/labs/raft?seed=1"), "links to the full lab");
    // A lesson without a lab has no player.
    let (_, html) = app
        .get_text("/paths/systems-engineering/lessons/distributed-systems-overview")
        .await;
    assert!(!html.contains("data-lab-player"));
}

#[tokio::test]
async fn lab_pages_show_the_signed_in_learner() {
    let app = spawn_app().await;
    assert_eq!(
        app.signup("labs@example.com", "correct horse battery")
            .await
            .status(),
        303
    );
    for path in ["/labs", "/labs/raft"] {
        let r = app.get(path).await;
        assert_eq!(r.status(), 200, "{path}");
        let cache = r.headers()["cache-control"].to_str().unwrap().to_string();
        let page = r.text().await.unwrap();
        assert!(
            page.contains("title=\"labs@example.com\""),
            "{path}: header shows the learner"
        );
        assert!(
            !page.contains("href=\"/signin\""),
            "{path}: not shown as signed out"
        );
        assert_eq!(cache, "private, no-store", "{path}");
    }
}

/// A lab's lessons come from the lessons' front matter (`lab = "<slug>"`),
/// not from a list in the labs crate.
#[tokio::test]
async fn lab_json_lists_the_lessons_whose_front_matter_names_the_lab() {
    let app = spawn_app().await;
    let catalog = support::catalog();
    let labs: Vec<Value> = app.get("/api/labs").await.json().await.unwrap();
    for lab in &labs {
        let slug = lab["slug"].as_str().unwrap();
        let expected: Vec<&str> = catalog
            .paths
            .iter()
            .flat_map(|p| &p.lessons)
            .filter(|l| l.lab.as_deref() == Some(slug))
            .map(|l| l.slug.as_str())
            .collect();
        assert!(!expected.is_empty(), "{slug}: no lesson names it");
        assert_eq!(lab["lessons"], json!(expected), "{slug}");
        let one: Value = app
            .get(&format!("/api/labs/{slug}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(&one, lab, "{slug}: /api/labs/{slug} and /api/labs agree");
    }
}

/// The player core and each lab's drawing module are ES modules, served
/// fingerprinted like every asset; no inline script runs them.
#[tokio::test]
async fn each_lab_page_names_its_drawing_module() {
    let app = spawn_app().await;
    for lab in devpath_labs::labs() {
        let (status, html) = app.get_text(&format!("/labs/{}", lab.slug)).await;
        assert_eq!(status, 200, "{}", lab.slug);
        assert!(html.contains("<script type=\"module\" src=\"/assets/lab."));
        let module = html
            .split("data-lab-module=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_else(|| panic!("{}: no data-lab-module", lab.slug));
        assert!(
            module.starts_with(&format!("/assets/labs/{}.", lab.slug)),
            "{module}"
        );
        let r = app.get(module).await;
        assert_eq!(r.status(), 200, "{module}");
        assert_eq!(
            r.headers()["cache-control"],
            "public, max-age=31536000, immutable"
        );
        assert!(r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript"));
        assert!(r.text().await.unwrap().contains("export default function"));
    }
}
