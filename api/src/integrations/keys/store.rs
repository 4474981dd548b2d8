//! Queries for API keys.

use chrono::{DateTime, Utc};
use entity::{api_key, values::ApiScope};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr};
use uuid::Uuid;

use crate::integrations::{auth::format_scopes, key_material::KeyMaterial};

/// A key to make.
pub struct NewKey<'a> {
    pub name: &'a str,
    pub scopes: &'a [ApiScope],
    pub unit_id: Option<Uuid>,
    pub rate_limit: Option<u32>,
    pub expires_at: Option<DateTime<Utc>>,
    pub created_by: Uuid,
}

/// Stores a new key and answers its row and the key itself, which exists nowhere else.
pub async fn insert(
    db: &impl ConnectionTrait,
    new: NewKey<'_>,
    now: DateTime<Utc>,
) -> Result<(api_key::Model, KeyMaterial), DbErr> {
    let material = KeyMaterial::generate(Uuid::now_v7());
    let row = api_key::Model {
        id: material.id,
        name: new.name.to_owned(),
        scopes: format_scopes(new.scopes),
        unit_id: new.unit_id,
        rate_limit: new.rate_limit.map(|limit| limit.min(i32::MAX as u32) as i32),
        secret_hash: material.secret_hash(),
        previous_secret_hash: None,
        previous_valid_until: None,
        expires_at: new.expires_at,
        created_by: new.created_by,
        created_at: now,
        rotated_at: None,
        last_used_at: None,
        revoked_at: None,
    };
    let row = api_key::ActiveModel::from(row).insert(db).await?;
    Ok((row, material))
}
