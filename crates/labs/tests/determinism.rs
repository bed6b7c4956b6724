//! A run is a pure function of its spec: the same spec, run twice, gives
//! byte-identical JSON, for every lab and every guided scenario.

use devpath_labs::{labs, run, Action, LabInfo, RunSpec, Scenario};

fn scenario_spec(lab: &LabInfo, s: &Scenario) -> RunSpec {
    RunSpec {
        lab: lab.slug.clone(),
        seed: s.seed,
        params: s
            .params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        actions: s
            .actions
            .iter()
            .map(|a| {
                a.parse::<Action>()
                    .unwrap_or_else(|e| panic!("{} / {}: bad action `{a}`: {e}", lab.slug, s.title))
            })
            .collect(),
        steps: None,
    }
}

/// The lab's default run plus one per scenario, named for failure messages.
fn specs() -> Vec<(String, RunSpec)> {
    let mut out = Vec::new();
    for lab in labs() {
        out.push((
            format!("{} (defaults)", lab.slug),
            RunSpec {
                lab: lab.slug.clone(),
                seed: 99,
                params: Default::default(),
                actions: vec![],
                steps: None,
            },
        ));
        for s in &lab.scenarios {
            out.push((
                format!("{} / {}", lab.slug, s.title),
                scenario_spec(&lab, s),
            ));
        }
    }
    out
}

#[test]
fn every_lab_and_scenario_is_byte_identical_across_runs() {
    let mut checked = 0;
    for (name, spec) in specs() {
        let a = run(&spec).unwrap_or_else(|e| panic!("{name}: {e}"));
        let b = run(&spec).unwrap_or_else(|e| panic!("{name}: {e}"));
        let (a, b) = (
            serde_json::to_vec(&a).unwrap(),
            serde_json::to_vec(&b).unwrap(),
        );
        assert!(a == b, "{name}: two runs of the same spec differ");
        checked += 1;
    }
    assert!(checked >= labs().len());
}

#[test]
fn a_spec_sent_as_json_runs_the_same() {
    // What the browser does: the spec travels as JSON and comes back.
    for (name, spec) in specs() {
        let wire = serde_json::to_string(&spec).unwrap();
        let back: RunSpec = serde_json::from_str(&wire).unwrap();
        assert_eq!(back, spec, "{name}");
        let (a, b) = (run(&spec).unwrap(), run(&back).unwrap());
        assert!(
            serde_json::to_vec(&a).unwrap() == serde_json::to_vec(&b).unwrap(),
            "{name}"
        );
    }
}

#[test]
fn scenario_actions_print_back_as_written() {
    for lab in labs() {
        for s in &lab.scenarios {
            for a in &s.actions {
                assert_eq!(
                    a.parse::<Action>().unwrap().to_string(),
                    *a,
                    "{} / {}",
                    lab.slug,
                    s.title
                );
            }
        }
    }
}

#[test]
fn timed_labs_depend_on_the_seed() {
    for slug in ["raft", "clocks"] {
        let spec = |seed| RunSpec {
            lab: slug.into(),
            seed,
            params: Default::default(),
            actions: vec![],
            steps: Some(200),
        };
        let (a, b) = (run(&spec(1)).unwrap(), run(&spec(2)).unwrap());
        assert_ne!(
            serde_json::to_vec(&a.frames).unwrap(),
            serde_json::to_vec(&b.frames).unwrap(),
            "{slug}: seeds 1 and 2 gave the same run"
        );
    }
}

#[test]
fn frames_are_numbered_and_time_never_goes_back() {
    for slug in ["raft", "clocks"] {
        let lab = labs().into_iter().find(|l| l.slug == slug).unwrap();
        for s in &lab.scenarios {
            let r = run(&scenario_spec(&lab, s)).unwrap();
            assert!(!r.frames.is_empty(), "{slug} / {}", s.title);
            assert!(r.frames.len() <= lab.default_steps);
            for (i, w) in r.frames.windows(2).enumerate() {
                assert_eq!(w[0].step, i, "{slug} / {}", s.title);
                assert!(
                    w[0].time <= w[1].time,
                    "{slug} / {}: time went back",
                    s.title
                );
                assert!(!w[1].explain.is_empty());
            }
        }
    }
}
