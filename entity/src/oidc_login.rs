//! The `oidc_logins` table: single sign-on logins begun and not yet finished.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "oidc_logins")]
pub struct Model {
    /// SHA-256 (hex) of the `state` sent to the provider.
    #[sea_orm(primary_key, auto_increment = false)]
    pub state_hash: String,
    /// The nonce the ID token must carry.
    pub nonce: String,
    /// The PKCE verifier the authorization code is exchanged with.
    pub pkce_verifier: String,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    /// When the callback spent the state; a state is good once.
    pub used_at: Option<DateTimeUtc>,
}

impl ActiveModelBehavior for ActiveModel {}
