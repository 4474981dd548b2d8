//! Queries for accounts and sessions.

use chrono::{DateTime, Utc};
use entity::{refresh_token, user, values::Role};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel,
    QueryFilter, sea_query::Expr,
};
use uuid::Uuid;

pub async fn user_by_phone(db: &impl ConnectionTrait, phone: &str) -> Result<Option<user::Model>, DbErr> {
    user::Entity::find().filter(user::Column::Phone.eq(phone)).one(db).await
}

pub async fn user_by_id(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<user::Model>, DbErr> {
    user::Entity::find_by_id(id).one(db).await
}

/// The accounts of these ids (in no order).
pub async fn users_by_id(db: &impl ConnectionTrait, ids: Vec<Uuid>) -> Result<Vec<user::Model>, DbErr> {
    user::Entity::find().filter(user::Column::Id.is_in(ids)).all(db).await
}

/// A staff account by id: citizens are no officers.
pub async fn staff_by_id(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<user::Model>, DbErr> {
    Ok(user_by_id(db, id).await?.filter(|u| u.role != Role::Citizen))
}

pub struct NewUser<'a> {
    pub phone: &'a str,
    pub full_name: &'a str,
    pub password_hash: String,
    pub role: Role,
    pub unit_id: Option<Uuid>,
    /// Whether the phone is known to be the account holder's from the start: staff accounts
    /// (their supervisor vouches for them) and demo data. A citizen's is confirmed by code.
    pub phone_verified: bool,
}

pub async fn insert_user(
    db: &impl ConnectionTrait,
    new: NewUser<'_>,
    now: DateTime<Utc>,
) -> Result<user::Model, DbErr> {
    user::ActiveModel {
        id: Set(Uuid::now_v7()),
        phone: Set(new.phone.to_owned()),
        full_name: Set(new.full_name.to_owned()),
        password_hash: Set(new.password_hash),
        role: Set(new.role),
        unit_id: Set(new.unit_id),
        active: Set(true),
        letters_opt_out: Set(false),
        phone_verified_at: Set(new.phone_verified.then_some(now)),
        must_change_password: Set(false),
        oidc_subject: Set(None),
        deleted_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await
}

/// Sets a password its holder chose (or a rehash of it): a temporary one is replaced.
pub async fn set_password_hash(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    hash: String,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    store_password(db, user_id, hash, false, now).await
}

/// Sets a temporary password, which must be changed at the next login.
pub async fn set_temporary_password(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    hash: String,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    store_password(db, user_id, hash, true, now).await
}

async fn store_password(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    hash: String,
    temporary: bool,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(hash))
        .col_expr(user::Column::MustChangePassword, Expr::value(temporary))
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::Id.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Renames an account; the account as it now is.
pub async fn rename_user(
    db: &impl ConnectionTrait,
    user: user::Model,
    full_name: &str,
    now: DateTime<Utc>,
) -> Result<user::Model, DbErr> {
    let mut active = user.into_active_model();
    active.full_name = Set(full_name.to_owned());
    active.updated_at = Set(now);
    active.update(db).await
}

pub async fn set_letters_opt_out(
    db: &impl ConnectionTrait,
    user: user::Model,
    opt_out: bool,
    now: DateTime<Utc>,
) -> Result<user::Model, DbErr> {
    let mut active = user.into_active_model();
    active.letters_opt_out = Set(opt_out);
    active.updated_at = Set(now);
    active.update(db).await
}

pub async fn insert_refresh_token(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    family_id: Uuid,
    token_hash: String,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), DbErr> {
    refresh_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        family_id: Set(family_id),
        token_hash: Set(token_hash),
        created_at: Set(now),
        expires_at: Set(expires_at),
        spent_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(())
}

pub async fn refresh_token_by_hash(
    db: &impl ConnectionTrait,
    hash: &str,
) -> Result<Option<refresh_token::Model>, DbErr> {
    refresh_token::Entity::find().filter(refresh_token::Column::TokenHash.eq(hash)).one(db).await
}

/// Marks a token spent, unless it already was: true only for the one caller that spent it,
/// so two concurrent refreshes with the same token cannot both succeed.
pub async fn spend_refresh_token(
    db: &impl ConnectionTrait,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::SpentAt, Expr::value(now))
        .filter(refresh_token::Column::Id.eq(id))
        .filter(refresh_token::Column::SpentAt.is_null())
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}
