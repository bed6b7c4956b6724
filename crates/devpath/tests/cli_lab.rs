//! `devpath lab ...` in a real process: its JSON is byte-identical to the
//! library's run (and so to what `POST /api/labs/run` returns).

use devpath_labs::{Action, RunSpec};
use std::process::Command;

fn devpath(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_devpath"))
        .args(args)
        .output()
        .expect("run devpath")
}

#[test]
fn lab_list_shows_all_six_labs() {
    let out = devpath(&["lab", "list"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for lab in devpath_labs::labs() {
        assert!(
            text.lines().any(|l| l.starts_with(&lab.slug)),
            "`{}` missing from:\n{text}",
            lab.slug
        );
        assert!(text.contains(lab.title));
    }
    assert_eq!(devpath_labs::labs().len(), 6);
}

/// `devpath lab run ... | head -c 16`: the reader closes the pipe early.
/// The command must stop quietly, not panic with "failed printing to stdout".
#[test]
fn lab_output_stops_quietly_on_a_closed_pipe() {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_devpath"))
        .args(["lab", "run", "raft", "--seed", "1", "--steps", "20000"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run devpath");
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 16];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
}

#[test]
fn lab_run_json_matches_the_library() {
    let cases: &[(&str, u64, &[&str], &[&str])] = &[
        (
            "raft",
            7,
            &["nodes=5", "loss_percent=5"],
            &[
                "800:crash:leader",
                "1200:request:x1",
                "1500:partition:n1,n2",
            ],
        ),
        (
            "clocks",
            3,
            &["processes=4"],
            &["50:send:p1:p2", "90:local:p3"],
        ),
        (
            "consistent-hashing",
            1,
            &["nodes=3"],
            &["1:add-node", "2:add-keys:50"],
        ),
        ("rate-limiting", 2, &["pattern=steady"], &["1000:burst:30"]),
        (
            "circuit-breaker",
            4,
            &[],
            &["2000:failure-rate:100", "6000:failure-rate:0"],
        ),
        ("sketches", 5, &["p=8"], &["1:insert:apple", "2:query:pear"]),
    ];
    for (lab, seed, params, actions) in cases {
        let seed_s = seed.to_string();
        let mut args = vec!["lab", "run", lab, "--seed", &seed_s, "--json"];
        for p in *params {
            args.extend(["--param", p]);
        }
        for a in *actions {
            args.extend(["--action", a]);
        }
        let out = devpath(&args);
        assert!(
            out.status.success(),
            "{lab}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let spec = RunSpec {
            lab: lab.to_string(),
            seed: *seed,
            params: params
                .iter()
                .map(|p| {
                    let (k, v) = p.split_once('=').unwrap();
                    (k.to_string(), v.to_string())
                })
                .collect(),
            actions: actions
                .iter()
                .map(|a| a.parse::<Action>().unwrap())
                .collect(),
            steps: None,
        };
        let expected = serde_json::to_string(&devpath_labs::run(&spec).unwrap()).unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert_eq!(stdout.trim_end_matches('\n'), expected, "{lab}");
    }
}

#[test]
fn bad_action_fails_with_a_clear_message() {
    let out = devpath(&["lab", "run", "raft", "--action", "100:explode:n1"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("`explode` is not an action of lab `raft`"),
        "stderr: {err}"
    );

    let out = devpath(&["lab", "run", "raft", "--action", "soon:crash:n1"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("soon:crash:n1"), "stderr: {err}");

    let out = devpath(&["lab", "run", "nope"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown lab `nope`"));
}
