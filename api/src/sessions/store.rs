//! Queries for sessions.

use chrono::{DateTime, Utc};
use entity::{
    refresh_token, session,
    values::{SessionEnd, SignInMethod},
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, sea_query::Expr,
};
use uuid::Uuid;

use crate::security::Origin;

/// Opens a session for a login; answers its id (the family of its refresh tokens).
pub async fn open(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    method: SignInMethod,
    origin: &Origin,
    now: DateTime<Utc>,
) -> Result<Uuid, DbErr> {
    let id = Uuid::now_v7();
    session::ActiveModel {
        id: Set(id),
        user_id: Set(user_id),
        method: Set(method),
        created_at: Set(now),
        last_used_at: Set(now),
        address: Set(origin.address.clone()),
        user_agent: Set(origin.user_agent.clone()),
        revoked_at: Set(None),
        revoked_reason: Set(None),
    }
    .insert(db)
    .await?;
    Ok(id)
}

/// Notes a refresh of the session: when, and from where.
pub async fn touch(
    db: &impl ConnectionTrait,
    id: Uuid,
    origin: &Origin,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    session::Entity::update_many()
        .col_expr(session::Column::LastUsedAt, Expr::value(now))
        .col_expr(session::Column::Address, Expr::value(origin.address.clone()))
        .col_expr(session::Column::UserAgent, Expr::value(origin.user_agent.clone()))
        .filter(session::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// The sessions of a user that still work at `now`: not revoked, and used within
/// `refresh_ttl` (a refresh token lives that long). Most recently used first.
pub async fn live(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    now: DateTime<Utc>,
    refresh_ttl: chrono::Duration,
) -> Result<Vec<session::Model>, DbErr> {
    session::Entity::find()
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::RevokedAt.is_null())
        .filter(session::Column::LastUsedAt.gt(now - refresh_ttl))
        .order_by_desc(session::Column::LastUsedAt)
        .order_by_desc(session::Column::Id)
        .all(db)
        .await
}

/// Which sessions to end.
#[derive(Debug, Clone, Copy)]
pub enum Which {
    /// One session of a user (someone else's session is not found).
    One { user_id: Uuid, session: Uuid },
    /// Every session of a user.
    AllOf(Uuid),
    /// Every session of a user but the one making the request.
    AllOfExcept(Uuid, Uuid),
}

/// Ends the sessions `which` picks that are still open, with their refresh tokens; answers
/// the ids of the sessions it ended.
pub async fn revoke(
    db: &impl ConnectionTrait,
    which: Which,
    reason: SessionEnd,
    now: DateTime<Utc>,
) -> Result<Vec<Uuid>, DbErr> {
    let mut open = session::Entity::find()
        .select_only()
        .column(session::Column::Id)
        .filter(session::Column::RevokedAt.is_null());
    open = match which {
        Which::One { user_id, session } => {
            open.filter(session::Column::UserId.eq(user_id)).filter(session::Column::Id.eq(session))
        }
        Which::AllOf(user_id) => open.filter(session::Column::UserId.eq(user_id)),
        Which::AllOfExcept(user_id, keep) => {
            open.filter(session::Column::UserId.eq(user_id)).filter(session::Column::Id.ne(keep))
        }
    };
    let ids: Vec<Uuid> = open.into_tuple().all(db).await?;
    if ids.is_empty() {
        return Ok(ids);
    }
    session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(now))
        .col_expr(session::Column::RevokedReason, Expr::value(reason))
        .filter(session::Column::Id.is_in(ids.clone()))
        .filter(session::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(now))
        .filter(refresh_token::Column::FamilyId.is_in(ids.clone()))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(ids)
}

/// The ids of the sessions revoked at or after `since`: those whose access tokens may still
/// be within their lifetime.
pub async fn revoked_since(db: &impl ConnectionTrait, since: DateTime<Utc>) -> Result<Vec<Uuid>, DbErr> {
    session::Entity::find()
        .select_only()
        .column(session::Column::Id)
        .filter(session::Column::RevokedAt.gte(since))
        .into_tuple()
        .all(db)
        .await
}
