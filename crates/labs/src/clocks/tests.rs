use super::*;

fn spec(n: usize, actions: &[&str]) -> RunSpec {
    RunSpec {
        lab: "clocks".into(),
        seed: 1,
        params: [("processes", n.to_string()), ("traffic", "0".to_string())]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
        actions: actions.iter().map(|a| a.parse().unwrap()).collect(),
        steps: None,
    }
}

fn stamps(frames: &[Frame]) -> Vec<(String, u64, Vec<u64>)> {
    let last = &frames.last().unwrap().state;
    last["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["id"].as_str().unwrap().to_string(),
                e["lamport"].as_u64().unwrap(),
                e["vector"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_u64().unwrap())
                    .collect(),
            )
        })
        .collect()
}

#[test]
fn clock_rules_match_a_hand_computed_example() {
    // p1: a(local) b(send m1 -> p2)            p2: c(local) d(recv m1) e(send m2 -> p3)
    // p3: f(local) g(recv m2)
    let frames = run(&spec(
        3,
        &[
            "0:local:p1",
            "5:local:p2",
            "6:local:p3",
            "10:send:p1:p2:10",
            "30:send:p2:p3:10",
        ],
    ))
    .unwrap();
    let got = stamps(&frames);
    let want: Vec<(String, u64, Vec<u64>)> = vec![
        ("p1.1", 1, vec![1, 0, 0]),
        ("p2.1", 1, vec![0, 1, 0]),
        ("p3.1", 1, vec![0, 0, 1]),
        ("p1.2", 2, vec![2, 0, 0]),
        // max(1, 2) + 1 = 3; max([0,1,0], [2,0,0]) = [2,1,0], own + 1 -> [2,2,0]
        ("p2.2", 3, vec![2, 2, 0]),
        ("p2.3", 4, vec![2, 3, 0]),
        // max(1, 4) + 1 = 5; max([0,0,1], [2,3,0]) = [2,3,1], own + 1 -> [2,3,2]
        ("p3.2", 5, vec![2, 3, 2]),
    ]
    .into_iter()
    .map(|(a, b, c)| (a.to_string(), b, c))
    .collect();
    assert_eq!(got, want);
    let last = &frames.last().unwrap().state;
    assert_eq!(last["messages"][0]["receive_event"], "p2.2");
    assert_eq!(last["messages"][1]["send_event"], "p2.3");
    assert_eq!(last["processes"][2]["lamport"], 5);
}

#[test]
fn happened_before_relation() {
    use CausalOrder::*;
    assert_eq!(causal_order(&[1, 0, 0], &[2, 2, 0]), Before);
    assert_eq!(causal_order(&[2, 2, 0], &[1, 0, 0]), After);
    assert_eq!(causal_order(&[1, 0, 0], &[0, 0, 1]), Concurrent);
    assert_eq!(causal_order(&[2, 3, 0], &[2, 3, 0]), Same);
    assert_eq!(causal_order(&[2, 1], &[1, 2]), Concurrent);
    assert_eq!(causal_order(&[1], &[1, 1]), Before);
}

#[test]
fn queries_answer_from_vector_clocks() {
    let frames = run(&spec(
        3,
        &[
            "0:local:p1",
            "5:local:p2",
            "10:send:p1:p2:10",
            "100:query:p1.1:p2.2",
            "101:query:p2.2:p1.1",
            "102:query:p2.1:p1.2",
            "103:query:p1.1:p3.4",
        ],
    ))
    .unwrap();
    let q: Vec<_> = frames
        .iter()
        .filter_map(|f| f.state["query"].as_object())
        .collect();
    let rel: Vec<_> = frames[frames.len() - 4..]
        .iter()
        .map(|f| f.state["query"]["relation"].clone())
        .collect();
    assert!(!q.is_empty());
    assert_eq!(
        rel,
        vec![
            serde_json::json!("before"),
            "after".into(),
            "concurrent".into(),
            serde_json::Value::Null
        ]
    );
    let explain: Vec<_> = frames[frames.len() - 4..]
        .iter()
        .map(|f| f.explain.as_str())
        .collect();
    assert!(
        explain[0].contains("p1.1 happened before p2.2"),
        "{}",
        explain[0]
    );
    assert!(
        explain[1].contains("p1.1 happened before p2.2"),
        "{}",
        explain[1]
    );
    // Lamport 1 vs 2 looks ordered, but the vectors are not.
    assert!(
        explain[2].contains("concurrent") && explain[2].contains("Lamport 1 vs 2"),
        "{}",
        explain[2]
    );
    assert!(
        explain[3].contains("p3.4 has not happened"),
        "{}",
        explain[3]
    );
}

#[test]
fn rejects_malformed_actions_naming_them() {
    for (a, needle) in [
        ("0:local:p4", "p4"),
        ("0:local", "local:P"),
        ("0:send:p1:p1", "itself"),
        ("0:send:p1:p2:0", "MS"),
        ("0:query:p1.0:p2.1", "starts at 1"),
        ("0:query:p1:p2.1", "event id"),
    ] {
        let e = run(&spec(3, &[a])).unwrap_err();
        let LabError::BadAction(m) = e else {
            panic!("{a}: {e:?}")
        };
        assert!(m.contains(a) && m.contains(needle), "{a}: {m}");
    }
}

#[test]
fn random_traffic_fills_the_diagram() {
    let mut s = spec(4, &[]);
    s.params.insert("traffic".into(), "20".into());
    let frames = run(&s).unwrap();
    let last = &frames.last().unwrap().state;
    let events = last["events"].as_array().unwrap().len();
    let sends = last["messages"].as_array().unwrap().len();
    // Every random send is received: 20 random events plus one receive per send.
    assert_eq!(events, 20 + sends);
    assert_eq!(frames.len(), 1 + events);
}
