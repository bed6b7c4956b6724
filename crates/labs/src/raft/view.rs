//! What the learner sees: one-line explanations of each event and the
//! frame state the browser draws from. Only built when frames are wanted.

use super::node::{Msg, Role};
use super::note::{AppendResult, LostWhy, Note, ReplyResult, VoteOutcome, VoteWhy};
use super::sim::Sim;
use crate::net::{names, node_name, short_name};
use serde::Serialize;

fn s(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

impl Sim {
    fn applied_between(&self, node: u8, from: u64, to: u64) -> String {
        let log = &self.nodes[node as usize].log;
        let vals: Vec<&str> = (from..to)
            .filter_map(|i| log.get(i as usize))
            .map(|e| self.values[e.value as usize].as_str())
            .collect();
        vals.join(",")
    }

    fn commit_text(&self, node: u8, moved: Option<(u64, u64)>) -> String {
        match moved {
            Some((a, b)) => format!(
                "; commit index {a} -> {b}, applies {}",
                self.applied_between(node, a, b)
            ),
            None => String::new(),
        }
    }

    /// The one-line explanation of a note.
    pub(crate) fn explain(&self, note: &Note) -> String {
        let n = node_name;
        let val = |v: &u32| self.values[*v as usize].as_str();
        let stepped_text = |who: u8, st: &Option<(Role, u64)>, term: u64| match st {
            Some((Role::Follower, old)) => format!("{} moves from term {old} to {term}; ", n(who)),
            Some((role, old)) if *old < term => {
                format!(
                    "{} ({} of term {old}) sees term {term} and steps down; ",
                    n(who),
                    role.name()
                )
            }
            Some((role, _)) => format!(
                "{} stops being {} as a leader exists; ",
                n(who),
                role.name()
            ),
            None => String::new(),
        };
        match note {
            Note::Election { node, term, forced } => format!(
                "{} {} and starts an election for term {term}: votes for itself, asks the others",
                n(*node),
                if *forced { "is forced to time out" } else { "timed out" }
            ),
            Note::Heartbeat { leader, term } => format!(
                "{} (leader of term {term}) sends AppendEntries to its followers as heartbeat",
                n(*leader)
            ),
            Note::Vote { voter, cand, term, why, stepped } => {
                let pre = stepped_text(*voter, stepped, *term);
                let (v, c) = (n(*voter), n(*cand));
                match why {
                    VoteWhy::Granted => format!("{pre}{v} votes for {c} in term {term}"),
                    VoteWhy::StaleTerm(mine) => {
                        format!("{pre}{v} refuses {c}: term {term} is stale, {v} is in term {mine}")
                    }
                    VoteWhy::AlreadyVoted(o) => {
                        format!("{pre}{v} refuses {c} in term {term}: it already voted for {}", n(*o))
                    }
                    VoteWhy::LogBehind { mine, theirs } => format!(
                        "{pre}{v} refuses {c} in term {term}: its own log is more up to date (last entry {}@term {} vs {}@term {})",
                        mine.0, mine.1, theirs.0, theirs.1
                    ),
                }
            }
            Note::VoteReply { cand, voter, term, granted, outcome } => {
                let (c, v) = (n(*cand), n(*voter));
                match outcome {
                    VoteOutcome::Won(mask) => {
                        format!("{c} won the election for term {term} with votes from {}", names(*mask))
                    }
                    VoteOutcome::Tally(have, need) => format!(
                        "{c} {} {v} for term {term}: {have} of the {need} votes it needs",
                        if *granted { "gets the vote of" } else { "is refused by" }
                    ),
                    VoteOutcome::Late(role) => {
                        format!("{c} ignores a late vote reply from {v} (term {term}); it is now {}", role.name())
                    }
                    VoteOutcome::SteppedDown(role) => {
                        format!("{c} ({}) sees term {term} in {v}'s reply and becomes a follower", role.name())
                    }
                }
            }
            Note::Append { follower, leader, term, stepped, result } => {
                let pre = stepped_text(*follower, stepped, *term);
                let (f, l) = (n(*follower), n(*leader));
                match result {
                    AppendResult::Stale(mine) => {
                        format!("{pre}{f} rejects AppendEntries from {l}: term {term} is stale, {f} is in term {mine}")
                    }
                    AppendResult::Mismatch { prev_index, prev_term, have, hint } => format!(
                        "{pre}{f} rejects AppendEntries from {l}: no entry {prev_index}@term {prev_term} in its log of {have}; asks to retry from {hint}"
                    ),
                    AppendResult::Ok { first, appended, truncated_from, commit_moved } => {
                        let mut out = pre;
                        if let Some(t) = truncated_from {
                            out.push_str(&format!("{f} deletes its conflicting entries from index {t}; "));
                        }
                        if *appended == 0 {
                            out.push_str(&format!("{f} accepts {l}'s heartbeat (term {term})"));
                        } else {
                            let last = first + appended - 1;
                            let at = if *appended == 1 {
                                format!("index {last}")
                            } else {
                                format!("indexes {first}-{last}")
                            };
                            out.push_str(&format!("{f} appends {appended} entr{} from {l} at {at}", if *appended == 1 { "y" } else { "ies" }));
                        }
                        out.push_str(&self.commit_text(*follower, *commit_moved));
                        out
                    }
                }
            }
            Note::AppendReply { leader, follower, term, result } => {
                let (l, f) = (n(*leader), n(*follower));
                match result {
                    ReplyResult::Stale => format!("{l} ignores a stale AppendEntries reply from {f}"),
                    ReplyResult::SteppedDown(role) => {
                        format!("{l} ({}) sees term {term} in {f}'s reply and becomes a follower", role.name())
                    }
                    ReplyResult::Success { match_index, commit_moved } => {
                        let mut out = format!("{l} learns {f} matches its log up to index {match_index}");
                        if let Some((_, b)) = commit_moved {
                            out.push_str(&format!("; entry {b} is on a majority"));
                        }
                        out.push_str(&self.commit_text(*leader, *commit_moved));
                        out
                    }
                    ReplyResult::Retry { next } => {
                        format!("{f}'s log does not match: {l} backs up and resends from index {next}")
                    }
                }
            }
            Note::Lost { from, to, kind, why } => {
                let why = match why {
                    LostWhy::Net(r) => r.text().to_string(),
                    LostWhy::Down => format!("{} is down", n(*to)),
                };
                format!("{kind} {} -> {} lost: {why}", n(*from), n(*to))
            }
            Note::Crash { node, was } => format!(
                "{} crashes (it was {}): term, vote and log survive on disk; commit index and applied state are lost",
                n(*node),
                match was {
                    Role::Leader => "the leader",
                    Role::Candidate => "a candidate",
                    Role::Follower => "a follower",
                }
            ),
            Note::AlreadyDown(t) => format!("{} is already down", n(*t)),
            Note::NoLeaderToCrash => "crash:leader does nothing: there is no leader right now".into(),
            Note::Restart { node } => {
                let x = &self.nodes[*node as usize];
                let len = x.last_index();
                format!(
                    "{} restarts as a follower in term {} with {len} log entr{}; commit index starts again from 0",
                    n(*node),
                    x.term,
                    if len == 1 { "y" } else { "ies" }
                )
            }
            Note::AlreadyUp(t) => format!("{} is already running", n(*t)),
            Note::TimeoutIgnored { node, leader } => format!(
                "timeout:{0} does nothing: {0} {1}",
                n(*node),
                if *leader { "is the leader and runs no election timer" } else { "is down" }
            ),
            Note::Appended { leader, value, index, term } => format!(
                "client write `{}` reaches leader {}: appended at index {index} (term {term}) and sent to the followers",
                val(value),
                n(*leader)
            ),
            Note::NotLeader { node, hint, value } => format!(
                "client write `{}` to {} rejected: not the leader ({})",
                val(value),
                n(*node),
                match hint {
                    Some(h) => format!("it points the client to {}", n(*h)),
                    None => "it knows no leader".into(),
                }
            ),
            Note::RequestToDown { node, value } => format!("client write `{}` lost: {} is down", val(value), n(*node)),
            Note::NoLeader { value } => format!("client write `{}` rejected: no node is leader right now", val(value)),
            Note::Partition(groups) => format!(
                "partition {}: links between the groups are cut both ways",
                groups
                    .iter()
                    .map(|g| format!("{{{}}}", g.iter().map(|&i| n(i)).collect::<Vec<_>>().join(",")))
                    .collect::<Vec<_>>()
                    .join(" | ")
            ),
            Note::OneWay(a, b) => format!(
                "one-way cut: messages {0} -> {1} are lost, {1} -> {0} still arrive",
                n(*a),
                n(*b)
            ),
            Note::Heal(links) => format!("heal: {links} cut link{} restored", s(*links as u64)),
            Note::Drop { from, to, kind } => match kind {
                Some(k) => format!("{k} in flight {} -> {} dropped", n(*from), n(*to)),
                None => format!(
                    "nothing in flight {} -> {}: the next message sent on that link will be lost",
                    n(*from),
                    n(*to)
                ),
            },
            Note::Latency(a, b, ms) => format!("link {}-{} now adds {ms} ms of delay both ways", n(*a), n(*b)),
            Note::Loss(a, b, p) => format!("link {}-{} now loses {p}% of messages both ways", n(*a), n(*b)),
        }
    }

    /// Rough size in bytes of [`Sim::state`], for the frame budget.
    pub(crate) fn state_size(&self) -> usize {
        let logs: usize = self.nodes.iter().map(|x| x.log.len()).sum();
        600 + 260 * self.nodes.len() + 30 * logs + 200 * self.net.in_flight_len()
    }

    /// Everything the browser needs to draw this moment.
    pub(crate) fn state(&self) -> serde_json::Value {
        let value = |v: u32| self.values[v as usize].as_str();
        let node_view = |(i, x): (usize, &super::node::Node)| {
            let leader = x.role == Role::Leader && x.alive;
            let peers = |v: &[u64]| {
                leader.then(|| {
                    (0..self.nodes.len())
                        .map(|p| (p != i).then_some(v[p]))
                        .collect()
                })
            };
            NodeView {
                id: short_name(i as u8),
                alive: x.alive,
                role: x.role.name(),
                term: x.term,
                voted_for: x.voted_for.map(short_name),
                log: x.log.iter().map(|e| (e.term, value(e.value))).collect(),
                commit_index: x.commit,
                last_applied: x.applied.len() as u64,
                // In a correct run the state machine is exactly the log up
                // to last_applied, so the list is sent only when it is not.
                applied: (!x.applied.iter().zip(&x.log).all(|(&v, e)| v == e.value))
                    .then(|| x.applied.iter().map(|&v| value(v)).collect()),
                election_deadline: (x.alive && x.role != Role::Leader).then_some(x.deadline),
                leader: if x.alive {
                    x.leader_hint.map(short_name)
                } else {
                    None
                },
                votes: (x.role == Role::Candidate && x.alive).then(|| {
                    (0..self.nodes.len() as u8)
                        .filter(|b| x.votes & (1 << b) != 0)
                        .map(short_name)
                        .collect()
                }),
                next_index: peers(&x.next),
                match_index: peers(&x.matched),
            }
        };
        let message_view = |(id, m): (&u64, &crate::net::InFlight<Msg>)| MessageView {
            id: *id,
            from: short_name(m.from),
            to: short_name(m.to),
            kind: m.msg.kind(),
            term: m.msg.term(),
            send_time: m.sent,
            deliver_time: m.due,
            summary: summary(&m.msg),
            ok: match m.msg {
                Msg::VoteReply { granted, .. } => Some(granted),
                Msg::AppendReply { success, .. } => Some(success),
                _ => None,
            },
            entries: match &m.msg {
                Msg::Append { entries, .. } => Some(entries.len()),
                _ => None,
            },
            doomed: m.doomed,
        };
        let view = StateView {
            nodes: Seq(|| self.nodes.iter().enumerate().map(node_view)),
            messages: Seq(|| self.net.in_flight().map(message_view)),
            net: self.net.view(),
            leader: self.leader().map(short_name),
            term: self.nodes.iter().map(|x| x.term).max().unwrap_or(0),
            committed: self
                .check
                .committed_values()
                .iter()
                .map(|&v| value(v))
                .collect(),
            invariants: self.check.ok,
            violations: &self.check.violations,
        };
        serde_json::to_value(view).expect("raft state serializes")
    }
}

fn summary(m: &Msg) -> String {
    match m {
        Msg::Vote {
            term,
            last_index,
            last_term,
        } => {
            format!("RequestVote term {term}, last entry {last_index}@term {last_term}")
        }
        Msg::VoteReply { term, granted } => {
            format!(
                "vote {} (term {term})",
                if *granted { "granted" } else { "refused" }
            )
        }
        Msg::Append {
            term,
            prev_index,
            prev_term,
            entries,
            commit,
        } => {
            let what = if entries.is_empty() {
                "heartbeat".to_string()
            } else {
                format!(
                    "{} entr{}",
                    entries.len(),
                    if entries.len() == 1 { "y" } else { "ies" }
                )
            };
            format!("{what} term {term}, after {prev_index}@term {prev_term}, commit {commit}")
        }
        Msg::AppendReply {
            term,
            success,
            match_index,
            hint,
        } => {
            if *success {
                format!("ok, matches up to {match_index} (term {term})")
            } else if *hint == 0 {
                format!("rejected: stale leader (term {term})")
            } else {
                format!("mismatch, retry from {hint} (term {term})")
            }
        }
    }
}

// Fields that only some nodes or messages have are left out rather than
// null: every key costs an allocation per frame, and frames are many.
#[derive(Serialize)]
struct NodeView<'a> {
    id: &'static str,
    alive: bool,
    role: &'static str,
    term: u64,
    voted_for: Option<&'static str>,
    /// `[term, value]` pairs: an array per entry is far cheaper to build
    /// than an object, and logs are the bulk of a frame.
    log: Vec<(u64, &'a str)>,
    commit_index: u64,
    last_applied: u64,
    /// The applied values, present only when they differ from the log's
    /// first `last_applied` values (which takes a safety violation).
    #[serde(skip_serializing_if = "Option::is_none")]
    applied: Option<Vec<&'a str>>,
    /// When a follower or candidate times out next; null for a leader or a down node.
    election_deadline: Option<u64>,
    /// Who this node believes leads.
    leader: Option<&'static str>,
    /// Candidates only: who granted their vote.
    #[serde(skip_serializing_if = "Option::is_none")]
    votes: Option<Vec<&'static str>>,
    /// Leaders only: per node in order, null for the leader itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_index: Option<Vec<Option<u64>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    match_index: Option<Vec<Option<u64>>>,
}

#[derive(Serialize)]
struct MessageView {
    id: u64,
    from: &'static str,
    to: &'static str,
    kind: &'static str,
    term: u64,
    send_time: u64,
    deliver_time: u64,
    summary: String,
    /// Replies only: granted or successful.
    #[serde(skip_serializing_if = "Option::is_none")]
    ok: Option<bool>,
    /// AppendEntries only: how many entries it carries.
    #[serde(skip_serializing_if = "Option::is_none")]
    entries: Option<usize>,
    /// Present and true when an armed `drop` will lose it on arrival.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    doomed: bool,
}

/// Serializes what an iterator yields without collecting it first: the
/// intermediate vectors would cost an allocation each per frame.
struct Seq<F>(F);

impl<F, I> Serialize for Seq<F>
where
    F: Fn() -> I,
    I: Iterator,
    I::Item: Serialize,
{
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq((self.0)())
    }
}

#[derive(Serialize)]
struct StateView<'a, N, M> {
    nodes: N,
    messages: M,
    net: serde_json::Value,
    leader: Option<&'static str>,
    term: u64,
    committed: Vec<&'a str>,
    invariants: super::check::Invariants,
    violations: &'a [String],
}
