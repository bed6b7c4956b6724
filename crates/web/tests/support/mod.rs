//! `spawn_app()`: the real application on a random port with its own
//! SQLite database in a temporary folder, and a client for it.
#![allow(dead_code)]

pub mod browser;

use devpath_content::{Catalog, Source};
use std::net::SocketAddr;
use std::sync::OnceLock;

pub struct TestApp {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    pub dir: tempfile::TempDir,
}

/// The shipped catalog, loaded once per test binary.
pub fn catalog() -> Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG
        .get_or_init(|| {
            let labs: Vec<String> = devpath_labs::labs().into_iter().map(|l| l.slug).collect();
            let labs: Vec<&str> = labs.iter().map(String::as_str).collect();
            devpath_content::load(&Source::embedded(), &labs).expect("shipped content is valid")
        })
        .clone()
}

pub async fn spawn_app() -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/devpath.db", dir.path().display());
    let store = devpath_store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    let state =
        devpath_web::AppState::new(catalog(), store, devpath_web::WebConfig::default()).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(devpath_web::serve(
        listener,
        devpath_web::app(state),
        std::future::pending(),
    ));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .unwrap();
    TestApp { addr, client, dir }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn get_text(&self, path: &str) -> (u16, String) {
        let r = self.get(path).await;
        (r.status().as_u16(), r.text().await.unwrap())
    }
}

/// Undoes the HTML escaping templates apply, for comparing page text.
pub fn decode(html: &str) -> String {
    html.replace("&#38;", "&")
        .replace("&amp;", "&")
        .replace("&#39;", "'")
        .replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&#60;", "<")
        .replace("&gt;", ">")
        .replace("&#62;", ">")
}
