//! When a failed delivery is tried again: webhooks and pushes follow the same schedule.

use std::time::Duration;

/// The wait after each failed attempt: the second attempt comes 30 s after the first, ...,
/// the tenth 24 h after the ninth. After the tenth the delivery is given up.
const WAITS: [u64; 9] = [30, 120, 600, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 24 * 3600];

/// How long the longest `Retry-After` is believed.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);

/// How far a wait is spread, either way, so that receivers coming back from an outage are not
/// hit by every delivery in the same second.
const JITTER: f64 = 0.2;

/// The wait after `attempts` failed attempts, or `None` when they were the last allowed.
/// `spread` (from -1 to 1, drawn at random by the caller) moves it by up to ±20%; a receiver's
/// `Retry-After` is never undercut.
pub fn next_wait(attempts: u32, spread: f64, retry_after: Option<Duration>) -> Option<Duration> {
    let index = usize::try_from(attempts.checked_sub(1)?).ok()?;
    let base = *WAITS.get(index)? as f64;
    let wait = Duration::from_secs_f64(base * (1.0 + JITTER * spread.clamp(-1.0, 1.0)));
    Some(retry_after.map_or(wait, |asked| wait.max(asked.min(MAX_RETRY_AFTER))))
}

/// A spread drawn uniformly from -1 to 1.
pub fn random_spread() -> f64 {
    use rand::Rng;
    rand::rng().random_range(-1.0..=1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_attempts_then_the_delivery_is_given_up() {
        let waits: Vec<u64> = (1..=9).map(|n| next_wait(n, 0.0, None).unwrap().as_secs()).collect();
        assert_eq!(waits, [30, 120, 600, 1800, 3600, 10800, 21600, 43200, 86400]);
        assert_eq!(next_wait(10, 0.0, None), None);
        assert_eq!(next_wait(0, 0.0, None), None);
    }

    #[test]
    fn the_jitter_stays_within_twenty_percent() {
        for n in 1..=9 {
            let base = next_wait(n, 0.0, None).unwrap().as_secs_f64();
            let close = |a: f64, b: f64| (a - b).abs() < 1e-6;
            assert!(close(next_wait(n, -1.0, None).unwrap().as_secs_f64(), base * 0.8));
            assert!(close(next_wait(n, 1.0, None).unwrap().as_secs_f64(), base * 1.2));
            assert_eq!(next_wait(n, 7.0, None), next_wait(n, 1.0, None));
            for _ in 0..100 {
                let wait = next_wait(n, random_spread(), None).unwrap().as_secs_f64();
                assert!(
                    (base * 0.8 - 1e-6..=base * 1.2 + 1e-6).contains(&wait),
                    "{wait} outside ±20% of {base}"
                );
            }
        }
    }

    #[test]
    fn retry_after_is_honoured_up_to_a_day() {
        let asked = Duration::from_secs(600);
        assert_eq!(next_wait(1, 0.0, Some(asked)), Some(asked));
        assert_eq!(next_wait(1, 0.0, Some(Duration::from_secs(5))), Some(Duration::from_secs(30)));
        assert_eq!(next_wait(1, 0.0, Some(Duration::from_secs(10 * 86400))), Some(MAX_RETRY_AFTER));
    }
}
