//! The `notifications` table.

use sea_orm::entity::prelude::*;

use crate::values::NotificationKind;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notifications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    pub kind: NotificationKind,
    pub title: String,
    pub body: String,
    pub title_en: Option<String>,
    pub body_en: Option<String>,
    pub dossier_id: Option<Uuid>,
    pub appointment_id: Option<Uuid>,
    pub rating_id: Option<Uuid>,
    pub complaint_id: Option<Uuid>,
    pub letter_id: Option<Uuid>,
    pub webhook_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub read_at: Option<DateTimeUtc>,
}

impl ActiveModelBehavior for ActiveModel {}
