//! The learner's actions applied to the cluster: crashes, restarts, forced
//! timeouts, client writes and network faults.

use super::node::Role;
use super::note::Note;
use super::sim::Sim;
use crate::net::{Fault, Target};

impl Sim {
    pub(super) fn action(&mut self, i: usize) -> Note {
        match self.actions[i].clone() {
            Fault::Crash(target) => {
                let Some(t) = (match target {
                    Target::Node(t) => Some(t),
                    Target::Leader => self.leader(),
                }) else {
                    return Note::NoLeaderToCrash;
                };
                let node = &mut self.nodes[t as usize];
                if !node.alive {
                    return Note::AlreadyDown(t);
                }
                let was = node.role;
                node.alive = false;
                node.role = Role::Follower;
                node.commit = 0;
                node.applied.clear();
                node.votes = 0;
                node.leader_hint = None;
                node.timer_epoch += 1;
                node.timer_at = None;
                node.heartbeat_epoch += 1;
                Note::Crash { node: t, was }
            }
            Fault::Restart(t) => {
                if self.nodes[t as usize].alive {
                    return Note::AlreadyUp(t);
                }
                let n = self.cfg.nodes;
                let node = &mut self.nodes[t as usize];
                node.alive = true;
                node.next = vec![1; n];
                node.matched = vec![0; n];
                self.reset_election(t);
                Note::Restart { node: t }
            }
            Fault::Timeout(t) => {
                let node = &self.nodes[t as usize];
                if !node.alive {
                    Note::TimeoutIgnored {
                        node: t,
                        leader: false,
                    }
                } else if node.role == Role::Leader {
                    Note::TimeoutIgnored {
                        node: t,
                        leader: true,
                    }
                } else {
                    self.start_election(t, true)
                }
            }
            Fault::Request(value, to) => self.request(value, to),
            Fault::Partition(groups) => Note::Partition(self.net.partition(&groups)),
            Fault::OneWay(a, b) => {
                self.net.one_way(a, b);
                Note::OneWay(a, b)
            }
            Fault::Heal => Note::Heal(self.net.heal()),
            Fault::Drop(a, b) => Note::Drop {
                from: a,
                to: b,
                kind: self.net.drop_next(a, b).map(|m| m.msg.kind()),
            },
            Fault::Latency(a, b, ms) => {
                self.net.set_latency(a, b, ms);
                Note::Latency(a, b, ms)
            }
            Fault::Loss(a, b, p) => {
                self.net.set_loss(a, b, p);
                Note::Loss(a, b, p)
            }
        }
    }

    fn request(&mut self, value: String, to: Option<u8>) -> Note {
        let v = self.values.len() as u32;
        self.values.push(value);
        let Some(t) = to.or_else(|| self.leader()) else {
            return Note::NoLeader { value: v };
        };
        let node = &mut self.nodes[t as usize];
        if !node.alive {
            return Note::RequestToDown { node: t, value: v };
        }
        if node.role != Role::Leader {
            return Note::NotLeader {
                node: t,
                hint: node.leader_hint.filter(|&h| h != t),
                value: v,
            };
        }
        let term = node.term;
        let e = node.push(term, v);
        let index = node.last_index();
        node.matched[t as usize] = index;
        self.check.on_append(t, index, &e);
        self.broadcast_append(t);
        Note::Appended {
            leader: t,
            value: v,
            index,
            term,
        }
    }
}
