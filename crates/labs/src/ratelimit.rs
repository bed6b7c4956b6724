//! Rate limiting lab: five limiters fed the same request stream, side by side.
//!
//! All arithmetic is exact (integers), so the results are exact too:
//! - **Token bucket**: holds up to `burst` tokens, refills `rate` tokens per
//!   second, counted in milli-tokens (`rate` milli-tokens per millisecond). A
//!   request takes one token or is rejected. It starts full, so under
//!   saturating load it admits exactly `burst + floor(rate * t / 1000)`
//!   requests in the first `t` milliseconds.
//! - **Leaky bucket, as a queue** (a traffic shaper): accepted requests wait in
//!   a FIFO of `burst` places and leave one every `1000 / rate` ms; a request
//!   that finds the queue full is rejected. A request holds its place until
//!   the moment it leaves, so, like the token bucket, it admits exactly
//!   `burst` requests at once. Time is kept in units of
//!   `1 / rate` ms so the spacing is exact. Its output is smooth; the cost is
//!   the delay shown per request.
//! - **Fixed window**: at most `L = max(1, rate * window / 1000)` accepted
//!   requests per window `[k * window, (k + 1) * window)`.
//! - **Sliding log**: the timestamps of accepted requests in `(t - window, t]`;
//!   a request is accepted while fewer than `L` are logged.
//! - **Sliding window counter**: estimates the count over the last window as
//!   `prev * (window - elapsed) / window + current` (accepted requests only)
//!   and accepts while the estimate is below `L`.
//!
//! Frames are taken every `tick` ms: frame `k` is at `t = k * tick` and holds
//! the requests that arrived in `(t - tick, t]`.

use crate::params::{arg_u64, arity, by_time, int_param};
use crate::rng::Rng;
use crate::{Frame, Lab, LabError, LabInfo, ParamInfo, RunSpec, Scenario};
use serde_json::{json, Value};
use std::collections::VecDeque;

const MAX_REQUESTS: usize = 200_000;

/// The rate limiting lab, as the registry lists it.
pub(crate) struct RateLimiting;

impl Lab for RateLimiting {
    fn info(&self) -> LabInfo {
        info()
    }

    fn run(&self, spec: &RunSpec) -> Result<Vec<Frame>, LabError> {
        run(spec)
    }
}

fn info() -> LabInfo {
    LabInfo {
        slug: "rate-limiting".into(),
        title: "Rate limiting algorithms",
        summary: "Feed one request stream to a token bucket, a leaky bucket, a fixed window, a sliding log \
                  and a sliding window counter, and compare what each lets through.",
        params: vec![
            ParamInfo::choice(
                "pattern",
                "Generated traffic: evenly spaced, in clumps, or only the requests you add as actions",
                "bursty",
                vec!["steady", "bursty", "custom"],
            ),
            ParamInfo::number("traffic", "Generated requests per second (steady and bursty)", "20", 1.0, 1000.0),
            ParamInfo::number("rate", "Allowed requests per second (every limiter)", "10", 1.0, 1000.0),
            ParamInfo::number("burst", "Token bucket capacity and leaky bucket queue size", "10", 1.0, 1000.0),
            ParamInfo::number("window", "Window length in ms (fixed window, sliding log and counter)", "1000", 100.0, 60000.0),
            ParamInfo::number("duration", "Simulated time in ms", "5000", 100.0, 60000.0),
            ParamInfo::number("tick", "Milliseconds per frame", "100", 10.0, 1000.0),
        ],
        actions: vec![
            ("request", "(no arguments): one request at this time"),
            ("burst", "N[:SPREAD]: N requests (1..=1000) at this time, or spread evenly over SPREAD ms"),
        ],
        default_steps: 10_000,
        scenarios: vec![
            Scenario {
                title: "Bursty traffic at twice the limit",
                description: "Clumps of requests averaging 20/s against a limit of 10/s. The token bucket \
                              spends its saved tokens on each clump; the windows reset on their own clock.",
                params: vec![("pattern", "bursty"), ("traffic", "20"), ("rate", "10"), ("burst", "10")],
                seed: 1,
                actions: vec![],
            },
            Scenario {
                title: "The fixed window boundary",
                description: "Ten requests just before a window ends and ten just after: the fixed window \
                              admits twenty within 100 ms, the sliding log and counter do not.",
                params: vec![("pattern", "custom"), ("rate", "10"), ("burst", "10"), ("window", "1000"), ("duration", "2000")],
                seed: 1,
                actions: vec!["900:burst:10", "1000:burst:10"],
            },
            Scenario {
                title: "Steady overload",
                description: "15 requests per second, evenly spaced, against 10/s. Every limiter settles at \
                              10/s; the leaky bucket's queue fills and every accepted request after the first waits.",
                params: vec![("pattern", "steady"), ("traffic", "15"), ("rate", "10"), ("burst", "5")],
                seed: 1,
                actions: vec![],
            },
            Scenario {
                title: "Quiet, then a spike",
                description: "After three idle seconds a burst of 30 arrives. The token bucket lets its full \
                              capacity through at once; the leaky bucket queues what fits and releases it at an \
                              even pace.",
                params: vec![("pattern", "custom"), ("rate", "5"), ("burst", "10"), ("duration", "6000")],
                seed: 1,
                actions: vec!["0:burst:3", "3000:burst:30"],
            },
        ],
    }
}

// ---------------------------------------------------------------------------
// Limiters
// ---------------------------------------------------------------------------

/// A token bucket in exact milli-token arithmetic.
#[derive(Debug, Clone)]
pub struct TokenBucket {
    cap_m: u64,
    /// Milli-tokens per millisecond, i.e. tokens per second.
    rate: u64,
    tokens_m: u64,
    last: u64,
}

impl TokenBucket {
    /// A full bucket of `capacity` tokens refilling `rate` tokens per second.
    pub fn new(capacity: u64, rate: u64) -> Self {
        TokenBucket {
            cap_m: capacity * 1000,
            rate,
            tokens_m: capacity * 1000,
            last: 0,
        }
    }

    fn level_at(&self, t: u64) -> u64 {
        (self.tokens_m + self.rate * t.saturating_sub(self.last)).min(self.cap_m)
    }

    /// A request at `t` ms (non-decreasing): true when it gets a token.
    pub fn offer(&mut self, t: u64) -> bool {
        self.tokens_m = self.level_at(t);
        self.last = self.last.max(t);
        if self.tokens_m >= 1000 {
            self.tokens_m -= 1000;
            true
        } else {
            false
        }
    }

    fn gauge(&self, t: u64) -> Value {
        json!({"tokens": self.level_at(t) as f64 / 1000.0, "capacity": self.cap_m / 1000})
    }
}

/// A leaky bucket used as a queue. Times are in units of `1 / rate` ms.
struct LeakyQueue {
    cap: usize,
    rate: u64,
    /// Scaled departure times of accepted requests still waiting.
    queue: VecDeque<u64>,
    last_departure: Option<u64>,
    accepted: u64,
}

impl LeakyQueue {
    fn waiting_at(&self, t: u64) -> usize {
        self.queue.iter().filter(|&&d| d > t * self.rate).count()
    }

    /// `Some(delay in ms)` when accepted.
    fn offer(&mut self, t: u64) -> Option<u64> {
        let now = t * self.rate;
        // A request leaving exactly now still holds its place: `burst`
        // means the same for this bucket as for the token bucket.
        while self.queue.front().is_some_and(|&d| d < now) {
            self.queue.pop_front();
        }
        if self.queue.len() >= self.cap {
            return None;
        }
        let dep = self.last_departure.map_or(now, |l| (l + 1000).max(now));
        self.last_departure = Some(dep);
        self.accepted += 1;
        self.queue.push_back(dep);
        Some((dep - now).div_ceil(self.rate))
    }

    fn gauge(&self, t: u64) -> Value {
        let waiting = self.waiting_at(t);
        let next = self
            .queue
            .iter()
            .find(|&&d| d > t * self.rate)
            .map(|d| d.div_ceil(self.rate));
        json!({
            "queue": waiting,
            "capacity": self.cap,
            "forwarded": self.accepted - waiting as u64,
            "next_departure_ms": next,
        })
    }
}

struct FixedWindow {
    window: u64,
    limit: u64,
    start: u64,
    count: u64,
}

impl FixedWindow {
    fn offer(&mut self, t: u64) -> bool {
        let w = t / self.window * self.window;
        if w != self.start {
            self.start = w;
            self.count = 0;
        }
        let ok = self.count < self.limit;
        self.count += u64::from(ok);
        ok
    }

    fn gauge(&self, t: u64) -> Value {
        let w = t / self.window * self.window;
        let count = if w == self.start { self.count } else { 0 };
        json!({"window_start": w, "count": count, "limit": self.limit})
    }
}

struct SlidingLog {
    window: u64,
    limit: usize,
    log: VecDeque<u64>,
}

impl SlidingLog {
    fn offer(&mut self, t: u64) -> bool {
        while self.log.front().is_some_and(|&s| s + self.window <= t) {
            self.log.pop_front();
        }
        let ok = self.log.len() < self.limit;
        if ok {
            self.log.push_back(t);
        }
        ok
    }

    fn gauge(&self, t: u64) -> Value {
        let live: Vec<u64> = self
            .log
            .iter()
            .copied()
            .filter(|&s| s + self.window > t)
            .collect();
        // The newest 100 timestamps are enough to draw; the count is exact.
        let recent = &live[live.len().saturating_sub(100)..];
        json!({"count": live.len(), "limit": self.limit, "oldest": live.first(), "recent": recent})
    }
}

struct SlidingCounter {
    window: u64,
    limit: u64,
    start: u64,
    cur: u64,
    prev: u64,
}

impl SlidingCounter {
    /// `(prev, cur, elapsed)` as seen at `t`, without changing anything.
    fn view(&self, t: u64) -> (u64, u64, u64) {
        let w = t / self.window * self.window;
        if w == self.start {
            (self.prev, self.cur, t - w)
        } else if w == self.start + self.window {
            (self.cur, 0, t - w)
        } else {
            (0, 0, t - w)
        }
    }

    fn offer(&mut self, t: u64) -> bool {
        let (prev, cur, elapsed) = self.view(t);
        (self.start, self.prev, self.cur) = (t / self.window * self.window, prev, cur);
        // estimate < limit, multiplied through by the window to stay exact
        let ok = prev * (self.window - elapsed) + cur * self.window < self.limit * self.window;
        self.cur += u64::from(ok);
        ok
    }

    fn gauge(&self, t: u64) -> Value {
        let (prev, cur, elapsed) = self.view(t);
        let est = (prev * (self.window - elapsed) + cur * self.window) as f64 / self.window as f64;
        json!({
            "previous": prev,
            "current": cur,
            "weight": (self.window - elapsed) as f64 / self.window as f64,
            "estimate": (est * 1000.0).round() / 1000.0,
            "limit": self.limit,
        })
    }
}

// ---------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------

const NAMES: [(&str, &str); 5] = [
    ("token-bucket", "Token bucket"),
    ("leaky-bucket", "Leaky bucket (queue)"),
    ("fixed-window", "Fixed window"),
    ("sliding-log", "Sliding log"),
    ("sliding-counter", "Sliding window counter"),
];

/// Request arrival times in ms, sorted, for the given pattern and actions.
fn arrivals(
    spec: &RunSpec,
    pattern: &str,
    traffic: u64,
    duration: u64,
) -> Result<Vec<u64>, LabError> {
    let mut times = Vec::new();
    match pattern {
        "steady" => {
            let mut i = 0;
            while i * 1000 / traffic <= duration {
                times.push(i * 1000 / traffic);
                i += 1;
            }
        }
        "bursty" => {
            // Each second, `traffic` requests in one to three clumps of 25 ms.
            let mut rng = Rng::new(spec.seed);
            let mut start = 0;
            while start <= duration {
                let clumps: Vec<u64> = (0..rng.range(1, 3)).map(|_| rng.below(975)).collect();
                for _ in 0..traffic {
                    let c = clumps[rng.below(clumps.len() as u64) as usize];
                    let t = start + c + rng.below(25);
                    if t <= duration {
                        times.push(t);
                    }
                }
                start += 1000;
            }
        }
        _ => {}
    }
    for a in by_time(&spec.actions) {
        if a.at > duration {
            return Err(LabError::BadAction(format!(
                "`{a}`: time {} is after the end ({duration} ms)",
                a.at
            )));
        }
        match a.kind.as_str() {
            "request" => {
                arity(a, 0, 0, "TIME:request")?;
                times.push(a.at);
            }
            "burst" => {
                arity(a, 1, 2, "TIME:burst:N[:SPREAD_MS]")?;
                let n = arg_u64(a, 0, "N", 1, 1000)?;
                let spread = if a.args.len() == 2 {
                    arg_u64(a, 1, "SPREAD_MS", 0, 60_000)?
                } else {
                    0
                };
                times.extend(
                    (0..n)
                        .map(|i| a.at + i * spread / n)
                        .filter(|&t| t <= duration),
                );
            }
            _ => {
                return Err(LabError::BadAction(format!(
                    "`{a}`: unknown action for rate-limiting"
                )))
            }
        }
        if times.len() > MAX_REQUESTS {
            return Err(LabError::BadAction(format!(
                "`{a}`: more than {MAX_REQUESTS} requests in all"
            )));
        }
    }
    times.sort_unstable();
    Ok(times)
}

fn run(spec: &RunSpec) -> Result<Vec<Frame>, LabError> {
    let info = info();
    let pattern = spec.param(&info, "pattern").to_string();
    let traffic = int_param(spec, &info, "traffic")?;
    let rate = int_param(spec, &info, "rate")?;
    let burst = int_param(spec, &info, "burst")?;
    let window = int_param(spec, &info, "window")?;
    let duration = int_param(spec, &info, "duration")?;
    let tick = int_param(spec, &info, "tick")?;
    let limit = (rate * window / 1000).max(1);
    let times = arrivals(spec, &pattern, traffic, duration)?;

    let mut tb = TokenBucket::new(burst, rate);
    let mut lq = LeakyQueue {
        cap: burst as usize,
        rate,
        queue: VecDeque::new(),
        last_departure: None,
        accepted: 0,
    };
    let mut fw = FixedWindow {
        window,
        limit,
        start: 0,
        count: 0,
    };
    let mut sl = SlidingLog {
        window,
        limit: limit as usize,
        log: VecDeque::new(),
    };
    let mut sc = SlidingCounter {
        window,
        limit,
        start: 0,
        cur: 0,
        prev: 0,
    };
    let mut accepted = [0u64; 5];

    let max_frames = spec.steps_or(info.default_steps);
    let mut frames = Vec::new();
    let mut next = 0;
    let mut k = 0;
    while frames.len() < max_frames && (k == 0 || (k - 1) * tick < duration) {
        let t = k * tick;
        let mut here = Vec::new();
        let mut decisions: [Vec<bool>; 5] = Default::default();
        let mut delays: Vec<Option<u64>> = Vec::new();
        while next < times.len() && times[next] <= t {
            let at = times[next];
            let leak = lq.offer(at);
            let ok = [
                tb.offer(at),
                leak.is_some(),
                fw.offer(at),
                sl.offer(at),
                sc.offer(at),
            ];
            for (i, &o) in ok.iter().enumerate() {
                decisions[i].push(o);
                accepted[i] += u64::from(o);
            }
            delays.push(leak);
            here.push(json!({"id": next, "t": at}));
            next += 1;
        }
        let gauges = [
            tb.gauge(t),
            lq.gauge(t),
            fw.gauge(t),
            sl.gauge(t),
            sc.gauge(t),
        ];
        let algorithms: Vec<Value> = (0..5)
            .map(|i| {
                let mut v = json!({
                    "id": NAMES[i].0,
                    "name": NAMES[i].1,
                    "accepted": accepted[i],
                    "rejected": next as u64 - accepted[i],
                    "decisions": decisions[i],
                    "gauge": gauges[i],
                });
                if i == 1 {
                    v["delays_ms"] = json!(delays);
                }
                v
            })
            .collect();
        let explain = if here.is_empty() {
            format!(
                "t={t} ms: no requests; token bucket at {} tokens, leaky queue {}/{burst}.",
                tb.level_at(t) as f64 / 1000.0,
                lq.waiting_at(t)
            )
        } else {
            let counts: Vec<String> = (0..5)
                .map(|i| {
                    format!(
                        "{} {}",
                        NAMES[i].1.to_lowercase(),
                        decisions[i].iter().filter(|&&o| o).count()
                    )
                })
                .collect();
            format!(
                "t={t} ms: {} request(s) arrived; accepted: {}.",
                here.len(),
                counts.join(", ")
            )
        };
        let state = json!({
            "t": t,
            "tick": tick,
            "pattern": pattern,
            "rate": rate,
            "capacity": burst,
            "window_ms": window,
            "limit_per_window": limit,
            "arrivals": here,
            "total_arrivals": next,
            "algorithms": algorithms,
        });
        frames.push(Frame {
            step: frames.len(),
            time: t,
            explain,
            state,
        });
        k += 1;
    }
    Ok(frames)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_bucket_is_exact() {
        // 3 tokens, 2 per second, a request every millisecond for 2.5 s.
        let mut tb = TokenBucket::new(3, 2);
        let admitted = (0..=2500).filter(|&t| tb.offer(t)).count();
        assert_eq!(admitted, 3 + 5);
    }

    #[test]
    fn leaky_queue_spaces_departures() {
        let mut lq = LeakyQueue {
            cap: 3,
            rate: 4,
            queue: VecDeque::new(),
            last_departure: None,
            accepted: 0,
        };
        // Five at once with 3 places: one leaves now, two wait 250 and
        // 500 ms, two are dropped: exactly `burst` admitted, as the token
        // bucket would.
        let got: Vec<Option<u64>> = (0..5).map(|_| lq.offer(0)).collect();
        assert_eq!(got, vec![Some(0), Some(250), Some(500), None, None]);
        // At 250 ms the first has left and one place is free again.
        assert_eq!(lq.offer(250), Some(500));
    }

    #[test]
    fn windows_at_the_boundary() {
        let mut fw = FixedWindow {
            window: 1000,
            limit: 2,
            start: 0,
            count: 0,
        };
        let mut sl = SlidingLog {
            window: 1000,
            limit: 2,
            log: VecDeque::new(),
        };
        let mut sc = SlidingCounter {
            window: 1000,
            limit: 2,
            start: 0,
            cur: 0,
            prev: 0,
        };
        let mut got = Vec::new();
        for t in [990, 995, 1000, 1005] {
            got.push((fw.offer(t), sl.offer(t), sc.offer(t)));
        }
        // The fixed window resets at 1000; the log still holds 990 and 995;
        // the counter weighs the full previous window: 2.0 at 1000, 1.99 at 1005.
        assert_eq!(got[2], (true, false, false));
        assert_eq!(got[3], (true, false, true));
        assert!(sl.offer(1990)); // 990 has left the log
        assert!(sc.offer(1990)); // 2 x 0.01 + 1 < 2
    }
}
