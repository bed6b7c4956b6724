//! Static assets, embedded in the binary. Each is served under a name that
//! carries its content hash (`app.3f2a9c1d0b.css`), so it can be cached
//! forever; the plain name also works, with a short cache. Lookup is by exact
//! name in a fixed table, so no request can reach the file system.

use crate::cached::{fnv1a, Cached};
use crate::AppState;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::collections::BTreeMap;
use std::sync::LazyLock;

const FILES: &[(&str, &str, &[u8])] = &[
    (
        "app.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/app.css"),
    ),
    (
        "forms.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/forms.css"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/app.js"),
    ),
    (
        "theme.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/theme.js"),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_bytes!("../assets/favicon.svg"),
    ),
    (
        "lab.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/lab.js"),
    ),
    (
        "quiz.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/quiz.js"),
    ),
    (
        "lab.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/lab.css"),
    ),
];

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const SHORT: &str = "public, max-age=300";

struct Assets {
    by_name: BTreeMap<String, Cached>,
    /// Plain name -> fingerprinted name.
    urls: BTreeMap<&'static str, String>,
}

static ASSETS: LazyLock<Assets> = LazyLock::new(|| {
    let mut by_name = BTreeMap::new();
    let mut urls = BTreeMap::new();
    for (name, mime, bytes) in FILES {
        let (stem, ext) = name
            .rsplit_once('.')
            .expect("asset names have an extension");
        let hashed = format!("{stem}.{:010x}.{ext}", fnv1a(bytes) >> 24);
        by_name.insert(hashed.clone(), Cached::new(*bytes, mime, IMMUTABLE));
        by_name.insert(name.to_string(), Cached::new(*bytes, mime, SHORT));
        urls.insert(*name, format!("/assets/{hashed}"));
    }
    Assets { by_name, urls }
});

/// The URL to link to for a plain asset name.
pub fn url(name: &str) -> &'static str {
    ASSETS
        .urls
        .get(name)
        .map(String::as_str)
        .unwrap_or("/assets/missing")
}

pub fn router() -> Router<AppState> {
    Router::new().route("/assets/{name}", get(asset)).route(
        "/favicon.ico",
        get(|h: HeaderMap| asset(Path("favicon.svg".into()), h)),
    )
}

async fn asset(Path(name): Path<String>, headers: HeaderMap) -> Response {
    match ASSETS.by_name.get(&name) {
        Some(a) => a.respond(&headers, StatusCode::OK),
        None => crate::error::not_found_response().into_response(),
    }
}
