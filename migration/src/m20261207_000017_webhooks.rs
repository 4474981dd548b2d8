use sea_orm_migration::prelude::*;

use crate::{drop_tables, run_ddl};

#[derive(DeriveMigrationName)]
pub struct Migration;

// Webhooks: endpoints an administrator subscribes to event types, and one delivery per event
// and subscribed endpoint, written by `events::record` in the transaction of the change (so a
// rolled-back change leaves none, and a committed one is never lost).
//
// An endpoint's secret is kept as issued: every delivery is signed with it, so it cannot be
// hashed. After a rotation the previous secret signs too until `previous_secret_until`.
// `failing_since` is the first failure of the current run of failures: 24 h of them disable
// the endpoint.
//
// A delivery is `pending` until it is due (`next_attempt_at`), `sending` while a dispatcher
// holds its lease (`lease_id`, until `lease_until`; an expired lease is claimed again: the
// process died mid-send), then `succeeded`, or `failed` once retries are spent or its endpoint
// was disabled. Every attempt leaves a row in `webhook_attempts`.
// A disabled endpoint is announced in the administrators' inboxes (`notifications.webhook_id`).
const UP: &str = r#"
CREATE TABLE webhook_endpoints (
    id {uuid} PRIMARY KEY,
    url TEXT NOT NULL,
    description TEXT,
    secret TEXT NOT NULL,
    previous_secret TEXT,
    previous_secret_until {ts},
    active {bool} NOT NULL,
    disabled_at {ts},
    disabled_reason TEXT CHECK (disabled_reason IN ('gone', 'failing')),
    failing_since {ts},
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL
);

CREATE TABLE webhook_subscriptions (
    endpoint_id {uuid} NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_type TEXT NOT NULL,
    PRIMARY KEY (endpoint_id, event_type)
);
CREATE INDEX webhook_subscriptions_type ON webhook_subscriptions (event_type);

CREATE TABLE webhook_deliveries (
    id {uuid} PRIMARY KEY,
    endpoint_id {uuid} NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id {uuid} NOT NULL REFERENCES events (id),
    status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'succeeded', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at {ts} NOT NULL,
    lease_id {uuid},
    lease_until {ts},
    last_attempt_at {ts},
    created_at {ts} NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at);

CREATE TABLE webhook_attempts (
    id {uuid} PRIMARY KEY,
    delivery_id {uuid} NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempted_at {ts} NOT NULL,
    status_code INTEGER,
    error TEXT,
    duration_ms INTEGER NOT NULL
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, attempted_at);

ALTER TABLE notifications ADD COLUMN webhook_id {uuid}
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// All or nothing on every engine (see [`crate::ATOMIC`]).
    fn use_transaction(&self) -> Option<bool> {
        crate::ATOMIC
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_ddl(manager, UP).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("ALTER TABLE notifications DROP COLUMN webhook_id")
            .await?;
        drop_tables(
            manager,
            &["webhook_attempts", "webhook_deliveries", "webhook_subscriptions", "webhook_endpoints"],
        )
        .await
    }
}
