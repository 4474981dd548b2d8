//! The `queue_settings` table: a unit's queue rules (no row: the defaults).

use sea_orm::entity::prelude::*;

use crate::values::PriorityStrategy;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "queue_settings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub unit_id: Uuid,
    pub checkin_early_minutes: i32,
    pub checkin_late_minutes: i32,
    pub max_recalls: i32,
    pub priority_strategy: PriorityStrategy,
    pub priority_every: i32,
    /// The service groups as a JSON array of `{code, prefix, name}`.
    pub service_groups: String,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
