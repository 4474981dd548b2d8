//! Queries for the unit tree, staff accounts and the audit log.
//!
//! Every change runs in one write transaction together with its audit row, so there is never
//! a change without its record, nor a record of a change that was rolled back.

mod audit;
mod staff;
mod units;

pub use self::{audit::*, staff::*, units::*};

use chrono::{DateTime, Utc};
use entity::{audit_log, values::AuditAction};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DbErr};
use serde_json::Value;
use uuid::Uuid;

/// Who makes a change, for its audit row.
#[derive(Debug, Clone)]
pub struct Audit {
    /// `None` when the change comes from the `motcua` command line.
    pub actor_id: Option<Uuid>,
    pub request_id: Option<String>,
    pub at: DateTime<Utc>,
    /// The client's address and user agent, where they matter (security events).
    pub address: Option<String>,
    pub user_agent: Option<String>,
}

/// Why a change was not made.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("no such record")]
    NotFound,
    #[error("the unit code is taken")]
    UnitCodeTaken,
    #[error("the unit would end up below itself")]
    UnitCycle,
    #[error("the phone number is taken")]
    PhoneTaken,
    #[error(transparent)]
    Db(#[from] DbErr),
}

pub(crate) async fn write_audit(
    db: &impl ConnectionTrait,
    audit: &Audit,
    change: AuditAction,
    (target_id, unit_id): (String, Option<Uuid>),
    before: Option<Value>,
    after: Value,
) -> Result<(), DbErr> {
    audit_log::ActiveModel {
        id: Set(Uuid::now_v7()),
        actor_id: Set(audit.actor_id),
        action: Set(change),
        target_type: Set(change.target()),
        target_id: Set(target_id),
        unit_id: Set(unit_id),
        before_state: Set(before.map(|state| state.to_string())),
        after_state: Set(Some(after.to_string())),
        at: Set(audit.at),
        request_id: Set(audit.request_id.clone()),
        address: Set(audit.address.clone()),
        user_agent: Set(audit.user_agent.clone()),
    }
    .insert(db)
    .await?;
    Ok(())
}
