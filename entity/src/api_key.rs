//! The `api_keys` table: integrators' keys, kept only as hashes of their secrets.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_keys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    /// The scopes' names, separated by spaces (`dossiers.read queue.write`).
    pub scopes: String,
    /// The unit the key is restricted to, with its sub-units; none: every unit.
    pub unit_id: Option<Uuid>,
    /// Requests per minute; none: the server's default.
    pub rate_limit: Option<i32>,
    /// SHA-256 of the secret part, hex.
    pub secret_hash: String,
    /// The hash of the secret before the last rotation, accepted until `previous_valid_until`.
    pub previous_secret_hash: Option<String>,
    pub previous_valid_until: Option<DateTimeUtc>,
    pub expires_at: Option<DateTimeUtc>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub rotated_at: Option<DateTimeUtc>,
    pub last_used_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
}

impl ActiveModelBehavior for ActiveModel {}
