use sea_orm_migration::prelude::*;

use crate::{drop_tables, run_ddl};

#[derive(DeriveMigrationName)]
pub struct Migration;

// The desk's queue: tickets, counters, the unit's queue settings, and the events screens show.
//
// Every write to a unit's queue first takes that unit's row of `queue_days` for the day (the
// upsert that hands out ticket numbers, or a plain lock), so the writes of one unit run one at
// a time across every server process: numbers are gap-free, "call next" never hands one ticket
// to two counters, and the unit's events commit in the order of their ids, which is what lets
// a screen resume "after event N". The constraints below hold even against a write that forgot
// the lock: a number once per unit and day, one check-in per appointment, one ticket at a
// counter at a time.
const UP: &str = r#"
CREATE TABLE queue_settings (
    unit_id {uuid} PRIMARY KEY REFERENCES units (id),
    checkin_early_minutes INTEGER NOT NULL CHECK (checkin_early_minutes BETWEEN 0 AND 240),
    checkin_late_minutes INTEGER NOT NULL CHECK (checkin_late_minutes BETWEEN 0 AND 240),
    max_recalls INTEGER NOT NULL CHECK (max_recalls BETWEEN 1 AND 10),
    priority_strategy TEXT NOT NULL CHECK (priority_strategy IN ('strict', 'interleaved')),
    priority_every INTEGER NOT NULL CHECK (priority_every BETWEEN 1 AND 50),
    service_groups TEXT NOT NULL,
    updated_at {ts} NOT NULL
);

CREATE TABLE queue_days (
    unit_id {uuid} NOT NULL REFERENCES units (id),
    service_day {date} NOT NULL,
    last_number INTEGER NOT NULL CHECK (last_number >= 0),
    normals_since_priority INTEGER NOT NULL DEFAULT 0 CHECK (normals_since_priority >= 0),
    CONSTRAINT queue_days_pkey PRIMARY KEY (unit_id, service_day)
);

CREATE TABLE counters (
    unit_id {uuid} NOT NULL REFERENCES units (id),
    number INTEGER NOT NULL CHECK (number BETWEEN 1 AND 200),
    state TEXT NOT NULL CHECK (state IN ('open', 'paused', 'closed')),
    pause_reason TEXT,
    officer_id {uuid} REFERENCES users (id),
    service_groups TEXT,
    updated_at {ts} NOT NULL,
    CONSTRAINT counters_pkey PRIMARY KEY (unit_id, number),
    CHECK ((state = 'paused') = (pause_reason IS NOT NULL)),
    CHECK (state <> 'closed' OR officer_id IS NULL)
);

CREATE TABLE tickets (
    id {uuid} PRIMARY KEY,
    unit_id {uuid} NOT NULL REFERENCES units (id),
    service_day {date} NOT NULL,
    number INTEGER NOT NULL CHECK (number > 0),
    display_number TEXT NOT NULL,
    service_group TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('appointment', 'walk_in')),
    priority_class TEXT NOT NULL CHECK (priority_class IN ('normal', 'priority')),
    priority_reason TEXT,
    appointment_id {uuid} REFERENCES appointments (id),
    slot_start {ts},
    status TEXT NOT NULL CHECK (status IN ('waiting', 'called', 'serving', 'served', 'no_show', 'cancelled')),
    queue_key BIGINT NOT NULL,
    counter INTEGER,
    target_counter INTEGER,
    recalls INTEGER NOT NULL DEFAULT 0 CHECK (recalls >= 0),
    outcome TEXT CHECK (outcome IN ('dossier_received', 'guidance_only', 'documents_missing', 'other')),
    dossier_id {uuid} REFERENCES dossiers (id),
    officer_id {uuid} REFERENCES users (id),
    checked_in_at {ts} NOT NULL,
    first_called_at {ts},
    called_at {ts},
    serving_at {ts},
    finished_at {ts},
    closes_at {ts} NOT NULL,
    version INTEGER NOT NULL CHECK (version > 0),
    CONSTRAINT tickets_unit_day_number UNIQUE (unit_id, service_day, number),
    CHECK ((status IN ('called', 'serving')) = (counter IS NOT NULL)),
    CHECK ((kind = 'appointment') = (slot_start IS NOT NULL)),
    CHECK (kind = 'walk_in' OR appointment_id IS NOT NULL),
    CHECK ((priority_class = 'priority') = (priority_reason IS NOT NULL)),
    CHECK ((status IN ('served', 'no_show', 'cancelled')) = (finished_at IS NOT NULL))
);
CREATE UNIQUE INDEX tickets_appointment ON tickets (appointment_id) WHERE appointment_id IS NOT NULL;
CREATE UNIQUE INDEX tickets_counter_busy ON tickets (unit_id, counter) WHERE status IN ('called', 'serving');
CREATE INDEX tickets_unit_day ON tickets (unit_id, service_day, status);
CREATE INDEX tickets_open_until ON tickets (closes_at) WHERE status = 'waiting';

CREATE TABLE queue_events (
    id {serial_pk},
    unit_id {uuid} NOT NULL REFERENCES units (id),
    at {ts} NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('ticket', 'call', 'counter')),
    ticket_id {uuid} REFERENCES tickets (id),
    counter INTEGER
);
CREATE INDEX queue_events_unit ON queue_events (unit_id, id)
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
        drop_tables(manager, &["queue_events", "tickets", "counters", "queue_days", "queue_settings"]).await
    }
}
