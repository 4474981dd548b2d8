//! The `webhook_attempts` table: one row per request sent (or refused before sending).

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_attempts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub delivery_id: Uuid,
    pub attempted_at: DateTimeUtc,
    /// The receiver's HTTP status; none when no answer came.
    pub status_code: Option<i32>,
    /// Why the attempt failed, in words safe to show the administrator.
    pub error: Option<String>,
    pub duration_ms: i32,
}

impl ActiveModelBehavior for ActiveModel {}
