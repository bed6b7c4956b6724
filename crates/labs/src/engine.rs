//! The discrete-event core the timed labs share: a queue of events ordered by
//! virtual time, and a recorder that turns events into frames.
//!
//! Ties in time are broken by a sequence number given at scheduling, so two
//! events due at the same millisecond always run in the order they were
//! scheduled. Nothing here reads the wall clock.

use crate::Frame;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

struct Scheduled<E> {
    time: u64,
    seq: u64,
    event: E,
}

// Ordered by (time, seq) only, reversed so the std max-heap pops the earliest.
impl<E> Ord for Scheduled<E> {
    fn cmp(&self, other: &Self) -> Ordering {
        (other.time, other.seq).cmp(&(self.time, self.seq))
    }
}
impl<E> PartialOrd for Scheduled<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> PartialEq for Scheduled<E> {
    fn eq(&self, other: &Self) -> bool {
        (self.time, self.seq) == (other.time, other.seq)
    }
}
impl<E> Eq for Scheduled<E> {}

/// Pending events, earliest first.
pub(crate) struct Queue<E> {
    heap: BinaryHeap<Scheduled<E>>,
    next_seq: u64,
}

impl<E> Queue<E> {
    pub(crate) fn new() -> Self {
        Queue {
            heap: BinaryHeap::with_capacity(64),
            next_seq: 0,
        }
    }

    pub(crate) fn push(&mut self, time: u64, event: E) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Scheduled { time, seq, event });
    }

    /// The earliest event and its time.
    pub(crate) fn pop(&mut self) -> Option<(u64, E)> {
        self.heap.pop().map(|s| (s.time, s.event))
    }

    pub(crate) fn peek_time(&self) -> Option<u64> {
        self.heap.peek().map(|s| s.time)
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.heap.len()
    }
}

/// Rough bytes one frame may add before a run is cut short; see [`Recorder`].
pub(crate) const FRAME_BYTES_BUDGET: usize = 48 << 20;

/// Collects frames, or only counts events when frames are not wanted (the
/// benchmarks and the long property tests skip building JSON).
pub(crate) struct Recorder {
    capture: bool,
    limit: usize,
    frames: Vec<Frame>,
    events: usize,
    /// Estimated size of the frames so far. A run whose state grows large
    /// (long logs times many steps) stops early instead of eating memory.
    bytes: usize,
    cut_short: bool,
}

impl Recorder {
    /// `limit` counts frames, the initial one included.
    pub(crate) fn new(capture: bool, limit: usize) -> Self {
        Recorder {
            capture,
            limit: limit.max(1),
            // Growing a large vector mid-run is costly with many small
            // allocations around it; most runs fit in this.
            frames: Vec::with_capacity(if capture { limit.clamp(1, 4096) } else { 0 }),
            events: 0,
            bytes: 0,
            cut_short: false,
        }
    }

    pub(crate) fn capturing(&self) -> bool {
        self.capture
    }

    /// True once no more frames may be added.
    pub(crate) fn full(&self) -> bool {
        self.events >= self.limit || self.cut_short
    }

    /// Visible events so far (frames, when capturing).
    pub(crate) fn events(&self) -> usize {
        self.events
    }

    /// Records one visible event. The closures run only when capturing, so
    /// the hot path never formats text or builds JSON. `size` is a rough byte
    /// estimate of the state, used for the budget.
    pub(crate) fn record(
        &mut self,
        time: u64,
        size: usize,
        explain: impl FnOnce() -> String,
        state: impl FnOnce() -> serde_json::Value,
    ) {
        let step = self.events;
        self.events += 1;
        if !self.capture {
            return;
        }
        self.bytes += size;
        let mut explain = explain();
        if self.bytes > FRAME_BYTES_BUDGET {
            self.cut_short = true;
            explain.push_str(
                " (run stopped here: the frames grew past the size limit; ask for fewer steps)",
            );
        }
        self.frames.push(Frame {
            step,
            time,
            explain,
            state: state(),
        });
    }

    pub(crate) fn into_frames(self) -> Vec<Frame> {
        self.frames
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_by_time_then_by_scheduling_order() {
        let mut q = Queue::new();
        q.push(5, "late");
        q.push(1, "first at 1");
        q.push(1, "second at 1");
        q.push(0, "zero");
        assert_eq!(q.len(), 4);
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(
            order,
            vec![
                (0, "zero"),
                (1, "first at 1"),
                (1, "second at 1"),
                (5, "late")
            ]
        );
    }

    #[test]
    fn recorder_counts_without_capturing() {
        let mut r = Recorder::new(false, 3);
        for t in 0..3 {
            assert!(!r.full());
            r.record(t, 10, || unreachable!(), || unreachable!());
        }
        assert!(r.full());
        assert_eq!(r.events(), 3);
        assert!(r.into_frames().is_empty());
    }

    #[test]
    fn recorder_stops_past_the_byte_budget() {
        let mut r = Recorder::new(true, 10);
        r.record(
            0,
            FRAME_BYTES_BUDGET + 1,
            || "big".into(),
            || serde_json::Value::Null,
        );
        assert!(r.full());
        let frames = r.into_frames();
        assert_eq!(frames.len(), 1);
        assert!(frames[0].explain.contains("size limit"));
    }
}
