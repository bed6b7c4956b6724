//! The Raft cluster as a discrete-event simulation: timers, message
//! handlers and the learner's faults. Each handler returns a [`Note`] saying
//! what happened; text is only made from it when frames are wanted.

use super::check::Checker;
use super::node::{Msg, Node, Role};
use super::note::{AppendResult, LostWhy, Note, ReplyResult, VoteOutcome, VoteWhy};
use crate::engine::Queue;
use crate::net::{Fate, Fault, Net};
use crate::rng::Rng;

/// Most entries one AppendEntries carries; a far-behind follower catches up
/// over several heartbeats.
const BATCH: usize = 64;

#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub nodes: usize,
    pub election: (u64, u64),
    pub heartbeat: u64,
    pub delay: (u64, u64),
    pub loss: u8,
    /// Teaching bug: grant votes without Raft's up-to-date check.
    pub skip_up_to_date_check: bool,
}

pub(crate) enum Ev {
    Action(u32),
    Deliver(u64),
    Election(u8, u32),
    Heartbeat(u8, u32),
}

pub(crate) struct Sim {
    pub cfg: Config,
    pub nodes: Vec<Node>,
    pub net: Net<Msg>,
    pub q: Queue<Ev>,
    pub rng: Rng,
    pub check: Checker,
    /// Client values; log entries refer to them by index.
    pub values: Vec<String>,
    pub actions: Vec<Fault>,
    pub now: u64,
}

impl Sim {
    pub(crate) fn new(cfg: Config, seed: u64, actions: Vec<(u64, Fault)>) -> Self {
        let n = cfg.nodes;
        let mut sim = Sim {
            net: Net::new(n, cfg.delay.0, cfg.delay.1, cfg.loss),
            nodes: (0..n).map(|_| Node::new(n)).collect(),
            cfg,
            q: Queue::new(),
            rng: Rng::new(seed),
            check: Checker::new(),
            values: Vec::new(),
            actions: Vec::with_capacity(actions.len()),
            now: 0,
        };
        // Actions first, so at equal times they run before anything else.
        for (i, (at, f)) in actions.into_iter().enumerate() {
            sim.q.push(at, Ev::Action(i as u32));
            sim.actions.push(f);
        }
        for i in 0..n as u8 {
            sim.reset_election(i);
        }
        sim
    }

    fn majority(&self) -> u32 {
        self.cfg.nodes as u32 / 2 + 1
    }

    /// The live leader with the highest term, if any.
    pub(crate) fn leader(&self) -> Option<u8> {
        (0..self.nodes.len())
            .filter(|&i| self.nodes[i].alive && self.nodes[i].role == Role::Leader)
            .max_by_key(|&i| self.nodes[i].term)
            .map(|i| i as u8)
    }

    /// Runs the next event. `None` when nothing is left; `Some(None)` for
    /// bookkeeping events nobody would see (a stale timer, say).
    pub(crate) fn step(&mut self) -> Option<Option<Note>> {
        let (time, ev) = self.q.pop()?;
        self.now = time;
        Some(match ev {
            Ev::Action(i) => Some(self.action(i as usize)),
            Ev::Deliver(id) => self.deliver(id),
            Ev::Election(i, epoch) => self.election_timer(i, epoch),
            Ev::Heartbeat(i, epoch) => self.heartbeat_timer(i, epoch),
        })
    }

    fn send(&mut self, from: u8, to: u8, msg: Msg) {
        let (id, due) = self.net.send(&mut self.rng, self.now, from, to, msg);
        self.q.push(due, Ev::Deliver(id));
    }

    /// Picks a new election deadline. Only schedules a timer event if none
    /// due earlier is live: a follower hearing heartbeats just moves its
    /// deadline, and the pending event re-arms itself when it fires early.
    pub(super) fn reset_election(&mut self, i: u8) {
        let d = self.now + self.rng.range(self.cfg.election.0, self.cfg.election.1);
        let node = &mut self.nodes[i as usize];
        node.deadline = d;
        if node.timer_at.is_none_or(|t| t > d) {
            node.timer_epoch += 1;
            node.timer_at = Some(d);
            self.q.push(d, Ev::Election(i, node.timer_epoch));
        }
    }

    fn election_timer(&mut self, i: u8, epoch: u32) -> Option<Note> {
        let now = self.now;
        let node = &mut self.nodes[i as usize];
        if !node.alive || epoch != node.timer_epoch {
            return None;
        }
        if node.role == Role::Leader {
            node.timer_at = None;
            return None;
        }
        if now < node.deadline {
            node.timer_at = Some(node.deadline);
            self.q.push(node.deadline, Ev::Election(i, epoch));
            return None;
        }
        node.timer_at = None;
        Some(self.start_election(i, false))
    }

    pub(super) fn start_election(&mut self, i: u8, forced: bool) -> Note {
        let node = &mut self.nodes[i as usize];
        node.role = Role::Candidate;
        node.term += 1;
        node.voted_for = Some(i);
        node.votes = 1 << i;
        node.leader_hint = None;
        let (term, last_index, last_term) = (node.term, node.last_index(), node.last_term());
        self.reset_election(i);
        for p in 0..self.cfg.nodes as u8 {
            if p != i {
                self.send(
                    i,
                    p,
                    Msg::Vote {
                        term,
                        last_index,
                        last_term,
                    },
                );
            }
        }
        Note::Election {
            node: i,
            term,
            forced,
        }
    }

    fn heartbeat_timer(&mut self, i: u8, epoch: u32) -> Option<Note> {
        let node = &self.nodes[i as usize];
        if !node.alive || node.role != Role::Leader || epoch != node.heartbeat_epoch {
            return None;
        }
        let term = node.term;
        self.broadcast_append(i);
        self.q
            .push(self.now + self.cfg.heartbeat, Ev::Heartbeat(i, epoch));
        Some(Note::Heartbeat { leader: i, term })
    }

    pub(super) fn broadcast_append(&mut self, l: u8) {
        for p in 0..self.cfg.nodes as u8 {
            if p != l {
                self.send_append(l, p);
            }
        }
    }

    fn send_append(&mut self, l: u8, p: u8) {
        let node = &self.nodes[l as usize];
        let prev_index = node.next[p as usize] - 1;
        let start = prev_index as usize;
        let end = node.log.len().min(start + BATCH);
        let msg = Msg::Append {
            term: node.term,
            prev_index,
            prev_term: node.term_at(prev_index),
            entries: node.log[start..end].to_vec(),
            commit: node.commit,
        };
        self.send(l, p, msg);
    }

    /// Adopts a higher term seen in a message. Returns the role the node had
    /// if it had to step down or move on.
    fn observe_term(&mut self, i: u8, term: u64) -> Option<(Role, u64)> {
        let node = &mut self.nodes[i as usize];
        if term <= node.term {
            return None;
        }
        let old = (node.role, node.term);
        node.term = term;
        node.voted_for = None;
        node.votes = 0;
        node.role = Role::Follower;
        if old.0 == Role::Leader {
            // Leaders run no election timer; a follower needs one.
            node.heartbeat_epoch += 1;
            self.reset_election(i);
        }
        Some(old)
    }

    fn become_leader(&mut self, i: u8) {
        let n = self.cfg.nodes;
        let node = &mut self.nodes[i as usize];
        node.role = Role::Leader;
        node.leader_hint = Some(i);
        let next = node.last_index() + 1;
        node.next = vec![next; n];
        node.matched = vec![0; n];
        node.matched[i as usize] = node.last_index();
        node.timer_epoch += 1;
        node.timer_at = None;
        node.heartbeat_epoch += 1;
        let epoch = node.heartbeat_epoch;
        self.check.on_leader(i, node.term, &node.log);
        self.q
            .push(self.now + self.cfg.heartbeat, Ev::Heartbeat(i, epoch));
        self.broadcast_append(i);
    }

    fn deliver(&mut self, id: u64) -> Option<Note> {
        let m = match self.net.deliver(&mut self.rng, id) {
            Fate::Gone => return None,
            Fate::Lost(m, why) => {
                return Some(Note::Lost {
                    from: m.from,
                    to: m.to,
                    kind: m.msg.kind(),
                    why: LostWhy::Net(why),
                })
            }
            Fate::Arrived(m) => m,
        };
        if !self.nodes[m.to as usize].alive {
            return Some(Note::Lost {
                from: m.from,
                to: m.to,
                kind: m.msg.kind(),
                why: LostWhy::Down,
            });
        }
        let (from, to) = (m.from, m.to);
        Some(match m.msg {
            Msg::Vote {
                term,
                last_index,
                last_term,
            } => self.on_vote(to, from, term, last_index, last_term),
            Msg::VoteReply { term, granted } => self.on_vote_reply(to, from, term, granted),
            Msg::Append {
                term,
                prev_index,
                prev_term,
                entries,
                commit,
            } => self.on_append(to, from, term, prev_index, prev_term, &entries, commit),
            Msg::AppendReply {
                term,
                success,
                match_index,
                hint,
            } => self.on_append_reply(to, from, term, success, match_index, hint),
        })
    }

    fn on_vote(&mut self, v: u8, c: u8, term: u64, last_index: u64, last_term: u64) -> Note {
        let stepped = self.observe_term(v, term);
        let node = &self.nodes[v as usize];
        let up_to_date = last_term > node.last_term()
            || (last_term == node.last_term() && last_index >= node.last_index());
        let why = if term < node.term {
            VoteWhy::StaleTerm(node.term)
        } else if let Some(other) = node.voted_for.filter(|&x| x != c) {
            VoteWhy::AlreadyVoted(other)
        } else if !up_to_date && !self.cfg.skip_up_to_date_check {
            VoteWhy::LogBehind {
                mine: (node.last_index(), node.last_term()),
                theirs: (last_index, last_term),
            }
        } else {
            VoteWhy::Granted
        };
        let granted = why == VoteWhy::Granted;
        if granted {
            self.nodes[v as usize].voted_for = Some(c);
            self.reset_election(v);
        }
        let my_term = self.nodes[v as usize].term;
        self.send(
            v,
            c,
            Msg::VoteReply {
                term: my_term,
                granted,
            },
        );
        Note::Vote {
            voter: v,
            cand: c,
            term,
            why,
            stepped,
        }
    }

    fn on_vote_reply(&mut self, c: u8, v: u8, term: u64, granted: bool) -> Note {
        let outcome = if let Some(old) = self.observe_term(c, term) {
            VoteOutcome::SteppedDown(old.0)
        } else {
            let majority = self.majority();
            let node = &mut self.nodes[c as usize];
            if node.role != Role::Candidate || term != node.term {
                VoteOutcome::Late(node.role)
            } else {
                if granted {
                    node.votes |= 1 << v;
                }
                let have = node.votes.count_ones();
                if granted && have >= majority {
                    let votes = node.votes;
                    self.become_leader(c);
                    VoteOutcome::Won(votes)
                } else {
                    VoteOutcome::Tally(have, majority)
                }
            }
        };
        Note::VoteReply {
            cand: c,
            voter: v,
            term,
            granted,
            outcome,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn on_append(
        &mut self,
        f: u8,
        l: u8,
        term: u64,
        prev_index: u64,
        prev_term: u64,
        entries: &[super::node::Entry],
        commit: u64,
    ) -> Note {
        let mut stepped = self.observe_term(f, term);
        let node = &mut self.nodes[f as usize];
        if term < node.term {
            let my_term = node.term;
            self.send(
                f,
                l,
                Msg::AppendReply {
                    term: my_term,
                    success: false,
                    match_index: 0,
                    hint: 0,
                },
            );
            return Note::Append {
                follower: f,
                leader: l,
                term,
                stepped,
                result: AppendResult::Stale(my_term),
            };
        }
        if node.role == Role::Candidate {
            // Someone won this term: stop campaigning.
            node.role = Role::Follower;
            stepped = Some((Role::Candidate, term));
        }
        node.leader_hint = Some(l);
        self.reset_election(f);
        let node = &mut self.nodes[f as usize];
        if prev_index > node.last_index() || node.term_at(prev_index) != prev_term {
            let hint = if prev_index > node.last_index() {
                node.last_index() + 1
            } else {
                node.first_index_of_term_at(prev_index)
            };
            let have = node.last_index();
            self.send(
                f,
                l,
                Msg::AppendReply {
                    term,
                    success: false,
                    match_index: 0,
                    hint,
                },
            );
            return Note::Append {
                follower: f,
                leader: l,
                term,
                stepped,
                result: AppendResult::Mismatch {
                    prev_index,
                    prev_term,
                    have,
                    hint,
                },
            };
        }
        let mut truncated_from = None;
        let mut first = 0;
        let mut appended = 0;
        for (k, e) in entries.iter().enumerate() {
            let index = prev_index + 1 + k as u64;
            if index <= node.last_index() {
                if node.term_at(index) == e.term {
                    continue;
                }
                // A conflict: this entry and all after it were never committed.
                node.log.truncate(index as usize - 1);
                truncated_from = Some(index);
                node.commit = node.commit.min(node.last_index());
            }
            let new = node.push(e.term, e.value);
            self.check.on_append(f, index, &new);
            if appended == 0 {
                first = index;
            }
            appended += 1;
        }
        let last_new = prev_index + entries.len() as u64;
        let commit_moved = self.advance_commit(f, commit.min(last_new));
        self.send(
            f,
            l,
            Msg::AppendReply {
                term,
                success: true,
                match_index: last_new,
                hint: 0,
            },
        );
        Note::Append {
            follower: f,
            leader: l,
            term,
            stepped,
            result: AppendResult::Ok {
                first,
                appended,
                truncated_from,
                commit_moved,
            },
        }
    }

    /// Moves a node's commit index forward to `to` (never back) and applies
    /// the newly committed entries. Returns (old, new) if it moved.
    fn advance_commit(&mut self, i: u8, to: u64) -> Option<(u64, u64)> {
        let node = &self.nodes[i as usize];
        let from = node.commit;
        if to <= from {
            return None;
        }
        self.check.on_commit(&self.nodes, i, from, to);
        let node = &mut self.nodes[i as usize];
        node.commit = to;
        while (node.applied.len() as u64) < node.commit && node.applied.len() < node.log.len() {
            let index = node.applied.len() as u64 + 1;
            let value = node.log[index as usize - 1].value;
            node.applied.push(value);
            self.check.on_apply(i, index, value);
        }
        Some((from, to))
    }

    fn on_append_reply(
        &mut self,
        l: u8,
        f: u8,
        term: u64,
        success: bool,
        match_index: u64,
        hint: u64,
    ) -> Note {
        let result = if let Some(old) = self.observe_term(l, term) {
            ReplyResult::SteppedDown(old.0)
        } else if self.nodes[l as usize].role != Role::Leader || term != self.nodes[l as usize].term
        {
            ReplyResult::Stale
        } else if success {
            let majority = self.majority() as usize;
            let node = &mut self.nodes[l as usize];
            let p = f as usize;
            node.matched[p] = node.matched[p].max(match_index);
            node.next[p] = node.next[p].max(match_index + 1);
            // Only an entry of the leader's own term is committed by
            // counting replicas (Raft paper, section 5.4.2); earlier ones
            // follow it.
            let mut to = node.commit;
            let mut n = node.last_index();
            while n > node.commit && node.term_at(n) == node.term {
                if node.matched.iter().filter(|&&m| m >= n).count() >= majority {
                    to = n;
                    break;
                }
                n -= 1;
            }
            let commit_moved = self.advance_commit(l, to);
            ReplyResult::Success {
                match_index,
                commit_moved,
            }
        } else {
            let node = &mut self.nodes[l as usize];
            let p = f as usize;
            let floor = node.matched[p] + 1;
            node.next[p] = (node.next[p].saturating_sub(1)).min(hint).max(floor).max(1);
            let next = node.next[p];
            self.send_append(l, f);
            ReplyResult::Retry { next }
        };
        Note::AppendReply {
            leader: l,
            follower: f,
            term,
            result,
        }
    }
}
