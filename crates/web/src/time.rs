//! Time: the injectable clock every handler reads, and the calendar
//! arithmetic (days, UTC dates) done in one place with `chrono`.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// Seconds in a day, for durations counted in whole days.
pub const DAY: i64 = 86_400;

/// The server's notion of "now", in Unix seconds. The system clock in
/// production; a clock tests can set and move, so trials, offers and
/// sessions can be tested without rewriting rows behind the server's back.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    fixed: Option<Arc<AtomicI64>>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Clock {
        Clock { fixed: None }
    }

    /// A clock that stands at `t` until moved with [`Clock::set`] or
    /// [`Clock::advance`].
    pub fn fixed(t: i64) -> Clock {
        Clock {
            fixed: Some(Arc::new(AtomicI64::new(t))),
        }
    }

    pub fn now(&self) -> i64 {
        match &self.fixed {
            Some(t) => t.load(Ordering::Relaxed),
            None => system_now(),
        }
    }

    /// Moves a fixed clock to `t`. A system clock cannot be moved: this is
    /// a programming error, caught in tests.
    pub fn set(&self, t: i64) {
        self.fixed
            .as_ref()
            .expect("only a fixed clock can be set")
            .store(t, Ordering::Relaxed);
    }

    /// Moves a fixed clock forward by `secs`.
    pub fn advance(&self, secs: i64) {
        self.set(self.now() + secs);
    }
}

fn system_now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Whole days left until `ends_at`, rounded up (a trial ending in 1 hour has 1 day left).
pub fn days_left(now: i64, ends_at: i64) -> i64 {
    if ends_at <= now {
        0
    } else {
        (ends_at - now + DAY - 1) / DAY
    }
}

/// The UTC day (`YYYY-MM-DD`) of a Unix time.
pub fn day_of(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .unwrap_or_default()
        .format("%Y-%m-%d")
        .to_string()
}

/// A Unix time as a date a reader understands: `2 December 2026`.
pub fn long_date(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .unwrap_or_default()
        .format("%-d %B %Y")
        .to_string()
}

/// Parses an offer date: RFC 3339 (`2026-11-01T00:00:00Z`) or a day
/// (`2026-11-01`, meaning that day's start, UTC). With `end_of_day`, a bare
/// day means the end of that day (the offer runs through it).
pub fn parse_when(s: &str, end_of_day: bool) -> Result<i64, String> {
    let s = s.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(t.timestamp());
    }
    match chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        Ok(d) => {
            let start = d.and_time(chrono::NaiveTime::MIN).and_utc().timestamp();
            Ok(if end_of_day { start + DAY } else { start })
        }
        Err(_) => Err(format!(
            "`{s}` is not a date: use RFC 3339 (2026-11-01T00:00:00Z) or YYYY-MM-DD"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(parse_when("1970-01-02", false), Ok(DAY));
        assert_eq!(parse_when("1970-01-02", true), Ok(2 * DAY));
        assert_eq!(parse_when("1970-01-01T00:01:00Z", true), Ok(60));
        assert!(parse_when("tomorrow", false).is_err());
        assert_eq!(day_of(DAY * 365), "1971-01-01");
        assert_eq!(long_date(DAY * 365), "1 January 1971");
        assert_eq!(days_left(0, 7 * DAY), 7);
        assert_eq!(days_left(7 * DAY - 10, 7 * DAY), 1);
        assert_eq!(days_left(8 * DAY, 7 * DAY), 0);
    }

    #[test]
    fn a_fixed_clock_moves_only_when_told() {
        let c = Clock::fixed(100);
        let shared = c.clone();
        c.advance(DAY);
        assert_eq!(shared.now(), 100 + DAY);
        assert!(Clock::system().now() > 1_700_000_000);
    }
}
