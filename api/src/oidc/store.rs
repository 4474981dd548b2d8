//! Queries for single sign-on: logins under way, and accounts by subject.

use chrono::{DateTime, Utc};
use entity::{oidc_login, user};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait},
};
use uuid::Uuid;

/// Records a login begun at `now`, and forgets the expired ones (their state is refused anyway).
pub async fn begin(
    db: &impl ConnectionTrait,
    state_hash: String,
    nonce: String,
    pkce_verifier: String,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), DbErr> {
    oidc_login::Entity::delete_many().filter(oidc_login::Column::ExpiresAt.lte(now)).exec(db).await?;
    oidc_login::ActiveModel {
        state_hash: Set(state_hash),
        nonce: Set(nonce),
        pkce_verifier: Set(pkce_verifier),
        created_at: Set(now),
        expires_at: Set(expires_at),
        used_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Spends the login of a state: `None` unless it exists, is unexpired and unused. The update is
/// conditional, so of two callbacks with one state only one gets the login.
pub async fn spend(
    db: &impl ConnectionTrait,
    state_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<oidc_login::Model>, DbErr> {
    let spent = oidc_login::Entity::update_many()
        .col_expr(oidc_login::Column::UsedAt, Expr::value(now))
        .filter(oidc_login::Column::StateHash.eq(state_hash))
        .filter(oidc_login::Column::UsedAt.is_null())
        .filter(oidc_login::Column::ExpiresAt.gt(now))
        .exec(db)
        .await?;
    if spent.rows_affected != 1 {
        return Ok(None);
    }
    oidc_login::Entity::find_by_id(state_hash.to_owned()).one(db).await
}

pub async fn user_by_subject(db: &impl ConnectionTrait, subject: &str) -> Result<Option<user::Model>, DbErr> {
    user::Entity::find().filter(user::Column::OidcSubject.eq(subject)).one(db).await
}

/// Links an account that has no subject yet to `subject`; its phone counts as verified from
/// then on (the provider vouched for it). `false` when the account got a subject meanwhile.
pub async fn link(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    subject: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let linked = user::Entity::update_many()
        .col_expr(user::Column::OidcSubject, Expr::value(subject))
        .col_expr(user::Column::PhoneVerifiedAt, Expr::col(user::Column::PhoneVerifiedAt).if_null(now))
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::Id.eq(user_id))
        .filter(user::Column::OidcSubject.is_null())
        .exec(db)
        .await?;
    Ok(linked.rows_affected == 1)
}
