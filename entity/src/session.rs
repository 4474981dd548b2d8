//! The `sessions` table: one row per login, shared by its refresh tokens (their `family_id`)
//! and named in its access tokens (`sid`).

use sea_orm::entity::prelude::*;

use crate::values::{SessionEnd, SignInMethod};

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sessions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    pub method: SignInMethod,
    pub created_at: DateTimeUtc,
    /// The last login or refresh of the session.
    pub last_used_at: DateTimeUtc,
    pub address: Option<String>,
    pub user_agent: Option<String>,
    pub revoked_at: Option<DateTimeUtc>,
    pub revoked_reason: Option<SessionEnd>,
}

impl ActiveModelBehavior for ActiveModel {}
