//! Simulation speed. `raft/simulate` counts events per second with frames
//! off (the engine alone); `raft/run` is the facade as the web calls it,
//! building a JSON frame per event.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use devpath_labs::{raft_simulate, run, Action, RaftLimits, RunSpec};

fn raft_spec(steps: Option<usize>) -> RunSpec {
    // A busy but realistic run: steady writes, a leader crash, a partition.
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
    RunSpec {
        lab: "raft".into(),
        seed: 7,
        params: [("nodes".to_string(), "5".to_string())]
            .into_iter()
            .collect(),
        actions: actions
            .iter()
            .map(|a| a.parse::<Action>().unwrap())
            .collect(),
        steps,
    }
}

fn raft(c: &mut Criterion) {
    let spec = raft_spec(None);
    let limits = RaftLimits {
        capture: false,
        max_events: 200_000,
        until: u64::MAX,
    };
    let events = raft_simulate(&spec, limits).unwrap().events as u64;
    let mut g = c.benchmark_group("raft");
    g.throughput(Throughput::Elements(events));
    g.bench_function("simulate_5_nodes_events", |b| {
        b.iter(|| raft_simulate(black_box(&spec), limits).unwrap().events)
    });

    // The facade as the web calls it: a guided scenario, then the busy run.
    let lab = devpath_labs::lab("raft").unwrap();
    let s = &lab.scenarios[0];
    let scenario = RunSpec {
        lab: "raft".into(),
        seed: s.seed,
        params: s
            .params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        actions: s
            .actions
            .iter()
            .map(|a| a.parse::<Action>().unwrap())
            .collect(),
        steps: Some(1_000),
    };
    g.throughput(Throughput::Elements(1_000));
    g.bench_function("run_1000_frames_scenario", |b| {
        b.iter(|| run(black_box(&scenario)).unwrap().frames.len())
    });
    let busy = raft_spec(Some(1_000));
    g.bench_function("run_1000_frames_busy", |b| {
        b.iter(|| run(black_box(&busy)).unwrap().frames.len())
    });
    g.finish();
}

fn clocks(c: &mut Criterion) {
    let spec = RunSpec {
        lab: "clocks".into(),
        seed: 7,
        params: [("traffic".to_string(), "100".to_string())]
            .into_iter()
            .collect(),
        actions: vec![],
        steps: None,
    };
    c.bench_function("clocks/run_traffic_100", |b| {
        b.iter(|| run(black_box(&spec)).unwrap().frames.len())
    });
}

criterion_group!(benches, raft, clocks);
criterion_main!(benches);
