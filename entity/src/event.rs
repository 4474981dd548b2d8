//! The `events` table: the outbox of what happened, written with the change that caused it,
//! read by the change feed and the webhooks.

use sea_orm::entity::prelude::*;

use crate::values::EventType;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "events")]
pub struct Model {
    /// The order of writing (within one transaction id on PostgreSQL).
    #[sea_orm(primary_key)]
    pub seq: i64,
    pub id: Uuid,
    pub event_type: EventType,
    pub unit_id: Option<Uuid>,
    /// The thin payload, JSON: codes and statuses, no personal data.
    pub data: String,
    pub created_at: DateTimeUtc,
    /// The writing transaction on PostgreSQL (set by the database); 0 on SQLite.
    pub txid: i64,
}

impl ActiveModelBehavior for ActiveModel {}
