use sea_orm_migration::prelude::*;

use crate::{drop_tables, run_ddl};

#[derive(DeriveMigrationName)]
pub struct Migration;

// Push notifications: the devices users register (an FCM registration token each, unique: a
// token registered again by another user moves to them, as a phone changes hands), each bound
// to the session that registered it (a session that ends takes its device along: a phone
// logged out, or signed out from elsewhere, stops getting the account's pushes), and an
// outbox of pushes, one per inbox entry and device of its recipient, written by `notify` in
// the transaction of the entry when push is configured.
//
// A push is `pending` until it is due (`next_attempt_at`), `sending` while a dispatcher holds
// its lease (`lease_id` until `lease_until`; an expired lease is claimed again), and `failed`
// once the retries are spent. A push FCM accepted is deleted: nothing reads it afterwards.
// Removing a device (by its owner, or because FCM reported its token unregistered) removes its
// pushes with it.
const UP: &str = r#"
CREATE TABLE devices (
    id {uuid} PRIMARY KEY,
    user_id {uuid} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    platform TEXT NOT NULL CHECK (platform IN ('android', 'ios')),
    token TEXT NOT NULL UNIQUE,
    session_id {uuid} NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    created_at {ts} NOT NULL
);
CREATE INDEX devices_user ON devices (user_id);
CREATE INDEX devices_session ON devices (session_id);

CREATE TABLE push_deliveries (
    id {uuid} PRIMARY KEY,
    device_id {uuid} NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    notification_id {uuid} NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    data TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at {ts} NOT NULL,
    lease_id {uuid},
    lease_until {ts},
    last_error TEXT,
    created_at {ts} NOT NULL
);
CREATE INDEX push_deliveries_due ON push_deliveries (status, next_attempt_at);
CREATE INDEX push_deliveries_device ON push_deliveries (device_id);
CREATE INDEX push_deliveries_notification ON push_deliveries (notification_id)
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
        drop_tables(manager, &["push_deliveries", "devices"]).await
    }
}
