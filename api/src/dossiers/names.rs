//! The unit and procedure of a dossier as the public lookup shows them, kept per process.
//!
//! The lookup is the busiest public call, and units and procedures are few and seldom renamed:
//! taking their names from memory spares every lookup two joins (5–8% of its cost, measured on
//! both engines). A rename reaches the lookups of every server process within the configured
//! time (`MOTCUA_LOOKUP_NAMES_TTL_SECS`); the cache holds no invariant, only what is shown.

use std::{
    collections::HashMap,
    sync::{PoisonError, RwLock},
    time::Duration,
};

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr};
use uuid::Uuid;

use super::dto::{ProcedureRef, UnitRef};
use crate::{clock::Clock, procedures::store::procedure_by_id, units::store::unit_by_id};

/// Values by id, each trusted for `fresh_for` after it was read. It holds at most one entry
/// per unit or procedure, so it needs no eviction.
struct Fresh<T> {
    fresh_for: chrono::Duration,
    clock: Clock,
    entries: RwLock<HashMap<Uuid, (DateTime<Utc>, T)>>,
}

impl<T: Clone> Fresh<T> {
    fn new(fresh_for: Duration, clock: Clock) -> Self {
        let fresh_for = chrono::Duration::from_std(fresh_for).unwrap_or(chrono::Duration::MAX);
        Fresh { fresh_for, clock, entries: RwLock::default() }
    }

    async fn get_or_load(
        &self,
        id: Uuid,
        load: impl AsyncFnOnce() -> Result<Option<T>, DbErr>,
    ) -> Result<Option<T>, DbErr> {
        let now = self.clock.now();
        let cached = self.entries.read().unwrap_or_else(PoisonError::into_inner).get(&id).cloned();
        if let Some((read_at, value)) = cached
            && now - read_at < self.fresh_for
        {
            return Ok(Some(value));
        }
        let loaded = load().await?;
        if let Some(value) = &loaded {
            let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
            entries.insert(id, (now, value.clone()));
        }
        Ok(loaded)
    }
}

/// Units and procedures by id, as the public lookup names them.
pub struct LookupNames {
    units: Fresh<UnitRef>,
    procedures: Fresh<ProcedureRef>,
}

impl LookupNames {
    pub fn new(fresh_for: Duration, clock: &Clock) -> Self {
        LookupNames {
            units: Fresh::new(fresh_for, clock.clone()),
            procedures: Fresh::new(fresh_for, clock.clone()),
        }
    }

    pub async fn unit(&self, db: &impl ConnectionTrait, id: Uuid) -> Result<Option<UnitRef>, DbErr> {
        self.units
            .get_or_load(id, async || {
                Ok(unit_by_id(db, id).await?.map(|u| UnitRef {
                    code: u.code,
                    name: u.name,
                    address: u.address,
                }))
            })
            .await
    }

    pub async fn procedure(
        &self,
        db: &impl ConnectionTrait,
        id: Uuid,
    ) -> Result<Option<ProcedureRef>, DbErr> {
        self.procedures
            .get_or_load(id, async || {
                Ok(procedure_by_id(db, id).await?.map(|p| ProcedureRef { code: p.code, name: p.name }))
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::clock::FixedClock;

    fn fixed_clock() -> FixedClock {
        FixedClock::at(DateTime::from_timestamp(1_764_554_400, 0).unwrap())
    }

    #[tokio::test]
    async fn a_value_is_read_again_only_once_it_is_stale() {
        let clock = fixed_clock();
        let cache = Fresh::new(Duration::from_secs(50), clock.clone().into());
        let id = Uuid::now_v7();

        let first = cache.get_or_load(id, async || Ok(Some("v1"))).await.unwrap();
        clock.advance(chrono::Duration::seconds(49));
        let cached = cache.get_or_load(id, async || Ok(Some("v2"))).await.unwrap();
        clock.advance(chrono::Duration::seconds(1));
        let reread = cache.get_or_load(id, async || Ok(Some("v3"))).await.unwrap();

        assert_eq!([first, cached, reread], [Some("v1"), Some("v1"), Some("v3")]);
    }

    #[tokio::test]
    async fn nothing_found_is_not_remembered() {
        let cache: Fresh<String> = Fresh::new(Duration::from_secs(60), fixed_clock().into());
        let id = Uuid::now_v7();
        assert_eq!(cache.get_or_load(id, async || Ok(None)).await.unwrap(), None);
        assert_eq!(
            cache.get_or_load(id, async || Ok(Some("now".into()))).await.unwrap().as_deref(),
            Some("now")
        );
    }
}
