//! A simulated network for the networked labs: nodes `n1..nN`, messages in
//! flight with random delays, and the faults a learner can inject
//! (partitions, one-way cuts, targeted drops, extra latency, loss).
//!
//! Faults are judged when a message arrives, not when it leaves: a message
//! sent just before a partition is lost with it, and one sent into a
//! partition that heals before it lands gets through, as on a real network.

use crate::rng::Rng;
use crate::{Action, LabError};
use serde::Serialize;
use std::collections::BTreeMap;

/// The name a node index is shown with: 0 is `n1`.
pub(crate) fn node_name(i: u8) -> String {
    format!("n{}", i + 1)
}

/// The same name without formatting, for the per-frame hot path.
pub(crate) fn short_name(i: u8) -> &'static str {
    ["n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8"][i as usize]
}

/// Names of the nodes whose bit is set in `mask`, comma-separated.
pub(crate) fn names(mask: u32) -> String {
    (0..32u8)
        .filter(|i| mask & (1 << i) != 0)
        .map(node_name)
        .collect::<Vec<_>>()
        .join(",")
}

/// The fault vocabulary, as documented in `LabInfo::actions`.
pub(crate) const FAULT_ACTIONS: [(&str, &str); 10] = [
    (
        "crash",
        "crash:NODE or crash:leader - stop a node; it keeps term, vote and log, loses commit index and applied state",
    ),
    ("restart", "restart:NODE - bring a crashed node back as a follower"),
    (
        "partition",
        "partition:A,B|C,D - cut the links between groups both ways; unlisted nodes form one more group, so partition:n1 isolates n1",
    ),
    (
        "partition-oneway",
        "partition-oneway:FROM:TO - lose every message FROM sends to TO; TO can still reach FROM",
    ),
    ("heal", "heal - remove every partition and one-way cut (latency and loss settings stay)"),
    (
        "drop",
        "drop:FROM:TO - lose the next message on that link: the earliest in flight, else the next one sent",
    ),
    ("latency", "latency:A:B:MS - add MS (0-10000) of delay both ways on a link; 0 removes it"),
    (
        "loss",
        "loss:A:B:PERCENT - lose PERCENT (0-100) of messages both ways on a link, overriding the global loss",
    ),
    (
        "request",
        "request:VALUE or request:VALUE:NODE - client write (1-32 of A-Z a-z 0-9 _ - . = +) to the current leader or to NODE",
    ),
    ("timeout", "timeout:NODE - fire NODE's election timeout now"),
];

/// Who a crash hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    Node(u8),
    /// The current leader, resolved when the action runs.
    Leader,
}

/// One parsed learner action of the fault vocabulary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Fault {
    Crash(Target),
    Restart(u8),
    /// Explicit groups; unlisted nodes are added as one more group when applied.
    Partition(Vec<Vec<u8>>),
    OneWay(u8, u8),
    Heal,
    Drop(u8, u8),
    Latency(u8, u8, u64),
    Loss(u8, u8, u8),
    Request(String, Option<u8>),
    Timeout(u8),
}

pub(crate) const MAX_LATENCY_MS: u64 = 10_000;

/// Parses an action of the fault vocabulary for a network of `n` nodes.
pub(crate) fn parse_fault(a: &Action, n: usize) -> Result<Fault, LabError> {
    let bad = |msg: String| LabError::BadAction(format!("`{a}`: {msg}"));
    let node = |s: &str| -> Result<u8, LabError> {
        let i = s
            .strip_prefix('n')
            .and_then(|d| d.parse::<usize>().ok())
            .filter(|&i| (1..=n).contains(&i))
            .ok_or_else(|| bad(format!("`{s}` is not a node (nodes are n1..n{n})")))?;
        Ok((i - 1) as u8)
    };
    let arity = |want: usize, usage: &str| -> Result<(), LabError> {
        if a.args.len() == want {
            Ok(())
        } else {
            Err(bad(format!(
                "`{}` takes {want} argument(s): {usage}",
                a.kind
            )))
        }
    };
    let link = |usage: &str| -> Result<(u8, u8), LabError> {
        let (x, y) = (node(&a.args[0])?, node(&a.args[1])?);
        if x == y {
            return Err(bad(format!("a link joins two different nodes: {usage}")));
        }
        Ok((x, y))
    };
    Ok(match a.kind.as_str() {
        "crash" => {
            arity(1, "crash:NODE or crash:leader")?;
            if a.args[0] == "leader" {
                Fault::Crash(Target::Leader)
            } else {
                Fault::Crash(Target::Node(node(&a.args[0])?))
            }
        }
        "restart" => {
            arity(1, "restart:NODE")?;
            Fault::Restart(node(&a.args[0])?)
        }
        "timeout" => {
            arity(1, "timeout:NODE")?;
            Fault::Timeout(node(&a.args[0])?)
        }
        "heal" => {
            arity(0, "heal")?;
            Fault::Heal
        }
        "partition" => {
            arity(1, "partition:A,B|C,D")?;
            let mut seen = 0u32;
            let mut groups = Vec::new();
            for g in a.args[0].split('|') {
                let mut group = Vec::new();
                for s in g.split(',') {
                    let i = node(s.trim())?;
                    if seen & (1 << i) != 0 {
                        return Err(bad(format!("{} is in more than one group", node_name(i))));
                    }
                    seen |= 1 << i;
                    group.push(i);
                }
                groups.push(group);
            }
            if groups.len() == 1 && seen.count_ones() as usize == n {
                return Err(bad("a partition needs at least two groups".into()));
            }
            Fault::Partition(groups)
        }
        "partition-oneway" => {
            arity(2, "partition-oneway:FROM:TO")?;
            let (x, y) = link("partition-oneway:FROM:TO")?;
            Fault::OneWay(x, y)
        }
        "drop" => {
            arity(2, "drop:FROM:TO")?;
            let (x, y) = link("drop:FROM:TO")?;
            Fault::Drop(x, y)
        }
        "latency" => {
            arity(3, "latency:A:B:MS")?;
            let (x, y) = link("latency:A:B:MS")?;
            let ms = a.args[2]
                .parse::<u64>()
                .ok()
                .filter(|&ms| ms <= MAX_LATENCY_MS)
                .ok_or_else(|| bad(format!("MS must be a whole number 0-{MAX_LATENCY_MS}")))?;
            Fault::Latency(x, y, ms)
        }
        "loss" => {
            arity(3, "loss:A:B:PERCENT")?;
            let (x, y) = link("loss:A:B:PERCENT")?;
            let p = a.args[2]
                .parse::<u8>()
                .ok()
                .filter(|&p| p <= 100)
                .ok_or_else(|| bad("PERCENT must be a whole number 0-100".into()))?;
            Fault::Loss(x, y, p)
        }
        "request" => {
            if a.args.is_empty() || a.args.len() > 2 {
                return Err(bad("`request` takes VALUE or VALUE:NODE".into()));
            }
            let v = &a.args[0];
            let ok = (1..=32).contains(&v.len())
                && v.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_-.=+".contains(c));
            if !ok {
                return Err(bad(format!(
                    "value `{v}` must be 1-32 characters of A-Z a-z 0-9 _ - . = +"
                )));
            }
            let to = a.args.get(1).map(|s| node(s)).transpose()?;
            Fault::Request(v.clone(), to)
        }
        other => return Err(bad(format!("`{other}` is not a network action"))),
    })
}

/// A message on its way.
#[derive(Debug, Clone)]
pub(crate) struct InFlight<M> {
    pub from: u8,
    pub to: u8,
    pub sent: u64,
    pub due: u64,
    /// Marked by an armed `drop`: it will be lost on arrival.
    pub doomed: bool,
    pub msg: M,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LossReason {
    Partition,
    RandomLoss,
    Dropped,
}

impl LossReason {
    pub(crate) fn text(self) -> &'static str {
        match self {
            LossReason::Partition => "the link is partitioned",
            LossReason::RandomLoss => "random loss",
            LossReason::Dropped => "dropped on purpose",
        }
    }
}

/// What became of a message when its delivery time came.
pub(crate) enum Fate<M> {
    Arrived(InFlight<M>),
    Lost(InFlight<M>, LossReason),
    /// Already removed by a `drop` action.
    Gone,
}

pub(crate) struct Net<M> {
    n: usize,
    // Per directed link, indexed `from * n + to`; plain vectors keep the hot
    // path cheap and iterate in a fixed order.
    blocked: Vec<bool>,
    latency: Vec<u64>,
    loss: Vec<Option<u8>>,
    drop_next: Vec<u32>,
    base_loss: u8,
    delay: (u64, u64),
    in_flight: BTreeMap<u64, InFlight<M>>,
    next_id: u64,
}

#[derive(Serialize)]
struct LinkSetting {
    a: &'static str,
    b: &'static str,
    value: u64,
}

#[derive(Serialize)]
struct NetView {
    /// Directed links whose messages are lost: `[from, to]`.
    blocked: Vec<[&'static str; 2]>,
    /// Extra delay per link (both ways), `value` in ms.
    latency: Vec<LinkSetting>,
    /// Loss override per link (both ways), `value` in percent.
    loss: Vec<LinkSetting>,
    /// Armed drops: the next message sent on `[from, to]` is lost.
    drop_next: Vec<[&'static str; 2]>,
}

impl<M> Net<M> {
    pub(crate) fn new(n: usize, delay_min: u64, delay_max: u64, base_loss: u8) -> Self {
        Net {
            n,
            blocked: vec![false; n * n],
            latency: vec![0; n * n],
            loss: vec![None; n * n],
            drop_next: vec![0; n * n],
            base_loss,
            delay: (delay_min, delay_max.max(delay_min)),
            in_flight: BTreeMap::new(),
            next_id: 0,
        }
    }

    fn at(&self, from: u8, to: u8) -> usize {
        from as usize * self.n + to as usize
    }

    /// Puts a message on the wire; returns its id and arrival time.
    pub(crate) fn send(&mut self, rng: &mut Rng, now: u64, from: u8, to: u8, msg: M) -> (u64, u64) {
        let l = self.at(from, to);
        let due = now + rng.range(self.delay.0, self.delay.1) + self.latency[l];
        let doomed = self.drop_next[l] > 0;
        if doomed {
            self.drop_next[l] -= 1;
        }
        let id = self.next_id;
        self.next_id += 1;
        self.in_flight.insert(
            id,
            InFlight {
                from,
                to,
                sent: now,
                due,
                doomed,
                msg,
            },
        );
        (id, due)
    }

    /// Takes a message off the wire at its arrival time and decides its fate.
    pub(crate) fn deliver(&mut self, rng: &mut Rng, id: u64) -> Fate<M> {
        let Some(m) = self.in_flight.remove(&id) else {
            return Fate::Gone;
        };
        let l = self.at(m.from, m.to);
        if m.doomed {
            return Fate::Lost(m, LossReason::Dropped);
        }
        if self.blocked[l] {
            return Fate::Lost(m, LossReason::Partition);
        }
        let p = self.loss[l].unwrap_or(self.base_loss);
        // Only draw when loss is possible, so loss-free runs keep their stream.
        if p > 0 && rng.below(100) < p as u64 {
            return Fate::Lost(m, LossReason::RandomLoss);
        }
        Fate::Arrived(m)
    }

    pub(crate) fn in_flight(&self) -> impl Iterator<Item = (&u64, &InFlight<M>)> {
        self.in_flight.iter()
    }

    pub(crate) fn in_flight_len(&self) -> usize {
        self.in_flight.len()
    }

    /// Cuts every link between different groups, both ways. Unlisted nodes
    /// form one more group. Returns the groups as applied.
    pub(crate) fn partition(&mut self, groups: &[Vec<u8>]) -> Vec<Vec<u8>> {
        let mut group_of = vec![groups.len(); self.n];
        for (g, members) in groups.iter().enumerate() {
            for &i in members {
                group_of[i as usize] = g;
            }
        }
        let mut all = groups.to_vec();
        let rest: Vec<u8> = (0..self.n as u8)
            .filter(|&i| group_of[i as usize] == groups.len())
            .collect();
        if !rest.is_empty() {
            all.push(rest);
        }
        for a in 0..self.n {
            for b in 0..self.n {
                if group_of[a] != group_of[b] {
                    self.blocked[a * self.n + b] = true;
                }
            }
        }
        all
    }

    pub(crate) fn one_way(&mut self, from: u8, to: u8) {
        let l = self.at(from, to);
        self.blocked[l] = true;
    }

    /// Removes all cuts; returns how many directed links were cut.
    pub(crate) fn heal(&mut self) -> usize {
        let cut = self.blocked.iter().filter(|&&b| b).count();
        self.blocked.iter_mut().for_each(|b| *b = false);
        cut
    }

    #[cfg(test)]
    pub(crate) fn is_blocked(&self, from: u8, to: u8) -> bool {
        self.blocked[self.at(from, to)]
    }

    /// Loses the earliest-arriving message in flight on `from -> to`, or arms
    /// the link to lose the next one sent. Returns the message lost now.
    pub(crate) fn drop_next(&mut self, from: u8, to: u8) -> Option<InFlight<M>> {
        let id = self
            .in_flight
            .iter()
            .filter(|(_, m)| m.from == from && m.to == to && !m.doomed)
            .min_by_key(|(id, m)| (m.due, **id))
            .map(|(id, _)| *id);
        match id {
            Some(id) => self.in_flight.remove(&id),
            None => {
                let l = self.at(from, to);
                self.drop_next[l] += 1;
                None
            }
        }
    }

    pub(crate) fn set_latency(&mut self, a: u8, b: u8, ms: u64) {
        let (ab, ba) = (self.at(a, b), self.at(b, a));
        self.latency[ab] = ms;
        self.latency[ba] = ms;
    }

    pub(crate) fn set_loss(&mut self, a: u8, b: u8, percent: u8) {
        let (ab, ba) = (self.at(a, b), self.at(b, a));
        self.loss[ab] = Some(percent);
        self.loss[ba] = Some(percent);
    }

    /// The network's visible state for a frame.
    pub(crate) fn view(&self) -> serde_json::Value {
        let mut v = NetView {
            blocked: vec![],
            latency: vec![],
            loss: vec![],
            drop_next: vec![],
        };
        for a in 0..self.n as u8 {
            for b in 0..self.n as u8 {
                let l = self.at(a, b);
                if self.blocked[l] {
                    v.blocked.push([short_name(a), short_name(b)]);
                }
                for _ in 0..self.drop_next[l] {
                    v.drop_next.push([short_name(a), short_name(b)]);
                }
                if a < b {
                    let setting = |value| LinkSetting {
                        a: short_name(a),
                        b: short_name(b),
                        value,
                    };
                    if self.latency[l] > 0 {
                        v.latency.push(setting(self.latency[l]));
                    }
                    if let Some(p) = self.loss[l] {
                        v.loss.push(setting(p as u64));
                    }
                }
            }
        }
        serde_json::to_value(v).expect("net view serializes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str, n: usize) -> Result<Fault, LabError> {
        parse_fault(&s.parse::<Action>().unwrap(), n)
    }

    #[test]
    fn parses_the_vocabulary() {
        assert_eq!(parse("10:crash:n2", 3), Ok(Fault::Crash(Target::Node(1))));
        assert_eq!(
            parse("10:crash:leader", 3),
            Ok(Fault::Crash(Target::Leader))
        );
        assert_eq!(
            parse("10:partition:n1,n2|n3", 5),
            Ok(Fault::Partition(vec![vec![0, 1], vec![2]]))
        );
        assert_eq!(
            parse("10:partition-oneway:n1:n3", 3),
            Ok(Fault::OneWay(0, 2))
        );
        assert_eq!(parse("10:heal", 3), Ok(Fault::Heal));
        assert_eq!(
            parse("10:latency:n1:n2:250", 3),
            Ok(Fault::Latency(0, 1, 250))
        );
        assert_eq!(parse("10:loss:n1:n2:30", 3), Ok(Fault::Loss(0, 1, 30)));
        assert_eq!(
            parse("10:request:x=1", 3),
            Ok(Fault::Request("x=1".into(), None))
        );
        assert_eq!(
            parse("10:request:y:n3", 3),
            Ok(Fault::Request("y".into(), Some(2)))
        );
        assert_eq!(parse("10:timeout:n1", 3), Ok(Fault::Timeout(0)));
    }

    #[test]
    fn rejects_malformed_args_naming_the_action() {
        for (s, needle) in [
            ("10:crash:n4", "n4"),
            ("10:crash", "crash"),
            ("10:partition:n1,n1|n2", "more than one group"),
            ("10:partition:n1,n2,n3", "two groups"),
            ("10:partition:n1|x", "`x`"),
            ("10:drop:n1:n1", "two different"),
            ("10:latency:n1:n2:fast", "MS"),
            ("10:latency:n1:n2:99999", "MS"),
            ("10:loss:n1:n2:101", "PERCENT"),
            ("10:request:has space", "value"),
            ("10:request:", "value"),
            ("10:heal:now", "heal"),
        ] {
            let e = parse(s, 3).unwrap_err();
            let LabError::BadAction(msg) = &e else {
                panic!("{e:?}")
            };
            assert!(msg.contains(s.split(':').nth(1).unwrap()), "{msg}");
            assert!(msg.contains(needle), "{s}: {msg}");
        }
    }

    #[test]
    fn partition_puts_unlisted_nodes_together() {
        let mut net: Net<()> = Net::new(4, 1, 1, 0);
        let groups = net.partition(&[vec![0]]);
        assert_eq!(groups, vec![vec![0], vec![1, 2, 3]]);
        assert!(net.is_blocked(0, 1) && net.is_blocked(3, 0));
        assert!(!net.is_blocked(1, 2));
        assert_eq!(net.heal(), 6);
        assert!(!net.is_blocked(0, 1));
    }

    #[test]
    fn drop_takes_the_earliest_in_flight_else_arms() {
        let mut rng = Rng::new(1);
        let mut net: Net<&str> = Net::new(2, 10, 10, 0);
        net.send(&mut rng, 0, 0, 1, "a");
        let (second, _) = net.send(&mut rng, 5, 0, 1, "b");
        assert_eq!(net.drop_next(0, 1).map(|m| m.msg), Some("a"));
        assert!(matches!(net.deliver(&mut rng, second), Fate::Arrived(m) if m.msg == "b"));
        assert!(net.drop_next(0, 1).is_none());
        let (third, _) = net.send(&mut rng, 20, 0, 1, "c");
        assert!(matches!(
            net.deliver(&mut rng, third),
            Fate::Lost(_, LossReason::Dropped)
        ));
    }
}
