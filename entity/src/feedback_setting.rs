//! The `feedback_settings` table: a unit's rules for ratings and complaints (no row: the defaults).

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "feedback_settings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub unit_id: Uuid,
    pub rating_window_days: i32,
    pub ranking_min_ratings: i32,
    pub moderation_working_days: i32,
    pub complaint_due_working_days: i32,
    pub complaint_reopen_days: i32,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
