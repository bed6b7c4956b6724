use super::check::logs_match;
use super::*;
use crate::net::Fault;
use crate::rng::Rng;

fn spec(params: &[(&str, &str)], seed: u64, actions: &[&str]) -> RunSpec {
    RunSpec {
        lab: "raft".into(),
        seed,
        params: params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        actions: actions.iter().map(|a| a.parse().unwrap()).collect(),
        steps: None,
    }
}

fn scenario(title: &str) -> RunSpec {
    let s = info()
        .scenarios
        .into_iter()
        .find(|s| s.title == title)
        .unwrap();
    spec(&s.params, s.seed, &s.actions)
}

fn last_state(frames: &[Frame]) -> &serde_json::Value {
    &frames.last().unwrap().state
}

/// A node's state machine: the explicit list when the lab sends one (only
/// after a violation), else its log's values up to last_applied.
fn applied(node: &serde_json::Value) -> serde_json::Value {
    if let Some(a) = node.get("applied") {
        return a.clone();
    }
    let n = node["last_applied"].as_u64().unwrap() as usize;
    node["log"].as_array().unwrap()[..n]
        .iter()
        .map(|e| e[1].clone())
        .collect()
}

fn all_invariants_hold(frames: &[Frame]) {
    for f in frames {
        let inv = &f.state["invariants"];
        for k in [
            "election_safety",
            "log_matching",
            "leader_completeness",
            "state_machine_safety",
        ] {
            assert_eq!(
                inv[k], true,
                "step {} {}: {k} broken: {}",
                f.step, f.explain, f.state["violations"]
            );
        }
    }
}

#[test]
fn default_run_elects_one_leader() {
    let frames = run(&spec(&[], 42, &[])).unwrap();
    assert_eq!(frames.len(), DEFAULT_STEPS);
    all_invariants_hold(&frames);
    assert!(frames
        .iter()
        .any(|f| f.explain.contains("won the election for term")));
    let last = last_state(&frames);
    assert!(last["leader"].is_string());
    assert_eq!(last["nodes"].as_array().unwrap().len(), 5);
    assert!(frames[0].explain.contains("start as followers"));
}

#[test]
fn frames_have_the_documented_shape() {
    let frames = run(&scenario("Crash the leader")).unwrap();
    let s = &frames[frames.len() / 2].state;
    for k in [
        "nodes",
        "messages",
        "net",
        "leader",
        "term",
        "committed",
        "invariants",
        "violations",
    ] {
        assert!(s.get(k).is_some(), "missing {k}");
    }
    // Keys every node has; leaders add next_index and match_index.
    let leader = s["leader"].as_str().unwrap();
    for n in s["nodes"].as_array().unwrap() {
        for k in [
            "id",
            "alive",
            "role",
            "term",
            "voted_for",
            "log",
            "commit_index",
            "last_applied",
            "election_deadline",
            "leader",
        ] {
            assert!(n.get(k).is_some(), "node missing {k}: {n}");
        }
        let is_leader = n["id"] == leader;
        assert_eq!(n.get("next_index").is_some(), is_leader, "{n}");
        assert_eq!(n.get("match_index").is_some(), is_leader, "{n}");
        assert!(
            n.get("applied").is_none(),
            "applied only appears on divergence"
        );
    }
    let messages: Vec<&serde_json::Value> = frames
        .iter()
        .flat_map(|f| f.state["messages"].as_array().unwrap())
        .collect();
    for m in &messages {
        for k in [
            "id",
            "from",
            "to",
            "kind",
            "term",
            "send_time",
            "deliver_time",
            "summary",
        ] {
            assert!(m.get(k).is_some(), "message missing {k}: {m}");
        }
        let kind = m["kind"].as_str().unwrap();
        assert_eq!(m.get("entries").is_some(), kind == "AppendEntries", "{m}");
        assert_eq!(m.get("ok").is_some(), kind.ends_with("Reply"), "{m}");
    }
    assert!(messages.iter().any(|m| m["kind"] == "RequestVote"));
    // Log entries are [term, value] pairs.
    let last = last_state(&frames);
    assert_eq!(last["nodes"][1]["log"][0], serde_json::json!([1, "a"]));
    for k in ["blocked", "latency", "loss", "drop_next"] {
        assert!(s["net"].get(k).is_some(), "net missing {k}");
    }
}

#[test]
fn crash_the_leader_scenario() {
    let frames = run(&scenario("Crash the leader")).unwrap();
    all_invariants_hold(&frames);
    let text: Vec<&str> = frames.iter().map(|f| f.explain.as_str()).collect();
    assert!(
        text.iter()
            .any(|t| t.starts_with("n1 won the election for term 1")),
        "{text:#?}"
    );
    assert!(text
        .iter()
        .any(|t| t.starts_with("n1 crashes (it was the leader)")));
    let last = last_state(&frames);
    assert_eq!(last["committed"], serde_json::json!(["a", "b"]));
    // n1 came back and caught up.
    assert_eq!(
        applied(&last["nodes"][0]),
        serde_json::json!(["a", "b"]),
        "{}",
        last["nodes"][0]
    );
    assert_ne!(last["leader"], "n1");
}

#[test]
fn minority_leader_cannot_commit() {
    let frames = run(&scenario("Partition the leader into a minority")).unwrap();
    all_invariants_hold(&frames);
    let last = last_state(&frames);
    assert_eq!(last["committed"], serde_json::json!(["a", "b"]));
    for node in last["nodes"].as_array().unwrap() {
        assert_eq!(applied(node), serde_json::json!(["a", "b"]), "{node}");
    }
    assert!(frames
        .iter()
        .any(|f| f.explain.contains("deletes its conflicting entries")));
}

#[test]
fn restarted_follower_catches_up() {
    let frames = run(&scenario("Client writes then a follower crash")).unwrap();
    all_invariants_hold(&frames);
    let last = last_state(&frames);
    assert_eq!(
        applied(&last["nodes"][3]),
        serde_json::json!(["a", "b", "c", "d"])
    );
    assert!(frames
        .iter()
        .any(|f| f.explain.contains("backs up and resends")));
}

#[test]
fn deaf_server_drives_terms_up() {
    let frames = run(&scenario("A deaf server disrupts the cluster")).unwrap();
    all_invariants_hold(&frames);
    let last = last_state(&frames);
    assert!(last["term"].as_u64().unwrap() >= 4, "{}", last["term"]);
    assert!(
        frames
            .iter()
            .filter(|f| f.explain.contains("sees term") && f.explain.contains("steps down"))
            .count()
            >= 3
    );
    assert!(last["leader"].is_string());
}

#[test]
fn the_broken_vote_is_caught_by_the_checker() {
    let frames = run(&scenario("Break it: vote without the log check")).unwrap();
    let last = last_state(&frames);
    assert_eq!(
        last["invariants"]["leader_completeness"], false,
        "{}",
        last["violations"]
    );
    assert_eq!(
        last["invariants"]["state_machine_safety"], false,
        "{}",
        last["violations"]
    );
    assert!(frames
        .iter()
        .any(|f| f.explain.contains("SAFETY VIOLATED: leader completeness")));
    // n2 applied `x` at index 1, then its log was overwritten with `y`: the
    // frame spells out its state machine because it no longer follows the log.
    assert_eq!(
        last["nodes"][1]["applied"],
        serde_json::json!(["x"]),
        "{}",
        last["nodes"][1]
    );
    assert_eq!(last["nodes"][1]["log"][0], serde_json::json!([3, "y"]));
    // The same schedule with Raft intact is safe.
    let mut fixed = scenario("Break it: vote without the log check");
    fixed.params.insert("bug".into(), "none".into());
    let frames = run(&fixed).unwrap();
    all_invariants_hold(&frames);
    assert_eq!(
        last_state(&frames)["committed"],
        serde_json::json!(["x", "y"])
    );
}

#[test]
fn rejects_bad_params_and_actions() {
    let e = run(&spec(
        &[("election_min_ms", "400"), ("election_max_ms", "300")],
        1,
        &[],
    ))
    .unwrap_err();
    assert!(
        matches!(e, LabError::BadParam { ref name, .. } if name == "election_max_ms"),
        "{e:?}"
    );
    let e = run(&spec(&[("heartbeat_ms", "50.5")], 1, &[])).unwrap_err();
    assert!(matches!(e, LabError::BadParam { .. }), "{e:?}");
    let e = run(&spec(&[("nodes", "3")], 1, &["100:crash:n4"])).unwrap_err();
    assert!(
        matches!(e, LabError::BadAction(ref m) if m.contains("100:crash:n4") && m.contains("n1..n3")),
        "{e:?}"
    );
}

#[test]
fn simulate_without_frames_matches_the_framed_run() {
    let s = scenario("Partition the leader into a minority");
    let limits = |capture| Limits {
        capture,
        max_events: 800,
        until: u64::MAX,
    };
    let a = simulate(&s, limits(true)).unwrap();
    let b = simulate(&s, limits(false)).unwrap();
    assert_eq!(a.frames.len(), 800);
    assert!(b.frames.is_empty());
    assert_eq!(
        (a.events, a.end_time, &a.committed),
        (b.events, b.end_time, &b.committed)
    );
    assert_eq!(a.frames.last().unwrap().time, b.end_time);
}

/// Random schedules driven straight through the simulator, checking log
/// matching the slow way after every event to confirm that the incremental
/// check in `check.rs` sees what a full scan sees.
#[test]
fn incremental_log_matching_agrees_with_a_full_scan() {
    for seed in 0..40u64 {
        let mut r = Rng::new(seed);
        let n = 3 + r.below(3) as usize;
        let mut actions = Vec::new();
        for k in 0..25 {
            let at = r.below(3000);
            let a = r.below(n as u64) as u8;
            let b = ((a as u64 + 1 + r.below(n as u64 - 1)) % n as u64) as u8;
            let f = match r.below(7) {
                0 => Fault::Crash(crate::net::Target::Node(a)),
                1 => Fault::Restart(a),
                2 => Fault::Partition(vec![vec![a]]),
                3 => Fault::Heal,
                4 => Fault::Drop(a, b),
                5 => Fault::Timeout(a),
                _ => Fault::Request(format!("v{k}"), None),
            };
            actions.push((at, f));
        }
        let cfg = Config {
            nodes: n,
            election: (150, 300),
            heartbeat: 50,
            delay: (5, 15),
            loss: 5,
            skip_up_to_date_check: seed % 4 == 0,
        };
        let mut sim = Sim::new(cfg, seed, actions);
        while sim.now < 4000 {
            if sim.step().is_none() {
                break;
            }
            assert_eq!(
                logs_match(&sim.nodes),
                sim.check.ok.log_matching,
                "seed {seed} at {}",
                sim.now
            );
            assert!(logs_match(&sim.nodes), "seed {seed}");
        }
    }
}
