//! The `appointment_seats` table: one row per seat taken, keyed by the seat itself.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "appointment_seats")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub unit_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub starts_at: DateTimeUtc,
    #[sea_orm(primary_key, auto_increment = false)]
    pub seat: i32,
    pub appointment_id: Uuid,
    pub citizen_id: Uuid,
}

impl ActiveModelBehavior for ActiveModel {}
