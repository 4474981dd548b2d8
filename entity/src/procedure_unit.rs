//! The `procedure_units` table.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "procedure_units")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub procedure_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub unit_id: Uuid,
}

impl ActiveModelBehavior for ActiveModel {}
