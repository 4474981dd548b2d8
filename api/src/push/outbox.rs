//! Queries for pushes: written with their inbox entry, claimed by the dispatchers, settled
//! after each attempt.

use chrono::{DateTime, TimeDelta, Utc};
use entity::{device, push_delivery, values::PushDeliveryStatus as Status};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, ExprTrait, QueryFilter, QueryOrder,
    QuerySelect,
    sea_query::{Expr, LockBehavior, LockType},
};
use uuid::Uuid;

/// One inbox entry, as its pushes show it.
pub struct Entry<'a> {
    pub notification_id: Uuid,
    pub user_id: Uuid,
    pub title: &'a str,
    pub body: &'a str,
    /// What the app reads to open the entry: string values only, as FCM wants.
    pub data: serde_json::Map<String, serde_json::Value>,
}

/// Writes one push of an entry to every device of its recipient: called by `notify` in the
/// transaction of the entry, so the pushes commit or roll back with it.
pub async fn enqueue(tx: &impl ConnectionTrait, entry: Entry<'_>, now: DateTime<Utc>) -> Result<(), DbErr> {
    let devices: Vec<Uuid> = device::Entity::find()
        .select_only()
        .column(device::Column::Id)
        .filter(device::Column::UserId.eq(entry.user_id))
        .into_tuple()
        .all(tx)
        .await?;
    if devices.is_empty() {
        return Ok(());
    }
    let data = serde_json::Value::Object(entry.data).to_string();
    let rows = devices.into_iter().map(|device_id| push_delivery::ActiveModel {
        id: Set(Uuid::now_v7()),
        device_id: Set(device_id),
        notification_id: Set(entry.notification_id),
        title: Set(entry.title.to_owned()),
        body: Set(entry.body.to_owned()),
        data: Set(data.clone()),
        status: Set(Status::Pending),
        attempts: Set(0),
        next_attempt_at: Set(now),
        lease_id: Set(None),
        lease_until: Set(None),
        last_error: Set(None),
        created_at: Set(now),
    });
    push_delivery::Entity::insert_many(rows).exec(tx).await?;
    Ok(())
}

/// How long a dispatcher holds a claimed push: longer than an attempt can take (a token
/// exchange and a send, 15 s each), so only a dispatcher that died leaves one to be claimed
/// again.
pub const LEASE: TimeDelta = TimeDelta::seconds(60);

/// Claims up to `limit` due pushes for one attempt each: they are `sending` under `lease_id`
/// until `now + LEASE`. Rows another dispatcher is claiming are skipped (PostgreSQL), or wait
/// for its commit (SQLite's one writer).
pub async fn claim_due(
    tx: &impl ConnectionTrait,
    lease_id: Uuid,
    limit: u64,
    now: DateTime<Utc>,
) -> Result<Vec<push_delivery::Model>, DbErr> {
    use push_delivery::Column as P;
    let due = Condition::any()
        .add(Condition::all().add(P::Status.eq(Status::Pending)).add(P::NextAttemptAt.lte(now)))
        .add(Condition::all().add(P::Status.eq(Status::Sending)).add(P::LeaseUntil.lt(now)));
    let claimed = push_delivery::Entity::find()
        .filter(due)
        .order_by_asc(P::NextAttemptAt)
        .limit(limit)
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .all(tx)
        .await?;
    if claimed.is_empty() {
        return Ok(claimed);
    }
    let until = now + LEASE;
    push_delivery::Entity::update_many()
        .col_expr(P::Status, Expr::value(Status::Sending))
        .col_expr(P::LeaseId, Expr::value(lease_id))
        .col_expr(P::LeaseUntil, Expr::value(until))
        .col_expr(P::Attempts, Expr::col(P::Attempts).add(1))
        .filter(P::Id.is_in(claimed.iter().map(|d| d.id)))
        .exec(tx)
        .await?;
    Ok(claimed
        .into_iter()
        .map(|d| push_delivery::Model {
            status: Status::Sending,
            lease_id: Some(lease_id),
            lease_until: Some(until),
            attempts: d.attempts + 1,
            ..d
        })
        .collect())
}

/// What an attempt leaves the push as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// FCM accepted it: the push is deleted.
    Delivered,
    RetryAt(DateTime<Utc>, String),
    GivenUp(String),
    /// FCM no longer knows the token: its device goes, with every push queued for it.
    Unregistered,
}

/// Moves a push on after an attempt, if the claim `lease_id` still holds it (it does not when
/// its device was removed meanwhile, or the lease ran out and another dispatcher claimed it).
pub async fn settle(tx: &impl ConnectionTrait, push: &push_delivery::Model, next: Next) -> Result<(), DbErr> {
    use push_delivery::Column as P;
    let held = Condition::all()
        .add(P::Id.eq(push.id))
        .add(P::Status.eq(Status::Sending))
        .add(P::LeaseId.eq(push.lease_id));
    let (status, due, error) = match next {
        Next::Delivered => {
            push_delivery::Entity::delete_many().filter(held).exec(tx).await?;
            return Ok(());
        }
        Next::Unregistered => {
            device::Entity::delete_by_id(push.device_id).exec(tx).await?;
            return Ok(());
        }
        Next::RetryAt(at, error) => (Status::Pending, at, error),
        Next::GivenUp(error) => (Status::Failed, push.next_attempt_at, error),
    };
    push_delivery::Entity::update_many()
        .col_expr(P::Status, Expr::value(status))
        .col_expr(P::NextAttemptAt, Expr::value(due))
        .col_expr(P::LastError, Expr::value(error))
        .col_expr(P::LeaseId, Expr::value(Option::<Uuid>::None))
        .col_expr(P::LeaseUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .filter(held)
        .exec(tx)
        .await?;
    Ok(())
}
