//! Consistent hashing lab: a hash ring with virtual nodes, compared with
//! plain modulo hashing (`hash(key) % N`) on every membership change.
//!
//! Every key and every virtual node token is hashed with FNV-1a (64 bit)
//! followed by the SplitMix64 finalizer, salted with the run's seed, so a
//! seed gives one fixed ring. A token is the top 32 bits of that hash: the
//! ring is `0..2^32` and a key belongs to the first token at or after its
//! position, wrapping around. Modulo hashing uses the same 64-bit key hash
//! and the node list in join order.

use crate::params::{arg_u64, arity, by_time, int_param};
use crate::rng::hash_str;
use crate::{Action, Frame, Lab, LabError, LabInfo, ParamInfo, RunSpec, Scenario};
use serde_json::{json, Value};

// ---------------------------------------------------------------------------
// The ring
// ---------------------------------------------------------------------------

const RING_SIZE: u64 = 1 << 32;
const MAX_NODES: usize = 32;
const MAX_KEYS: usize = 20_000;
/// Most keys listed by name in one frame (the counts are always exact).
const SAMPLE: usize = 200;

/// Position of a string on the ring `0..2^32`.
pub fn ring_pos(s: &str, salt: u64) -> u32 {
    (hash_str(s, salt) >> 32) as u32
}

/// A ring: every node's virtual node tokens, sorted by position.
#[derive(Debug, Clone)]
pub struct Ring {
    /// `(position, index into nodes)`, sorted; ties broken by node index.
    tokens: Vec<(u32, usize)>,
}

impl Ring {
    /// Node `n`'s virtual node `i` sits at `ring_pos("n#i")`.
    pub fn new(nodes: &[String], vnodes: usize, salt: u64) -> Ring {
        let mut tokens = Vec::with_capacity(nodes.len() * vnodes);
        for (ni, name) in nodes.iter().enumerate() {
            for v in 0..vnodes {
                tokens.push((ring_pos(&format!("{name}#{v}"), salt), ni));
            }
        }
        tokens.sort_unstable();
        Ring { tokens }
    }

    /// Index of the node owning ring position `pos`: the first token at or
    /// after it, wrapping past the top back to the first token.
    pub fn owner(&self, pos: u32) -> usize {
        let i = self.tokens.partition_point(|&(p, _)| p < pos);
        self.tokens.get(i).unwrap_or(&self.tokens[0]).1
    }

    /// Each node's share of the ring (the arcs ending at its tokens).
    fn shares(&self, n: usize) -> Vec<f64> {
        let mut arcs = vec![0u64; n];
        for (i, &(p, node)) in self.tokens.iter().enumerate() {
            let prev = if i == 0 {
                self.tokens[self.tokens.len() - 1].0
            } else {
                self.tokens[i - 1].0
            };
            let len = if i == 0 {
                u64::from(p) + RING_SIZE - u64::from(prev)
            } else {
                u64::from(p - prev)
            };
            arcs[node] += len;
        }
        arcs.iter().map(|&a| a as f64 / RING_SIZE as f64).collect()
    }
}

/// Modulo hashing: node index `hash % N`.
pub fn modulo_owner(hash: u64, n: usize) -> usize {
    (hash % n as u64) as usize
}

/// One key that changed owner under consistent hashing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    pub key: String,
    pub from: String,
    pub to: String,
}

/// What a membership change from `before` to `after` does to `keys`.
#[derive(Debug, Clone)]
pub struct Change {
    /// Keys whose owner changed on the ring.
    pub consistent: Vec<Moved>,
    /// How many keys changed owner under `hash % N`.
    pub modulo: usize,
}

/// Compares key placement before and after a membership change, under both
/// schemes. Node lists are in join order (it matters for modulo hashing).
pub fn compare(
    keys: &[String],
    before: &[String],
    after: &[String],
    vnodes: usize,
    salt: u64,
) -> Change {
    let (rb, ra) = (
        Ring::new(before, vnodes, salt),
        Ring::new(after, vnodes, salt),
    );
    let mut consistent = Vec::new();
    let mut modulo = 0;
    for k in keys {
        let h = hash_str(k, salt);
        let pos = (h >> 32) as u32;
        let (from, to) = (&before[rb.owner(pos)], &after[ra.owner(pos)]);
        if from != to {
            consistent.push(Moved {
                key: k.clone(),
                from: from.clone(),
                to: to.clone(),
            });
        }
        if before[modulo_owner(h, before.len())] != after[modulo_owner(h, after.len())] {
            modulo += 1;
        }
    }
    Change { consistent, modulo }
}

// ---------------------------------------------------------------------------
// The lab
// ---------------------------------------------------------------------------

/// The consistent hashing lab, as the registry lists it.
pub(crate) struct ConsistentHashing;

impl Lab for ConsistentHashing {
    fn info(&self) -> LabInfo {
        info()
    }

    fn run(&self, spec: &RunSpec) -> Result<Vec<Frame>, LabError> {
        run(spec)
    }
}

fn info() -> LabInfo {
    LabInfo {
        slug: "consistent-hashing".into(),
        title: "Consistent hashing",
        summary: "Place keys on a hash ring with virtual nodes, add and remove nodes, and count the keys \
                  that move, next to what plain `hash % N` would move.",
        params: vec![
            ParamInfo::number("nodes", "Nodes at the start (named n1, n2, ...)", "4", 1.0, 16.0),
            ParamInfo::number("vnodes", "Virtual nodes (tokens) per node", "100", 1.0, 512.0),
            ParamInfo::number("keys", "Keys at the start (named key-0, key-1, ...)", "1000", 10.0, 10000.0),
        ],
        actions: vec![
            ("add-node", "[NAME]: a node joins (default name: the next free nK)"),
            ("remove-node", "NAME: a node leaves"),
            ("add-keys", "N: N new keys (1..=10000)"),
            ("remove-key", "KEY: delete one key, e.g. key-7"),
        ],
        default_steps: 1000,
        scenarios: vec![
            Scenario {
                title: "A fifth node joins",
                description: "Go from 4 to 5 nodes. The ring moves about a fifth of the keys, all onto the \
                              new node; modulo hashing reshuffles about four fifths.",
                params: vec![("nodes", "4"), ("vnodes", "100"), ("keys", "1000")],
                seed: 1,
                actions: vec!["1:add-node:n5"],
            },
            Scenario {
                title: "One token per node",
                description: "With a single token each, the arcs are very uneven: watch the load per node, \
                              then add and remove a node and see one neighbour take the whole hit.",
                params: vec![("nodes", "4"), ("vnodes", "1"), ("keys", "1000")],
                seed: 7,
                actions: vec!["1:add-node:n5", "2:remove-node:n2"],
            },
            Scenario {
                title: "A node fails",
                description: "n3 leaves: only the keys it held move, spread over the others by its virtual \
                              nodes. Modulo hashing moves almost everything.",
                params: vec![("nodes", "5"), ("vnodes", "200"), ("keys", "2000")],
                seed: 3,
                actions: vec!["1:remove-node:n3"],
            },
            Scenario {
                title: "Scale out step by step",
                description: "Add four nodes one after another; each step moves roughly K/N keys.",
                params: vec![("nodes", "4"), ("vnodes", "100"), ("keys", "4000")],
                seed: 11,
                actions: vec!["1:add-node", "2:add-node", "3:add-node", "4:add-node"],
            },
        ],
    }
}

fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 24
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

enum Op {
    AddNode(Option<String>),
    RemoveNode(String),
    AddKeys(usize),
    RemoveKey(String),
}

fn parse(a: &Action) -> Result<Op, LabError> {
    match a.kind.as_str() {
        "add-node" => {
            arity(a, 0, 1, "add-node[:NAME]")?;
            match a.args.first() {
                None => Ok(Op::AddNode(None)),
                Some(n) if valid_name(n) => Ok(Op::AddNode(Some(n.clone()))),
                Some(n) => Err(LabError::BadAction(format!(
                    "`{a}`: node name `{n}` must be 1-24 letters, digits, - or _"
                ))),
            }
        }
        "remove-node" => {
            arity(a, 1, 1, "remove-node:NAME")?;
            Ok(Op::RemoveNode(a.args[0].clone()))
        }
        "add-keys" => {
            arity(a, 1, 1, "add-keys:N")?;
            Ok(Op::AddKeys(arg_u64(a, 0, "N", 1, 10_000)? as usize))
        }
        "remove-key" => {
            arity(a, 1, 1, "remove-key:KEY")?;
            Ok(Op::RemoveKey(a.args[0].clone()))
        }
        _ => Err(LabError::BadAction(format!(
            "`{a}`: unknown action for consistent-hashing"
        ))),
    }
}

/// The ring's members and keys as the run goes.
struct Cluster {
    salt: u64,
    vnodes: usize,
    nodes: Vec<String>,
    keys: Vec<String>,
    next_key: usize,
}

impl Cluster {
    fn state(&self, last: Value) -> Value {
        let ring = Ring::new(&self.nodes, self.vnodes, self.salt);
        let n = self.nodes.len();
        let mut load = vec![0usize; n];
        let mut modulo_load = vec![0usize; n];
        let mut sample = Vec::new();
        for (i, k) in self.keys.iter().enumerate() {
            let h = hash_str(k, self.salt);
            let pos = (h >> 32) as u32;
            let owner = ring.owner(pos);
            load[owner] += 1;
            modulo_load[modulo_owner(h, n)] += 1;
            if i < SAMPLE {
                sample.push(json!({"key": k, "pos": pos, "node": self.nodes[owner]}));
            }
        }
        let shares = ring.shares(n);
        let nodes: Vec<Value> = (0..n)
            .map(|i| {
                let mut tokens: Vec<u32> = ring
                    .tokens
                    .iter()
                    .filter(|t| t.1 == i)
                    .map(|t| t.0)
                    .collect();
                tokens.dedup();
                json!({
                    "name": self.nodes[i],
                    "tokens": tokens,
                    "keys": load[i],
                    "share": round4(shares[i]),
                    "modulo_keys": modulo_load[i],
                })
            })
            .collect();
        let ideal = self.keys.len() as f64 / n as f64;
        let max = load.iter().copied().max().unwrap_or(0) as f64;
        json!({
            "ring_size": RING_SIZE,
            "vnodes": self.vnodes,
            "nodes": nodes,
            "keys": self.keys.len(),
            "ideal_per_node": round4(ideal),
            "max_over_ideal": if ideal > 0.0 { round4(max / ideal) } else { 0.0 },
            "sample": sample,
            "last_change": last,
        })
    }

    /// Applies a membership change and describes it.
    fn membership(&mut self, kind: &str, node: &str, after: Vec<String>) -> (Value, String) {
        let ch = compare(&self.keys, &self.nodes, &after, self.vnodes, self.salt);
        let total = self.keys.len().max(1) as f64;
        let moved = ch.consistent.len();
        let ideal_n = if kind == "add-node" {
            after.len()
        } else {
            self.nodes.len()
        };
        let explain = if kind == "add-node" {
            format!(
                "{node} joined: {moved} of {} keys moved ({:.1}%, ideal 1/{ideal_n} = {:.1}%), all onto {node}; \
                 modulo hashing would move {} ({:.1}%).",
                self.keys.len(),
                100.0 * moved as f64 / total,
                100.0 / ideal_n as f64,
                ch.modulo,
                100.0 * ch.modulo as f64 / total
            )
        } else {
            format!(
                "{node} left: only its {moved} keys moved ({:.1}%), to the next tokens clockwise; \
                 modulo hashing would move {} ({:.1}%).",
                100.0 * moved as f64 / total,
                ch.modulo,
                100.0 * ch.modulo as f64 / total
            )
        };
        let sample: Vec<Value> = ch
            .consistent
            .iter()
            .take(SAMPLE)
            .map(|m| json!({"key": m.key, "pos": ring_pos(&m.key, self.salt), "from": m.from, "to": m.to}))
            .collect();
        let last = json!({
            "kind": kind,
            "node": node,
            "moved": moved,
            "moved_fraction": round4(moved as f64 / total),
            "expected_fraction": round4(1.0 / ideal_n as f64),
            "moved_sample": sample,
            "modulo_moved": ch.modulo,
            "modulo_fraction": round4(ch.modulo as f64 / total),
        });
        self.nodes = after;
        (last, explain)
    }

    fn apply(&mut self, a: &Action) -> Result<(Value, String), LabError> {
        let bad = |msg: String| LabError::BadAction(format!("`{a}`: {msg}"));
        match parse(a)? {
            Op::AddNode(name) => {
                let name = match name {
                    Some(n) => n,
                    None => (1..)
                        .map(|i| format!("n{i}"))
                        .find(|c| !self.nodes.contains(c))
                        .unwrap_or_default(),
                };
                if self.nodes.contains(&name) {
                    return Err(bad(format!("node `{name}` is already on the ring")));
                }
                if self.nodes.len() >= MAX_NODES {
                    return Err(bad(format!("at most {MAX_NODES} nodes")));
                }
                let mut after = self.nodes.clone();
                after.push(name.clone());
                Ok(self.membership("add-node", &name, after))
            }
            Op::RemoveNode(name) => {
                if !self.nodes.contains(&name) {
                    return Err(bad(format!("no node named `{name}`")));
                }
                if self.nodes.len() == 1 {
                    return Err(bad("cannot remove the last node".into()));
                }
                let after: Vec<String> =
                    self.nodes.iter().filter(|n| **n != name).cloned().collect();
                Ok(self.membership("remove-node", &name, after))
            }
            Op::AddKeys(n) => {
                if self.keys.len() + n > MAX_KEYS {
                    return Err(bad(format!("at most {MAX_KEYS} keys in all")));
                }
                let first = self.next_key;
                self.keys
                    .extend((first..first + n).map(|i| format!("key-{i}")));
                self.next_key += n;
                let last = json!({"kind": "add-keys", "added": n, "moved": 0, "modulo_moved": 0});
                let explain = format!(
                    "Added {n} keys (key-{first}..key-{}); each lands on the next token clockwise, no key moved.",
                    first + n - 1
                );
                Ok((last, explain))
            }
            Op::RemoveKey(key) => {
                let i = self
                    .keys
                    .iter()
                    .position(|k| *k == key)
                    .ok_or_else(|| bad(format!("no key named `{key}`")))?;
                let ring = Ring::new(&self.nodes, self.vnodes, self.salt);
                let owner = &self.nodes[ring.owner(ring_pos(&key, self.salt))];
                let explain = format!("Removed {key} (it was on {owner}); no other key moved.");
                self.keys.remove(i);
                let last = json!({"kind": "remove-key", "key": key, "node": owner, "moved": 0, "modulo_moved": 0});
                Ok((last, explain))
            }
        }
    }
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

fn run(spec: &RunSpec) -> Result<Vec<Frame>, LabError> {
    let info = info();
    let n = int_param(spec, &info, "nodes")? as usize;
    let vnodes = int_param(spec, &info, "vnodes")? as usize;
    let keys = int_param(spec, &info, "keys")? as usize;
    let actions = by_time(&spec.actions);
    // Reject malformed actions before running anything.
    for a in &actions {
        parse(a)?;
    }
    let mut lab = Cluster {
        salt: spec.seed,
        vnodes,
        nodes: (1..=n).map(|i| format!("n{i}")).collect(),
        keys: (0..keys).map(|i| format!("key-{i}")).collect(),
        next_key: keys,
    };
    let limit = spec.steps_or(info.default_steps);
    let mut frames = vec![Frame {
        step: 0,
        time: 0,
        explain: format!(
            "Ring of {n} nodes x {vnodes} virtual nodes; {keys} keys, each on the first token clockwise from its hash."
        ),
        state: lab.state(Value::Null),
    }];
    for a in actions {
        if frames.len() >= limit {
            break;
        }
        let (last, explain) = lab.apply(a)?;
        frames.push(Frame {
            step: frames.len(),
            time: a.at,
            explain,
            state: lab.state(last),
        });
    }
    Ok(frames)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: usize) -> Vec<String> {
        (1..=n).map(|i| format!("n{i}")).collect()
    }

    #[test]
    fn owner_wraps_around() {
        let ring = Ring {
            tokens: vec![(10, 0), (20, 1)],
        };
        assert_eq!(ring.owner(5), 0);
        assert_eq!(ring.owner(10), 0);
        assert_eq!(ring.owner(11), 1);
        assert_eq!(ring.owner(25), 0);
        let s = ring.shares(2);
        assert!((s[0] + s[1] - 1.0).abs() < 1e-12);
    }

    #[test]
    fn joining_node_only_takes_keys() {
        let keys: Vec<String> = (0..2000).map(|i| format!("key-{i}")).collect();
        let ch = compare(&keys, &names(4), &names(5), 100, 9);
        assert!(ch.consistent.iter().all(|m| m.to == "n5"));
        assert!(ch.modulo > ch.consistent.len() * 2);
    }

    #[test]
    fn malformed_actions_are_rejected() {
        for s in [
            "1:add-node:bad name!",
            "1:add-keys:0",
            "1:add-keys:x",
            "1:remove-node",
            "1:add-keys:1:2",
        ] {
            let a: Action = s.parse().unwrap();
            assert!(matches!(parse(&a), Err(LabError::BadAction(_))), "{s}");
        }
    }
}
