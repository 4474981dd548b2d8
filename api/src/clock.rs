//! The current time, for every rule that reads it. Production reads the system clock; tests
//! hold a [`FixedClock`] and move it, so a time rule is checked at an exact instant.
//!
//! Instants are kept at the precision both databases store (microseconds), so a value read
//! back equals the value written.

use std::sync::{
    Arc,
    atomic::{AtomicI64, Ordering},
};

use chrono::{DateTime, SubsecRound, Utc};

/// Where `now` comes from: carried in `AppState` and handed to whatever needs the time.
#[derive(Clone)]
pub struct Clock(Source);

#[derive(Clone)]
enum Source {
    System,
    Fixed(FixedClock),
}

impl Clock {
    /// The machine's clock.
    pub fn system() -> Clock {
        Clock(Source::System)
    }

    pub fn now(&self) -> DateTime<Utc> {
        match &self.0 {
            Source::System => Utc::now().trunc_subsecs(6),
            Source::Fixed(fixed) => fixed.now(),
        }
    }
}

impl From<FixedClock> for Clock {
    fn from(fixed: FixedClock) -> Clock {
        Clock(Source::Fixed(fixed))
    }
}

/// A clock that stands still until it is set or advanced; clones share the instant.
#[derive(Clone)]
pub struct FixedClock(Arc<AtomicI64>);

impl FixedClock {
    pub fn at(instant: DateTime<Utc>) -> FixedClock {
        FixedClock(Arc::new(AtomicI64::new(instant.timestamp_micros())))
    }

    pub fn now(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_micros(self.0.load(Ordering::SeqCst)).unwrap_or_default()
    }

    pub fn set(&self, instant: DateTime<Utc>) {
        self.0.store(instant.timestamp_micros(), Ordering::SeqCst);
    }

    pub fn advance(&self, by: chrono::Duration) {
        self.0.fetch_add(by.num_microseconds().unwrap_or(i64::MAX), Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_clock_stands_still_until_moved_and_its_clones_follow() {
        let start = DateTime::parse_from_rfc3339("2026-12-01T02:00:00.123456Z").unwrap().to_utc();
        let fixed = FixedClock::at(start);
        let clock = Clock::from(fixed.clone());
        assert_eq!(clock.now(), start);
        fixed.advance(chrono::Duration::minutes(90));
        assert_eq!(clock.now(), start + chrono::Duration::minutes(90));
        fixed.set(start);
        assert_eq!(clock.now(), start);
    }

    #[test]
    fn the_system_clock_keeps_microseconds() {
        assert_eq!(Clock::system().now().timestamp_subsec_nanos() % 1000, 0);
    }
}
