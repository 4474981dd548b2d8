//! The `queue_days` table: a unit's queue on one day, the row every queue write locks first.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "queue_days")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub unit_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub service_day: Date,
    /// The last ticket number handed out that day.
    pub last_number: i32,
    /// Normal tickets called since the last priority ticket (for `interleaved`).
    pub normals_since_priority: i32,
}

impl ActiveModelBehavior for ActiveModel {}
