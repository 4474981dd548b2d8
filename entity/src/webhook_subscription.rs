//! The `webhook_subscriptions` table: which event types an endpoint receives.

use sea_orm::entity::prelude::*;

use crate::values::EventType;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_subscriptions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub endpoint_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub event_type: EventType,
}

impl ActiveModelBehavior for ActiveModel {}
