//! The unit and procedure of a dossier as the public lookup shows them, kept per process.
//!
//! The lookup is the busiest public call, and units and procedures are few and seldom renamed:
//! taking their names from memory spares every lookup two joins (5–8% of its cost, measured on
//! both engines). A rename reaches the lookups of every server process within the configured
//! time (`MOTCUA_LOOKUP_NAMES_TTL_SECS`); the cache holds no invariant, only what is shown.

use std::time::Duration;

use sea_orm::{ConnectionTrait, DbErr};
use uuid::Uuid;

use super::dto::{ProcedureRef, UnitRef};
use crate::{clock::Clock, fresh::Fresh, procedures::store::procedure_by_id, units::store::unit_by_id};

/// Units and procedures by id, as the public lookup names them.
pub struct LookupNames {
    units: Fresh<Uuid, UnitRef>,
    procedures: Fresh<Uuid, ProcedureRef>,
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
            .get_or_load(&id, async || {
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
            .get_or_load(&id, async || {
                Ok(procedure_by_id(db, id).await?.map(|p| ProcedureRef { code: p.code, name: p.name }))
            })
            .await
    }
}
