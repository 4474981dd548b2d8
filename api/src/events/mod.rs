//! The outbox: what happened, written in the transaction of the change that caused it, so an
//! event is never lost when a process dies after the commit and never sent for a change that
//! rolled back. The change feed (`crate::integrations::feed`) and the webhooks read it.
//!
//! Payloads are thin: codes and statuses, never personal data; a receiver that needs more
//! reads it through the API with its own rights.

use chrono::{DateTime, Utc};
use entity::event;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DbErr};
use uuid::Uuid;

pub use entity::values::EventType;

/// Writes one event of `unit_id` (none for events of no unit, like a webhook's ping) inside
/// the caller's transaction, and answers its id.
pub async fn record(
    tx: &impl ConnectionTrait,
    now: DateTime<Utc>,
    event_type: EventType,
    unit_id: Option<Uuid>,
    data: serde_json::Value,
) -> Result<Uuid, DbErr> {
    let id = Uuid::now_v7();
    event::ActiveModel {
        id: Set(id),
        event_type: Set(event_type),
        unit_id: Set(unit_id),
        data: Set(data.to_string()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(tx)
    .await?;
    // Its deliveries to the subscribed endpoints, in the same transaction.
    crate::webhooks::deliveries::fan_out(tx, id, event_type, now).await?;
    Ok(id)
}
