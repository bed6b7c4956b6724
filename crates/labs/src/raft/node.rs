//! One Raft server's state and the messages servers exchange.

/// A log entry. `value` indexes the run's table of client values; `hash`
/// chains the whole prefix up to this entry, so comparing two hashes
/// compares two log prefixes (used by the invariant checks, never by Raft).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Entry {
    pub term: u64,
    pub value: u32,
    pub hash: u64,
}

/// The prefix hash of an entry following one whose prefix hash is `prev`.
pub(crate) fn chain(prev: u64, term: u64, value: u32) -> u64 {
    // SplitMix64's finalizer: cheap and mixes every input bit.
    let mut z = prev
        ^ term.wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ (value as u64).wrapping_mul(0xD6E8_FEB8_6659_FD93);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Follower,
    Candidate,
    Leader,
}

impl Role {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Role::Follower => "follower",
            Role::Candidate => "candidate",
            Role::Leader => "leader",
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) enum Msg {
    Vote {
        term: u64,
        last_index: u64,
        last_term: u64,
    },
    VoteReply {
        term: u64,
        granted: bool,
    },
    Append {
        term: u64,
        prev_index: u64,
        prev_term: u64,
        entries: Vec<Entry>,
        commit: u64,
    },
    AppendReply {
        term: u64,
        success: bool,
        /// On success: the last index now known to match the leader's.
        match_index: u64,
        /// On a mismatch: the index the follower suggests retrying from.
        hint: u64,
    },
}

impl Msg {
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Msg::Vote { .. } => "RequestVote",
            Msg::VoteReply { .. } => "VoteReply",
            Msg::Append { .. } => "AppendEntries",
            Msg::AppendReply { .. } => "AppendReply",
        }
    }

    pub(crate) fn term(&self) -> u64 {
        match self {
            Msg::Vote { term, .. }
            | Msg::VoteReply { term, .. }
            | Msg::Append { term, .. }
            | Msg::AppendReply { term, .. } => *term,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub alive: bool,
    pub role: Role,
    // Persistent: survives a crash.
    pub term: u64,
    pub voted_for: Option<u8>,
    pub log: Vec<Entry>,
    // Volatile: lost on a crash.
    pub commit: u64,
    /// The state machine: values applied so far, in log order.
    pub applied: Vec<u32>,
    pub leader_hint: Option<u8>,
    /// Bit mask of the nodes that granted this candidate their vote.
    pub votes: u32,
    /// Leader only, per peer.
    pub next: Vec<u64>,
    pub matched: Vec<u64>,
    // Timers. A timer event carries the epoch it was set in; a bumped epoch
    // cancels it lazily.
    pub deadline: u64,
    pub timer_epoch: u32,
    /// When the live election timer event is due, if one is scheduled.
    pub timer_at: Option<u64>,
    pub heartbeat_epoch: u32,
}

impl Node {
    pub(crate) fn new(n: usize) -> Self {
        Node {
            alive: true,
            role: Role::Follower,
            term: 0,
            voted_for: None,
            log: Vec::new(),
            commit: 0,
            applied: Vec::new(),
            leader_hint: None,
            votes: 0,
            next: vec![1; n],
            matched: vec![0; n],
            deadline: 0,
            timer_epoch: 0,
            timer_at: None,
            heartbeat_epoch: 0,
        }
    }

    pub(crate) fn last_index(&self) -> u64 {
        self.log.len() as u64
    }

    pub(crate) fn last_term(&self) -> u64 {
        self.log.last().map_or(0, |e| e.term)
    }

    /// Term of the entry at 1-based `index`; 0 for index 0 or past the end.
    pub(crate) fn term_at(&self, index: u64) -> u64 {
        if index == 0 {
            0
        } else {
            self.log.get(index as usize - 1).map_or(0, |e| e.term)
        }
    }

    pub(crate) fn hash_at(&self, index: u64) -> u64 {
        if index == 0 {
            0
        } else {
            self.log.get(index as usize - 1).map_or(0, |e| e.hash)
        }
    }

    /// Appends a value as a new entry of `term`, chaining its prefix hash.
    pub(crate) fn push(&mut self, term: u64, value: u32) -> Entry {
        let e = Entry {
            term,
            value,
            hash: chain(self.hash_at(self.last_index()), term, value),
        };
        self.log.push(e);
        e
    }

    /// First index holding the same term as `index`: where a follower asks
    /// the leader to retry, skipping a whole conflicting term at once.
    pub(crate) fn first_index_of_term_at(&self, index: u64) -> u64 {
        let t = self.term_at(index);
        let mut i = index;
        while i > 1 && self.term_at(i - 1) == t {
            i -= 1;
        }
        i.max(1)
    }
}
