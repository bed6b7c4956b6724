//! Random fault schedules against the Raft lab: every safety invariant must
//! hold after every event, and once the faults stop the cluster must elect a
//! leader and commit a new write.

use devpath_labs::{raft_simulate, run, Action, RaftLimits, RunSpec};
use proptest::prelude::*;
use std::collections::BTreeMap;

/// One random fault before encoding: a kind and raw numbers that are mapped
/// onto the cluster's size when the schedule is built.
type RawFault = (u64, u8, usize, usize, u64);

fn raw_faults(max_at: u64, max_len: usize) -> impl Strategy<Value = Vec<RawFault>> {
    prop::collection::vec(
        (0..max_at, 0u8..10, 0usize..7, 0usize..7, 0u64..=100),
        0..max_len,
    )
}

fn node(i: usize) -> String {
    format!("n{}", i + 1)
}

/// Turns raw numbers into `t:kind:args` actions for `n` nodes.
fn encode(n: usize, raw: &[RawFault]) -> Vec<String> {
    raw.iter()
        .enumerate()
        .map(|(k, &(at, kind, a, b, x))| {
            let a = a % n;
            let b = (a + 1 + b % (n - 1)) % n;
            let body = match kind {
                0 if x < 20 => "crash:leader".to_string(),
                0 => format!("crash:{}", node(a)),
                1 => format!("restart:{}", node(a)),
                2 => {
                    // Bits of x pick one side; the rest form the other.
                    let side: Vec<String> =
                        (0..n).filter(|i| (x >> i) & 1 == 1).map(node).collect();
                    if side.is_empty() || side.len() == n {
                        format!("partition:{}", node(a))
                    } else {
                        format!("partition:{}", side.join(","))
                    }
                }
                3 => format!("partition-oneway:{}:{}", node(a), node(b)),
                4 => "heal".to_string(),
                5 => format!("drop:{}:{}", node(a), node(b)),
                6 => format!("latency:{}:{}:{}", node(a), node(b), x * 5),
                7 => format!("loss:{}:{}:{x}", node(a), node(b)),
                8 if x < 30 => format!("request:v{k}:{}", node(b)),
                8 => format!("request:v{k}"),
                _ => format!("timeout:{}", node(a)),
            };
            format!("{at}:{body}")
        })
        .collect()
}

fn spec(seed: u64, n: usize, loss: u8, actions: &[String]) -> RunSpec {
    let mut params = BTreeMap::new();
    params.insert("nodes".to_string(), n.to_string());
    params.insert("loss_percent".to_string(), loss.to_string());
    RunSpec {
        lab: "raft".into(),
        seed,
        params,
        actions: actions
            .iter()
            .map(|a| a.parse::<Action>().unwrap())
            .collect(),
        steps: None,
    }
}

/// After `at`, everything is repaired: links healed and reset, every node up.
fn repair(n: usize, at: u64) -> Vec<String> {
    let mut out = vec![format!("{at}:heal")];
    for i in 0..n {
        out.push(format!("{at}:restart:{}", node(i)));
        for j in i + 1..n {
            out.push(format!("{at}:latency:{}:{}:0", node(i), node(j)));
            out.push(format!("{at}:loss:{}:{}:0", node(i), node(j)));
        }
    }
    out
}

const FAULTS_UNTIL: u64 = 2_000;
const WRITE_AT: u64 = 4_500;
const END: u64 = 6_500;

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, max_shrink_iters: 2000, ..ProptestConfig::default() })]

    /// Thousands of schedules without frames (fast): the simulator checks
    /// the invariants after every event and reports any violation. Lossless
    /// schedules must also recover once repaired.
    #[test]
    fn invariants_hold_and_a_repaired_cluster_commits(
        seed in any::<u64>(),
        n in 3usize..=7,
        loss in prop_oneof![Just(0u8), Just(0), Just(10), Just(25)],
        raw in raw_faults(FAULTS_UNTIL, 30),
    ) {
        let mut actions = encode(n, &raw);
        actions.extend(repair(n, FAULTS_UNTIL));
        actions.push(format!("{WRITE_AT}:request:final"));
        let limits = RaftLimits { capture: false, max_events: 1_000_000, until: END };
        let out = raft_simulate(&spec(seed, n, loss, &actions), limits).unwrap();
        prop_assert!(out.violations.is_empty(), "violations: {:?}", out.violations);
        prop_assert!(out.end_time <= END);
        if loss == 0 {
            prop_assert!(out.leader.is_some(), "no leader {} ms after the repair", END - FAULTS_UNTIL);
            prop_assert!(out.committed.iter().any(|v| v == "final"), "write not committed: {:?}", out.committed);
        }
    }
}

/// A node's state machine: the explicit `applied` list when the frame has
/// one (only after a violation), else its log's values up to last_applied.
fn applied(node: &serde_json::Value) -> Vec<String> {
    let text = |v: &serde_json::Value| v.as_str().unwrap().to_string();
    match node.get("applied") {
        Some(a) => a.as_array().unwrap().iter().map(text).collect(),
        None => {
            let n = node["last_applied"].as_u64().unwrap() as usize;
            node["log"].as_array().unwrap()[..n]
                .iter()
                .map(|e| text(&e[1]))
                .collect()
        }
    }
}

/// Checks a frame's state from the outside, without trusting the lab's own
/// checker: logs match pairwise, applied values agree, and no term has two
/// leaders across the whole run.
fn check_frame(
    state: &serde_json::Value,
    leaders: &mut BTreeMap<u64, String>,
) -> Result<(), String> {
    let inv = &state["invariants"];
    for k in [
        "election_safety",
        "log_matching",
        "leader_completeness",
        "state_machine_safety",
    ] {
        if inv[k] != true {
            return Err(format!("{k} is false: {}", state["violations"]));
        }
    }
    let nodes = state["nodes"].as_array().ok_or("no nodes")?;
    let log = |n: &serde_json::Value| -> Vec<(u64, String)> {
        n["log"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e[0].as_u64().unwrap(), e[1].as_str().unwrap().to_string()))
            .collect()
    };
    for a in nodes {
        if a["role"] == "leader" && a["alive"] == true {
            let term = a["term"].as_u64().unwrap();
            let id = a["id"].as_str().unwrap().to_string();
            if let Some(other) = leaders.insert(term, id.clone()) {
                if other != id {
                    return Err(format!("{other} and {id} both lead term {term}"));
                }
            }
        }
        let (la, aa) = (log(a), applied(a));
        for b in nodes {
            let (lb, ab) = (log(b), applied(b));
            for k in 0..la.len().min(lb.len()) {
                if la[k].0 == lb[k].0 && la[..=k] != lb[..=k] {
                    return Err(format!(
                        "logs of {} and {} differ before index {}",
                        a["id"],
                        b["id"],
                        k + 1
                    ));
                }
            }
            if aa.iter().zip(&ab).any(|(x, y)| x != y) {
                return Err(format!(
                    "{} and {} applied different values",
                    a["id"], b["id"]
                ));
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 100, max_shrink_iters: 200, ..ProptestConfig::default() })]

    /// Fewer schedules through the public facade, reading every frame.
    #[test]
    fn every_frame_reports_and_shows_safety(
        seed in any::<u64>(),
        n in 3usize..=7,
        loss in prop_oneof![Just(0u8), Just(15)],
        raw in raw_faults(1_500, 25),
    ) {
        let mut s = spec(seed, n, loss, &encode(n, &raw));
        s.steps = Some(1_200);
        let r = run(&s).unwrap();
        prop_assert!(!r.frames.is_empty());
        let mut leaders = BTreeMap::new();
        for f in &r.frames {
            if let Err(e) = check_frame(&f.state, &mut leaders) {
                prop_assert!(false, "step {} ({}): {e}", f.step, f.explain);
            }
        }
    }
}

#[test]
fn malformed_fault_actions_are_rejected_by_name() {
    for bad in [
        "10:crash:n9",
        "10:partition:n1|n1",
        "10:partition-oneway:n1",
        "10:latency:n1:n2:-5",
        "10:loss:n1:n2:200",
        "10:drop:n1:n1",
        "10:request:a b",
        "10:timeout",
    ] {
        let e = run(&spec(1, 5, 0, &[bad.to_string()])).unwrap_err();
        let msg = e.to_string();
        let kind = bad.split(':').nth(1).unwrap();
        assert!(
            msg.starts_with("bad action: ") && msg.contains(kind),
            "{bad}: {msg}"
        );
    }
}
