//! Queries for webhook endpoints and their subscriptions.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{
    values::{EventType, WebhookDisabledReason},
    webhook_endpoint, webhook_subscription,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder, sea_query::Expr,
};
use uuid::Uuid;

/// A new endpoint, checked.
pub struct NewEndpoint<'a> {
    pub url: &'a str,
    pub events: &'a [EventType],
    pub description: Option<&'a str>,
    pub secret: &'a str,
}

pub async fn insert_endpoint(
    db: &impl ConnectionTrait,
    new: NewEndpoint<'_>,
    now: DateTime<Utc>,
) -> Result<webhook_endpoint::Model, DbErr> {
    let endpoint = webhook_endpoint::ActiveModel {
        id: Set(Uuid::now_v7()),
        url: Set(new.url.to_owned()),
        description: Set(new.description.map(str::to_owned)),
        secret: Set(new.secret.to_owned()),
        previous_secret: Set(None),
        previous_secret_until: Set(None),
        active: Set(true),
        disabled_at: Set(None),
        disabled_reason: Set(None),
        failing_since: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    let rows = new.events.iter().map(|event| webhook_subscription::ActiveModel {
        endpoint_id: Set(endpoint.id),
        event_type: Set(*event),
    });
    webhook_subscription::Entity::insert_many(rows).exec(db).await?;
    Ok(endpoint)
}

/// Every endpoint, oldest first (a handful per installation: no paging).
pub async fn all_endpoints(db: &impl ConnectionTrait) -> Result<Vec<webhook_endpoint::Model>, DbErr> {
    webhook_endpoint::Entity::find()
        .order_by_asc(webhook_endpoint::Column::CreatedAt)
        .order_by_asc(webhook_endpoint::Column::Id)
        .all(db)
        .await
}

pub async fn endpoint_by_id(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<webhook_endpoint::Model>, DbErr> {
    webhook_endpoint::Entity::find_by_id(id).one(db).await
}

/// The event types of each of `endpoints`, in the order the spec lists them.
pub async fn subscriptions(
    db: &impl ConnectionTrait,
    endpoints: &[Uuid],
) -> Result<HashMap<Uuid, Vec<EventType>>, DbErr> {
    let rows = webhook_subscription::Entity::find()
        .filter(webhook_subscription::Column::EndpointId.is_in(endpoints.iter().copied()))
        .all(db)
        .await?;
    let mut by_endpoint: HashMap<Uuid, Vec<EventType>> = HashMap::new();
    for row in rows {
        by_endpoint.entry(row.endpoint_id).or_default().push(row.event_type);
    }
    for events in by_endpoint.values_mut() {
        events.sort();
    }
    Ok(by_endpoint)
}

/// Removes an endpoint with its subscriptions, deliveries and attempts; false when unknown.
pub async fn delete_endpoint(db: &impl ConnectionTrait, id: Uuid) -> Result<bool, DbErr> {
    Ok(webhook_endpoint::Entity::delete_by_id(id).exec(db).await?.rows_affected == 1)
}

/// Gives an endpoint `secret`; the one it had signs too until `overlap_until`.
pub async fn rotate_secret(
    db: &impl ConnectionTrait,
    endpoint: webhook_endpoint::Model,
    secret: &str,
    overlap_until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<webhook_endpoint::Model, DbErr> {
    let previous = endpoint.secret.clone();
    let mut endpoint: webhook_endpoint::ActiveModel = endpoint.into();
    endpoint.previous_secret = Set(Some(previous));
    endpoint.previous_secret_until = Set(Some(overlap_until));
    endpoint.secret = Set(secret.to_owned());
    endpoint.updated_at = Set(now);
    endpoint.update(db).await
}

/// Lets a disabled endpoint receive again, its run of failures forgotten.
pub async fn enable(
    db: &impl ConnectionTrait,
    endpoint: webhook_endpoint::Model,
    now: DateTime<Utc>,
) -> Result<webhook_endpoint::Model, DbErr> {
    let mut endpoint: webhook_endpoint::ActiveModel = endpoint.into();
    endpoint.active = Set(true);
    endpoint.disabled_at = Set(None);
    endpoint.disabled_reason = Set(None);
    endpoint.failing_since = Set(None);
    endpoint.updated_at = Set(now);
    endpoint.update(db).await
}

/// Disables an active endpoint; false when it was not active (already disabled, or gone), so
/// that only the first of several dispatchers tells the administrators.
pub async fn disable(
    db: &impl ConnectionTrait,
    id: Uuid,
    reason: WebhookDisabledReason,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let disabled = webhook_endpoint::Entity::update_many()
        .col_expr(webhook_endpoint::Column::Active, Expr::value(false))
        .col_expr(webhook_endpoint::Column::DisabledAt, Expr::value(now))
        .col_expr(webhook_endpoint::Column::DisabledReason, Expr::value(reason))
        .col_expr(webhook_endpoint::Column::UpdatedAt, Expr::value(now))
        .filter(webhook_endpoint::Column::Id.eq(id))
        .filter(webhook_endpoint::Column::Active.eq(true))
        .exec(db)
        .await?;
    Ok(disabled.rows_affected == 1)
}

/// Notes how an attempt to an endpoint went: a success ends its run of failures, a failure
/// starts one if none is running. Gives when the run began (`None` after a success).
pub async fn note_outcome(
    db: &impl ConnectionTrait,
    id: Uuid,
    succeeded: bool,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, DbErr> {
    let failing_since = if succeeded {
        None
    } else {
        let current = endpoint_by_id(db, id).await?.and_then(|e| e.failing_since);
        Some(current.unwrap_or(now))
    };
    webhook_endpoint::Entity::update_many()
        .col_expr(webhook_endpoint::Column::FailingSince, Expr::value(failing_since))
        .filter(webhook_endpoint::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(failing_since)
}
