//! Circuit breaker lab: a caller sends a request every `interval` ms to a
//! flaky dependency; the same traffic runs twice, with and without a breaker.
//!
//! The breaker counts **consecutive failures** (a timeout is a failure):
//! - *closed*: calls pass; a success resets the count; `threshold` failures
//!   in a row open it.
//! - *open*: calls are short-circuited (fail at once, no waiting) for
//!   `open_ms`; then it turns half-open by itself.
//! - *half-open*: the next `trials` calls pass as trials, later ones are
//!   short-circuited; one failed trial reopens it (a new cool-down), all
//!   trials succeeding close it.
//!
//! Only calls sent in the breaker's current state count towards its next
//! move (each state change starts a new epoch), so a slow call sent before
//! the breaker opened cannot close or reopen it later.
//!
//! The dependency's behaviour per request is drawn once from the seeded
//! generator (fails with the current failure rate; latency is the current
//! latency +-20%), so both worlds see exactly the same dependency. A call
//! slower than `timeout` ends as a timeout after `timeout` ms.

use crate::params::{arg_u64, arity, by_time, int_param};
use crate::rng::Rng;
use crate::{Action, Frame, Lab, LabError, LabInfo, ParamInfo, RunSpec, Scenario};
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// The circuit breaker lab, as the registry lists it.
pub(crate) struct CircuitBreaker;

impl Lab for CircuitBreaker {
    fn info(&self) -> LabInfo {
        info()
    }

    fn run(&self, spec: &RunSpec) -> Result<Vec<Frame>, LabError> {
        run(spec)
    }
}

fn info() -> LabInfo {
    LabInfo {
        slug: "circuit-breaker".into(),
        title: "Circuit breaker",
        summary: "Break a dependency (errors, slowness) and watch a breaker open, probe and close, next to \
                  the same traffic without a breaker piling up on timeouts.",
        params: vec![
            ParamInfo::number("interval", "Milliseconds between the caller's requests", "100", 10.0, 1000.0),
            ParamInfo::number("duration", "Milliseconds during which requests are sent", "20000", 1000.0, 120000.0),
            ParamInfo::number("failure_rate", "Dependency failure rate at the start, percent", "0", 0.0, 100.0),
            ParamInfo::number("latency", "Dependency latency at the start, ms (each call +-20%)", "50", 1.0, 10000.0),
            ParamInfo::number("threshold", "Consecutive failures that open the breaker", "5", 1.0, 50.0),
            ParamInfo::number("open_ms", "Cool-down: how long the breaker stays open, ms", "2000", 100.0, 60000.0),
            ParamInfo::number("trials", "Trial calls let through when half-open", "3", 1.0, 20.0),
            ParamInfo::number("timeout", "Call timeout, ms", "500", 10.0, 10000.0),
        ],
        actions: vec![
            ("failure-rate", "PERCENT: the dependency now fails this share of calls (0..=100)"),
            ("latency", "MS: the dependency now answers in about this many ms (1..=60000)"),
        ],
        default_steps: 5000,
        scenarios: vec![
            Scenario {
                title: "Outage and recovery",
                description: "The dependency fails every call from 3 s to 9 s. The breaker opens after five \
                              failures, probes every two seconds, and closes once the trials succeed.",
                params: vec![],
                seed: 1,
                actions: vec!["3000:failure-rate:100", "9000:failure-rate:0"],
            },
            Scenario {
                title: "Slow, not down",
                description: "From 3 s the dependency takes 2 s per call, past the 500 ms timeout. Without a \
                              breaker five callers are always stuck waiting; with one, almost none.",
                params: vec![],
                seed: 2,
                actions: vec!["3000:latency:2000", "12000:latency:50"],
            },
            Scenario {
                title: "Flaky, but below the threshold",
                description: "30% of calls fail at random. Three failures in a row happen now and then, so a \
                              consecutive-failure breaker trips occasionally while most calls still work.",
                params: vec![("failure_rate", "30"), ("threshold", "3")],
                seed: 3,
                actions: vec![],
            },
            Scenario {
                title: "A cool-down that is too short",
                description: "With 300 ms of cool-down and one trial, the breaker flaps between open and \
                              half-open during a long outage, sending a probe every few hundred ms.",
                params: vec![("open_ms", "300"), ("trials", "1")],
                seed: 4,
                actions: vec!["2000:failure-rate:100", "8000:failure-rate:0"],
            },
        ],
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Event {
    // Variant order is the order of events at the same millisecond.
    Action(usize),
    Done { id: usize, with: bool },
    CoolDown { epoch: u64 },
    Send(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Pending,
    Success,
    Failure,
    Timeout,
    Short,
}

impl Outcome {
    fn name(self) -> &'static str {
        match self {
            Outcome::Pending => "pending",
            Outcome::Success => "success",
            Outcome::Failure => "failure",
            Outcome::Timeout => "timeout",
            Outcome::Short => "short-circuited",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum St {
    Closed,
    Open,
    HalfOpen,
}

impl St {
    fn name(self) -> &'static str {
        match self {
            St::Closed => "closed",
            St::Open => "open",
            St::HalfOpen => "half-open",
        }
    }
}

struct Req {
    sent: u64,
    /// How long the caller waits: the latency, or the timeout.
    wait: u64,
    /// What the dependency does with this call (never `Short`/`Pending`).
    result: Outcome,
    with: Outcome,
    without: Outcome,
    epoch: u64,
    trial: bool,
}

#[derive(Default)]
struct World {
    success: u64,
    failure: u64,
    timeout: u64,
    short: u64,
    in_flight: u64,
    max_in_flight: u64,
    busy_ms: u64,
    wasted_ms: u64,
}

impl World {
    fn start(&mut self) {
        self.in_flight += 1;
        self.max_in_flight = self.max_in_flight.max(self.in_flight);
    }

    fn finish(&mut self, r: &Req) {
        self.in_flight -= 1;
        self.busy_ms += r.wait;
        match r.result {
            Outcome::Success => self.success += 1,
            Outcome::Failure => self.failure += 1,
            _ => self.timeout += 1,
        }
        if r.result != Outcome::Success {
            self.wasted_ms += r.wait;
        }
    }

    fn json(&self, with: bool) -> Value {
        let mut v = json!({
            "success": self.success,
            "failure": self.failure,
            "timeout": self.timeout,
            "in_flight": self.in_flight,
            "max_in_flight": self.max_in_flight,
            "busy_ms": self.busy_ms,
            "wasted_ms": self.wasted_ms,
        });
        if with {
            v["short_circuited"] = json!(self.short);
        }
        v
    }
}

struct Cfg {
    interval: u64,
    duration: u64,
    threshold: u64,
    open_ms: u64,
    trials: u64,
    timeout: u64,
}

struct Sim {
    cfg: Cfg,
    rng: Rng,
    failure_rate: u64,
    latency: u64,
    state: St,
    epoch: u64,
    consecutive: u64,
    open_until: Option<u64>,
    trials_sent: u64,
    trials_ok: u64,
    reqs: Vec<Req>,
    with: World,
    without: World,
    transitions: Vec<Value>,
    queue: BTreeSet<(u64, Event)>,
}

enum Change {
    FailureRate(u64),
    Latency(u64),
}

fn parse(a: &Action, duration: u64) -> Result<Change, LabError> {
    if a.at > duration {
        return Err(LabError::BadAction(format!(
            "`{a}`: time {} is after the end ({duration} ms)",
            a.at
        )));
    }
    match a.kind.as_str() {
        "failure-rate" => {
            arity(a, 1, 1, "TIME:failure-rate:PERCENT")?;
            Ok(Change::FailureRate(arg_u64(a, 0, "PERCENT", 0, 100)?))
        }
        "latency" => {
            arity(a, 1, 1, "TIME:latency:MS")?;
            Ok(Change::Latency(arg_u64(a, 0, "MS", 1, 60_000)?))
        }
        _ => Err(LabError::BadAction(format!(
            "`{a}`: unknown action for circuit-breaker"
        ))),
    }
}

impl Sim {
    fn transition(&mut self, t: u64, to: St, reason: String) -> String {
        let from = self.state;
        self.state = to;
        self.epoch += 1;
        self.trials_sent = 0;
        self.trials_ok = 0;
        self.open_until = None;
        match to {
            St::Open => {
                let until = t + self.cfg.open_ms;
                self.open_until = Some(until);
                self.queue
                    .insert((until, Event::CoolDown { epoch: self.epoch }));
            }
            St::Closed => self.consecutive = 0,
            St::HalfOpen => {}
        }
        self.transitions
            .push(json!({"t": t, "from": from.name(), "to": to.name(), "reason": reason}));
        format!(
            "breaker {} -> {}: {reason}",
            from.name(),
            to.name().to_uppercase()
        )
    }

    fn send(&mut self, id: usize, t: u64) -> String {
        let failed = self.rng.chance(self.failure_rate as f64 / 100.0);
        let latency = (self.latency * self.rng.range(80, 120) / 100).max(1);
        let (wait, result) = if latency > self.cfg.timeout {
            (self.cfg.timeout, Outcome::Timeout)
        } else if failed {
            (latency, Outcome::Failure)
        } else {
            (latency, Outcome::Success)
        };
        let mut r = Req {
            sent: t,
            wait,
            result,
            with: Outcome::Pending,
            without: Outcome::Pending,
            epoch: self.epoch,
            trial: false,
        };
        self.without.start();
        self.queue
            .insert((t + wait, Event::Done { id, with: false }));
        let pass = match self.state {
            St::Closed => true,
            St::Open => false,
            St::HalfOpen => {
                r.trial = self.trials_sent < self.cfg.trials;
                self.trials_sent += u64::from(r.trial);
                r.trial
            }
        };
        let note = if pass {
            self.with.start();
            self.queue
                .insert((t + wait, Event::Done { id, with: true }));
            if r.trial {
                format!(
                    "#{id} sent as trial {}/{}",
                    self.trials_sent, self.cfg.trials
                )
            } else {
                format!("#{id} sent")
            }
        } else {
            r.with = Outcome::Short;
            self.with.short += 1;
            match self.open_until {
                Some(u) => format!(
                    "#{id} short-circuited (open, {} ms of cool-down left)",
                    u - t
                ),
                None => format!("#{id} short-circuited (half-open, all trial slots taken)"),
            }
        };
        self.reqs.push(r);
        note
    }

    fn done(&mut self, id: usize, with: bool, t: u64) -> Vec<String> {
        let (result, wait, epoch, trial) = {
            let r = &self.reqs[id];
            (r.result, r.wait, r.epoch, r.trial)
        };
        let what = match result {
            Outcome::Success => format!("#{id} succeeded in {wait} ms"),
            Outcome::Failure => format!("#{id} failed after {wait} ms"),
            _ => format!("#{id} timed out after {wait} ms"),
        };
        if !with {
            self.reqs[id].without = result;
            self.without.finish(&self.reqs[id]);
            return vec![format!("without breaker: {what}")];
        }
        self.reqs[id].with = result;
        self.with.finish(&self.reqs[id]);
        let mut notes = vec![what];
        if epoch != self.epoch {
            notes.push("sent before the last state change, so the breaker ignores it".into());
            return notes;
        }
        let ok = result == Outcome::Success;
        match self.state {
            St::Closed if ok => self.consecutive = 0,
            St::Closed => {
                self.consecutive += 1;
                let c = self.consecutive;
                notes.push(format!("{c}/{} consecutive failures", self.cfg.threshold));
                if c >= self.cfg.threshold {
                    let reason = format!(
                        "{c} consecutive failures; short-circuiting for {} ms",
                        self.cfg.open_ms
                    );
                    notes = vec![self.transition(t, St::Open, reason)];
                }
            }
            St::HalfOpen if ok && trial => {
                self.trials_ok += 1;
                if self.trials_ok == self.cfg.trials {
                    notes = vec![self.transition(
                        t,
                        St::Closed,
                        format!("all {} trials succeeded", self.cfg.trials),
                    )];
                }
            }
            St::HalfOpen => {
                let reason = format!(
                    "trial #{id} {}; cool-down again for {} ms",
                    result.name(),
                    self.cfg.open_ms
                );
                notes = vec![self.transition(t, St::Open, reason)];
            }
            St::Open => {}
        }
        notes
    }

    fn state_json(&self, t: u64) -> Value {
        let recent: Vec<Value> = self
            .reqs
            .iter()
            .enumerate()
            .skip(self.reqs.len().saturating_sub(20))
            .map(|(id, r)| {
                json!({"id": id, "t": r.sent, "wait_ms": r.wait, "trial": r.trial,
                       "with": r.with.name(), "without": r.without.name()})
            })
            .collect();
        json!({
            "t": t,
            "config": {"interval": self.cfg.interval, "threshold": self.cfg.threshold, "open_ms": self.cfg.open_ms,
                       "trials": self.cfg.trials, "timeout": self.cfg.timeout},
            "dependency": {"failure_rate": self.failure_rate, "latency_ms": self.latency},
            "breaker": {
                "state": self.state.name(),
                "consecutive_failures": self.consecutive,
                "open_until": self.open_until,
                "cooldown_left_ms": self.open_until.map(|u| u.saturating_sub(t)),
                "trials_sent": self.trials_sent,
                "trials_ok": self.trials_ok,
            },
            "with_breaker": self.with.json(true),
            "without_breaker": self.without.json(false),
            "sent": self.reqs.len(),
            "recent": recent,
            "transitions": self.transitions[self.transitions.len().saturating_sub(20)..],
        })
    }
}

fn run(spec: &RunSpec) -> Result<Vec<Frame>, LabError> {
    let info = info();
    let p = |name| int_param(spec, &info, name);
    let cfg = Cfg {
        interval: p("interval")?,
        duration: p("duration")?,
        threshold: p("threshold")?,
        open_ms: p("open_ms")?,
        trials: p("trials")?,
        timeout: p("timeout")?,
    };
    let actions = by_time(&spec.actions);
    let changes: Vec<Change> = actions
        .iter()
        .map(|a| parse(a, cfg.duration))
        .collect::<Result<_, _>>()?;
    let mut sim = Sim {
        rng: Rng::new(spec.seed),
        failure_rate: p("failure_rate")?,
        latency: p("latency")?,
        state: St::Closed,
        epoch: 0,
        consecutive: 0,
        open_until: None,
        trials_sent: 0,
        trials_ok: 0,
        reqs: Vec::new(),
        with: World::default(),
        without: World::default(),
        transitions: Vec::new(),
        queue: BTreeSet::new(),
        cfg,
    };
    for (i, a) in actions.iter().enumerate() {
        sim.queue.insert((a.at, Event::Action(i)));
    }
    sim.queue.insert((0, Event::Send(0)));

    let limit = spec.steps_or(info.default_steps);
    let mut frames = Vec::new();
    while let Some(&(t, _)) = sim.queue.first() {
        if frames.len() >= limit {
            break;
        }
        let mut notes: Vec<String> = Vec::new();
        let mut quiet: Vec<String> = Vec::new(); // without-breaker news, shown only if nothing else
        while let Some(&(_, ev)) = sim.queue.first().filter(|k| k.0 == t) {
            sim.queue.pop_first();
            match ev {
                Event::Action(i) => match changes[i] {
                    Change::FailureRate(v) => {
                        sim.failure_rate = v;
                        notes.push(format!("dependency failure rate set to {v}%"));
                    }
                    Change::Latency(v) => {
                        sim.latency = v;
                        notes.push(format!("dependency latency set to {v} ms"));
                    }
                },
                Event::Send(id) => {
                    let next = t + sim.cfg.interval;
                    if next < sim.cfg.duration {
                        sim.queue.insert((next, Event::Send(id + 1)));
                    }
                    notes.push(sim.send(id, t));
                }
                Event::Done { id, with: true } => notes.extend(sim.done(id, true, t)),
                Event::Done { id, with: false } => quiet.extend(sim.done(id, false, t)),
                Event::CoolDown { epoch } => {
                    if epoch == sim.epoch && sim.state == St::Open {
                        let reason = format!(
                            "cool-down over; the next {} calls are trials",
                            sim.cfg.trials
                        );
                        notes.insert(0, sim.transition(t, St::HalfOpen, reason));
                    }
                }
            }
        }
        // Transitions first: they are what the learner is watching for.
        notes.sort_by_key(|n| !n.starts_with("breaker"));
        let explain = if notes.is_empty() {
            quiet.join("; ")
        } else {
            notes.join("; ")
        };
        let explain = format!("t={t} ms: {explain}.");
        frames.push(Frame {
            step: frames.len(),
            time: t,
            explain,
            state: sim.state_json(t),
        });
    }
    Ok(frames)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(params: &[(&str, &str)], actions: &[&str]) -> RunSpec {
        RunSpec {
            lab: "circuit-breaker".into(),
            seed: 5,
            params: params
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            actions: actions.iter().map(|a| a.parse().unwrap()).collect(),
            steps: None,
        }
    }

    #[test]
    fn healthy_dependency_never_opens() {
        let frames = run(&spec(&[("duration", "3000")], &[])).unwrap();
        assert!(frames
            .iter()
            .all(|f| f.state["breaker"]["state"] == "closed"));
        let last = &frames.last().unwrap().state;
        assert_eq!(last["with_breaker"]["success"], 30);
        assert_eq!(last["without_breaker"]["success"], 30);
    }

    #[test]
    fn timeouts_count_as_failures() {
        let frames = run(&spec(
            &[
                ("latency", "2000"),
                ("timeout", "100"),
                ("duration", "3000"),
            ],
            &[],
        ))
        .unwrap();
        let opened = frames
            .iter()
            .find(|f| f.state["breaker"]["state"] == "open")
            .unwrap();
        assert_eq!(opened.state["with_breaker"]["timeout"], 5);
    }

    #[test]
    fn bad_actions() {
        for a in [
            "1:failure-rate:101",
            "1:failure-rate",
            "1:latency:0",
            "99999:latency:5",
            "1:latency:5:6",
        ] {
            assert!(
                matches!(run(&spec(&[], &[a])), Err(LabError::BadAction(_))),
                "{a}"
            );
        }
    }
}
