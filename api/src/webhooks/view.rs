//! Stored rows as the API shows them.

use entity::{
    values::{EventType, WebhookDeliveryStatus},
    webhook_attempt, webhook_delivery, webhook_endpoint,
};
use sea_orm::{ConnectionTrait, DbErr};

use super::{
    dto::{Delivery, DeliveryAttempt, Webhook},
    store,
};

pub fn webhook_view(endpoint: webhook_endpoint::Model, events: Vec<EventType>) -> Webhook {
    Webhook {
        id: endpoint.id,
        url: endpoint.url,
        events,
        description: endpoint.description,
        active: endpoint.active,
        disabled_at: endpoint.disabled_at,
        disabled_reason: endpoint.disabled_reason,
        failing_since: endpoint.failing_since,
        previous_secret_until: endpoint.previous_secret_until,
        created_at: endpoint.created_at,
    }
}

/// Endpoints with their subscriptions, read in one query.
pub async fn webhooks_view(
    db: &impl ConnectionTrait,
    endpoints: Vec<webhook_endpoint::Model>,
) -> Result<Vec<Webhook>, DbErr> {
    let ids: Vec<_> = endpoints.iter().map(|e| e.id).collect();
    let mut events = store::subscriptions(db, &ids).await?;
    Ok(endpoints
        .into_iter()
        .map(|endpoint| {
            let subscribed = events.remove(&endpoint.id).unwrap_or_default();
            webhook_view(endpoint, subscribed)
        })
        .collect())
}

pub fn delivery_view(
    delivery: webhook_delivery::Model,
    event: &entity::event::Model,
    attempts: Vec<webhook_attempt::Model>,
) -> Delivery {
    let waiting = delivery.status == WebhookDeliveryStatus::Pending;
    Delivery {
        id: delivery.id,
        event_id: delivery.event_id,
        event_type: event.event_type,
        event: super::payloads::envelope(event),
        status: delivery.status,
        next_attempt_at: waiting.then_some(delivery.next_attempt_at),
        created_at: delivery.created_at,
        attempts: attempts
            .into_iter()
            .map(|a| DeliveryAttempt {
                attempted_at: a.attempted_at,
                status_code: a.status_code,
                error: a.error,
                duration_ms: a.duration_ms,
            })
            .collect(),
    }
}
