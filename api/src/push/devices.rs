//! Queries for devices: registered, listed and removed by their owner.

use chrono::{DateTime, Utc};
use entity::{device, values::DevicePlatform};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, OnConflict},
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

/// Who registers a device: the user, and the session it comes from.
#[derive(Debug, Clone, Copy)]
pub struct Owner {
    pub user_id: Uuid,
    pub session_id: Uuid,
}

/// Registers `token` as the user's device in this session. The token is unique: registered by
/// the user already, it is that device again (now of this session); by another user, the device
/// moves to this one, and the pushes still queued for the previous owner are dropped with its
/// old row.
pub async fn register(
    tx: &impl ConnectionTrait,
    Owner { user_id, session_id }: Owner,
    platform: DevicePlatform,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Registered, DbErr> {
    let held = device::Entity::find().filter(device::Column::Token.eq(token)).one(tx).await?;
    match held {
        Some(device) if device.user_id == user_id => return again(tx, device, platform, session_id).await,
        Some(device) => {
            device::Entity::delete_by_id(device.id).exec(tx).await?;
        }
        None => {}
    }
    let device = device::Model {
        id: Uuid::now_v7(),
        user_id,
        platform,
        token: token.to_owned(),
        session_id,
        created_at: now,
    };
    // The same token registered at the same moment by a second request (an app that sent it
    // twice) is that request's device: this one waits for it and answers with it.
    let inserted = device::Entity::insert(device::ActiveModel::from(device.clone()))
        .on_conflict(OnConflict::column(device::Column::Token).do_nothing().to_owned())
        .exec_without_returning(tx)
        .await?;
    if inserted == 1 {
        return Ok(Registered::New(device));
    }
    match device::Entity::find().filter(device::Column::Token.eq(token)).one(tx).await? {
        Some(held) if held.user_id == user_id => again(tx, held, platform, session_id).await,
        _ => Err(DbErr::Custom("a device token was registered by two accounts at once".into())),
    }
}

/// The caller's device registered again, on the platform it now names, in the session it
/// now comes from (the user logged in again on that phone).
async fn again(
    tx: &impl ConnectionTrait,
    device: device::Model,
    platform: DevicePlatform,
    session_id: Uuid,
) -> Result<Registered, DbErr> {
    if device.platform != platform || device.session_id != session_id {
        device::Entity::update_many()
            .col_expr(device::Column::Platform, Expr::value(platform))
            .col_expr(device::Column::SessionId, Expr::value(session_id))
            .filter(device::Column::Id.eq(device.id))
            .exec(tx)
            .await?;
    }
    Ok(Registered::Again(device::Model { platform, session_id, ..device }))
}

/// Removes the devices registered in sessions that ended, with their queued pushes.
pub async fn forget_sessions(tx: &impl ConnectionTrait, sessions: &[Uuid]) -> Result<(), DbErr> {
    if sessions.is_empty() {
        return Ok(());
    }
    device::Entity::delete_many()
        .filter(device::Column::SessionId.is_in(sessions.iter().copied()))
        .exec(tx)
        .await?;
    Ok(())
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
