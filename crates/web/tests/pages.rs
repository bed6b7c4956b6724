//! HTTP tests of every page against the real server and database, on the
//! fixture catalog; the last test checks the shipped catalog renders.

mod support;

use support::fixture::{
    CAP_SLUG, DRAFT, DRAFT_SENTENCE, DRAFT_TITLE, FIRST_MODULE, FREE, FREE_SLUG, HIGHLIGHT, HOURS,
    IN_PREPARATION, IN_PREPARATION_MODULE, IN_PREPARATION_TITLE, LESSONS, MODULES, PATH,
    PATH_TITLE, TAGLINE, TITLES,
};
use support::{shipped_catalog, spawn_app, TestApp};

/// The lesson titles a path page lists, in order.
fn path_titles(body: &str) -> Vec<String> {
    body.split("<span class=\"visually-hidden\">Lesson ")
        .skip(1)
        .map(|chunk| {
            let after = chunk.split_once("</span>").unwrap().1;
            let title = after.split_once("</a>").unwrap().0;
            support::decode(title)
        })
        .collect()
}

#[tokio::test]
async fn home_lists_the_path() {
    let app = spawn_app().await;
    let (status, body) = app.get_text("/").await;
    assert_eq!(status, 200);
    assert!(body.contains(&format!("href=\"{PATH}\"")));
    assert!(body.contains(TAGLINE));
    assert!(body.contains(&format!("{LESSONS} lessons")));
}

#[tokio::test]
async fn path_page_shows_the_offer_and_every_lesson_in_path_order() {
    let app = spawn_app().await;
    let (status, raw) = app.get_text(PATH).await;
    assert_eq!(status, 200);
    let body = support::decode(&raw);
    for text in [
        PATH_TITLE,
        &format!("{LESSONS} lessons"),
        &format!("~{HOURS}h total"),
        "No credit card required for 7-day trial",
        "Start your 7-day free trial",
        "Get full access to all learning paths across the platform.",
        "50% off your first year",
        HIGHLIGHT,
    ] {
        assert!(body.contains(text), "path page lacks {text:?}");
    }
    let titles = path_titles(&body);
    assert_eq!(titles.len(), LESSONS);
    assert_eq!(titles, TITLES);
    // Each module has exactly one free-preview lesson: its first.
    assert_eq!(
        body.matches("badge badge-free\">Free preview").count(),
        MODULES
    );
    assert!(support::lesson_item(&body, FREE_SLUG).contains("Free preview"));
    assert!(!support::lesson_item(&body, CAP_SLUG).contains("Free preview"));
}

#[tokio::test]
async fn lesson_page_has_breadcrumb_toc_body_quiz_and_pager() {
    let app = spawn_app().await;
    let (status, body) = app.get_text(FREE).await;
    assert_eq!(status, 200);
    assert!(body.contains("aria-label=\"Breadcrumb\""));
    assert!(body.contains(FIRST_MODULE));
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
    let (status, body) = app.get_text(IN_PREPARATION).await;
    assert_eq!(status, 200);
    assert!(body.contains(IN_PREPARATION_TITLE));
    assert!(body.contains("This lesson is in preparation"));
    assert!(support::decode(&body).contains(IN_PREPARATION_MODULE));
    assert!(body.contains("rel=\"prev\"") && body.contains("rel=\"next\""));
}

#[tokio::test]
async fn draft_lesson_is_in_preparation_and_its_body_is_never_served() {
    let app = spawn_app().await;
    let (status, body) = app.get_text(DRAFT).await;
    assert_eq!(status, 200);
    assert!(body.contains(DRAFT_TITLE));
    assert!(body.contains("This lesson is in preparation"));
    assert!(!body.contains(DRAFT_SENTENCE), "the draft's body leaked");
    assert!(!body.contains("id=\"lesson-body\""));
    // Not to a learner with full access either.
    app.learner_on_trial("draft@example.com").await;
    let (_, body) = app.get_text(DRAFT).await;
    assert!(body.contains("This lesson is in preparation"));
    assert!(!body.contains(DRAFT_SENTENCE), "the draft's body leaked");
}

#[tokio::test]
async fn unknown_urls_are_404_pages() {
    let app = spawn_app().await;
    for url in [
        "/nope",
        "/paths/nope",
        &format!("{PATH}/lessons/nope"),
        &format!("{PATH}/lessons/"),
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
    assert_eq!(v["lessons"], LESSONS);
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

/// The shipped path (not the fixture): its page lists the 100 lessons in
/// the seed's order, and every lesson renders for a learner with access,
/// published ones with their body.
#[tokio::test]
async fn shipped_catalog_lists_the_seed_and_every_published_lesson_renders() {
    let catalog = shipped_catalog();
    let path = catalog.path("systems-engineering").unwrap();
    let path_url = format!("/paths/{}", path.slug);
    let app = TestApp::builder().catalog(catalog.clone()).spawn().await;
    let seed: Vec<&str> = include_str!("../../content/tests/seed_titles.txt")
        .lines()
        .collect();
    let (status, body) = app.get_text(&path_url).await;
    assert_eq!(status, 200);
    let titles = path_titles(&support::decode(&body));
    assert_eq!(titles.len(), 100);
    assert_eq!(titles, seed);

    // Anonymous: a body only on free previews, never a locked one or its quiz.
    for lesson in &path.lessons {
        let url = format!("{path_url}/lessons/{}", lesson.slug);
        let (status, page) = app.get_text(&url).await;
        assert_eq!(status, 200, "{url}");
        let has_body = page.contains("id=\"lesson-body\"");
        match (&lesson.body, lesson.free_preview) {
            (Some(_), true) => assert!(has_body, "{url} free preview not readable"),
            (Some(_), false) => {
                assert!(!has_body, "{url} leaked its body");
                assert!(!page.contains("quiz-heading"), "{url} leaked its quiz");
            }
            (None, _) => assert!(page.contains("This lesson is in preparation"), "{url}"),
        }
    }

    app.learner_on_trial("shipped@example.com").await;
    let mut published = 0;
    for lesson in &path.lessons {
        let url = format!("{path_url}/lessons/{}", lesson.slug);
        let (status, page) = app.get_text(&url).await;
        assert_eq!(status, 200, "{url}");
        assert!(!page.contains("data-testid=\"paywall\""), "{url}");
        if lesson.body.is_some() {
            published += 1;
            assert!(page.contains("id=\"lesson-body\""), "{url} has no body");
        } else {
            assert!(page.contains("This lesson is in preparation"), "{url}");
        }
    }
    assert!(published > 0, "no published lesson in the shipped path");
}
