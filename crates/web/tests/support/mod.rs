//! `spawn_app()`: the real application on a random port with its own
//! SQLite database in a temporary folder, and a client for it.
//! `TestApp::builder().postgres().config(|c| ...).spawn()` picks the
//! database (a fresh PostgreSQL database per test) and settings.
//!
//! The app serves the small fixture catalog of [`fixture`] ([`catalog`]),
//! not the shipped lessons, so new or edited lessons break no web test;
//! only the test that checks the shipped path itself asks for
//! [`shipped_catalog`] (`TestApp::builder().catalog(shipped_catalog())`).
//!
//! Learners for a test: `app.learner(email)` (signed up and signed in, no
//! plan), `app.learner_on_trial(email)` and `app.admin(email)`, all with
//! the password [`PW`].
#![allow(dead_code)]

pub mod browser;
pub mod fixture;

use devpath_content::{Catalog, Source};
use devpath_store::Store;
use devpath_web::WebConfig;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

pub struct TestApp {
    pub addr: SocketAddr,
    /// Follows no redirects; keeps cookies in `jar`.
    pub client: reqwest::Client,
    pub jar: Arc<reqwest::cookie::Jar>,
    /// The data folder (SQLite file, `outbox/`).
    pub dir: tempfile::TempDir,
    /// The same store the server uses, for arranging and checking rows.
    pub store: Arc<dyn Store>,
    /// Its URL, for a second app server on the same database.
    pub database_url: String,
}

type Configure = Box<dyn FnOnce(&mut WebConfig)>;

/// Which database and settings to start the app with.
pub struct TestAppBuilder {
    catalog: Option<Catalog>,
    postgres: bool,
    database: Option<String>,
    data_dir: Option<std::path::PathBuf>,
    configure: Vec<Configure>,
}

/// The password every test learner signs up with.
pub const PW: &str = "correct horse battery";

/// Now, in seconds since the epoch, as the server's clock reads it.
pub fn now() -> i64 {
    devpath_web::Clock::system().now()
}

fn lab_slugs() -> Vec<String> {
    devpath_labs::labs().into_iter().map(|l| l.slug).collect()
}

fn load(source: &Source) -> Result<Catalog, devpath_content::Problems> {
    let labs = lab_slugs();
    let labs: Vec<&str> = labs.iter().map(String::as_str).collect();
    devpath_content::load(source, &labs)
}

/// The fixture catalog ([`fixture`]) every test app serves, loaded once per
/// test binary. Panics if the fixture is invalid or a lab has no lesson in
/// it (add a short lesson with `lab = "<slug>"` to the fixture).
pub fn catalog() -> Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG
        .get_or_init(|| {
            let source = Source::dir(std::path::Path::new(fixture::DIR))
                .expect("read the fixture content folder");
            let catalog = load(&source).unwrap_or_else(|p| panic!("fixture content: {p}"));
            for lab in lab_slugs() {
                assert!(
                    catalog
                        .paths
                        .iter()
                        .flat_map(|p| &p.lessons)
                        .any(|l| l.lab.as_deref() == Some(lab.as_str())),
                    "the lab `{lab}` has no lesson in the fixture catalog: add one to {} with `lab = \"{lab}\"`",
                    fixture::DIR
                );
            }
            catalog
        })
        .clone()
}

/// The shipped catalog (`content/`, as embedded in the binary), loaded once
/// per test binary: only for the test that checks the shipped path renders.
pub fn shipped_catalog() -> Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG
        .get_or_init(|| load(&Source::embedded()).expect("shipped content is valid"))
        .clone()
}

/// The app on SQLite with default settings.
pub async fn spawn_app() -> TestApp {
    TestApp::builder().spawn().await
}

impl TestAppBuilder {
    /// Serve this catalog instead of the fixture (e.g. [`shipped_catalog`]).
    pub fn catalog(mut self, catalog: Catalog) -> Self {
        self.catalog = Some(catalog);
        self
    }

    /// Use a fresh database on the PostgreSQL test server instead of SQLite.
    pub fn postgres(mut self) -> Self {
        self.postgres = true;
        self
    }

    /// Use this database (e.g. another app server's), already migrated.
    pub fn database(mut self, url: &str) -> Self {
        self.database = Some(url.to_string());
        self
    }

    /// Keep the SQLite file and outbox in `dir` (e.g. a small tmpfs) instead
    /// of the temporary folder.
    pub fn data_dir(mut self, dir: &std::path::Path) -> Self {
        self.data_dir = Some(dir.to_path_buf());
        self
    }

    /// Adjust the settings (applied after the test defaults: `data_dir` is
    /// the temporary folder, `public_url` is `http://ADDR`).
    pub fn config(mut self, f: impl FnOnce(&mut WebConfig) + 'static) -> Self {
        self.configure.push(Box::new(f));
        self
    }

    pub async fn spawn(self) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let data_dir = self.data_dir.unwrap_or_else(|| dir.path().to_path_buf());
        let url = if let Some(url) = self.database {
            url
        } else if self.postgres {
            devpath_store::testing::fresh_postgres_database()
                .await
                .expect("PostgreSQL test server (scripts/test starts it)")
        } else {
            format!("sqlite://{}/devpath.db", data_dir.display())
        };
        let store = devpath_store::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut config = WebConfig {
            public_url: format!("http://{addr}"),
            data_dir,
            // Tests change the database behind the server's back; the
            // cache has its own tests (viewcache.rs) that turn it on.
            session_cache: std::time::Duration::ZERO,
            ..WebConfig::default()
        };
        for f in self.configure {
            f(&mut config);
        }
        let state =
            devpath_web::AppState::new(self.catalog.unwrap_or_else(catalog), store.clone(), config)
                .unwrap();
        tokio::spawn(devpath_web::follow_other_servers(state.clone()));
        tokio::spawn(devpath_web::serve(
            listener,
            devpath_web::app(state),
            std::future::pending(),
        ));
        let jar = Arc::new(reqwest::cookie::Jar::default());
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_provider(jar.clone())
            .build()
            .unwrap();
        TestApp {
            addr,
            client,
            jar,
            dir,
            store,
            database_url: url,
        }
    }
}

impl TestApp {
    pub fn builder() -> TestAppBuilder {
        TestAppBuilder {
            catalog: None,
            postgres: false,
            database: None,
            data_dir: None,
            configure: Vec::new(),
        }
    }

    /// This server's origin, as a browser would send it in `Origin`.
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// POSTs a form from our own origin (as a browser on our pages would).
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .header("Origin", self.origin())
            .form(fields)
            .send()
            .await
            .unwrap()
    }

    /// Signs up (303 to `/dashboard?welcome=1` and a session cookie on success).
    pub async fn signup(&self, email: &str, password: &str) -> reqwest::Response {
        self.post_form("/signup", &[("email", email), ("password", password)])
            .await
    }

    /// Signs in (303 and a session cookie on success).
    pub async fn signin(&self, email: &str, password: &str) -> reqwest::Response {
        self.post_form("/signin", &[("email", email), ("password", password)])
            .await
    }

    pub async fn signout(&self) -> reqwest::Response {
        self.post_form("/signout", &[]).await
    }

    /// The id of the account with this email (which must exist).
    pub async fn user_id(&self, email: &str) -> i64 {
        self.store
            .user_by_email(email)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("no account {email}"))
            .id
    }

    /// A learner without a plan: signs up with [`PW`] (the client stays
    /// signed in as them) and returns their id.
    pub async fn learner(&self, email: &str) -> i64 {
        let r = self.signup(email, PW).await;
        assert_eq!(r.status(), 303, "sign-up of {email} failed");
        self.user_id(email).await
    }

    /// A learner who has started the free trial (full access), signed in.
    pub async fn learner_on_trial(&self, email: &str) -> i64 {
        let id = self.learner(email).await;
        let r = self.post_form("/trial/start", &[]).await;
        assert_eq!(r.status(), 303, "trial of {email} did not start");
        id
    }

    /// An administrator (a learner promoted in the store), signed in.
    pub async fn admin(&self, email: &str) -> i64 {
        let id = self.learner(email).await;
        self.store.set_admin(id, true).await.unwrap();
        id
    }

    /// The session cookie's value in the client's jar, if any.
    pub fn session_cookie(&self) -> Option<String> {
        use reqwest::cookie::CookieStore;
        let url = self.url("/").parse().unwrap();
        let header = self.jar.cookies(&url)?;
        header
            .to_str()
            .ok()?
            .split(';')
            .filter_map(|kv| kv.trim().split_once('='))
            .find(|(k, _)| *k == devpath_web::session::COOKIE)
            .map(|(_, v)| v.to_string())
    }

    /// Sets the session cookie in the client's jar (e.g. a forged one).
    pub fn set_session_cookie(&self, value: &str) {
        let url = self.url("/").parse().unwrap();
        self.jar.add_cookie_str(
            &format!("{}={value}; Path=/", devpath_web::session::COOKIE),
            &url,
        );
    }

    /// Every email to `to` in the outbox, oldest first (headers and body,
    /// quoted-printable soft breaks and `=3D` undone).
    pub fn emails(&self, to: &str) -> Vec<String> {
        let outbox = self.dir.path().join("outbox");
        let suffix = format!("-{to}.eml");
        let Ok(dir) = std::fs::read_dir(&outbox) else {
            return Vec::new();
        };
        let mut names: Vec<String> = dir
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(&suffix))
            .collect();
        names.sort_by_key(|n| {
            let mut parts = n.splitn(3, '-');
            let millis: u128 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
            let seq: u64 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
            (millis, seq)
        });
        names
            .iter()
            .filter_map(|n| std::fs::read_to_string(outbox.join(n)).ok())
            .map(|raw| {
                raw.replace("=\r\n", "")
                    .replace("=\n", "")
                    .replace("=3D", "=")
            })
            .collect()
    }

    /// The emails to `to` whose subject is `subject`, oldest first.
    pub fn emails_about(&self, to: &str, subject: &str) -> Vec<String> {
        let line = format!("Subject: {subject}");
        self.emails(to)
            .into_iter()
            .filter(|m| m.lines().any(|l| l.trim_end() == line))
            .collect()
    }

    /// Waits (up to 5 s) for an email to `to` about `subject` and returns
    /// the newest; emails are sent in the background.
    pub async fn wait_for_email(&self, to: &str, subject: &str) -> String {
        for _ in 0..100 {
            if let Some(text) = self.emails_about(to, subject).pop() {
                return text;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("no email to {to} about {subject:?} in the outbox");
    }

    /// The number of emails to `to` about `subject` in the outbox.
    pub fn email_count(&self, to: &str, subject: &str) -> usize {
        self.emails_about(to, subject).len()
    }

    /// The path of the confirmation link in the newest confirmation email
    /// to `to` (`/verify/<token>`).
    pub async fn verify_path(&self, to: &str) -> String {
        verify_link(&self.wait_for_email(to, CONFIRM_SUBJECT).await)
    }

    /// Confirms `to`'s address through the link mailed at sign-up.
    pub async fn confirm_email(&self, to: &str) {
        let path = self.verify_path(to).await;
        let r = self.post_form(&path, &[]).await;
        assert_eq!(r.status(), 200, "confirming {to}");
    }

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

/// The subject of the email sent at sign-up.
pub const CONFIRM_SUBJECT: &str = "Confirm your devpath email";
pub const RESET_SUBJECT: &str = "Reset your devpath password";

/// The path of the confirmation link in `mail` (`/verify/<token>`).
pub fn verify_link(mail: &str) -> String {
    let start = mail.find("/verify/").expect("confirmation link in email");
    mail[start..start + 8 + 64].to_string()
}

/// The row of the lesson `slug` on a path page (its `<li>`), for checking
/// its badges and marks.
pub fn lesson_item<'a>(path_page: &'a str, slug: &str) -> &'a str {
    path_page
        .split(&format!("data-lesson=\"{slug}\""))
        .nth(1)
        .unwrap_or_else(|| panic!("no lesson {slug} on the path page"))
        .split("</li>")
        .next()
        .unwrap()
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
