//! The `counters` table: the state of each counter of a desk (no row: closed).

use sea_orm::entity::prelude::*;

use crate::values::CounterState;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "counters")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub unit_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub number: i32,
    pub state: CounterState,
    pub pause_reason: Option<String>,
    /// The officer who opened it.
    pub officer_id: Option<Uuid>,
    /// The service groups it calls, as a JSON array of codes; `None`: every group.
    pub service_groups: Option<String>,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
