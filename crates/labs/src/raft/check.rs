//! Raft's safety properties (Ongaro and Ousterhout, "In Search of an
//! Understandable Consensus Algorithm", 2014, figure 3), checked as the
//! simulation runs.
//!
//! The checks are incremental: each hook looks at the one change an event
//! made (a new leader, a new entry, an advanced commit index, an applied
//! value) against what the run has seen so far. Only the node an event
//! touches can break a property, so this is as strong as re-checking every
//! node after every event, at a fraction of the cost.

use super::node::{Entry, Node, Role};
use crate::net::node_name;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) struct Invariants {
    /// At most one leader per term.
    pub election_safety: bool,
    /// Two entries with the same index and term have identical prefixes.
    pub log_matching: bool,
    /// A committed entry is in the log of every leader of a later term.
    pub leader_completeness: bool,
    /// No two nodes apply different values at the same index.
    pub state_machine_safety: bool,
}

pub(crate) struct Checker {
    /// Every term's leader so far.
    leaders: BTreeMap<u64, u8>,
    /// Every (index, term) ever appended anywhere, with its prefix hash.
    entries: BTreeMap<(u64, u64), u64>,
    /// The committed prefix: per index, the prefix hash and the term in
    /// which it was first known committed.
    committed: Vec<(u64, u64)>,
    /// Values of the committed prefix, for display.
    committed_values: Vec<u32>,
    /// The value applied at each index, by whoever applied it first.
    applied: Vec<u32>,
    pub ok: Invariants,
    pub violations: Vec<String>,
}

impl Checker {
    pub(crate) fn new() -> Self {
        Checker {
            leaders: BTreeMap::new(),
            entries: BTreeMap::new(),
            committed: Vec::new(),
            committed_values: Vec::new(),
            applied: Vec::new(),
            ok: Invariants {
                election_safety: true,
                log_matching: true,
                leader_completeness: true,
                state_machine_safety: true,
            },
            violations: Vec::new(),
        }
    }

    pub(crate) fn committed_values(&self) -> &[u32] {
        &self.committed_values
    }

    fn violate(&mut self, msg: String) {
        self.violations.push(msg);
    }

    /// `node` just became leader of `term` with `log`.
    pub(crate) fn on_leader(&mut self, node: u8, term: u64, log: &[Entry]) {
        if let Some(&other) = self.leaders.get(&term) {
            if other != node {
                self.ok.election_safety = false;
                self.violate(format!(
                    "election safety: {} and {} are both leaders of term {term}",
                    node_name(other),
                    node_name(node)
                ));
            }
        } else {
            self.leaders.insert(term, node);
        }
        // The committed prefix is one chain, so checking the last entry
        // committed in an earlier term covers every entry before it.
        if let Some(k) = self.committed.iter().rposition(|&(_, t)| t < term) {
            if log.get(k).map(|e| e.hash) != Some(self.committed[k].0) {
                self.ok.leader_completeness = false;
                self.violate(format!(
                    "leader completeness: {} leads term {term} without committed entry {} (committed in term {})",
                    node_name(node),
                    k + 1,
                    self.committed[k].1
                ));
            }
        }
    }

    /// `node` just appended `e` at 1-based `index`.
    pub(crate) fn on_append(&mut self, node: u8, index: u64, e: &Entry) {
        match self.entries.get(&(index, e.term)) {
            Some(&h) if h != e.hash => {
                self.ok.log_matching = false;
                self.violate(format!(
                    "log matching: {} has entry {index} of term {} with a prefix no other node with that entry has",
                    node_name(node),
                    e.term
                ));
            }
            Some(_) => {}
            None => {
                self.entries.insert((index, e.term), e.hash);
            }
        }
    }

    /// `nodes[node]` just moved its commit index from `from` to `to`.
    pub(crate) fn on_commit(&mut self, nodes: &[Node], node: u8, from: u64, to: u64) {
        let n = &nodes[node as usize];
        for k in from + 1..=to {
            let Some(e) = n.log.get(k as usize - 1) else {
                break;
            };
            let i = k as usize - 1;
            if i < self.committed.len() {
                if self.committed[i].0 != e.hash {
                    self.ok.state_machine_safety = false;
                    self.violate(format!(
                        "state machine safety: {} commits a different entry at index {k} than was committed before",
                        node_name(node)
                    ));
                }
                continue;
            }
            self.committed.push((e.hash, n.term));
            self.committed_values.push(e.value);
            // Leaders already elected in later terms must hold it too.
            for (j, l) in nodes.iter().enumerate() {
                if l.alive && l.role == Role::Leader && l.term > n.term && l.hash_at(k) != e.hash {
                    self.ok.leader_completeness = false;
                    self.violate(format!(
                        "leader completeness: entry {k} committed in term {} is missing from {}, leader of term {}",
                        n.term,
                        node_name(j as u8),
                        l.term
                    ));
                }
            }
        }
    }

    /// `node` just applied `value` at 1-based `index`.
    pub(crate) fn on_apply(&mut self, node: u8, index: u64, value: u32) {
        let i = index as usize - 1;
        if i < self.applied.len() {
            if self.applied[i] != value {
                self.ok.state_machine_safety = false;
                self.violate(format!(
                    "state machine safety: {} applies a different value at index {index} than another node did",
                    node_name(node)
                ));
            }
        } else {
            self.applied.push(value);
        }
    }
}

/// Log matching checked the slow way, over the current logs of all nodes.
/// Tests use it to confirm the incremental check misses nothing.
#[cfg(test)]
pub(crate) fn logs_match(nodes: &[Node]) -> bool {
    for a in nodes {
        for b in nodes {
            let common = a.log.len().min(b.log.len());
            for k in 0..common {
                if a.log[k].term == b.log[k].term
                    && a.log[..=k].iter().zip(&b.log[..=k]).any(|(x, y)| x != y)
                {
                    return false;
                }
            }
        }
    }
    true
}
