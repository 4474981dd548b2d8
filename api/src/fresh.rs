//! Values a process keeps for a while instead of reading them on every request: what public
//! pages show (names in lookups, a unit's hours and holidays in its slots), never what a write
//! decides by. Each entry is trusted for a set time after it was read; changes made through
//! this process can forget it at once, other processes see them when it goes stale.

use std::{
    collections::HashMap,
    hash::Hash,
    sync::{PoisonError, RwLock},
    time::Duration,
};

use chrono::{DateTime, Utc};
use sea_orm::DbErr;

use crate::clock::Clock;

/// Values by key, each trusted for `fresh_for` after it was read. Keys are units or
/// procedures, few and long-lived, so it needs no eviction.
pub struct Fresh<K, T> {
    fresh_for: chrono::Duration,
    clock: Clock,
    entries: RwLock<HashMap<K, (DateTime<Utc>, T)>>,
}

impl<K: Eq + Hash + Clone, T: Clone> Fresh<K, T> {
    pub fn new(fresh_for: Duration, clock: Clock) -> Self {
        let fresh_for = chrono::Duration::from_std(fresh_for).unwrap_or(chrono::Duration::MAX);
        Fresh { fresh_for, clock, entries: RwLock::default() }
    }

    /// The value kept for `key` while fresh, else what `load` reads (kept unless `None`).
    pub async fn get_or_load(
        &self,
        key: &K,
        load: impl AsyncFnOnce() -> Result<Option<T>, DbErr>,
    ) -> Result<Option<T>, DbErr> {
        let now = self.clock.now();
        let cached = self.entries.read().unwrap_or_else(PoisonError::into_inner).get(key).cloned();
        if let Some((read_at, value)) = cached
            && now - read_at < self.fresh_for
        {
            return Ok(Some(value));
        }
        let loaded = load().await?;
        if let Some(value) = &loaded {
            let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
            entries.insert(key.clone(), (now, value.clone()));
        }
        Ok(loaded)
    }

    /// Forgets every value, after a change made through this process.
    pub fn forget_all(&self) {
        self.entries.write().unwrap_or_else(PoisonError::into_inner).clear();
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::clock::FixedClock;

    fn fixed_clock() -> FixedClock {
        FixedClock::at(DateTime::from_timestamp(1_764_554_400, 0).unwrap())
    }

    #[tokio::test]
    async fn a_value_is_read_again_only_once_it_is_stale_or_forgotten() {
        let clock = fixed_clock();
        let cache = Fresh::new(Duration::from_secs(50), clock.clone().into());
        let id = Uuid::now_v7();

        let first = cache.get_or_load(&id, async || Ok(Some("v1"))).await.unwrap();
        clock.advance(chrono::Duration::seconds(49));
        let cached = cache.get_or_load(&id, async || Ok(Some("v2"))).await.unwrap();
        clock.advance(chrono::Duration::seconds(1));
        let reread = cache.get_or_load(&id, async || Ok(Some("v3"))).await.unwrap();
        cache.forget_all();
        let forgotten = cache.get_or_load(&id, async || Ok(Some("v4"))).await.unwrap();

        assert_eq!([first, cached, reread, forgotten], [Some("v1"), Some("v1"), Some("v3"), Some("v4")]);
    }

    #[tokio::test]
    async fn nothing_found_is_not_remembered() {
        let cache: Fresh<Uuid, String> = Fresh::new(Duration::from_secs(60), fixed_clock().into());
        let id = Uuid::now_v7();
        assert_eq!(cache.get_or_load(&id, async || Ok(None)).await.unwrap(), None);
        assert_eq!(
            cache.get_or_load(&id, async || Ok(Some("now".into()))).await.unwrap().as_deref(),
            Some("now")
        );
    }
}
