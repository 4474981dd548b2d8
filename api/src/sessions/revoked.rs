//! Which sessions are revoked, as this process knows it.
//!
//! Checking every request against the database would add a query to each; instead each
//! process keeps the ids of the sessions revoked recently enough that their access tokens may
//! still be unexpired (`access_ttl` and the expiry leeway), and reads them again once its copy
//! is older than `MOTCUA_REVOCATION_CACHE_SECS` (by the app's clock). A revocation made here
//! is noted at once; one made by another process is seen within that time. The check itself
//! is a look-up in a set.

use std::{collections::HashSet, sync::RwLock, time::Duration};

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr};
use uuid::Uuid;

use crate::auth::tokens::EXPIRY_LEEWAY_SECONDS;

#[derive(Default)]
struct Snapshot {
    ids: HashSet<Uuid>,
    /// When the ids were read; `None` before the first read.
    read_at: Option<DateTime<Utc>>,
}

/// The recent revocations, per process.
pub struct RevokedSessions {
    snapshot: RwLock<Snapshot>,
    /// One reader of the database at a time: the others wait for its answer.
    reading: tokio::sync::Mutex<()>,
    refresh_every: chrono::Duration,
    /// How far back a revocation can matter: the life of an access token, with leeway.
    horizon: chrono::Duration,
}

impl RevokedSessions {
    pub fn new(refresh_every: Duration, access_ttl: Duration) -> RevokedSessions {
        let seconds = |d: Duration| chrono::Duration::seconds(d.as_secs() as i64);
        RevokedSessions {
            snapshot: RwLock::default(),
            reading: tokio::sync::Mutex::new(()),
            refresh_every: seconds(refresh_every),
            horizon: seconds(access_ttl) + chrono::Duration::seconds(EXPIRY_LEEWAY_SECONDS),
        }
    }

    /// Whether `session` was revoked, reading the revocations again when this process's copy
    /// is too old at `now`.
    pub async fn contains(
        &self,
        db: &impl ConnectionTrait,
        session: Uuid,
        now: DateTime<Utc>,
    ) -> Result<bool, DbErr> {
        if let Some(answer) = self.fresh_answer(session, now) {
            return Ok(answer);
        }
        let _reading = self.reading.lock().await;
        // Another request may have read them while this one waited.
        if let Some(answer) = self.fresh_answer(session, now) {
            return Ok(answer);
        }
        let ids = super::store::revoked_since(db, now - self.horizon).await?;
        let mut snapshot = self.snapshot.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        snapshot.ids = ids.into_iter().collect();
        snapshot.read_at = Some(now);
        Ok(snapshot.ids.contains(&session))
    }

    /// Notes revocations this process made, so they apply here at once.
    pub fn note(&self, sessions: &[Uuid]) {
        let mut snapshot = self.snapshot.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        snapshot.ids.extend(sessions);
    }

    fn fresh_answer(&self, session: Uuid, now: DateTime<Utc>) -> Option<bool> {
        let snapshot = self.snapshot.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        // A clock that went back (tests set it) makes the copy stale too.
        let fresh =
            snapshot.read_at.is_some_and(|read_at| read_at <= now && now - read_at < self.refresh_every);
        fresh.then(|| snapshot.ids.contains(&session))
    }
}
