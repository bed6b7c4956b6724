//! HTTP tests of every page against the real server and database.

mod support;

use support::spawn_app;

const PATH: &str = "/paths/systems-engineering";

#[tokio::test]
async fn home_lists_the_path() {
    let app = spawn_app().await;
    let (status, body) = app.get_text("/").await;
    assert_eq!(status, 200);
    assert!(body.contains("href=\"/paths/systems-engineering\""));
    assert!(body.contains("Dive into distributed systems, cloud architecture, and DevOps."));
    assert!(body.contains("100 lessons"));
}

#[tokio::test]
async fn path_page_shows_the_offer_and_all_100_lessons_in_seed_order() {
    let app = spawn_app().await;
    let (status, raw) = app.get_text(PATH).await;
    assert_eq!(status, 200);
    let body = support::decode(&raw);
    for text in [
        "Systems Engineering",
        "100 lessons",
        "~46h total",
        "No credit card required for 7-day trial",
        "Start your 7-day free trial",
        "Get full access to all learning paths across the platform.",
        "50% off your first year",
        "Distributed Systems & Advanced Databases",
    ] {
        assert!(body.contains(text), "path page lacks {text:?}");
    }
    let seed: Vec<&str> = include_str!("../../content/tests/seed_titles.txt")
        .lines()
        .collect();
    let titles: Vec<String> = body
        .split("<span class=\"visually-hidden\">Lesson ")
        .skip(1)
        .map(|chunk| {
            let after = chunk.split_once("</span>").unwrap().1;
            let title = after.split_once("</a>").unwrap().0;
            support::decode(title)
        })
        .collect();
    assert_eq!(titles.len(), 100);
    assert_eq!(titles, seed);
    // Each of the 16 modules has exactly one free-preview lesson: its first.
    assert_eq!(body.matches("badge badge-free\">Free preview").count(), 16);
    let first_item = body
        .split("data-lesson=\"distributed-systems-overview\"")
        .nth(1)
        .unwrap();
    let first_item = first_item.split("</li>").next().unwrap();
    assert!(first_item.contains("Free preview"));
    let second = body
        .split("data-lesson=\"the-cap-theorem\"")
        .nth(1)
        .unwrap()
        .split("</li>")
        .next()
        .unwrap();
    assert!(!second.contains("Free preview"));
}

#[tokio::test]
async fn lesson_page_has_breadcrumb_toc_body_quiz_and_pager() {
    let app = spawn_app().await;
    let (status, body) = app
        .get_text(&format!("{PATH}/lessons/distributed-systems-overview"))
        .await;
    assert_eq!(status, 200);
    assert!(body.contains("aria-label=\"Breadcrumb\""));
    assert!(body.contains("Distributed Systems Foundations"));
    assert!(body.contains("30 min"));
    assert!(body.contains("On this page"));
    assert!(body.contains("<figure class=\"diagram\""));
    assert!(body.contains("<svg"));
    assert!(body.contains("Check your understanding"));
    assert!(body.contains("rel=\"next\""));
    assert!(!body.contains("rel=\"prev\""));
    // Every table-of-contents link points at an element on the page.
    let toc = body.split("class=\"toc\"").nth(1).unwrap();
    for href in toc.split("href=\"#").skip(1) {
        let id = href.split('"').next().unwrap();
        assert!(
            body.contains(&format!("id=\"{id}\"")),
            "toc link #{id} has no target"
        );
    }
}

#[tokio::test]
async fn unwritten_lesson_says_it_is_in_preparation() {
    let app = spawn_app().await;
    let (status, body) = app
        .get_text(&format!("{PATH}/lessons/kafka-architecture"))
        .await;
    assert_eq!(status, 200);
    assert!(body.contains("Kafka Architecture"));
    assert!(body.contains("This lesson is in preparation"));
    assert!(support::decode(&body).contains("Messaging & Streaming"));
    assert!(body.contains("rel=\"prev\"") && body.contains("rel=\"next\""));
}

#[tokio::test]
async fn unknown_urls_are_404_pages() {
    let app = spawn_app().await;
    for url in [
        "/nope",
        "/paths/nope",
        &format!("{PATH}/lessons/nope"),
        "/paths/systems-engineering/lessons/",
    ] {
        let (status, body) = app.get_text(url).await;
        assert_eq!(status, 404, "{url}");
        assert!(body.contains("We couldn't find that page"), "{url}");
    }
}

#[tokio::test]
async fn assets_cannot_reach_the_file_system() {
    let app = spawn_app().await;
    for url in [
        "/assets/../Cargo.toml",
        "/assets/..%2F..%2FCargo.toml",
        "/assets/%2e%2e/%2e%2e/etc/passwd",
        "/assets/..%5c..%5cCargo.toml",
        "/assets/app.css%00.png",
        "/assets/",
    ] {
        let r = app.get(url).await;
        let status = r.status().as_u16();
        let body = r.text().await.unwrap();
        assert!(status == 404 || status == 400, "{url} -> {status}");
        assert!(
            !body.contains("[workspace]") && !body.contains("root:x:0"),
            "{url} leaked a file"
        );
    }
}

#[tokio::test]
async fn assets_are_fingerprinted_and_cached_forever() {
    let app = spawn_app().await;
    let (_, home) = app.get_text("/").await;
    let css = home
        .split("href=\"/assets/app.")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let url = format!("/assets/app.{css}");
    let r = app.get(&url).await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/css"));
    let etag = r.headers()["etag"].clone();
    let again = app
        .client
        .get(app.url(&url))
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
}

#[tokio::test]
async fn anonymous_pages_have_etag_and_cache_control_and_gzip() {
    let app = spawn_app().await;
    let r = app.get(PATH).await;
    assert_eq!(r.headers()["cache-control"], "public, no-cache");
    let etag = r.headers()["etag"].clone();
    let not_modified = app
        .client
        .get(app.url(PATH))
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(not_modified.status(), 304);
    let raw = reqwest::Client::builder().no_gzip().build().unwrap();
    let gz = raw
        .get(app.url(PATH))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    let plain_len = app.get(PATH).await.bytes().await.unwrap().len();
    assert!(
        gz.bytes().await.unwrap().len() * 3 < plain_len,
        "gzip should shrink the page"
    );
}

#[tokio::test]
async fn oversized_body_is_413() {
    let app = spawn_app().await;
    let body = vec![b'x'; 200 * 1024];
    let r = app
        .client
        .post(app.url("/"))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
}

#[tokio::test]
async fn health_and_readiness() {
    let app = spawn_app().await;
    let r: serde_json::Value = app.get("/healthz").await.json().await.unwrap();
    assert_eq!(r["status"], "ok");
    let r = app.get("/readyz").await;
    assert_eq!(r.status(), 200);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["database"], "sqlite");
    assert_eq!(v["lessons"], 100);
}

#[tokio::test]
async fn security_headers_are_set() {
    let app = spawn_app().await;
    let r = app.get("/").await;
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert!(r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("default-src 'self'"));
}
