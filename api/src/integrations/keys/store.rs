//! Queries for API keys. Every change runs in one write transaction with its audit row.

use chrono::{DateTime, Utc};
use entity::{
    api_key,
    values::{ApiScope, AuditAction},
};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait, QueryOrder};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    admin::store::{Audit, write_audit},
    integrations::{auth::format_scopes, key_material::KeyMaterial},
    pagination::{PageQuery, fetch_page},
    units::store::unit_codes,
};

/// A key to make.
pub struct NewKey<'a> {
    pub name: &'a str,
    pub scopes: &'a [ApiScope],
    pub unit_id: Option<Uuid>,
    pub rate_limit: Option<u32>,
    pub expires_at: Option<DateTime<Utc>>,
    pub created_by: Uuid,
}

/// A key's row and the code of its unit.
pub type KeyRecord = (api_key::Model, Option<String>);

/// Why a key was not changed.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("no such key")]
    NotFound,
    #[error("the key is revoked")]
    Revoked,
    #[error(transparent)]
    Db(#[from] DbErr),
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

/// What the audit log keeps of a key: never its secret or a hash of it.
fn audited(key: &api_key::Model) -> Value {
    json!({
        "name": key.name,
        "scopes": key.scopes,
        "unit_id": key.unit_id,
        "rate_limit": key.rate_limit,
        "expires_at": key.expires_at,
        "rotated_at": key.rotated_at,
        "previous_valid_until": key.previous_valid_until,
        "revoked_at": key.revoked_at,
    })
}

async fn audit_change(
    db: &impl ConnectionTrait,
    audit: &Audit,
    change: AuditAction,
    before: Option<&api_key::Model>,
    after: &api_key::Model,
) -> Result<(), DbErr> {
    let target = (after.id.to_string(), after.unit_id);
    write_audit(db, audit, change, target, before.map(audited), audited(after)).await
}

/// Makes a key, with its audit row.
pub async fn create(
    db: &impl ConnectionTrait,
    new: NewKey<'_>,
    audit: &Audit,
) -> Result<(api_key::Model, KeyMaterial), DbErr> {
    let (row, material) = insert(db, new, audit.at).await?;
    audit_change(db, audit, AuditAction::ApiKeyCreate, None, &row).await?;
    Ok((row, material))
}

/// Revokes a key at once; a key already revoked stays as it was, with no new audit row.
pub async fn revoke(db: &impl ConnectionTrait, id: Uuid, audit: &Audit) -> Result<(), KeyError> {
    let before = api_key::Entity::find_by_id(id).one(db).await?.ok_or(KeyError::NotFound)?;
    if before.revoked_at.is_some() {
        return Ok(());
    }
    let mut change = api_key::ActiveModel::from(before.clone());
    change.revoked_at = Set(Some(audit.at));
    let after = change.update(db).await?;
    audit_change(db, audit, AuditAction::ApiKeyRevoke, Some(&before), &after).await?;
    Ok(())
}

/// Gives a key a new secret; the one it replaces keeps working until `old_valid_until`
/// (a secret from an earlier rotation stops at once).
pub async fn rotate(
    db: &impl ConnectionTrait,
    id: Uuid,
    old_valid_until: DateTime<Utc>,
    audit: &Audit,
) -> Result<(api_key::Model, KeyMaterial), KeyError> {
    let before = api_key::Entity::find_by_id(id).one(db).await?.ok_or(KeyError::NotFound)?;
    if before.revoked_at.is_some() {
        return Err(KeyError::Revoked);
    }
    let material = KeyMaterial::generate(id);
    let mut change = api_key::ActiveModel::from(before.clone());
    change.previous_secret_hash = Set(Some(before.secret_hash.clone()));
    change.previous_valid_until = Set(Some(old_valid_until));
    change.secret_hash = Set(material.secret_hash());
    change.rotated_at = Set(Some(audit.at));
    let after = change.update(db).await?;
    audit_change(db, audit, AuditAction::ApiKeyRotate, Some(&before), &after).await?;
    Ok((after, material))
}

/// Keys with their units' codes.
async fn with_unit_codes(
    db: &impl ConnectionTrait,
    keys: Vec<api_key::Model>,
) -> Result<Vec<KeyRecord>, DbErr> {
    let codes = unit_codes(db, keys.iter().filter_map(|key| key.unit_id)).await?;
    Ok(keys
        .into_iter()
        .map(|key| {
            let code = key.unit_id.and_then(|id| codes.get(&id).cloned());
            (key, code)
        })
        .collect())
}

/// A page of keys, newest first.
pub async fn list(db: &impl ConnectionTrait, page: PageQuery) -> Result<(Vec<KeyRecord>, u64), DbErr> {
    // Ids are UUIDv7, in time order: they break ties between keys of the same instant.
    let query =
        api_key::Entity::find().order_by_desc(api_key::Column::CreatedAt).order_by_desc(api_key::Column::Id);
    let (keys, total) = fetch_page(db, query, page).await?;
    Ok((with_unit_codes(db, keys).await?, total))
}

/// One key.
pub async fn one(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<KeyRecord>, DbErr> {
    let key = api_key::Entity::find_by_id(id).one(db).await?;
    Ok(with_unit_codes(db, key.into_iter().collect()).await?.pop())
}
