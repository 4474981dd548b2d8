//! The `push_deliveries` table: the outbox of pushes, one per inbox entry and device.

use sea_orm::entity::prelude::*;

use crate::values::PushDeliveryStatus;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "push_deliveries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub device_id: Uuid,
    pub notification_id: Uuid,
    /// The entry's title and body as the push shows them (Vietnamese).
    pub title: String,
    pub body: String,
    /// The push's `data`: a JSON object of strings the app reads to open the entry.
    pub data: String,
    pub status: PushDeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    /// Which dispatcher's claim holds it while `sending`.
    pub lease_id: Option<Uuid>,
    pub lease_until: Option<DateTimeUtc>,
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
