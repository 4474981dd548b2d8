//! The `units` table.

use sea_orm::entity::prelude::*;

use crate::values::UnitKind;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "units")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    pub parent_id: Option<Uuid>,
    pub address: Option<String>,
    /// The place name of the unit's documents' date line ("Thuận An, ngày …").
    pub locality: Option<String>,
    pub active: bool,
    pub time_zone: String,
    pub opening_hours: String,
    pub intake_cutoff: String,
    pub counters: i32,
    pub slot_minutes: i32,
    /// Seats per appointment slot; `None` follows `counters`.
    pub appointment_seats: Option<i32>,
    pub min_lead_minutes: i32,
    pub booking_horizon_days: i32,
    pub cancel_cutoff_minutes: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
