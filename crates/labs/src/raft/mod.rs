//! The Raft lab: leader election and log replication on 3-7 simulated
//! servers, with the learner's faults, and Raft's safety properties checked
//! after every event.

mod check;
mod faults;
mod node;
mod note;
mod sim;
mod view;

use crate::engine::Recorder;
use crate::net::{node_name, parse_fault, FAULT_ACTIONS};
use crate::params::int_param;
use crate::{Frame, Lab, LabError, LabInfo, ParamInfo, RunSpec, Scenario};
use sim::{Config, Sim};

const DEFAULT_STEPS: usize = 600;

/// The Raft lab, as the registry lists it.
pub(crate) struct Raft;

impl Lab for Raft {
    fn info(&self) -> LabInfo {
        info()
    }

    fn run(&self, spec: &RunSpec) -> Result<Vec<Frame>, LabError> {
        run(spec)
    }
}

fn info() -> LabInfo {
    LabInfo {
        slug: "raft".into(),
        title: "Raft consensus",
        summary: "Watch 3-7 Raft servers elect a leader and replicate a log, then crash, partition and slow them down. \
                  Election safety, log matching, leader completeness and state machine safety are checked after every event.",
        params: vec![
            ParamInfo::number("nodes", "Number of servers", "5", 3.0, 7.0),
            ParamInfo::number("election_min_ms", "Shortest election timeout (ms)", "150", 10.0, 10_000.0),
            ParamInfo::number("election_max_ms", "Longest election timeout (ms)", "300", 10.0, 10_000.0),
            ParamInfo::number("heartbeat_ms", "Leader heartbeat interval (ms)", "50", 5.0, 5_000.0),
            ParamInfo::number("delay_min_ms", "Shortest network delay (ms)", "5", 0.0, 5_000.0),
            ParamInfo::number("delay_max_ms", "Longest network delay (ms)", "15", 0.0, 5_000.0),
            ParamInfo::number("loss_percent", "Share of messages lost at random on every link", "0", 0.0, 90.0),
            ParamInfo::choice(
                "bug",
                "Break Raft on purpose to watch an invariant fail",
                "none",
                vec!["none", "skip-up-to-date-check"],
            ),
        ],
        actions: FAULT_ACTIONS.to_vec(),
        default_steps: DEFAULT_STEPS,
        scenarios: scenarios(),
    }
}

fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            title: "Crash the leader",
            description: "n1 is nudged to start the first election and wins. After a write commits, the leader crashes: \
                          the followers stop hearing heartbeats, one times out first and wins a new term, a second write \
                          commits, and n1 comes back as a follower and catches up.",
            params: vec![("nodes", "5")],
            seed: 1,
            actions: vec!["100:timeout:n1", "400:request:a", "800:crash:leader", "1500:request:b", "1900:restart:n1"],
        },
        Scenario {
            title: "Partition the leader into a minority",
            description: "Leader n1 and n2 are cut off from n3-n5. A write sent to n1 is appended but can never reach a \
                          majority; the majority side elects a new leader and commits its own write. When the partition \
                          heals, n1 sees the higher term, steps down, and its uncommitted entry is replaced.",
            params: vec![("nodes", "5")],
            seed: 2,
            actions: vec![
                "100:timeout:n1",
                "400:request:a",
                "600:partition:n1,n2|n3,n4,n5",
                "700:request:lost:n1",
                "1300:request:b",
                "1700:heal",
            ],
        },
        Scenario {
            title: "Client writes then a follower crash",
            description: "n4 is down while three writes commit on the others. Then leader n1 crashes too, and the new \
                          leader starts with next_index for n4 past the end of n4's empty log. When n4 restarts, its \
                          AppendEntries consistency checks fail, the leader backs up next_index and fills n4's log in.",
            params: vec![("nodes", "5")],
            seed: 3,
            actions: vec![
                "100:timeout:n1",
                "300:crash:n4",
                "400:request:a",
                "450:request:b",
                "500:request:c",
                "800:crash:n1",
                "1400:restart:n4",
                "1700:request:d",
            ],
        },
        Scenario {
            title: "A deaf server disrupts the cluster",
            description: "n3 can still send but every link into it is cut one way, so it never hears a heartbeat. It \
                          times out again and again, and each RequestVote with a higher term makes the leader step \
                          down, although n3 can never win. Watch the term climb until the links heal (the problem \
                          Raft's PreVote extension solves).",
            params: vec![("nodes", "5")],
            seed: 4,
            actions: vec![
                "100:timeout:n1",
                "400:partition-oneway:n1:n3",
                "400:partition-oneway:n2:n3",
                "400:partition-oneway:n4:n3",
                "400:partition-oneway:n5:n3",
                "1800:heal",
            ],
        },
        Scenario {
            title: "Break it: vote without the log check",
            description: "With the up-to-date check removed, a voter grants its vote to a candidate whose log is missing \
                          committed entries. n3 misses write `x` while isolated, then wins an election after leader n1 \
                          crashes: leader completeness fails, and the next write overwrites a committed entry.",
            params: vec![("nodes", "3"), ("bug", "skip-up-to-date-check")],
            seed: 5,
            actions: vec![
                "100:timeout:n1",
                "300:partition:n3",
                "400:request:x",
                "700:crash:n1",
                "700:heal",
                "710:timeout:n3",
                "900:request:y",
            ],
        },
    ]
}

fn config(spec: &RunSpec, info: &LabInfo) -> Result<Config, LabError> {
    let ordered = |lo: &str, hi: &str| -> Result<(u64, u64), LabError> {
        let (a, b) = (int_param(spec, info, lo)?, int_param(spec, info, hi)?);
        if a > b {
            return Err(LabError::BadParam {
                name: hi.into(),
                message: format!("{b} is below {lo} ({a})"),
            });
        }
        Ok((a, b))
    };
    Ok(Config {
        nodes: int_param(spec, info, "nodes")? as usize,
        election: ordered("election_min_ms", "election_max_ms")?,
        heartbeat: int_param(spec, info, "heartbeat_ms")?,
        delay: ordered("delay_min_ms", "delay_max_ms")?,
        loss: int_param(spec, info, "loss_percent")? as u8,
        skip_up_to_date_check: spec.param(info, "bug") == "skip-up-to-date-check",
    })
}

/// How far [`simulate`] goes.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Build frames (slow) or only count events (fast).
    pub capture: bool,
    /// Most visible events, the initial state included.
    pub max_events: usize,
    /// Stop before the first event later than this virtual time (ms).
    pub until: u64,
}

/// The end of a run, for benchmarks and property tests.
#[doc(hidden)]
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Visible events simulated, the initial state not included.
    pub events: usize,
    pub end_time: u64,
    /// Every safety violation seen, in order; empty for a correct Raft.
    pub violations: Vec<String>,
    /// The live leader with the highest term at the end.
    pub leader: Option<String>,
    /// Values of the committed log prefix, in order.
    pub committed: Vec<String>,
    /// Empty unless `capture` was set.
    pub frames: Vec<Frame>,
}

/// Runs the Raft lab with explicit limits. The facade's `run` is this with
/// frames captured; benchmarks and long property tests skip the frames.
#[doc(hidden)]
pub fn simulate(spec: &RunSpec, limits: Limits) -> Result<Outcome, LabError> {
    let info = info();
    spec.validate(&info)?;
    let cfg = config(spec, &info)?;
    let actions = spec
        .actions
        .iter()
        .map(|a| parse_fault(a, cfg.nodes).map(|f| (a.at, f)))
        .collect::<Result<Vec<_>, _>>()?;
    let (n, election) = (cfg.nodes, cfg.election);
    let mut sim = Sim::new(cfg, spec.seed, actions);
    let mut rec = Recorder::new(limits.capture, limits.max_events);
    let size = if rec.capturing() { sim.state_size() } else { 0 };
    rec.record(
        0,
        size,
        || {
            format!(
                "{n} nodes start as followers in term 0; each times out after a random {}-{} ms unless it hears from a leader",
                election.0, election.1
            )
        },
        || sim.state(),
    );
    let mut seen = 0;
    while !rec.full() {
        if sim.q.peek_time().is_none_or(|t| t > limits.until) {
            break;
        }
        let Some(note) = sim.step().flatten() else {
            continue;
        };
        let size = if rec.capturing() { sim.state_size() } else { 0 };
        let fresh = &sim.check.violations[seen..];
        rec.record(
            sim.now,
            size,
            || {
                let mut text = sim.explain(&note);
                for v in fresh {
                    text.push_str(" | SAFETY VIOLATED: ");
                    text.push_str(v);
                }
                text
            },
            || sim.state(),
        );
        seen = sim.check.violations.len();
    }
    Ok(Outcome {
        events: rec.events() - 1,
        end_time: sim.now,
        violations: sim.check.violations.clone(),
        leader: sim.leader().map(node_name),
        committed: sim
            .check
            .committed_values()
            .iter()
            .map(|&v| sim.values[v as usize].clone())
            .collect(),
        frames: rec.into_frames(),
    })
}

fn run(spec: &RunSpec) -> Result<Vec<Frame>, LabError> {
    let limits = Limits {
        capture: true,
        max_events: spec.steps_or(DEFAULT_STEPS),
        until: u64::MAX,
    };
    Ok(simulate(spec, limits)?.frames)
}

#[cfg(test)]
mod tests;
