//! The `appointment_slot_counts` table: how many seats each slot has taken, kept by triggers
//! on `appointment_seats` (never written by the application).

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "appointment_slot_counts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub unit_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub starts_at: DateTimeUtc,
    pub taken: i32,
}

impl ActiveModelBehavior for ActiveModel {}
