//! Bounds on connections: header size (431), header-read timeout, and the
//! connection cap.

mod support;

use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Seen failing before: a 40 KB header got 200 (hyper's default buffer
/// takes about 400 KB).
#[tokio::test]
async fn oversized_headers_get_431() {
    let app = support::spawn_app().await;
    let ok = app
        .client
        .get(app.url("/healthz"))
        .header("x-filler", "a".repeat(16_000))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    let big = app
        .client
        .get(app.url("/healthz"))
        .header("x-filler", "a".repeat(40_000))
        .send()
        .await
        .unwrap();
    assert_eq!(big.status(), 431);
}

/// Reads until the server closes the connection; how long that took.
async fn time_to_close(mut stream: TcpStream, trickle: bool) -> Duration {
    let started = Instant::now();
    let mut buf = [0u8; 1024];
    if trickle {
        stream
            .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n")
            .await
            .unwrap();
        // A byte every 500 ms never completes the headers.
        loop {
            tokio::select! {
                r = stream.read(&mut buf) => match r {
                    Ok(0) | Err(_) => break,
                    Ok(_) => continue,
                },
                _ = tokio::time::sleep(Duration::from_millis(500)) => {
                    if stream.write_all(b"X").await.is_err() {
                        break;
                    }
                }
            }
            assert!(started.elapsed() < Duration::from_secs(30), "never closed");
        }
    } else {
        let r = tokio::time::timeout(Duration::from_secs(30), stream.read(&mut buf)).await;
        assert!(r.is_ok(), "never closed");
    }
    started.elapsed()
}

/// Seen failing before: both connections stayed open (30 s guard).
#[tokio::test]
async fn idle_and_trickling_connections_are_closed_after_10_s() {
    let app = support::spawn_app().await;
    let idle = TcpStream::connect(app.addr).await.unwrap();
    let slow = TcpStream::connect(app.addr).await.unwrap();
    let (idle, slow) = tokio::join!(time_to_close(idle, false), time_to_close(slow, true));
    eprintln!("idle closed after {idle:?}, trickling after {slow:?}");
    for t in [idle, slow] {
        assert!(
            t >= Duration::from_secs(9) && t < Duration::from_secs(15),
            "{t:?}"
        );
    }
}

/// With at most two connections, a third waits until one goes; it is
/// served, not refused.
#[tokio::test]
async fn connections_beyond_the_cap_wait() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let store = devpath_store::connect("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    let state = devpath_web::AppState::new(support::catalog(), store, Default::default()).unwrap();
    let limits = devpath_web::server::Limits {
        header_timeout: Duration::from_secs(2),
        max_connections: 2,
    };
    tokio::spawn(devpath_web::server::serve(
        listener,
        devpath_web::app(state),
        limits,
        std::future::pending(),
    ));
    let _a = TcpStream::connect(addr).await.unwrap();
    let _b = TcpStream::connect(addr).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let client = reqwest::Client::new();
    let url = format!("http://{addr}/healthz");
    let early = client
        .get(&url)
        .timeout(Duration::from_millis(800))
        .send()
        .await;
    assert!(early.is_err(), "served beyond the cap: {early:?}");
    // The idle two time out after 2 s, and the next request is served.
    let later = client
        .get(&url)
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .unwrap();
    assert_eq!(later.status(), 200);
}
