//! Static assets, embedded in the binary: every file under `assets/`, keyed
//! by its path there (`app.css`, `labs/raft.js`). Each is served under a name
//! that carries its content hash (`app.3f2a9c1d0b.css`,
//! `labs/raft.0c1d2e3f4a.js`), so it can be cached forever; the plain name
//! also works, with a short cache. Each name is a route of its own, so no
//! request can reach the file system.

use crate::cached::{fnv1a, Cached};
use crate::AppState;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::Router;
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// `(path under assets/, bytes)` for every file there, written by build.rs.
mod embedded {
    include!(concat!(env!("OUT_DIR"), "/assets.rs"));
}

/// The content type for a file name's extension.
fn mime(name: &str) -> &'static str {
    match name.rsplit_once('.').map(|(_, ext)| ext) {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    }
}

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const SHORT: &str = "public, max-age=300";

struct Assets {
    by_name: BTreeMap<String, Cached>,
    /// Plain name -> fingerprinted URL.
    urls: BTreeMap<&'static str, String>,
}

static ASSETS: LazyLock<Assets> = LazyLock::new(|| {
    let mut by_name = BTreeMap::new();
    let mut urls = BTreeMap::new();
    for &(name, bytes) in embedded::FILES {
        let (stem, ext) = name
            .rsplit_once('.')
            .expect("asset names have an extension");
        let hashed = format!("{stem}.{:010x}.{ext}", fnv1a(bytes) >> 24);
        let mime = mime(name);
        by_name.insert(hashed.clone(), Cached::new(bytes, mime, IMMUTABLE));
        by_name.insert(name.to_string(), Cached::new(bytes, mime, SHORT));
        urls.insert(name, format!("/assets/{hashed}"));
    }
    Assets { by_name, urls }
});

/// The URL to link to for a plain asset name.
pub fn url(name: &str) -> &'static str {
    find(name).unwrap_or("/assets/missing")
}

/// The URL of an asset, if there is one by that name.
pub fn find(name: &str) -> Option<&'static str> {
    ASSETS.urls.get(name).map(String::as_str)
}

/// One route per embedded file (plain and fingerprinted names, folders
/// included); any other `/assets/...` URL falls through to the site's 404.
pub fn router() -> Router<AppState> {
    let mut router = Router::new();
    for (name, asset) in &ASSETS.by_name {
        let serve = move |h: HeaderMap| async move { asset.respond(&h, StatusCode::OK) };
        router = router.route(&format!("/assets/{name}"), get(serve));
    }
    match ASSETS.by_name.get("favicon.svg") {
        Some(icon) => router.route(
            "/favicon.ico",
            get(move |h: HeaderMap| async move { icon.respond(&h, StatusCode::OK) }),
        ),
        None => router,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_asset_has_a_content_type_and_a_fingerprinted_url() {
        for &(name, _) in embedded::FILES {
            assert_ne!(mime(name), "application/octet-stream", "{name}");
            let url = url(name);
            assert!(url.starts_with("/assets/") && url != "/assets/missing");
            assert!(ASSETS.by_name.contains_key(&url["/assets/".len()..]));
        }
        assert!(find("labs/raft.js").is_some_and(|u| u.starts_with("/assets/labs/raft.")));
        assert_eq!(find("nope.js"), None);
    }
}
