//! The `document_numbers` table: the last number handed out in each series of a unit's year.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "document_numbers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub unit_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub year: i32,
    /// `receipt`, `apology` or `letter`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub series: String,
    pub last_number: i32,
}

impl ActiveModelBehavior for ActiveModel {}
