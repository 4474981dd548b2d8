//! The `one_time_codes` table: the live SMS code of a (phone, purpose), as its keyed hash.

use sea_orm::entity::prelude::*;

use crate::values::OtpPurpose;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "one_time_codes")]
pub struct Model {
    /// The phone the code was sent to, `+84…`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub phone: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub purpose: OtpPurpose,
    /// HMAC-SHA-256 of the code under the server's one-time-code key, in hex.
    pub code_hash: String,
    pub issued_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    /// Wrong tries so far; the code is dead at the limit.
    pub failed_tries: i32,
    /// When the code was accepted: a code works once.
    pub used_at: Option<DateTimeUtc>,
}

impl ActiveModelBehavior for ActiveModel {}
