//! Queries for deliveries: written with their event, claimed by the dispatchers, settled
//! after each attempt, listed and queued again by the administrators.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{
    values::{EventType, WebhookDeliveryStatus as Status},
    webhook_attempt, webhook_delivery, webhook_endpoint, webhook_subscription,
};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, ExprTrait, QueryFilter, QueryOrder,
    QuerySelect,
    sea_query::{Expr, LockBehavior, LockType, Query},
};
use uuid::Uuid;

use crate::pagination::Cursor;

fn new_delivery(endpoint_id: Uuid, event_id: Uuid, now: DateTime<Utc>) -> webhook_delivery::ActiveModel {
    webhook_delivery::ActiveModel {
        id: Set(Uuid::now_v7()),
        endpoint_id: Set(endpoint_id),
        event_id: Set(event_id),
        status: Set(Status::Pending),
        attempts: Set(0),
        next_attempt_at: Set(now),
        lease_id: Set(None),
        lease_until: Set(None),
        last_attempt_at: Set(None),
        created_at: Set(now),
    }
}

/// Writes one delivery of an event to every active endpoint subscribed to its type: called by
/// `events::record` in the transaction of the change, so the deliveries commit or roll back
/// with it.
pub async fn fan_out(
    tx: &impl ConnectionTrait,
    event_id: Uuid,
    event_type: EventType,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let endpoints: Vec<Uuid> = webhook_subscription::Entity::find()
        .select_only()
        .column(webhook_subscription::Column::EndpointId)
        .filter(webhook_subscription::Column::EventType.eq(event_type))
        .filter(
            webhook_subscription::Column::EndpointId.in_subquery(
                Query::select()
                    .column(webhook_endpoint::Column::Id)
                    .from(webhook_endpoint::Entity)
                    .and_where(webhook_endpoint::Column::Active.eq(true))
                    .to_owned(),
            ),
        )
        .into_tuple()
        .all(tx)
        .await?;
    if endpoints.is_empty() {
        return Ok(());
    }
    let rows = endpoints.into_iter().map(|endpoint| new_delivery(endpoint, event_id, now));
    webhook_delivery::Entity::insert_many(rows).exec(tx).await?;
    Ok(())
}

/// Writes a delivery of an event to one endpoint only (the test `ping`).
pub async fn enqueue(
    tx: &impl ConnectionTrait,
    endpoint_id: Uuid,
    event_id: Uuid,
    now: DateTime<Utc>,
) -> Result<webhook_delivery::Model, DbErr> {
    new_delivery(endpoint_id, event_id, now).insert(tx).await
}

/// How long a dispatcher holds a claimed delivery: longer than an attempt can take (15 s),
/// so only a dispatcher that died leaves one to be claimed again.
pub const LEASE: chrono::TimeDelta = chrono::TimeDelta::seconds(60);

/// Claims up to `limit` due deliveries of active endpoints for one attempt each: they are
/// `sending` under `lease_id` until `now + LEASE`. Rows another dispatcher is claiming are
/// skipped (PostgreSQL), or wait for its commit (SQLite's one writer).
pub async fn claim_due(
    tx: &impl ConnectionTrait,
    lease_id: Uuid,
    limit: u64,
    now: DateTime<Utc>,
) -> Result<Vec<webhook_delivery::Model>, DbErr> {
    use webhook_delivery::Column as D;
    let due = Condition::any()
        .add(Condition::all().add(D::Status.eq(Status::Pending)).add(D::NextAttemptAt.lte(now)))
        .add(Condition::all().add(D::Status.eq(Status::Sending)).add(D::LeaseUntil.lt(now)));
    let claimed = webhook_delivery::Entity::find()
        .filter(due)
        .filter(
            D::EndpointId.in_subquery(
                Query::select()
                    .column(webhook_endpoint::Column::Id)
                    .from(webhook_endpoint::Entity)
                    .and_where(webhook_endpoint::Column::Active.eq(true))
                    .to_owned(),
            ),
        )
        .order_by_asc(D::NextAttemptAt)
        .limit(limit)
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .all(tx)
        .await?;
    if claimed.is_empty() {
        return Ok(claimed);
    }
    let until = now + LEASE;
    webhook_delivery::Entity::update_many()
        .col_expr(D::Status, Expr::value(Status::Sending))
        .col_expr(D::LeaseId, Expr::value(lease_id))
        .col_expr(D::LeaseUntil, Expr::value(until))
        .col_expr(D::Attempts, Expr::col(D::Attempts).add(1))
        .col_expr(D::LastAttemptAt, Expr::value(now))
        .filter(D::Id.is_in(claimed.iter().map(|d| d.id)))
        .exec(tx)
        .await?;
    Ok(claimed
        .into_iter()
        .map(|d| webhook_delivery::Model {
            status: Status::Sending,
            lease_id: Some(lease_id),
            lease_until: Some(until),
            attempts: d.attempts + 1,
            last_attempt_at: Some(now),
            ..d
        })
        .collect())
}

/// What an attempt leaves the delivery as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    Succeeded,
    RetryAt(DateTime<Utc>),
    GivenUp,
}

/// Moves a delivery on after an attempt and records the attempt, if the claim `lease_id`
/// still holds it; false when it does not (the endpoint was removed meanwhile, or the lease
/// ran out and another dispatcher claimed the delivery again).
pub async fn settle(
    tx: &impl ConnectionTrait,
    delivery: &webhook_delivery::Model,
    attempt: webhook_attempt::ActiveModel,
    next: Next,
) -> Result<bool, DbErr> {
    use webhook_delivery::Column as D;
    let (status, due) = match next {
        Next::Succeeded => (Status::Succeeded, delivery.next_attempt_at),
        Next::RetryAt(at) => (Status::Pending, at),
        Next::GivenUp => (Status::Failed, delivery.next_attempt_at),
    };
    let settled = webhook_delivery::Entity::update_many()
        .col_expr(D::Status, Expr::value(status))
        .col_expr(D::NextAttemptAt, Expr::value(due))
        .col_expr(D::LeaseId, Expr::value(Option::<Uuid>::None))
        .col_expr(D::LeaseUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .filter(D::Id.eq(delivery.id))
        .filter(D::Status.eq(Status::Sending))
        .filter(D::LeaseId.eq(delivery.lease_id))
        .exec(tx)
        .await?;
    if settled.rows_affected == 0 {
        return Ok(false);
    }
    attempt.insert(tx).await?;
    Ok(true)
}

/// Up to `limit + 1` deliveries of an endpoint, newest first, after `after`.
pub async fn page(
    db: &impl ConnectionTrait,
    endpoint_id: Uuid,
    status: Option<Status>,
    after: Option<Cursor>,
    limit: u64,
) -> Result<Vec<webhook_delivery::Model>, DbErr> {
    use webhook_delivery::Column as D;
    let mut query = webhook_delivery::Entity::find().filter(D::EndpointId.eq(endpoint_id));
    if let Some(status) = status {
        query = query.filter(D::Status.eq(status));
    }
    if let Some(after) = after {
        query = query.filter(
            Condition::any()
                .add(D::CreatedAt.lt(after.created_at))
                .add(Condition::all().add(D::CreatedAt.eq(after.created_at)).add(D::Id.lt(after.id))),
        );
    }
    query.order_by_desc(D::CreatedAt).order_by_desc(D::Id).limit(limit + 1).all(db).await
}

/// The attempts of `deliveries`, oldest first, by delivery.
pub async fn attempts_of(
    db: &impl ConnectionTrait,
    deliveries: &[Uuid],
) -> Result<HashMap<Uuid, Vec<webhook_attempt::Model>>, DbErr> {
    let rows = webhook_attempt::Entity::find()
        .filter(webhook_attempt::Column::DeliveryId.is_in(deliveries.iter().copied()))
        .order_by_asc(webhook_attempt::Column::AttemptedAt)
        .order_by_asc(webhook_attempt::Column::Id)
        .all(db)
        .await?;
    let mut by_delivery: HashMap<Uuid, Vec<webhook_attempt::Model>> = HashMap::new();
    for row in rows {
        by_delivery.entry(row.delivery_id).or_default().push(row);
    }
    Ok(by_delivery)
}

pub async fn delivery_of(
    db: &impl ConnectionTrait,
    endpoint_id: Uuid,
    id: Uuid,
) -> Result<Option<webhook_delivery::Model>, DbErr> {
    webhook_delivery::Entity::find_by_id(id)
        .filter(webhook_delivery::Column::EndpointId.eq(endpoint_id))
        .one(db)
        .await
}

/// Makes deliveries of an endpoint that match `which` due now, each with a fresh round of
/// retries; one being sent right now is left alone. Gives how many were queued.
async fn requeue(
    db: &impl ConnectionTrait,
    endpoint_id: Uuid,
    which: Condition,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    use webhook_delivery::Column as D;
    let queued = webhook_delivery::Entity::update_many()
        .col_expr(D::Status, Expr::value(Status::Pending))
        .col_expr(D::Attempts, Expr::value(0))
        .col_expr(D::NextAttemptAt, Expr::value(now))
        .filter(D::EndpointId.eq(endpoint_id))
        .filter(D::Status.ne(Status::Sending))
        .filter(which)
        .exec(db)
        .await?;
    Ok(queued.rows_affected)
}

/// Queues one delivery again, whatever its outcome; false when it is being sent right now.
pub async fn redeliver(
    db: &impl ConnectionTrait,
    endpoint_id: Uuid,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let which = Condition::all().add(webhook_delivery::Column::Id.eq(id));
    Ok(requeue(db, endpoint_id, which, now).await? == 1)
}

/// Queues again the failed deliveries of events from `from` (included) to `to` (excluded).
pub async fn redeliver_failed(
    db: &impl ConnectionTrait,
    endpoint_id: Uuid,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    use webhook_delivery::Column as D;
    let which = Condition::all()
        .add(D::Status.eq(Status::Failed))
        .add(D::CreatedAt.gte(from))
        .add(D::CreatedAt.lt(to));
    requeue(db, endpoint_id, which, now).await
}

pub async fn event_of(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<entity::event::Model>, DbErr> {
    entity::event::Entity::find().filter(entity::event::Column::Id.eq(id)).one(db).await
}

/// Each of `events`, by its id.
pub async fn events_by_id(
    db: &impl ConnectionTrait,
    events: impl IntoIterator<Item = Uuid>,
) -> Result<HashMap<Uuid, entity::event::Model>, DbErr> {
    let rows = entity::event::Entity::find().filter(entity::event::Column::Id.is_in(events)).all(db).await?;
    Ok(rows.into_iter().map(|event| (event.id, event)).collect())
}
