//! The `users` table.

use sea_orm::entity::prelude::*;

use crate::values::Role;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub phone: String,
    pub full_name: String,
    pub password_hash: String,
    pub role: Role,
    pub unit_id: Option<Uuid>,
    pub active: bool,
    /// The citizen asked for no letters.
    pub letters_opt_out: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
