//! The `appointments` table.

use sea_orm::entity::prelude::*;

use crate::values::{AppointmentStatus, CancelledBy};

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "appointments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub unit_id: Uuid,
    pub procedure_id: Uuid,
    pub citizen_id: Uuid,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    pub status: AppointmentStatus,
    pub version: i32,
    pub previous_start: Option<DateTimeUtc>,
    pub reschedule_count: i32,
    pub cancelled_by: Option<CancelledBy>,
    pub cancel_reason: Option<String>,
    pub cancelled_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
