//! The `queue_events` table: what the waiting-room screens are told, in order.

use sea_orm::entity::prelude::*;

use crate::values::QueueEventKind;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "queue_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub unit_id: Uuid,
    pub at: DateTimeUtc,
    pub kind: QueueEventKind,
    pub ticket_id: Option<Uuid>,
    pub counter: Option<i32>,
}

impl ActiveModelBehavior for ActiveModel {}
