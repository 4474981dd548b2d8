//! What the webhooks API takes and answers.

use chrono::{DateTime, Utc};
use entity::values::{EventType, WebhookDeliveryStatus, WebhookDisabledReason};
use poem_openapi::{Object, types::Example};
use uuid::Uuid;

use crate::input::Line;

/// A new subscription: where to send which events.
#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct NewWebhook {
    /// The receiver's absolute URL, `https` (plain `http` and private addresses only where the
    /// server allows them, in development). No user name or password in it.
    #[oai(validator(max_length = 2000))]
    pub url: String,
    /// The event types to send (`ping` is sent only by the test operation, to every endpoint).
    #[oai(validator(min_items = 1, max_items = 20, unique_items = true))]
    pub events: Vec<EventType>,
    /// What the endpoint is for, for the administrators.
    pub description: Option<Line<1, 500>>,
}

impl Example for NewWebhook {
    fn example() -> Self {
        NewWebhook {
            url: "https://dichvucong.binhduong.gov.vn/hooks/motcua".into(),
            events: vec![EventType::DossierStatusChanged, EventType::AppointmentBooked],
            description: Some("Cổng dịch vụ công tỉnh".into()),
        }
    }
}

/// A subscription, without its secret.
#[derive(Debug, Clone, Object)]
pub struct Webhook {
    /// The endpoint's id.
    pub id: Uuid,
    /// Where deliveries go.
    pub url: String,
    /// The event types it receives.
    pub events: Vec<EventType>,
    /// What it is for.
    pub description: Option<String>,
    /// False once disabled (410 Gone, or 24 hours of failures): nothing is sent until it is
    /// enabled again.
    pub active: bool,
    /// When it was disabled.
    pub disabled_at: Option<DateTime<Utc>>,
    pub disabled_reason: Option<WebhookDisabledReason>,
    /// Since when its deliveries have been failing without a success in between.
    pub failing_since: Option<DateTime<Utc>>,
    /// Until when the secret before the last rotation signs too.
    pub previous_secret_until: Option<DateTime<Utc>>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// A subscription with its secret, shown only when it is created or rotated.
#[derive(Debug, Clone, Object)]
pub struct WebhookWithSecret {
    #[oai(flatten)]
    pub webhook: Webhook,
    /// `whsec_` and the base64 of the signing key. Shown only now: keep it; the server shows it
    /// never again.
    pub secret: String,
}

/// One attempt of a delivery.
#[derive(Debug, Clone, Object)]
pub struct DeliveryAttempt {
    /// When it was sent.
    pub attempted_at: DateTime<Utc>,
    /// The receiver's HTTP status; absent when no answer came.
    pub status_code: Option<i32>,
    /// Why it failed: `address not allowed`, `timed out`, `redirect not followed`, ...
    pub error: Option<String>,
    /// How long it took, in milliseconds.
    pub duration_ms: i32,
}

/// One event sent (or to be sent) to one endpoint, with its attempts.
#[derive(Debug, Clone, Object)]
pub struct Delivery {
    /// The delivery's id.
    pub id: Uuid,
    /// The event's id: the `webhook-id` header, the same on every attempt.
    pub event_id: Uuid,
    pub event_type: EventType,
    /// The event as the receiver gets it, the body of every attempt: one of the `…Event`
    /// schemas, told apart by `type`.
    pub event: serde_json::Value,
    pub status: WebhookDeliveryStatus,
    /// When the next attempt is due, while pending.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// When the event happened.
    pub created_at: DateTime<Utc>,
    /// Every attempt, oldest first.
    pub attempts: Vec<DeliveryAttempt>,
}

/// A page of deliveries, newest first.
#[derive(Debug, Clone, Object)]
pub struct DeliveryPage {
    /// The deliveries of this page.
    pub items: Vec<Delivery>,
    /// Pass it as `cursor` for the next page; absent on the last.
    pub next_cursor: Option<String>,
}

/// A period whose failed deliveries are sent again, as after the receiver's outage.
#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct RedeliveryRange {
    /// From this instant (included): when the events happened.
    pub from: DateTime<Utc>,
    /// Up to this instant (excluded).
    pub to: DateTime<Utc>,
}

impl Example for RedeliveryRange {
    fn example() -> Self {
        let at = |text: &str| DateTime::parse_from_rfc3339(text).map(|t| t.to_utc()).unwrap_or_default();
        RedeliveryRange { from: at("2026-12-01T00:00:00+07:00"), to: at("2026-12-02T00:00:00+07:00") }
    }
}

/// How many failed deliveries were queued again.
#[derive(Debug, Clone, Object)]
pub struct Requeued {
    /// Deliveries due again now.
    pub requeued: u64,
}
