//! The `appointment_reminders` table.

use sea_orm::entity::prelude::*;

use crate::values::ReminderState;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "appointment_reminders")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub appointment_id: Uuid,
    /// The appointment's version the reminder was written for.
    pub appointment_version: i32,
    pub due_at: DateTimeUtc,
    pub state: ReminderState,
    pub settled_at: Option<DateTimeUtc>,
}

impl ActiveModelBehavior for ActiveModel {}
