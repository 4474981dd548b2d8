//! The `devices` table: the phones a user gets pushes on, by FCM registration token.

use sea_orm::entity::prelude::*;

use crate::values::DevicePlatform;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "devices")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    pub platform: DevicePlatform,
    /// The FCM registration token: unique, a device belongs to one user at a time.
    pub token: String,
    /// The session that registered it: when the session ends, the device goes.
    pub session_id: Uuid,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
