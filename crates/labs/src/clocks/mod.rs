//! The clocks lab: processes exchanging messages, each event stamped with a
//! Lamport clock and a vector clock, drawn as a space-time diagram. Queries
//! ask whether one event happened before another.

use crate::engine::{Queue, Recorder};
use crate::params::int_param;
use crate::rng::Rng;
use crate::{Action, Frame, Lab, LabError, LabInfo, ParamInfo, RunSpec, Scenario};
use serde::Serialize;

const DEFAULT_STEPS: usize = 300;
/// Spacing of the random traffic: `traffic` events spread over `traffic * 40` ms.
const TRAFFIC_SPREAD_MS: u64 = 40;

/// The clocks lab, as the registry lists it.
pub(crate) struct Clocks;

impl Lab for Clocks {
    fn info(&self) -> LabInfo {
        info()
    }

    fn run(&self, spec: &RunSpec) -> Result<Vec<Frame>, LabError> {
        run(spec)
    }
}

fn info() -> LabInfo {
    LabInfo {
        slug: "clocks".into(),
        title: "Lamport and vector clocks",
        summary: "Processes send messages and do local work; every event gets a Lamport timestamp and a vector \
                  timestamp. Ask whether two events are causally ordered or concurrent, and see why Lamport \
                  timestamps alone cannot tell.",
        params: vec![
            ParamInfo::number("processes", "Number of processes", "3", 2.0, 5.0),
            ParamInfo::number("traffic", "Random events added on top of your actions", "12", 0.0, 200.0),
            ParamInfo::number("delay_min_ms", "Shortest message delay (ms)", "20", 1.0, 5_000.0),
            ParamInfo::number("delay_max_ms", "Longest message delay (ms)", "80", 1.0, 5_000.0),
        ],
        actions: vec![
            ("local", "local:P - a local event on process P (p1..p5)"),
            (
                "send",
                "send:P:Q or send:P:Q:MS - P sends a message to Q, delivered after a random delay or after MS (1-10000) ms",
            ),
            (
                "query",
                "query:A:B - did event A happen before event B, after it, or are they concurrent? Events are named like p1.3",
            ),
        ],
        default_steps: DEFAULT_STEPS,
        scenarios: vec![
            Scenario {
                title: "A message chain",
                description: "p1 tells p2, and p2 tells p3: p1's send happened before p3's receive although they never \
                              talked directly. p3's first local event is concurrent with every event of p1 and p2, yet it \
                              happened before p3's receive, which comes later on the same process.",
                params: vec![("processes", "3"), ("traffic", "0")],
                seed: 1,
                actions: vec![
                    "10:local:p3",
                    "20:send:p1:p2:50",
                    "100:send:p2:p3:50",
                    "200:query:p1.1:p3.2",
                    "210:query:p3.1:p1.1",
                ],
            },
            Scenario {
                title: "Lamport order is not causality",
                description: "p2's event gets Lamport timestamp 1 and p1's third event gets 3, yet neither could have \
                              influenced the other: their vector clocks are incomparable. Once p1 sends to p2 the \
                              order becomes real.",
                params: vec![("processes", "2"), ("traffic", "0")],
                seed: 2,
                actions: vec![
                    "0:local:p1",
                    "10:local:p1",
                    "20:local:p1",
                    "30:local:p2",
                    "40:query:p2.1:p1.3",
                    "50:send:p1:p2:30",
                    "100:query:p1.3:p2.2",
                ],
            },
            Scenario {
                title: "Messages overtake each other",
                description: "p1 sends a slow message and then a fast one; the fast one arrives first. Vector clocks \
                              still order p1's two sends, and both receives on p2 come after them.",
                params: vec![("processes", "2"), ("traffic", "0")],
                seed: 3,
                actions: vec![
                    "0:send:p1:p2:200",
                    "50:send:p1:p2:20",
                    "300:query:p1.1:p2.1",
                    "310:query:p2.1:p2.2",
                    "320:query:p1.2:p2.2",
                ],
            },
            Scenario {
                title: "Random traffic",
                description: "Thirty random events among four processes. Pick two events in the diagram and query \
                              them; the last query here compares two events chosen blindly.",
                params: vec![("processes", "4"), ("traffic", "30")],
                seed: 7,
                actions: vec!["2000:query:p1.2:p4.2"],
            },
        ],
    }
}

/// How two events relate causally.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CausalOrder {
    /// The first happened before the second.
    Before,
    /// The second happened before the first.
    After,
    Concurrent,
    /// The same event (equal vectors).
    Same,
}

/// Compares two vector timestamps: `a` happened before `b` exactly when
/// every component of `a` is at most the one of `b` and they differ.
/// Missing components count as 0.
pub fn causal_order(a: &[u64], b: &[u64]) -> CausalOrder {
    let (mut le, mut ge) = (true, true);
    for i in 0..a.len().max(b.len()) {
        let (x, y) = (
            a.get(i).copied().unwrap_or(0),
            b.get(i).copied().unwrap_or(0),
        );
        le &= x <= y;
        ge &= x >= y;
    }
    match (le, ge) {
        (true, true) => CausalOrder::Same,
        (true, false) => CausalOrder::Before,
        (false, true) => CausalOrder::After,
        (false, false) => CausalOrder::Concurrent,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Kind {
    Local,
    Send,
    Receive,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Local(u8),
    Send(u8, u8, Option<u64>),
    /// Event references as (process, 1-based number).
    Query((u8, u64), (u8, u64)),
}

enum Ev {
    Op(Op),
    Receive(usize),
}

#[derive(Serialize)]
struct Event {
    id: String,
    process: String,
    kind: Kind,
    time: u64,
    lamport: u64,
    vector: Vec<u64>,
    /// The message sent or received, for send and receive events.
    message: Option<String>,
}

#[derive(Serialize)]
struct Message {
    id: String,
    from: String,
    to: String,
    send_event: String,
    /// Null while in flight.
    receive_event: Option<String>,
    send_time: u64,
    deliver_time: u64,
    /// The timestamps the message carries.
    lamport: u64,
    vector: Vec<u64>,
}

#[derive(Serialize)]
struct ProcessView {
    id: String,
    lamport: u64,
    vector: Vec<u64>,
    events: usize,
}

#[derive(Serialize, Clone)]
struct Query {
    a: String,
    b: String,
    /// before, after, concurrent or same; null when an event does not exist yet.
    relation: Option<CausalOrder>,
    answer: String,
}

#[derive(Serialize)]
struct State<'a> {
    processes: Vec<ProcessView>,
    events: &'a [Event],
    messages: &'a [Message],
    query: Option<&'a Query>,
}

struct Process {
    lamport: u64,
    vector: Vec<u64>,
    /// Indexes into the run's events, in order.
    events: Vec<usize>,
}

fn pname(p: u8) -> String {
    format!("p{}", p + 1)
}

fn fmt_vec(v: &[u64]) -> String {
    let parts: Vec<String> = v.iter().map(u64::to_string).collect();
    format!("[{}]", parts.join(","))
}

fn parse_op(a: &Action, n: usize) -> Result<Op, LabError> {
    let bad = |msg: String| LabError::BadAction(format!("`{a}`: {msg}"));
    let proc_ = |s: &str| -> Result<u8, LabError> {
        s.strip_prefix('p')
            .and_then(|d| d.parse::<usize>().ok())
            .filter(|i| (1..=n).contains(i))
            .map(|i| (i - 1) as u8)
            .ok_or_else(|| bad(format!("`{s}` is not a process (processes are p1..p{n})")))
    };
    let event = |s: &str| -> Result<(u8, u64), LabError> {
        let (p, k) = s
            .split_once('.')
            .ok_or_else(|| bad(format!("`{s}` is not an event id like p1.3")))?;
        let k = k
            .parse::<u64>()
            .ok()
            .filter(|&k| k >= 1)
            .ok_or_else(|| bad(format!("`{s}`: the event number after the dot starts at 1")))?;
        Ok((proc_(p)?, k))
    };
    match (a.kind.as_str(), a.args.as_slice()) {
        ("local", [p]) => Ok(Op::Local(proc_(p)?)),
        ("send", [p, q, rest @ ..]) if rest.len() <= 1 => {
            let (p, q) = (proc_(p)?, proc_(q)?);
            if p == q {
                return Err(bad("a process does not send to itself; use local".into()));
            }
            let ms = match rest.first() {
                None => None,
                Some(ms) => Some(
                    ms.parse::<u64>()
                        .ok()
                        .filter(|ms| (1..=10_000).contains(ms))
                        .ok_or_else(|| bad("MS must be a whole number 1-10000".into()))?,
                ),
            };
            Ok(Op::Send(p, q, ms))
        }
        ("query", [x, y]) => Ok(Op::Query(event(x)?, event(y)?)),
        ("local", _) => Err(bad("`local` takes one argument: local:P".into())),
        ("send", _) => Err(bad("`send` takes send:P:Q or send:P:Q:MS".into())),
        ("query", _) => Err(bad("`query` takes two event ids: query:A:B".into())),
        (other, _) => Err(bad(format!("`{other}` is not an action of the clocks lab"))),
    }
}

struct Sim {
    procs: Vec<Process>,
    events: Vec<Event>,
    messages: Vec<Message>,
    query: Option<Query>,
    rng: Rng,
    delay: (u64, u64),
    q: Queue<Ev>,
    now: u64,
}

impl Sim {
    /// Records a new event on `p` with the clocks `p` now holds.
    fn new_event(&mut self, p: u8, kind: Kind, message: Option<String>) -> usize {
        let pr = &mut self.procs[p as usize];
        let idx = self.events.len();
        pr.events.push(idx);
        self.events.push(Event {
            id: format!("{}.{}", pname(p), pr.events.len()),
            process: pname(p),
            kind,
            time: self.now,
            lamport: pr.lamport,
            vector: pr.vector.clone(),
            message,
        });
        idx
    }

    /// Both clocks tick for a local or send event.
    fn tick(&mut self, p: u8) -> (u64, String) {
        let pr = &mut self.procs[p as usize];
        let before = (pr.lamport, fmt_vec(&pr.vector));
        pr.lamport += 1;
        pr.vector[p as usize] += 1;
        before
    }

    fn apply(&mut self, ev: Ev) -> String {
        match ev {
            Ev::Op(Op::Local(p)) => {
                let (l0, v0) = self.tick(p);
                let e = self.new_event(p, Kind::Local, None);
                let e = &self.events[e];
                format!(
                    "{} does local event {}: Lamport {l0} -> {}, vector {v0} -> {}",
                    pname(p),
                    e.id,
                    e.lamport,
                    fmt_vec(&e.vector)
                )
            }
            Ev::Op(Op::Send(p, q, ms)) => {
                self.tick(p);
                let delay = ms.unwrap_or_else(|| self.rng.range(self.delay.0, self.delay.1));
                let mid = format!("m{}", self.messages.len() + 1);
                let e = self.new_event(p, Kind::Send, Some(mid.clone()));
                let (send_event, lamport, vector) = {
                    let e = &self.events[e];
                    (e.id.clone(), e.lamport, e.vector.clone())
                };
                let text = format!(
                    "{} sends {mid} to {} as event {send_event}: ticks to Lamport {lamport}, vector {}, and both travel with the message",
                    pname(p),
                    pname(q),
                    fmt_vec(&vector)
                );
                self.q
                    .push(self.now + delay, Ev::Receive(self.messages.len()));
                self.messages.push(Message {
                    id: mid,
                    from: pname(p),
                    to: pname(q),
                    send_event,
                    receive_event: None,
                    send_time: self.now,
                    deliver_time: self.now + delay,
                    lamport,
                    vector,
                });
                text
            }
            Ev::Receive(m) => {
                let q = self.messages[m].to[1..]
                    .parse::<u8>()
                    .expect("own process name")
                    - 1;
                let (ml, mv) = (self.messages[m].lamport, self.messages[m].vector.clone());
                let pr = &mut self.procs[q as usize];
                let (l0, v0) = (pr.lamport, fmt_vec(&pr.vector));
                pr.lamport = pr.lamport.max(ml) + 1;
                for (mine, theirs) in pr.vector.iter_mut().zip(&mv) {
                    *mine = (*mine).max(*theirs);
                }
                pr.vector[q as usize] += 1;
                let mid = self.messages[m].id.clone();
                let e = self.new_event(q, Kind::Receive, Some(mid.clone()));
                let e = &self.events[e];
                let text = format!(
                    "{} receives {mid} from {} as event {}: Lamport max({l0}, {ml}) + 1 = {}, vector max({v0}, {}) then own entry + 1 = {}",
                    pname(q),
                    self.messages[m].from,
                    e.id,
                    e.lamport,
                    fmt_vec(&mv),
                    fmt_vec(&e.vector)
                );
                self.messages[m].receive_event = Some(e.id.clone());
                text
            }
            Ev::Op(Op::Query(a, b)) => {
                let q = self.query(a, b);
                let text = format!("query {} vs {}: {}", q.a, q.b, q.answer);
                self.query = Some(q);
                text
            }
        }
    }

    fn query(&self, a: (u8, u64), b: (u8, u64)) -> Query {
        let name = |(p, k): (u8, u64)| format!("{}.{k}", pname(p));
        let find = |(p, k): (u8, u64)| {
            self.procs[p as usize]
                .events
                .get(k as usize - 1)
                .map(|&i| &self.events[i])
        };
        let (an, bn) = (name(a), name(b));
        let (ea, eb) = match (find(a), find(b)) {
            (Some(x), Some(y)) => (x, y),
            (None, _) | (_, None) => {
                let missing = if find(a).is_none() { &an } else { &bn };
                return Query {
                    answer: format!("{missing} has not happened (yet)"),
                    a: an,
                    b: bn,
                    relation: None,
                };
            }
        };
        let rel = causal_order(&ea.vector, &eb.vector);
        let (va, vb) = (fmt_vec(&ea.vector), fmt_vec(&eb.vector));
        let answer = match rel {
            CausalOrder::Before => {
                format!("{an} happened before {bn}: {va} <= {vb} in every entry, and they differ")
            }
            CausalOrder::After => {
                format!("{bn} happened before {an}: {vb} <= {va} in every entry, and they differ")
            }
            CausalOrder::Same => format!("{an} and {bn} are the same event"),
            CausalOrder::Concurrent => format!(
                "{an} and {bn} are concurrent: neither of {va} and {vb} is <= the other{}",
                if ea.lamport != eb.lamport {
                    format!(
                        " (Lamport {} vs {} orders them, but not causally)",
                        ea.lamport, eb.lamport
                    )
                } else {
                    String::new()
                }
            ),
        };
        Query {
            a: an,
            b: bn,
            relation: Some(rel),
            answer,
        }
    }

    fn size(&self, n: usize) -> usize {
        200 + self.events.len() * (110 + 4 * n) + self.messages.len() * (170 + 4 * n)
    }

    fn state(&self) -> serde_json::Value {
        let processes = self
            .procs
            .iter()
            .enumerate()
            .map(|(i, p)| ProcessView {
                id: pname(i as u8),
                lamport: p.lamport,
                vector: p.vector.clone(),
                events: p.events.len(),
            })
            .collect();
        serde_json::to_value(State {
            processes,
            events: &self.events,
            messages: &self.messages,
            query: self.query.as_ref(),
        })
        .expect("clocks state serializes")
    }
}

fn run(spec: &RunSpec) -> Result<Vec<Frame>, LabError> {
    let info = info();
    let n = int_param(spec, &info, "processes")? as usize;
    let traffic = int_param(spec, &info, "traffic")?;
    let delay = (
        int_param(spec, &info, "delay_min_ms")?,
        int_param(spec, &info, "delay_max_ms")?,
    );
    if delay.0 > delay.1 {
        return Err(LabError::BadParam {
            name: "delay_max_ms".into(),
            message: format!("{} is below delay_min_ms ({})", delay.1, delay.0),
        });
    }
    let ops = spec
        .actions
        .iter()
        .map(|a| parse_op(a, n).map(|op| (a.at, op)))
        .collect::<Result<Vec<_>, _>>()?;
    let mut sim = Sim {
        procs: (0..n)
            .map(|_| Process {
                lamport: 0,
                vector: vec![0; n],
                events: vec![],
            })
            .collect(),
        events: vec![],
        messages: vec![],
        query: None,
        rng: Rng::new(spec.seed),
        delay,
        q: Queue::new(),
        now: 0,
    };
    // The learner's actions go in first, so they win ties with random traffic.
    for (at, op) in ops {
        sim.q.push(at, Ev::Op(op));
    }
    for _ in 0..traffic {
        let at = sim.rng.below(traffic * TRAFFIC_SPREAD_MS);
        let p = sim.rng.below(n as u64) as u8;
        let op = if sim.rng.chance(0.35) {
            Op::Local(p)
        } else {
            let q = (p as u64 + 1 + sim.rng.below(n as u64 - 1)) % n as u64;
            Op::Send(p, q as u8, None)
        };
        sim.q.push(at, Ev::Op(op));
    }
    let mut rec = Recorder::new(true, spec.steps_or(DEFAULT_STEPS));
    rec.record(
        0,
        sim.size(n),
        || {
            format!(
                "{n} processes start with Lamport clock 0 and vector clock {}",
                fmt_vec(&vec![0; n])
            )
        },
        || sim.state(),
    );
    while !rec.full() {
        let Some((t, ev)) = sim.q.pop() else { break };
        sim.now = t;
        let text = sim.apply(ev);
        rec.record(t, sim.size(n), || text, || sim.state());
    }
    Ok(rec.into_frames())
}

#[cfg(test)]
mod tests;
