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
    /// When the phone was confirmed with a one-time code; until then a citizen cannot claim
    /// dossiers, book or rate.
    pub phone_verified_at: Option<DateTimeUtc>,
    /// The password is a temporary one a supervisor set: it must be changed at the next login.
    pub must_change_password: bool,
    /// The subject the single sign-on provider knows this account by.
    pub oidc_subject: Option<String>,
    /// When the account was erased (its personal data anonymised).
    pub deleted_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
