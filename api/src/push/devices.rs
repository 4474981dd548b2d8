//! Queries for devices: registered, listed and removed by their owner.

use chrono::{DateTime, Utc};
use entity::{device, values::DevicePlatform};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, sea_query::Expr,
};
use uuid::Uuid;

/// The most devices listed: a user has a handful of phones, not hundreds.
pub const LISTED: u64 = 100;

/// What registering a token did.
pub enum Registered {
    /// A new device (or one moved from another user: a phone changes hands).
    New(device::Model),
    /// The caller had registered this token already.
    Again(device::Model),
}

/// Registers `token` as the user's device. The token is unique: registered by the user
/// already, it is that device again; by another user, the device moves to this one, and the
/// pushes still queued for the previous owner are dropped with its old row.
pub async fn register(
    tx: &impl ConnectionTrait,
    user_id: Uuid,
    platform: DevicePlatform,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Registered, DbErr> {
    let held =
        device::Entity::find().filter(device::Column::Token.eq(token)).lock_exclusive().one(tx).await?;
    match held {
        Some(device) if device.user_id == user_id && device.platform == platform => {
            return Ok(Registered::Again(device));
        }
        Some(device) if device.user_id == user_id => {
            device::Entity::update_many()
                .col_expr(device::Column::Platform, Expr::value(platform))
                .filter(device::Column::Id.eq(device.id))
                .exec(tx)
                .await?;
            return Ok(Registered::Again(device::Model { platform, ..device }));
        }
        Some(device) => {
            device::Entity::delete_by_id(device.id).exec(tx).await?;
        }
        None => {}
    }
    let device = device::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        platform: Set(platform),
        token: Set(token.to_owned()),
        created_at: Set(now),
    }
    .insert(tx)
    .await?;
    Ok(Registered::New(device))
}

/// The user's devices, newest first.
pub async fn of_user(db: &impl ConnectionTrait, user_id: Uuid) -> Result<Vec<device::Model>, DbErr> {
    device::Entity::find()
        .filter(device::Column::UserId.eq(user_id))
        .order_by_desc(device::Column::CreatedAt)
        .order_by_desc(device::Column::Id)
        .limit(LISTED)
        .all(db)
        .await
}

/// Removes one of the user's devices with its queued pushes; false when the user has no
/// device of this id.
pub async fn remove(tx: &impl ConnectionTrait, user_id: Uuid, id: Uuid) -> Result<bool, DbErr> {
    let removed = device::Entity::delete_many()
        .filter(device::Column::Id.eq(id))
        .filter(device::Column::UserId.eq(user_id))
        .exec(tx)
        .await?;
    Ok(removed.rows_affected == 1)
}
