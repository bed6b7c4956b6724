//! What one event did, as data: the simulation returns a [`Note`] per
//! event and `view.rs` turns it into text only when frames are wanted. A
//! module of its own so that `sim` and `view` do not import each other.

use super::node::Role;
use crate::net::LossReason;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum VoteWhy {
    Granted,
    StaleTerm(u64),
    AlreadyVoted(u8),
    /// (last index, last term) of the voter and of the candidate.
    LogBehind {
        mine: (u64, u64),
        theirs: (u64, u64),
    },
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum VoteOutcome {
    Won(u32),
    /// Votes so far and votes needed.
    Tally(u32, u32),
    Late(Role),
    SteppedDown(Role),
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum AppendResult {
    Stale(u64),
    Mismatch {
        prev_index: u64,
        prev_term: u64,
        have: u64,
        hint: u64,
    },
    Ok {
        first: u64,
        appended: u64,
        truncated_from: Option<u64>,
        commit_moved: Option<(u64, u64)>,
    },
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum ReplyResult {
    Stale,
    SteppedDown(Role),
    Success {
        match_index: u64,
        commit_moved: Option<(u64, u64)>,
    },
    Retry {
        next: u64,
    },
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum LostWhy {
    Net(LossReason),
    Down,
}

/// What one event did, in enough detail to explain it.
#[derive(Debug, Clone)]
pub(crate) enum Note {
    Election {
        node: u8,
        term: u64,
        forced: bool,
    },
    Heartbeat {
        leader: u8,
        term: u64,
    },
    Vote {
        voter: u8,
        cand: u8,
        term: u64,
        why: VoteWhy,
        stepped: Option<(Role, u64)>,
    },
    VoteReply {
        cand: u8,
        voter: u8,
        term: u64,
        granted: bool,
        outcome: VoteOutcome,
    },
    Append {
        follower: u8,
        leader: u8,
        term: u64,
        stepped: Option<(Role, u64)>,
        result: AppendResult,
    },
    AppendReply {
        leader: u8,
        follower: u8,
        term: u64,
        result: ReplyResult,
    },
    Lost {
        from: u8,
        to: u8,
        kind: &'static str,
        why: LostWhy,
    },
    Crash {
        node: u8,
        was: Role,
    },
    AlreadyDown(u8),
    NoLeaderToCrash,
    Restart {
        node: u8,
    },
    AlreadyUp(u8),
    TimeoutIgnored {
        node: u8,
        leader: bool,
    },
    Appended {
        leader: u8,
        value: u32,
        index: u64,
        term: u64,
    },
    NotLeader {
        node: u8,
        hint: Option<u8>,
        value: u32,
    },
    RequestToDown {
        node: u8,
        value: u32,
    },
    NoLeader {
        value: u32,
    },
    Partition(Vec<Vec<u8>>),
    OneWay(u8, u8),
    Heal(usize),
    Drop {
        from: u8,
        to: u8,
        kind: Option<&'static str>,
    },
    Latency(u8, u8, u64),
    Loss(u8, u8, u8),
}
