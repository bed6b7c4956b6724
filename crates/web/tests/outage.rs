//! PostgreSQL going away: the app server talks to the database through a TCP
//! proxy the test can cut and restore. While it is cut, anonymous pages still
//! answer from memory, pages that need the database answer 503 with the
//! friendly page and `Retry-After`, and `/readyz` fails; once it is restored
//! the same process recovers without a restart.

mod support;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::fixture::{CAP, CAP_COMPLETE, PATH};
use support::{TestApp, PW};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// Forwards connections to the database until cut; while cut, it drops
/// every open connection and closes new ones as soon as they arrive, as a
/// failed database host or a broken network path would.
struct Proxy {
    addr: SocketAddr,
    cut: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Proxy {
    async fn start(upstream: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let cut = Arc::new(AtomicBool::new(false));
        let open: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let (cut2, open2) = (cut.clone(), open.clone());
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if cut2.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                let task = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                open2.lock().unwrap().push(task);
            }
        });
        Proxy { addr, cut, open }
    }

    fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
        for task in self.open.lock().unwrap().drain(..) {
            task.abort();
        }
    }

    fn restore(&self) {
        self.cut.store(false, Ordering::SeqCst);
    }
}

/// The test database's URL, and the same database reached through a proxy.
async fn database_behind_proxy() -> (String, Proxy) {
    let direct = devpath_store::testing::fresh_postgres_database()
        .await
        .expect("PostgreSQL test server (scripts/test starts it)");
    let host_port = direct
        .split_once('@')
        .and_then(|(_, rest)| rest.split_once('/'))
        .map(|(hp, _)| hp.to_string())
        .expect("URL of the form postgres://user@host:port/db");
    let upstream = tokio::net::lookup_host(&host_port)
        .await
        .unwrap()
        .next()
        .unwrap();
    let proxy = Proxy::start(upstream).await;
    let via_proxy = direct.replacen(&host_port, &proxy.addr.to_string(), 1);
    (via_proxy, proxy)
}

async fn status(app: &TestApp, path: &str) -> u16 {
    app.get(path).await.status().as_u16()
}

#[tokio::test]
async fn postgres_outage_gives_503_and_recovers_without_restart() {
    let (url, proxy) = database_behind_proxy().await;
    let app = TestApp::builder().database(&url).spawn().await;
    let learner = TestApp::builder().database(&url).spawn().await;
    assert_eq!(learner.signup("outage@example.com", PW).await.status(), 303);
    assert_eq!(learner.post_form("/trial/start", &[]).await.status(), 303);
    assert_eq!(status(&learner, "/dashboard").await, 200);
    assert_eq!(status(&app, "/readyz").await, 200);

    proxy.cut();

    // Anonymous pages are rendered once at start-up: they need no database.
    for path in ["/", PATH, CAP, "/healthz"] {
        assert_eq!(status(&app, path).await, 200, "{path} during the outage");
    }
    // Pages that need the database: a clear 503, never a 500, and quickly
    // (the pool's acquire timeout bounds the wait).
    let started = Instant::now();
    let dashboard = learner.get("/dashboard").await;
    let waited = started.elapsed();
    assert_eq!(dashboard.status(), 503, "signed-in page during the outage");
    assert!(dashboard.headers().contains_key("retry-after"));
    let body = dashboard.text().await.unwrap();
    assert!(body.contains("try again"), "friendly page: {body}");
    assert!(waited < Duration::from_secs(10), "answered in {waited:?}");

    let signin = app.signin("outage@example.com", PW).await;
    assert_eq!(signin.status(), 503, "sign-in during the outage");
    assert!(signin.headers().contains_key("retry-after"));
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 503);
    assert!(ready.text().await.unwrap().contains("unreachable"));

    proxy.restore();
    let restored = Instant::now();
    let mut recovered = None;
    while restored.elapsed() < Duration::from_secs(30) {
        if status(&app, "/readyz").await == 200 && status(&learner, "/dashboard").await == 200 {
            recovered = Some(restored.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let recovered = recovered.expect("recovered within 30 s of the database returning");
    println!("recovered {recovered:?} after the database returned (503 answered in {waited:?})");

    // The session and trial written before the outage survived, and writes
    // work again.
    let r = learner.post_form(CAP_COMPLETE, &[]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(app.signin("outage@example.com", PW).await.status(), 303);
}
