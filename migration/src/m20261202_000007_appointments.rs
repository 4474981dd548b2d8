use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

use crate::{drop_tables, run_ddl};

#[derive(DeriveMigrationName)]
pub struct Migration;

// Appointments at a unit's desk.
//
// A booking holds one row of `appointment_seats`, whose primary key is the seat itself (unit,
// slot start, seat number): two bookings can never hold one seat, whatever the processes and
// their timing. A cancellation frees the seat by deleting its row; a reschedule takes the new
// seat before it lets the old one go, in one transaction. The same table keeps a citizen to one
// seat per slot start (`appointment_seats_citizen_slot`).
//
// Reminders are rows written in the booking's transaction and voided in the transaction that
// cancels or moves it; senders claim due rows. Idempotency keys keep a write's first answer,
// written in the write's own transaction.
const UP: &str = r#"
ALTER TABLE units ADD COLUMN appointment_seats INTEGER CHECK (appointment_seats BETWEEN 0 AND 200);
ALTER TABLE units ADD COLUMN min_lead_minutes INTEGER NOT NULL DEFAULT 60
    CHECK (min_lead_minutes BETWEEN 0 AND 10080);
ALTER TABLE units ADD COLUMN booking_horizon_days INTEGER NOT NULL DEFAULT 30
    CHECK (booking_horizon_days BETWEEN 1 AND 366);
ALTER TABLE units ADD COLUMN cancel_cutoff_minutes INTEGER NOT NULL DEFAULT 120
    CHECK (cancel_cutoff_minutes BETWEEN 0 AND 10080);

CREATE TABLE appointments (
    id {uuid} PRIMARY KEY,
    unit_id {uuid} NOT NULL REFERENCES units (id),
    procedure_id {uuid} NOT NULL REFERENCES procedures (id),
    citizen_id {uuid} NOT NULL REFERENCES users (id),
    starts_at {ts} NOT NULL,
    ends_at {ts} NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('booked', 'cancelled', 'checked_in', 'served', 'no_show')),
    version INTEGER NOT NULL CHECK (version > 0),
    previous_start {ts},
    reschedule_count INTEGER NOT NULL DEFAULT 0 CHECK (reschedule_count >= 0),
    cancelled_by TEXT CHECK (cancelled_by IN ('citizen', 'unit', 'system')),
    cancel_reason TEXT,
    cancelled_at {ts},
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    CHECK (ends_at > starts_at),
    CHECK ((status = 'cancelled') = (cancelled_by IS NOT NULL))
);
CREATE INDEX appointments_citizen ON appointments (citizen_id, starts_at);
CREATE INDEX appointments_unit_start ON appointments (unit_id, starts_at);

CREATE TABLE appointment_seats (
    unit_id {uuid} NOT NULL REFERENCES units (id),
    starts_at {ts} NOT NULL,
    seat INTEGER NOT NULL CHECK (seat >= 0),
    appointment_id {uuid} NOT NULL REFERENCES appointments (id),
    citizen_id {uuid} NOT NULL REFERENCES users (id),
    CONSTRAINT appointment_seats_pkey PRIMARY KEY (unit_id, starts_at, seat)
);
CREATE UNIQUE INDEX appointment_seats_citizen_slot ON appointment_seats (citizen_id, starts_at);
CREATE INDEX appointment_seats_appointment ON appointment_seats (appointment_id);

CREATE TABLE appointment_reminders (
    id {uuid} PRIMARY KEY,
    appointment_id {uuid} NOT NULL REFERENCES appointments (id),
    appointment_version INTEGER NOT NULL,
    due_at {ts} NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'void', 'skipped')),
    settled_at {ts}
);
CREATE INDEX appointment_reminders_appointment ON appointment_reminders (appointment_id);
CREATE INDEX appointment_reminders_pending ON appointment_reminders (due_at) WHERE state = 'pending';

CREATE TABLE idempotency_keys (
    caller_id {uuid} NOT NULL REFERENCES users (id),
    key TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    fingerprint TEXT NOT NULL,
    answer TEXT NOT NULL,
    created_at {ts} NOT NULL,
    CONSTRAINT idempotency_keys_pkey PRIMARY KEY (caller_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

ALTER TABLE notifications ADD COLUMN appointment_id {uuid} REFERENCES appointments (id)
"#;

const NOTIFICATIONS_WITHOUT_APPOINTMENTS_SQLITE: &str = r#"
CREATE TABLE notifications_rebuilt (
    id {uuid} PRIMARY KEY,
    user_id {uuid} NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    dossier_id {uuid} REFERENCES dossiers (id),
    created_at {ts} NOT NULL,
    read_at {ts}
);
INSERT INTO notifications_rebuilt (id, user_id, kind, title, body, dossier_id, created_at, read_at)
SELECT id, user_id, kind, title, body, dossier_id, created_at, read_at FROM notifications
WHERE appointment_id IS NULL;
DROP TABLE notifications;
ALTER TABLE notifications_rebuilt RENAME TO notifications;
CREATE INDEX notifications_user ON notifications (user_id, created_at)
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
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                db.execute_unprepared("ALTER TABLE notifications DROP COLUMN appointment_id").await?;
            }
            // SQLite cannot drop a column that references another table: rebuild the table.
            _ => run_ddl(manager, NOTIFICATIONS_WITHOUT_APPOINTMENTS_SQLITE).await?,
        }
        drop_tables(
            manager,
            &["idempotency_keys", "appointment_reminders", "appointment_seats", "appointments"],
        )
        .await?;
        for column in
            ["cancel_cutoff_minutes", "booking_horizon_days", "min_lead_minutes", "appointment_seats"]
        {
            db.execute_unprepared(&format!("ALTER TABLE units DROP COLUMN {column}")).await?;
        }
        Ok(())
    }
}
