//! The rules of a code's life, as plain functions of the stored row and the time.

use chrono::{DateTime, Utc};
use entity::one_time_code;

use crate::config::OtpConfig;

/// Whether the code can still be tried: not used, not expired (a code issued at 9:00:00
/// with a 5-minute life is dead at 9:05:00 exactly), not killed by wrong tries.
pub fn is_live(code: &one_time_code::Model, now: DateTime<Utc>, rules: &OtpConfig) -> bool {
    code.used_at.is_none() && now < code.expires_at && tries_left(code.failed_tries, rules) > 0
}

/// Tries left after `failed_tries` wrong ones.
pub fn tries_left(failed_tries: i32, rules: &OtpConfig) -> u32 {
    rules.max_tries.saturating_sub(u32::try_from(failed_tries).unwrap_or(u32::MAX))
}

/// Whole seconds to wait before a new code may replace one issued at `issued_at`, or `None`
/// when one may be sent now.
pub fn resend_wait(issued_at: DateTime<Utc>, now: DateTime<Utc>, rules: &OtpConfig) -> Option<u64> {
    let wait = chrono::Duration::from_std(rules.resend_wait).unwrap_or(chrono::Duration::MAX);
    let left = issued_at + wait - now;
    (left > chrono::Duration::zero()).then(|| {
        let ms = u64::try_from(left.num_milliseconds()).unwrap_or(0);
        ms.div_ceil(1000).max(1)
    })
}

/// When a code issued now stops working.
pub fn expiry(now: DateTime<Utc>, rules: &OtpConfig) -> DateTime<Utc> {
    now + chrono::Duration::from_std(rules.ttl).unwrap_or(chrono::Duration::MAX)
}

/// The latest issue time of a code that a new one may replace now.
pub fn replaceable_before(now: DateTime<Utc>, rules: &OtpConfig) -> DateTime<Utc> {
    now - chrono::Duration::from_std(rules.resend_wait).unwrap_or(chrono::Duration::MAX)
}

#[cfg(test)]
mod tests {
    use entity::values::OtpPurpose;

    use super::*;

    fn at(instant: &str) -> DateTime<Utc> {
        instant.parse().unwrap()
    }

    fn code(issued: &str) -> one_time_code::Model {
        let rules = OtpConfig::default();
        one_time_code::Model {
            phone: "+84912345678".into(),
            purpose: OtpPurpose::VerifyPhone,
            code_hash: String::new(),
            issued_at: at(issued),
            expires_at: expiry(at(issued), &rules),
            failed_tries: 0,
            used_at: None,
        }
    }

    #[test]
    fn a_code_lives_five_minutes_to_the_second() {
        let rules = OtpConfig::default();
        let code = code("2026-12-01T02:00:00Z");
        assert!(is_live(&code, at("2026-12-01T02:04:59.999Z"), &rules));
        assert!(!is_live(&code, at("2026-12-01T02:05:00Z"), &rules));
    }

    #[test]
    fn the_fifth_wrong_try_kills_a_code_and_a_used_one_is_dead() {
        let rules = OtpConfig::default();
        let now = at("2026-12-01T02:01:00Z");
        let mut code = code("2026-12-01T02:00:00Z");
        code.failed_tries = 4;
        assert_eq!(tries_left(code.failed_tries, &rules), 1);
        assert!(is_live(&code, now, &rules));
        code.failed_tries = 5;
        assert_eq!(tries_left(code.failed_tries, &rules), 0);
        assert!(!is_live(&code, now, &rules));
        code.failed_tries = 0;
        code.used_at = Some(now);
        assert!(!is_live(&code, now, &rules));
    }

    #[test]
    fn a_new_code_waits_sixty_seconds_after_the_last() {
        let rules = OtpConfig::default();
        let issued = at("2026-12-01T02:00:00Z");
        assert_eq!(resend_wait(issued, at("2026-12-01T02:00:00Z"), &rules), Some(60));
        assert_eq!(resend_wait(issued, at("2026-12-01T02:00:59Z"), &rules), Some(1));
        assert_eq!(resend_wait(issued, at("2026-12-01T02:00:59.500Z"), &rules), Some(1));
        assert_eq!(resend_wait(issued, at("2026-12-01T02:01:00Z"), &rules), None);
        assert_eq!(replaceable_before(at("2026-12-01T02:01:00Z"), &rules), issued);
    }
}
