//! Handling time of `POST /api/labs/run` for ~1,000-event Raft runs, through
//! the router (`tower::ServiceExt::oneshot`, no network): JSON parsing,
//! validation, the simulation on the blocking pool, serialization.
//! Target: under 20 ms. `cargo bench -p devpath-web --bench lab_api`

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::json;
use tower::ServiceExt;

/// The first guided scenario ("Crash the leader"), cut at 1,000 events:
/// the same spec as the labs crate's `raft/run_1000_frames_scenario`.
fn scenario_body() -> String {
    let lab = devpath_labs::lab("raft").unwrap();
    let s = &lab.scenarios[0];
    let params: serde_json::Map<String, serde_json::Value> = s
        .params
        .iter()
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect();
    let actions: Vec<devpath_labs::Action> = s.actions.iter().map(|a| a.parse().unwrap()).collect();
    json!({"lab": "raft", "seed": s.seed, "params": params, "actions": actions, "steps": 1000})
        .to_string()
}

/// A busy run (60 client writes, a leader crash, restarts, a partition),
/// 1,000 events: the same spec as the labs crate's `raft/run_1000_frames_busy`.
fn busy_body() -> String {
    let mut actions: Vec<String> = (0..60)
        .map(|i| format!("{}:request:v{i}", 300 + i * 150))
        .collect();
    actions.extend(
        [
            "2000:crash:leader",
            "3000:restart:n1",
            "3000:restart:n2",
            "3000:restart:n3",
            "3000:restart:n4",
            "3000:restart:n5",
            "4000:partition:n1,n2|n3,n4,n5",
            "6000:heal",
        ]
        .map(String::from),
    );
    let actions: Vec<devpath_labs::Action> = actions.iter().map(|a| a.parse().unwrap()).collect();
    json!({"lab": "raft", "seed": 7, "params": {"nodes": "5"}, "actions": actions, "steps": 1000})
        .to_string()
}

fn request(body: &str) -> Request<Body> {
    Request::post("/api/labs/run")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let app = devpath_web::labs_api::<()>();
    let mut group = c.benchmark_group("lab_api");
    group.sample_size(30);
    for (name, body) in [
        ("raft_1000_scenario", scenario_body()),
        ("raft_1000_busy", busy_body()),
    ] {
        // Sanity: it answers 200 with 1,000 frames.
        let res = rt.block_on(app.clone().oneshot(request(&body))).unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        group.bench_function(name, |b| {
            b.iter(|| {
                rt.block_on(async {
                    let res = app.clone().oneshot(request(&body)).await.unwrap();
                    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
                        .await
                        .unwrap();
                    assert!(bytes.len() > 1000);
                    bytes
                })
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
