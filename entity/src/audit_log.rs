//! The `audit_log` table.

use sea_orm::entity::prelude::*;

use crate::values::{AuditAction, AuditTarget};

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub actor_id: Option<Uuid>,
    pub action: AuditAction,
    pub target_type: AuditTarget,
    pub target_id: String,
    pub unit_id: Option<Uuid>,
    pub before_state: Option<String>,
    pub after_state: Option<String>,
    pub at: DateTimeUtc,
    pub request_id: Option<String>,
    /// The client's address, for changes made over HTTP.
    pub address: Option<String>,
    /// The client's `User-Agent`, for changes made over HTTP.
    pub user_agent: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
