//! The codes' rows.

use chrono::{DateTime, Utc};
use entity::{one_time_code, values::OtpPurpose};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect,
    sea_query::{Expr, ExprTrait, OnConflict},
};

use one_time_code::{Column, Entity};

/// The code of (phone, purpose), locked until the transaction ends (PostgreSQL; SQLite
/// writes one transaction at a time).
pub async fn current(
    db: &impl ConnectionTrait,
    phone: &str,
    purpose: OtpPurpose,
) -> Result<Option<one_time_code::Model>, DbErr> {
    Entity::find_by_id((phone.to_owned(), purpose)).lock_exclusive().one(db).await
}

/// Stores `code` in place of the (phone, purpose)'s previous one, only if that one was issued
/// at or before `replaceable_before`: whether it was stored. One statement, so two processes
/// issuing at once cannot both replace a code within the wait.
pub async fn replace(
    db: &impl ConnectionTrait,
    code: one_time_code::Model,
    replaceable_before: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let upsert = OnConflict::columns([Column::Phone, Column::Purpose])
        .update_columns([
            Column::CodeHash,
            Column::IssuedAt,
            Column::ExpiresAt,
            Column::FailedTries,
            Column::UsedAt,
        ])
        .action_and_where(Expr::col((Entity, Column::IssuedAt)).lte(replaceable_before))
        .to_owned();
    let stored = Entity::insert(one_time_code::ActiveModel::from(code))
        .on_conflict(upsert)
        .exec_without_returning(db)
        .await?;
    Ok(stored == 1)
}

/// Counts a wrong try.
pub async fn count_wrong_try(
    db: &impl ConnectionTrait,
    phone: &str,
    purpose: OtpPurpose,
) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::FailedTries, Expr::col(Column::FailedTries).add(1))
        .filter(Column::Phone.eq(phone))
        .filter(Column::Purpose.eq(purpose))
        .exec(db)
        .await?;
    Ok(())
}

/// Marks the code used.
pub async fn spend(
    db: &impl ConnectionTrait,
    phone: &str,
    purpose: OtpPurpose,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let used = one_time_code::ActiveModel {
        phone: Set(phone.to_owned()),
        purpose: Set(purpose),
        used_at: Set(Some(now)),
        ..Default::default()
    };
    Entity::update(used).exec(db).await?;
    Ok(())
}
