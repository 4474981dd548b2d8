//! Rate limits as token buckets whose state lives in the database, so every server process
//! draws on the same tokens: N processes allow the limit once, not N times.
//!
//! A bucket holds up to `limit` tokens; a request takes one, or is refused with 429
//! `quota_exceeded` and `Retry-After` when none is left. Each take is one atomic statement
//! ([`store`]). What a request was counted against is reported to the response's `RateLimit`
//! headers ([`headers`]).

use std::time::Duration;

use poem::Request;
use uuid::Uuid;

use crate::{
    error::{ApiError, ApiResult},
    http::client::client_ip,
    state::AppState,
};

pub mod headers;
mod store;

pub use headers::RateLimitHeaders;

/// How an emptied bucket fills up again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refill {
    /// Continuously, `limit` tokens a `window`: a steady client is never refused, a burst
    /// may spend the whole bucket at once.
    Steady,
    /// All at once, a `window` after the first token of the window was taken: "after 5
    /// failed logins, wait until the window has passed".
    AtWindowEnd,
}

/// A limit: at most `limit` requests a `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// The limit's name in the `RateLimit` headers.
    pub name: &'static str,
    pub limit: u32,
    pub window: Duration,
    pub refill: Refill,
}

/// How a bucket stood when it was last written: `tokens` at `at_ms` (epoch milliseconds).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Level {
    tokens: f64,
    at_ms: i64,
}

/// How a limit stands after a request, for its headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    pub limit: u32,
    /// Whole requests left now.
    pub remaining: u32,
    /// Seconds until the bucket is full again.
    pub reset_secs: u64,
    pub window: Duration,
}

impl Policy {
    /// `limit` a minute, refilled steadily.
    pub fn per_minute(name: &'static str, limit: u32) -> Policy {
        Policy { name, limit, window: Duration::from_secs(60), refill: Refill::Steady }
    }

    fn capacity(&self) -> f64 {
        f64::from(self.limit)
    }

    fn window_ms(&self) -> i64 {
        i64::try_from(self.window.as_millis()).unwrap_or(i64::MAX).max(1)
    }

    /// The tokens of a bucket at `now_ms` (a bucket never written is full).
    fn available(&self, level: Option<Level>, now_ms: i64) -> f64 {
        let Some(level) = level else { return self.capacity() };
        let elapsed = now_ms.saturating_sub(level.at_ms).max(0);
        match self.refill {
            Refill::Steady => (level.tokens + elapsed as f64 * self.capacity() / self.window_ms() as f64)
                .min(self.capacity()),
            Refill::AtWindowEnd if elapsed >= self.window_ms() => self.capacity(),
            Refill::AtWindowEnd => level.tokens,
        }
    }

    /// Whole seconds until the bucket holds `wanted` tokens.
    fn secs_until(&self, level: Option<Level>, now_ms: i64, wanted: f64) -> u64 {
        let missing = wanted - self.available(level, now_ms);
        if missing <= 0.0 {
            return 0;
        }
        let ms = match (self.refill, level) {
            (Refill::Steady, _) => missing * self.window_ms() as f64 / self.capacity(),
            (Refill::AtWindowEnd, Some(level)) => (level.at_ms + self.window_ms() - now_ms) as f64,
            (Refill::AtWindowEnd, None) => 0.0,
        };
        (ms / 1000.0).ceil().max(0.0) as u64
    }

    fn quota(&self, level: Option<Level>, now_ms: i64) -> Quota {
        let available = self.available(level, now_ms);
        Quota {
            limit: self.limit,
            remaining: available.floor().clamp(0.0, self.capacity()) as u32,
            reset_secs: self.secs_until(level, now_ms, self.capacity()),
            window: self.window,
        }
    }

    /// The refusal of a request while the bucket is empty.
    fn refusal(&self, level: Option<Level>, now_ms: i64) -> ApiError {
        ApiError::quota_exceeded(self.secs_until(level, now_ms, 1.0))
    }
}

/// One bucket under its policy: `lookup:client:203.0.113.7`, `key:<id>`.
#[derive(Debug, Clone)]
pub struct Bucket {
    key: String,
    policy: Policy,
    /// Whether a 401 or 403 answer gives the token back (an API key's).
    refunded_on_denial: bool,
}

impl Bucket {
    pub fn new(policy: Policy, key: impl Into<String>) -> Bucket {
        Bucket { key: key.into(), policy, refunded_on_denial: false }
    }

    /// A bucket per client address, named `<prefix>:client:<address>`.
    pub fn per_client(policy: Policy, prefix: &str, state: &AppState, req: &Request) -> Bucket {
        let client = client_ip(req, &state.config.server.trusted_proxies)
            .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
        Bucket::new(policy, format!("{prefix}:client:{client}"))
    }

    /// Takes a token for this request, or refuses it (429 `quota_exceeded`). A limit of 0
    /// is no limit.
    pub async fn take(&self, state: &AppState, req: &Request) -> ApiResult<()> {
        if let Some(Err(refusal)) = self.try_take(state, req).await? {
            return Err(refusal);
        }
        Ok(())
    }

    /// Counts a request that already happened (a failed login): takes a token if one is
    /// left, and never refuses.
    pub async fn count(&self, state: &AppState, req: &Request) -> ApiResult<()> {
        self.try_take(state, req).await.map(drop)
    }

    /// Refuses the request while the bucket is empty, without taking from it.
    pub async fn check(&self, state: &AppState, req: &Request) -> ApiResult<()> {
        if self.policy.limit == 0 {
            return Ok(());
        }
        let now_ms = state.clock.now().timestamp_millis();
        let level = store::level(&state.db, &self.key).await?;
        self.report(req, self.policy.quota(level, now_ms));
        if self.policy.available(level, now_ms) < 1.0 {
            return Err(self.policy.refusal(level, now_ms));
        }
        Ok(())
    }

    /// Whether the bucket is empty now: a limit that changes the answer rather than refusing
    /// it (a login's step-up). Neither takes from the bucket nor reports it. A limit of 0 is
    /// never empty.
    pub async fn is_empty(&self, state: &AppState) -> ApiResult<bool> {
        if self.policy.limit == 0 {
            return Ok(false);
        }
        let level = store::level(&state.db, &self.key).await?;
        Ok(self.policy.available(level, state.clock.now().timestamp_millis()) < 1.0)
    }

    /// `None` without a limit; else the take's outcome, reported to the response.
    async fn try_take(&self, state: &AppState, req: &Request) -> ApiResult<Option<Result<(), ApiError>>> {
        if self.policy.limit == 0 {
            return Ok(None);
        }
        let now_ms = state.clock.now().timestamp_millis();
        if let Some(level) = store::take(&state.writer, &self.key, &self.policy, now_ms).await? {
            self.report(req, self.policy.quota(Some(level), now_ms));
            return Ok(Some(Ok(())));
        }
        // Refused: how the bucket stands now says when a token is back.
        let level = store::level(&state.db, &self.key).await?;
        self.report(req, self.policy.quota(level, now_ms));
        Ok(Some(Err(self.policy.refusal(level, now_ms))))
    }

    fn report(&self, req: &Request, quota: Quota) {
        let refund = self.refunded_on_denial.then(|| self.clone());
        headers::record(req, self.policy.name, quota, refund);
    }

    /// Puts back the token a request took (its answer was 401 or 403): how the bucket
    /// stands after.
    async fn give_back(&self, state: &AppState) -> ApiResult<Option<Quota>> {
        let level = store::give_back(&state.writer, &self.key, &self.policy).await?;
        Ok(level.map(|level| self.policy.quota(Some(level), state.clock.now().timestamp_millis())))
    }
}

/// Forgets the buckets nobody used for longer than any limit's window (the login's or the
/// one-time codes'): they are full again, as a missing bucket is, and every client address and
/// looked-up code would otherwise keep a row.
pub async fn forget_idle(state: &AppState) -> ApiResult<()> {
    let longest = state.config.auth.login_window.max(crate::otp::LIMIT_WINDOW);
    let idle = i64::try_from(longest.as_millis()).unwrap_or(i64::MAX);
    let before = state.clock.now().timestamp_millis().saturating_sub(idle);
    Ok(store::forget_idle(&state.writer, before).await?)
}

/// Charges a request made with an API key to the key's bucket: `per_minute` requests a minute,
/// or `MOTCUA_API_KEY_RATE_LIMIT` for a key without a limit of its own. Called by the key's
/// security scheme once the key is known good; answers that turn out 401 or 403 give the token
/// back, so they never use up a key.
pub async fn charge_key(req: &Request, key_id: Uuid, per_minute: Option<u32>) -> poem::Result<()> {
    let state = req.data::<AppState>().ok_or_else(|| ApiError::internal("no state on the request"))?;
    let limit = per_minute.unwrap_or(state.config.rate_limits.api_key_per_minute);
    let bucket = Bucket {
        key: format!("key:{key_id}"),
        policy: Policy::per_minute("key", limit),
        refunded_on_denial: true,
    };
    Ok(bucket.take(state, req).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: i64 = 60_000;

    fn at(tokens: f64, at_ms: i64) -> Option<Level> {
        Some(Level { tokens, at_ms })
    }

    #[test]
    fn a_steady_bucket_refills_a_token_every_window_over_limit() {
        let policy = Policy::per_minute("lookup", 3);
        assert_eq!(policy.available(None, 0), 3.0);
        assert_eq!(policy.available(at(0.0, 0), MINUTE / 3), 1.0);
        assert_eq!(policy.available(at(2.5, 0), MINUTE), 3.0);
        // A clock that went back refills nothing.
        assert_eq!(policy.available(at(1.0, MINUTE), 0), 1.0);
        assert_eq!(policy.secs_until(at(0.0, 0), 0, 1.0), 20);
        assert_eq!(policy.secs_until(at(0.0, 0), 1, 1.0), 20);
        assert_eq!(
            policy.quota(at(0.5, 0), 0),
            Quota { limit: 3, remaining: 0, reset_secs: 50, window: Duration::from_secs(60) }
        );
    }

    #[test]
    fn a_window_bucket_refills_whole_when_its_window_has_passed() {
        let policy = Policy {
            window: Duration::from_secs(600),
            refill: Refill::AtWindowEnd,
            ..Policy::per_minute("login", 5)
        };
        assert_eq!(policy.available(at(0.0, 0), 599_999), 0.0);
        assert_eq!(policy.available(at(0.0, 0), 600_000), 5.0);
        assert_eq!(policy.secs_until(at(0.0, 0), 0, 1.0), 600);
        assert_eq!(policy.secs_until(at(0.0, 0), 599_000, 1.0), 1);
        assert_eq!(policy.secs_until(None, 0, 1.0), 0);
    }
}
